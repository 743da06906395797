"""``POST /auth/token``: a bearer token for a username and password (throttled per address group, per username
at an address group and per username across addresses, see ``engine.sign_in``); ``POST /auth/token/revoke``: the
caller gives its token up."""
from __future__ import annotations

from datetime import timedelta

from flask import Response, jsonify, request

from engine.people import accounts, sign_in, tokens

from ..context import lif
from ..ops.metrics import counting_sign_in_failures
from .blueprint import bp
from .common import bearer_token, body, now
from .schemas import TokenRequest, TokenResponse


@bp.post("/auth/token")
def issue_token() -> Response:
    credentials = body(TokenRequest())
    config = lif().config
    with counting_sign_in_failures("api"):  # lif_sign_in_failures_total
        signed_in = sign_in.authenticate(lif().factory, credentials["username"], credentials["password"],
                                         address=request.remote_addr or "", now=now(),
                                         limits=sign_in.Limits.from_config(config))
    with lif().unit_of_work() as session:
        token, expires_at = tokens.issue_token(session, accounts.find_user(session, signed_in.username), now=now(),
                                               ttl=timedelta(hours=config.token_ttl_hours))
    return jsonify(TokenResponse().dump({"token": token, "expires_at": expires_at}))


@bp.post("/auth/token/revoke")
def revoke_token() -> tuple[str, int]:
    token = bearer_token()
    with lif().unit_of_work() as session:
        tokens.revoke_token(session, token, now=now())
    return "", 204
