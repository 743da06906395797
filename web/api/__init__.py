"""The JSON API under ``/api/v1`` (SPEC §5): bearer tokens, marshmallow at the boundary, one error format.
``bp`` lives in ``blueprint``; importing the view modules here adds their routes to it, and ``create_app``
registers it."""
from __future__ import annotations

from . import (  # noqa: F401
    actions,
    annual,
    auth,
    deadlines,
    definitions,
    design_migration,
    designer,
    errors,
    files,
    instances,
    learning,
    messages,
    notifications,
    openapi,
    plan_changes,
    reports,
    retention,
    tasks,
)
from .blueprint import bp

__all__ = ["bp"]
