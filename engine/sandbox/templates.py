"""Rendering a bundle's Jinja (form schemas, task instructions) in a sandbox worker, under the same time and
memory limits as scripts: three nested ``range(500)`` loops or ``('x' * 400000000)|length`` cost a worker,
never the server. Text with no Jinja syntax is returned as it is, with no round trip."""
from __future__ import annotations

from typing import Any

from .. import clock
from . import pool
from .scripting import ScriptLimitExceeded

TEMPLATE_TIMEOUT_S = 2.0
_SYNTAX = ("{{", "{%", "{#")


class TemplateError(Exception):
    """The template failed, or overran its limits; the message says which."""


def has_template_syntax(text: str) -> bool:
    return any(mark in text for mark in _SYNTAX)


def render(source: str, context: dict[str, Any], *, strict: bool = False,
           timeout_s: float = TEMPLATE_TIMEOUT_S) -> str:
    if not has_template_syntax(source):
        return source
    try:
        job = ("template", timeout_s, clock.now(), source, context, strict)
        rendered: str = pool.shared_pool().run(job, timeout_s, what="template")
        return rendered
    except pool.WorkerError as exc:
        raise TemplateError(f"{exc.kind}: {exc.message}") from None
    except ScriptLimitExceeded as exc:
        raise TemplateError(str(exc)) from None
