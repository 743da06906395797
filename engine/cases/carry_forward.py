"""Carry-forward at launch: a new case of a process whose bundle declares ``carry_forward``
(``engine.bundles.carry_forward``) starts with each declared variable copied from the most recent earlier case
of the same process, completed or still active, that holds it. Cancelled cases and cases in error are passed
over: neither is a cycle anyone signed off. The copy is a snapshot: later changes to the earlier case do not
reach the new one."""
from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..bundles import carry_forward
from ..states import InstanceStatus
from ..store.models import ProcessDefinition, ProcessInstance

LOOK_BACK = 10  # earlier cases read at most: a cycle that never wrote the variable is rare, ten in a row never


def carried(session: Session, definition: ProcessDefinition, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with the carried-forward variables of ``definition``'s process added (``None`` when no earlier
    case holds one); ``data`` itself when the process declares none."""
    rules = carry_forward.rules(definition.model or {})
    if not rules:
        return data
    earlier = session.scalars(
        select(ProcessInstance.data)
        .where(ProcessInstance.process_key == definition.key,
               ProcessInstance.status.in_((InstanceStatus.ACTIVE, InstanceStatus.COMPLETED)))
        .order_by(ProcessInstance.created_at.desc(), ProcessInstance.id.desc())
        .limit(LOOK_BACK)).all()
    out = dict(data)
    for rule in rules:
        found = next((d[rule.source] for d in earlier if isinstance(d, dict) and d.get(rule.source) is not None),
                     None)
        out[rule.target] = copy.deepcopy(found)
    return out
