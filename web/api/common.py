"""What every API view needs: the caller, the request body through a schema, paging, and list answers."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, g, request
from marshmallow import Schema, ValidationError

from engine import clock
from engine.errors import BadRequest, Unauthorized
from engine.people import tokens
from engine.records import Actor, Page

from ..context import lif
from .errors import flatten
from .schemas import PagingArgs


def now() -> datetime:
    return clock.now()


def current_actor() -> Actor:
    """The caller, from ``Authorization: Bearer <token>``; 401 without a valid one. Kept in ``g.api_actor``, apart
    from the pages' ``g.actor`` (a signed-in session), so a session cookie never authenticates an API call."""
    found: Actor | None = g.get("api_actor")
    if found is not None:
        return found
    token = bearer_token()
    with lif().reading() as session:
        g.api_actor = actor = tokens.actor_for_token(session, token, now=now())
    return actor


def bearer_token() -> str:
    """The token from ``Authorization: Bearer <token>``; 401 without one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send a token as 'Authorization: Bearer <token>'")
    return token.strip()


def body(schema: Schema) -> dict[str, Any]:
    """The JSON object sent, through ``schema``; 400 when it is not JSON the app's parser accepts (see
    ``web.inputs``: not too deep, no lone surrogates), 422 when a field is invalid."""
    try:
        payload = current_app.json.loads(request.get_data(cache=True))  # a body too large is a 413 here
    except ValueError as exc:
        raise BadRequest(f"the request body must be a JSON object ({str(exc).splitlines()[0][:200]})") from None
    if not isinstance(payload, dict):
        raise BadRequest("the request body must be a JSON object")
    loaded: dict[str, Any] = schema.load(payload)
    return loaded


def query(schema: Schema) -> dict[str, Any]:
    """The query string's parameters through ``schema`` (bounded integers and the like); 400 with the fields."""
    try:
        loaded: dict[str, Any] = schema.load({name: request.args[name] for name in schema.fields
                                              if name in request.args})
        return loaded
    except ValidationError as exc:
        raise BadRequest("the query has invalid parameters", flatten(exc.messages)) from None


def paging() -> tuple[int, int]:
    found = query(PagingArgs())
    return found["limit"], found["offset"]


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
