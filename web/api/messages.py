"""``POST /messages``: deliver a message to every waiting instance whose correlation matches."""
from __future__ import annotations

from flask import Response, jsonify

from engine.cases import messages
from engine.errors import Forbidden

from ..context import lif
from .blueprint import bp
from .common import body, current_actor, now
from .schemas import MessageRequest, MessageResponse


@bp.post("/messages")
def send_message() -> tuple[Response, int]:
    actor = current_actor()
    if not actor.has("coordinator"):  # a message carries data into cases, or starts one: a case action
        raise Forbidden("sending messages needs the coordinator role")
    request_body = body(MessageRequest())
    with lif().unit_of_work() as session:
        delivered = messages.send_message(session, request_body["name"], request_body["correlation"],
                                          request_body["payload"], actor=actor.username, now=now())
    return jsonify(MessageResponse().dump({"delivered_to": delivered})), 202
