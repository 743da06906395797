"""One step of a case, written once: load its workflow, act on it, save the facts, route the messages it
threw, flush.

Every change to a running case goes through ``take_step`` (completing a task, retrying, firing timers,
delivering a message, shifting timers on a resume), so each gets the same audit rows, the same revision check
(a stale revision is a ``Conflict``) and the same handling of a failing script (the case goes to ``error``).
A step and message routing call each other (a delivered message is a step of the receiving case, which may
throw messages in turn), so both live here; a chain longer than ``MAX_CHAIN`` is refused.

A message that would start a case of a process declaring ``child_match`` goes instead, as that process's link
message, to the open case about the same child when there is one (``child_match``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import events, timings
from ..bundles import definitions
from ..errors import InvalidData
from ..registers import projection
from ..registers.declaration import Declaration
from ..spiff.adapter import Facts, ThrownMessage, Workflow
from ..states import TaskState
from ..store import audit, row_writes
from ..store.models import HumanTask, MessageSubscription, ProcessDefinition, ProcessInstance
from . import child_match, launch, runtime
from .correlation import Message, from_thrown, waiting_targets

MAX_CHAIN = 10
Action = Callable[[Workflow], Facts]  # acts on the loaded workflow; may audit, or raise before anything is saved


def take_step(session: Session, instance: ProcessInstance, act: Action, *, actor: str | None, now: datetime,
              finished_task: HumanTask | None = None, answers: dict[str, Any] | None = None,
              depth: int = 0) -> Facts:
    """Load ``instance``'s workflow, ``act`` on it, save the facts under the row's revision, close the
    ``finished_task`` a person completed (keeping their ``answers``), route what the step threw, and flush.
    Returns the step's facts. Each step is timed (``engine.timings``); one that delivers a message includes the
    receiving case's step, which is timed as well."""
    with timings.timed_step(instance.process_key, "step") as outcome:
        flow = runtime.load(session, instance)
        facts = act(flow)
        runtime.save(session, instance, flow, facts, actor=actor, now=now,
                     finished_task_id=finished_task.id if finished_task is not None else None)
        child_match.keep_keys(session, instance, facts.data, flow.synced)
        projection.project(session, instance, facts.data, flow.synced, actor=actor, now=now)
        if finished_task is not None:
            # after the case's row, which every step writes first (so two steps of one case queue on it)
            row_writes.update_task(session, finished_task, {"state": TaskState.COMPLETED, "completed_at": now,
                                                            "completed_by": actor, "draft": None,
                                                            "answers": answers})
            events.publish(session, events.TaskClosed(finished_task.id, instance.id, TaskState.COMPLETED), now)
        route_thrown(session, instance, facts.thrown, actor=actor, now=now, depth=depth)
        runtime.flush_or_conflict(session)
        outcome.value = "error" if facts.error is not None else "ok"
    return facts


def route_thrown(session: Session, source: ProcessInstance, thrown: list[ThrownMessage], *, actor: str | None,
                 now: datetime, depth: int = 0) -> None:
    """Deliver each message ``source`` threw, and audit where it went."""
    for event in thrown:
        delivered = deliver(session, from_thrown(event), actor=actor, now=now, source_id=source.id,
                            depth=depth + 1)
        audit.record(session, "message.thrown", actor=actor, now=now, instance_id=source.id, name=event.name,
                     delivered_to=delivered)


def deliver(session: Session, message: Message, *, actor: str | None, now: datetime, source_id: str | None,
            depth: int = 0) -> list[str]:
    """A step of every case waiting for ``message``; when none waits, the cases it starts. Their ids."""
    if depth > MAX_CHAIN:
        raise InvalidData(f"message {message.name!r} started a chain of more than {MAX_CHAIN} messages")
    delivered = []
    for instance in waiting_targets(session, message, source_id):
        take_step(session, instance, lambda flow: flow.deliver(message.for_instance(flow)), actor=actor, now=now,
                  depth=depth)
        delivered.append(instance.id)
    if not delivered:
        delivered = _start_by_message(session, message, actor=actor, now=now, depth=depth, source_id=source_id)
    return delivered


