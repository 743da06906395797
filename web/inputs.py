"""The web boundary's rules for what a request may carry, in one place: request JSON that is not nested too
deeply and holds no lone surrogate and no NUL (400); path segments and integers in URLs that a row can have (no
control characters; ids that fit the database's columns; 404 otherwise); query parameters without control
characters (400); and page forms whose text holds no control character (400): none in a single-line field, none
but line breaks and tabs in a multi-line one. (PostgreSQL refuses NUL in text, and every database and encoder
refuses lone surrogates: letting either through made a 500.)"""
from __future__ import annotations

import json
import math
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter, UnicodeConverter

from engine import text
from engine.errors import BadRequest

MAX_JSON_DEPTH = 64
MAX_ID = 2**31 - 1  # the largest integer id the database's INTEGER columns hold

# Page form fields that may hold several lines (textareas); every other page form field is one line.
MULTI_LINE_FIELDS = frozenset({"body", "reason", "message"})
# Pages whose form fields a task form defines: the engine checks them against the form's widgets when completed.
TASK_FORM_ENDPOINTS = frozenset({"tasks.submit_task"})


class RequestJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with request bodies refused (a ``ValueError``, which Flask answers 400) when nested more than
    ``MAX_JSON_DEPTH`` levels or holding a lone surrogate (``"\\ud800"``) or a NUL in a key or a string, or a
    number no JSON column stores (``NaN``, ``Infinity``, ``1e400``)."""

    sort_keys = False  # answers keep their schemas' field order (id first), and skip a sort per object

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        kwargs.setdefault("parse_constant", _refuse_constant)
        kwargs.setdefault("parse_float", _finite_float)
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError(f"nested more than {MAX_JSON_DEPTH} levels deep") from None
        problem = text.json_problem(value, MAX_JSON_DEPTH)
        if problem:
            raise ValueError(problem)
        return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # Python reads NaN and Infinity; no database's JSON does


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise ValueError(f"the number {literal[:40]} is too large")
    return value


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` matching only ids the database can hold, so a larger number is a 404 and never an overflow."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class SegmentConverter(UnicodeConverter):
    """The default ``<name>`` converter, matching no control character: such a segment names no row (404)."""

    def __init__(self, map: Any, minlength: int = 1, maxlength: int | None = None, length: int | None = None
                 ) -> None:
        super().__init__(map, minlength, maxlength, length)
        self.regex = self.regex.replace("[^/]", "[^/\x00-\x1f\x7f-\x9f]")


def query_problem() -> str | None:
    for name, value in request.args.items(multi=True):
        found = text.problem(name) or text.problem(value)
        if found:
            return f"the query parameter {text.one_line(name)[:64]!r} {found}"
    return None


def form_problem() -> str | None:
    """Why the page form posted may not be accepted, or None."""
    task_form = request.endpoint in TASK_FORM_ENDPOINTS
    for name, value in request.form.items(multi=True):
        multiline = name in MULTI_LINE_FIELDS or (task_form and name not in ("_action", "csrf_token"))
        found = text.problem(name) or text.problem(value, multiline=multiline)
        if found:
            return f"The field {text.one_line(name)[:64]!r} {found}."
    for name, upload in request.files.items(multi=True):
        if text.problem(name) or text.problem(upload.filename or ""):
            return "A file's name must be one line, without control characters."
    return None


def install(app: Flask) -> None:
    """Before any blueprint's routes are added: the converter applies to routes added afterwards."""
    app.json = RequestJSONProvider(app)
    app.url_map.converters.update(int=BoundedIntegerConverter, default=SegmentConverter, string=SegmentConverter)
    app.before_request(refuse_bad_queries)


def refuse_bad_queries() -> None:
    """A ``before_request`` hook for every request (the API's and the pages')."""
    if request.routing_exception is not None:
        return  # no route: the 404 (or 405) is the answer
    problem = query_problem() if request.args else None
    if problem:
        raise BadRequest(problem)


def refuse_bad_forms() -> None:
    """A ``before_request`` hook for the pages."""
    if request.method == "POST" and request.routing_exception is None and request.blueprint != "api" and request.form:
        problem = form_problem()
        if problem:
            raise BadRequest(problem)
