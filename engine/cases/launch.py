"""Creating a case: its row, its business key, and its run up to the first wait.

Launching routes no messages: a caller hands the messages the first run threw to ``step.route_thrown``, so
this module sits below the message routing and the recurring starts that both create cases.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from .. import text, timings
from ..registers import projection
from ..spiff.adapter import ThrownMessage, Workflow
from ..states import InstanceStatus
from ..store import audit
from ..store.db import step_settings
from ..store.models import ProcessDefinition, ProcessInstance
from . import business_keys, carry_forward, child_match, partners, runtime


def launch_instance(session: Session, definition: ProcessDefinition, process_id: str, *, data: dict[str, Any],
                    business_key: str | None, actor: str | None, now: datetime,
                    first_message: ThrownMessage | None = None, shares_key: bool = False,
                    parent_id: str | None = None) -> tuple[ProcessInstance, list[ThrownMessage]]:
    """Create and run an instance up to its first wait; ``first_message`` feeds a message start event. The
    business key (given, or the next generated one) is claimed for it, unless it ``shares_key`` with the cases
    whose work it continues (a message start whose payload names the key). ``parent_id`` is the case it is a part
    of, if any. Returns the instance and the
    messages its first run threw, for the caller to route."""
    with timings.timed_step(definition.key, "start") as outcome:
        specs = runtime.specs_for(session, definition)
        data = carry_forward.carried(session, definition, data)  # a variable the previous case hands on
        data = {**data, **partners.case_variables(session, definition.model)}  # the engine's, never the caller's
        key = text.one_line(business_key or "")[:business_keys.MAX_LENGTH]
        key_variable = definition.model.get("business_key_variable")
        if isinstance(key_variable, str) and key_variable:  # a bundle correlating on its case's key (checked at deploy)
            key = key or business_keys.next_business_key(session, definition.key, now)
            data = {**data, key_variable: key}
        flow, facts = Workflow.start(specs, process_id, data, step_settings(session), message=first_message)
        # A generated key is taken after the first run where it can be: taking one locks the year's sequence row
        # until the transaction ends, and a long first run would hold up every other start of the process.
        key = key or business_keys.next_business_key(session, definition.key, now)
        instance = ProcessInstance(
            definition=definition, definition_id=definition.id, process_key=definition.key, process_id=process_id,
            business_key=key,
            title=definition.name, status=InstanceStatus.ACTIVE, started_by=actor, created_at=now, updated_at=now,
            data={}, state="", parent_id=parent_id,
        )
        instance.title = f"{definition.name} {instance.business_key}"
        session.add(instance)
        session.flush()
        if not (shares_key and business_key):
            business_keys.claim(session, instance.business_key, instance.id)
        audit.record(session, "instance.started", actor=actor, now=now, instance_id=instance.id,
                     process_key=definition.key, version=definition.version, business_key=instance.business_key)
        runtime.save(session, instance, flow, facts, actor=actor, now=now)
        child_match.keep_keys(session, instance, facts.data, flow.synced)
        projection.project(session, instance, facts.data, flow.synced, actor=actor, now=now)
        outcome.value = "error" if instance.status == InstanceStatus.ERROR else "ok"
    return instance, facts.thrown
