"""One table from the engine's errors to HTTP statuses, used by the JSON API and the pages alike, so an error
answers with the same status whoever asked."""
from __future__ import annotations

from engine.errors import (
    BadRequest,
    Conflict,
    DatabaseUnavailable,
    Forbidden,
    InvalidData,
    LifError,
    NotFound,
    RateLimited,
    ScriptError,
    ServiceUnavailable,
    TooLarge,
    Unauthorized,
)

STATUS: dict[type[LifError], int] = {
    BadRequest: 400, Unauthorized: 401, Forbidden: 403, NotFound: 404, Conflict: 409, TooLarge: 413,
    InvalidData: 422, ScriptError: 422, RateLimited: 429, DatabaseUnavailable: 503,
    ServiceUnavailable: 503,
}
UNLISTED = 400


def status_for(error: LifError) -> int:
    """The status of the error's nearest class in the table, so a narrower error (``DuplicateBusinessKey``)
    answers as its parent (``Conflict``) unless the table names it; 400 for one the table does not reach."""
    return next((STATUS[cls] for cls in type(error).__mro__ if cls in STATUS), UNLISTED)
