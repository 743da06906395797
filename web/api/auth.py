"""``POST /auth/token``: a bearer token for a username and password."""
from __future__ import annotations

from datetime import timedelta

from flask import Response, jsonify

from engine import tokens

from .. import lif
from . import bp
from .common import body, now
from .schemas import TokenRequest, TokenResponse


@bp.post("/auth/token")
def issue_token() -> Response:
    credentials = body(TokenRequest())
    config = lif().config
    with lif().unit_of_work() as session:
        try:
            user = tokens.authenticate(session, credentials["username"], credentials["password"], now=now(),
                                       max_failures=config.login_max_failures,
                                       window=timedelta(minutes=config.login_window_minutes))
        except Exception:
            session.commit()  # keep the failure on record for the per-account limit
            raise
        token, expires_at = tokens.issue_token(session, user, now=now(), ttl=timedelta(hours=config.token_ttl_hours))
    return jsonify(TokenResponse().dump({"token": token, "expires_at": expires_at}))
