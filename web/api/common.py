"""What every API view needs: the caller, the request body through a schema, paging, and list answers."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import g, request
from marshmallow import Schema

from engine import clock, tokens
from engine.errors import BadRequest, Unauthorized
from engine.records import Actor, Page

from .. import lif

MAX_LIMIT = 200


def now() -> datetime:
    return clock.now()


def current_actor() -> Actor:
    """The caller, from ``Authorization: Bearer <token>``; 401 without a valid one. Kept in ``g.api_actor``, apart
    from the pages' ``g.actor`` (a signed-in session), so a session cookie never authenticates an API call."""
    found = g.get("api_actor")
    if found is not None:
        return found
    token = bearer_token()
    with lif().reading() as session:
        g.api_actor = tokens.actor_for_token(session, token, now=now())
    return g.api_actor


def bearer_token() -> str:
    """The token from ``Authorization: Bearer <token>``; 401 without one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send a token as 'Authorization: Bearer <token>'")
    return token.strip()


def body(schema: Schema) -> dict[str, Any]:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise BadRequest("the request body must be a JSON object")
    return schema.load(payload)


def paging() -> tuple[int, int]:
    try:
        limit = int(request.args.get("limit", 50))
        offset = int(request.args.get("offset", 0))
    except ValueError:
        raise BadRequest("limit and offset must be integers") from None
    if not (1 <= limit <= MAX_LIMIT) or offset < 0:
        raise BadRequest(f"limit must be 1 to {MAX_LIMIT} and offset 0 or more")
    return limit, offset


def flag(name: str) -> bool | None:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise BadRequest(f"{name} must be true or false")


def listing(page: Page, schema: Schema) -> dict[str, Any]:
    return {"items": schema.dump(page.items, many=True), "total": page.total}
