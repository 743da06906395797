"""Engine errors and HTTP errors as pages: NotFound is the 404 page, Forbidden the 403 page, and so on (the
statuses from ``web.errors``, as the API's). The JSON API answers its own errors; these handlers serve every
other path, in the service's own layout: an unknown address, a wrong method and an unexpected failure too. A
failure's page shows no exception, only a reference that is also in the log, so that a user can quote it and an
administrator find what happened."""
from __future__ import annotations

import logging
import secrets

from flask import Flask, Response, current_app, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError

from engine.errors import DatabaseUnavailable, LifError, RateLimited
from engine.store.db import UNAVAILABLE, unreachable

from ..api.errors import routing_error
from ..errors import status_for
from ..ops.request_ids import path_for_logs

log = logging.getLogger(__name__)

TITLES = {400: "There was a problem with your request", 401: "You need to sign in",
          403: "You do not have permission to see this page", 404: "Page not found",
          409: "This has changed since you loaded the page", 413: "What you sent is too large",
          405: "This page cannot be opened that way", 422: "There was a problem with what you sent",
          429: "Too many attempts", 500: "Sorry, there is a problem with the service",
          503: "Sorry, the service is unavailable"}
MESSAGES = {404: "If you typed the web address, check it is correct. If you followed a link, the case or task "
                 "may not exist, or you may not take part in it.",
            403: "Your roles do not allow this. Ask a coordinator or your administrator if you need access.",
            405: "Go back to the page you came from and use its links and buttons.",
            503: "The service cannot reach its database just now. Try again in a few minutes."}


def error_page(status: int, message: str | None = None, reference: str | None = None) -> tuple[str, int]:
    if status == 503:  # the database is away: the page is drawn as for nobody signed in, so the layout reads nothing
        g.actor = None
    return render_template("error.html", status=status, title=TITLES.get(status, "Sorry, there is a problem"),
                           message=message or MESSAGES.get(status, ""), reference=reference), status


def failure_page(exc: BaseException | None) -> tuple[str, int]:
    """The 500 page: the exception goes to the log under a reference, and only the reference to the user."""
    reference = secrets.token_hex(4).upper()
    log.error("unexpected error %s on %s %s", reference, request.method,
              path_for_logs(request.path, request.view_args), exc_info=exc)
    try:
        return error_page(500, "Try again later. If it happens again, tell your administrator what you were "
                               "doing and quote this reference.", reference)
    except Exception:  # the layout itself failed (its own query, say): a page that needs nothing
        log.exception("the error page failed too (%s)", reference)
        return (f"<!DOCTYPE html><html lang=\"en\"><title>Sorry, there is a problem with the service</title>"
                f"<h1>Sorry, there is a problem with the service</h1><p>Try again later. Reference: {reference}</p>"
                f"</html>"), 500


def install(app: Flask) -> None:
    @app.errorhandler(LifError)
    def _engine_error(exc: LifError) -> tuple[str, int, dict[str, str]]:
        status = status_for(exc)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else {}
        return *error_page(status, None if status in (403, 404, 503) else exc.message), headers

    @app.errorhandler(DBAPIError)
    def _database_error(exc: DBAPIError) -> ResponseReturnValue:
        """The database went away in the middle of a request, past the checks of ``transaction`` and ``reading``
        (a read after the connection was taken, a hook's query): the same 503 as theirs, API or page; any other
        database error is the unexpected failure it is."""
        if not unreachable(exc):
            raise exc
        unavailable = DatabaseUnavailable(UNAVAILABLE)
        unavailable.__cause__ = exc
        return current_app.handle_user_exception(unavailable)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> tuple[str, int]:
        return error_page(400, "The form was not accepted because it had expired or did not come from this "
                               "service. Go back, reload the page and try again.")

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> tuple[Response, int] | tuple[str, int, dict[str, str]]:
        """Every HTTP error no narrower handler answers: an unknown address (404), a wrong method (405), and
        an unexpected failure (Flask hands the original exception in as a 500)."""
        api_answer = routing_error(exc)
        if api_answer is not None:
            return api_answer
        if isinstance(exc, InternalServerError):
            return *failure_page(exc.original_exception or exc), {}
        allow = getattr(exc, "valid_methods", None)  # a 405 says which methods the address takes
        return *error_page(exc.code or 500), ({"Allow": ", ".join(allow)} if allow else {})

    @app.errorhandler(413)
    def _too_large(exc: HTTPException) -> tuple[str, int] | HTTPException:
        if request.path.startswith("/api/"):
            return exc
        return error_page(413, "The form or file you sent is too large.")
