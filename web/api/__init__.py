"""The JSON API under ``/api/v1`` (SPEC §5): bearer tokens, marshmallow at the boundary, one error format."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import auth, deadlines, definitions, errors, instances, messages, notifications, openapi, tasks  # noqa: E402,F401
