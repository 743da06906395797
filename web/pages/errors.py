"""Engine errors and HTTP errors as pages: NotFound is the 404 page, Forbidden the 403 page, and so on (the
statuses from ``web.errors``, as the API's). The JSON API answers its own errors; these handlers serve every
other path."""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import LifError, RateLimited

from ..errors import status_for

TITLES = {400: "There was a problem with your request", 401: "You need to sign in",
          403: "You do not have permission to see this page", 404: "Page not found",
          409: "This has changed since you loaded the page", 413: "What you sent is too large",
          422: "There was a problem with what you sent", 429: "Too many attempts",
          503: "Sorry, the service is unavailable"}
MESSAGES = {404: "If you typed the web address, check it is correct. If you followed a link, the case or task "
                 "may not exist, or you may not take part in it.",
            403: "Your roles do not allow this. Ask a coordinator or your administrator if you need access.",
            503: "The service cannot reach its database just now. Try again in a few minutes."}


def error_page(status: int, message: str | None = None) -> tuple[str, int]:
    return render_template("error.html", status=status, title=TITLES.get(status, "Sorry, there is a problem"),
                           message=message or MESSAGES.get(status, "")), status


def install(app: Flask) -> None:
    @app.errorhandler(LifError)
    def _engine_error(exc: LifError) -> tuple[str, int, dict[str, str]]:
        status = status_for(exc)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else {}
        return *error_page(status, None if status in (403, 404, 503) else exc.message), headers

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> tuple[str, int]:
        return error_page(400, "The form was not accepted because it had expired or did not come from this "
                               "service. Go back, reload the page and try again.")

    @app.errorhandler(413)
    def _too_large(exc: HTTPException) -> tuple[str, int] | HTTPException:
        if request.path.startswith("/api/"):
            return exc
        return error_page(413, "The form or file you sent is too large.")