def _start_by_message(session: Session, message: Message, *, actor: str | None, now: datetime,
                      depth: int, source_id: str | None = None) -> list[str]:
    """The cases ``message`` starts, one per process beginning with it; or, for a process that matches children,
    the open case about the same child that it reaches instead. A process its bundle declares a part (``parts``)
    starts as a part of the case that sent the message (of that case's own parent, when it is a part itself)."""
    started = []
    for definition in definitions.message_start_targets(session, message.name):
        match = _open_case(session, definition, message)
        if match is not None and match.waiting is not None:
            started.append(_link(session, definition, message, match, actor=actor, now=now, depth=depth))
            continue
        key = message.payload.get("business_key") if isinstance(message.payload, dict) else None
        process_id = definition.message_starts[message.name]
        instance, thrown = launch.launch_instance(
            session, definition, process_id, data={},
            business_key=key if isinstance(key, str) else None, actor=actor, now=now, shares_key=True,
            first_message=message.as_thrown(), parent_id=_parent_of(session, definition, process_id, source_id))
        if match is not None:  # the child's open case cannot take a further referral now: say why a second began
            audit.record(session, "referral.not_linked", actor=actor, now=now, instance_id=instance.id,
                         matched=match.found.instance_id, basis=match.found.basis, message=message.name,
                         reason=f"the matching case does not wait for {match.link_message}")
        route_thrown(session, instance, thrown, actor=actor, now=now, depth=depth)
        started.append(instance.id)
    return started


def _parent_of(session: Session, definition: ProcessDefinition, process_id: str, source_id: str | None) -> str | None:
    """The case a new instance of ``process_id`` is a part of, when its bundle says so and a case sent the message."""
    if source_id is None or process_id not in Declaration.of(definition.model).parts:
        return None
    source = session.get(ProcessInstance, source_id)
    return None if source is None else source.parent_id or source.id


@dataclass(frozen=True)
class _OpenCase:
    found: child_match.Match
    link_message: str
    waiting: MessageSubscription | None  # the case's wait for the link message, if it waits for it


def _open_case(session: Session, definition: ProcessDefinition, message: Message) -> _OpenCase | None:
    """The child's open case that waits for the link message, else the best match (which does not)."""
    declaration = child_match.Declaration.of(definition.model)
    found = child_match.open_cases_for(session, definition, declaration, message.payload) if declaration else []
    if declaration is None or not found:
        return None
    waits: dict[str, MessageSubscription] = {}
    for row in session.scalars(select(MessageSubscription).where(
            MessageSubscription.instance_id.in_([m.instance_id for m in found]),
            MessageSubscription.message_name == declaration.link_message).order_by(MessageSubscription.id)):
        waits.setdefault(row.instance_id, row)
    best = next((m for m in found if m.instance_id in waits), found[0])
    return _OpenCase(best, declaration.link_message, waits.get(best.instance_id))


def _link(session: Session, definition: ProcessDefinition, message: Message, match: _OpenCase, *,
          actor: str | None, now: datetime, depth: int) -> str:
    """Deliver ``message``'s payload as the link message to the open case (under the correlation the case waits
    with, so a case that has caught correlated messages still takes it); audit ids and the basis only."""
    assert match.waiting is not None
    case = runtime.get_instance_row(session, match.found.instance_id)
    correlation = {k: v for k, v in (match.waiting.correlation or {}).items() if v is not None}
    link = Message(match.link_message, message.payload, correlation)
    take_step(session, case, lambda flow: flow.deliver(link.for_instance(flow)), actor=actor, now=now, depth=depth)
    audit.record(session, "referral.linked", actor=actor, now=now, instance_id=case.id, process_key=definition.key,
                 message=message.name, link_message=match.link_message, basis=match.found.basis)
    return case.id
