"""Messages between instances, with LIF as the broker.

A message reaches every instance waiting for it whose correlation matches: for each property given, the
instance's value (fixed by an earlier message, or else its retrieval expression on the instance's data) must
be equal, so two cases waiting for the same message never receive each other's. A message nobody waits for
starts every process whose diagram begins with a message start event of that name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import audit
from ..bundles import definitions
from . import runtime
from ..errors import InvalidData
from ..store.models import MessageSubscription, ProcessInstance
from ..spiff.adapter import ThrownMessage, Workflow

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_CHAIN = 10


@dataclass(frozen=True)
class Message:
    name: str
    payload: Any
    correlation: dict[str, Any] = field(default_factory=dict)

    def as_thrown(self) -> ThrownMessage:
        """The event for a message start: a new instance has no correlation yet, so it takes any."""
        return ThrownMessage(self.name, self.payload, {})

    def for_instance(self, flow: Workflow) -> ThrownMessage:
        """The event as the receiving workflow expects it: correlations grouped by correlation key, and
        simple retrieval variables present in the payload."""
        keys = flow.correlation_keys_for(self.name)
        grouped: dict[str, dict[str, Any]] = {}
        for prop, value in self.correlation.items():
            for key in keys.get(prop, []):
                grouped.setdefault(key, {})[prop] = value
        payload = self.payload
        if isinstance(payload, dict):
            payload = dict(payload)
            for prop, expression in flow.correlation_expressions_for(self.name).items():
                if prop in self.correlation and _IDENTIFIER.match(expression or ""):
                    payload.setdefault(expression, self.correlation[prop])
        return ThrownMessage(self.name, payload, grouped)


def send_message(session: Session, name: str, correlation: dict[str, Any], payload: Any, *, actor: str | None,
                 now: datetime) -> list[str]:
    """Deliver a message from outside; the ids of the instances it reached (or started)."""
    if not name or not isinstance(correlation, dict):
        raise InvalidData("invalid message", [{"field": "name", "message": "is required"}])
    delivered = deliver(session, Message(name, payload, correlation), actor=actor, now=now, source_id=None)
    audit.record(session, "message.received", actor=actor, now=now, name=name, correlation=correlation,
                 delivered_to=delivered)
    return delivered


def route_thrown(session: Session, source: ProcessInstance, thrown: list[ThrownMessage], *, actor: str | None,
                 now: datetime, depth: int = 0) -> None:
    for event in thrown:
        flat = {prop: value for group in event.correlation.values() for prop, value in group.items()}
        delivered = deliver(session, Message(event.name, event.payload, flat), actor=actor, now=now,
                            source_id=source.id, depth=depth + 1)
        audit.record(session, "message.thrown", actor=actor, now=now, instance_id=source.id, name=event.name,
                     delivered_to=delivered)


def deliver(session: Session, message: Message, *, actor: str | None, now: datetime, source_id: str | None,
            depth: int = 0) -> list[str]:
    if depth > MAX_CHAIN:
        raise InvalidData(f"message {message.name!r} started a chain of more than {MAX_CHAIN} messages")
    targets = _waiting_targets(session, message, source_id)
    delivered = []
    for instance in targets:
        flow = runtime.load(session, instance)
        facts = flow.deliver(message.for_instance(flow))
        runtime.save(session, instance, flow, facts, actor=actor, now=now)
        route_thrown(session, instance, facts.thrown, actor=actor, now=now, depth=depth)
        delivered.append(instance.id)
    if not delivered:
        delivered = _start_by_message(session, message, actor=actor, now=now, depth=depth)
    return delivered


def _waiting_targets(session: Session, message: Message, source_id: str | None) -> list[ProcessInstance]:
    rows = session.scalars(select(MessageSubscription).where(MessageSubscription.message_name == message.name)
                           .order_by(MessageSubscription.id))
    ids = []
    for row in rows:
        if row.instance_id != source_id and row.instance_id not in ids and _matches(row.correlation, message):
            ids.append(row.instance_id)
    return [i for i in (session.get(ProcessInstance, x) for x in ids) if i is not None and i.status == "active"]


def _matches(waiting: dict[str, Any], message: Message) -> bool:
    return all(waiting.get(prop) is not None and waiting.get(prop) == value
               for prop, value in message.correlation.items())


def _start_by_message(session: Session, message: Message, *, actor: str | None, now: datetime,
                      depth: int) -> list[str]:
    from .instances import create_instance

    started = []
    for definition in definitions.message_start_targets(session, message.name):
        key = message.payload.get("business_key") if isinstance(message.payload, dict) else None
        instance = create_instance(session, definition, definition.message_starts[message.name], data={},
                                   business_key=key if isinstance(key, str) else None, actor=actor, now=now,
                                   shares_key=True,
                                   first_message=message, depth=depth)
        started.append(instance.id)
    return started
