"""What every page view needs: the signed-in user, role checks, the clock, paging and safe redirects."""
from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import flash, g, redirect, request, url_for
from werkzeug.wrappers import Response

from engine import clock
from engine.errors import Forbidden
from engine.records import Actor

F = TypeVar("F", bound=Callable[..., Any])
PAGE_SIZE = 25


def now() -> datetime:
    return clock.now()


def current_actor() -> Actor:
    """The signed-in user (views behind ``signed_in`` only)."""
    actor: Actor = g.actor
    return actor


def signed_in(view: F) -> F:
    """Anonymous visitors go to the sign-in page, and come back here afterwards."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if g.get("actor") is None:
            if g.get("lapsed") is not None:
                flash("Your session has ended because it was left idle or open too long. Sign in again to carry on.",
                      "important")
            back_to = request.full_path.rstrip("?") if request.method in ("GET", "HEAD") else None
            return redirect(url_for("auth.sign_in", next=back_to))
        return view(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def requires(*roles: str) -> Callable[[F], F]:
    """Signed in, and holding one of ``roles``; otherwise the 403 page."""
    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_actor().has(*roles):
                raise Forbidden(f"this page needs one of the roles: {', '.join(roles)}")
            return view(*args, **kwargs)
        return signed_in(wrapper)  # type: ignore[return-value]
    return decorate


def safe_next(target: str | None, default: str) -> str:
    """A local path to go back to; anything pointing off-site becomes ``default``."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def page_number() -> int:
    return bounded_int(request.args.get("page"), 1, 100_000) or 1


def bounded_int(value: str | None, low: int, high: int) -> int | None:
    """``value`` as a whole number from ``low`` to ``high`` (ASCII digits only: ``int("²")`` fails and a
    4,301-digit number is refused by ``int``), clamped to that range; None when it is not a number."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        return None
    return max(low, min(int(value), high))


def done(message: str, endpoint: str, **values: Any) -> Response:
    """Post/redirect/get with a success banner."""
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


def back(message: str, endpoint: str, **values: Any) -> Response:
    """Post/redirect/get with an important-information banner (a conflict, or nothing to do)."""
    flash(message, "important")
    return redirect(url_for(endpoint, **values))
