"""Every API error is ``{"error": {"code", "message", "details"}}``, with the status ``web.errors`` gives the
engine's error (the pages use the same table)."""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from engine.errors import LifError, RateLimited

from ..errors import status_for
from .blueprint import bp


def error_response(status: int, code: str, message: str, details: Any = None) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message, "details": details}}), status


@bp.errorhandler(LifError)
def _lif_error(exc: LifError) -> tuple[Response, int]:
    response, status = error_response(status_for(exc), exc.code, exc.message, exc.details)
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response, status


@bp.errorhandler(ValidationError)
def _invalid_request(exc: ValidationError) -> tuple[Response, int]:
    return error_response(422, "invalid", "the request has invalid fields", flatten(exc.messages))


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> tuple[Response, int]:
    code = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
            409: "conflict", 413: "too_large", 415: "bad_request", 429: "rate_limited"}.get(exc.code or 500, "error")
    return error_response(exc.code or 500, code, exc.description or exc.name)


# Handlers for a status code win over handlers for an exception class, wherever registered: name the codes here so
# an app-wide page for, say, 413 never answers a request to the API.
for _status in (400, 401, 403, 404, 405, 409, 413, 415, 429):
    bp.register_error_handler(_status, _http_error)


def routing_error(exc: HTTPException) -> tuple[Response, int] | None:
    """Unknown paths and methods under ``/api/v1`` never reach a view, so blueprint handlers do not see them: the
    app's error pages (``web.pages.errors``) ask here first, and answer every other path (None) with a page."""
    prefix = bp.url_prefix or ""
    if request.path == prefix or request.path.startswith(prefix + "/"):
        return _http_error(exc)
    return None


def flatten(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    """marshmallow's nested messages as ``[{"field": "a.b[0]", "message": ...}]``."""
    out: list[dict[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            part = f"[{key}]" if isinstance(key, int) else (f"{prefix}.{key}" if prefix else str(key))
            out.extend(flatten(value, part if not isinstance(key, int) else prefix + part))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out.extend({"field": prefix, "message": m} for m in messages)
    else:
        out.append({"field": prefix, "message": str(messages)})
    return out
