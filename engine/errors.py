"""One tree of errors, each with a stable ``code``; ``web.errors`` maps them to HTTP statuses in one table."""
from __future__ import annotations

from typing import Any


class LifError(Exception):
    code = "error"

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class BadRequest(LifError):
    code = "bad_request"


class Unauthorized(LifError):
    code = "unauthorized"


class Forbidden(LifError):
    code = "forbidden"


class NotFound(LifError):
    code = "not_found"


class Conflict(LifError):
    code = "conflict"


class DuplicateBusinessKey(Conflict):
    """Another case already has the business key asked for."""

    code = "duplicate_business_key"


class TooLarge(LifError):
    code = "too_large"


class InvalidData(LifError):
    """Input that fails validation; ``details`` lists each problem with its path or file, line and element."""

    code = "invalid"


class RateLimited(LifError):
    """Too many tries; ``retry_after`` is the whole number of seconds until the next is allowed."""

    code = "rate_limited"

    def __init__(self, message: str, details: Any = None, *, retry_after: int = 60) -> None:
        super().__init__(message, details)
        self.retry_after = max(1, retry_after)


class DatabaseUnavailable(LifError):
    """The database cannot be reached or opened; the same request may succeed once it is back."""

    code = "database_unavailable"


class ServiceUnavailable(LifError):
    """A service a request needs besides the database (the virus scanner) cannot be reached or cannot answer;
    nothing was done, and the same request may succeed later."""

    code = "service_unavailable"


class ScriptError(LifError):
    """A diagram's script or expression failed, was refused, ran too long or grew too large."""

    code = "script_error"
