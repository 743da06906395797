"""The running cases of a process as a designer may see them, to plan a migration to a new version: id,
business key, version, status and the BPMN ids of the open steps. Never the title, pseudonym or any case data:
a designer sees no case data (SPEC §1). Coordinators may read the same list."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import Forbidden
from ..records import Actor, Page, RunningInstance
from ..states import TaskState
from ..store.models import HumanTask, ProcessDefinition, ProcessInstance


def running_instances(session: Session, process_key: str, *, actor: Actor, version: int | None = None,
                      status: str | None = None, limit: int = 50, offset: int = 0) -> Page:
    """``Page`` of ``RunningInstance`` for ``process_key``, oldest first."""
    if not actor.has("designer", "coordinator"):
        raise Forbidden("the cases of a process are listed for designers and coordinators")
    query = (select(ProcessInstance.id, ProcessInstance.process_key, ProcessDefinition.version,
                    ProcessInstance.business_key, ProcessInstance.status)
             .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
             .where(ProcessInstance.process_key == process_key))
    if version is not None:
        query = query.where(ProcessDefinition.version == version)
    if status:
        query = query.where(ProcessInstance.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(ProcessInstance.created_at, ProcessInstance.id).limit(limit)
                           .offset(offset)).all()
    steps: dict[str, set[str]] = {}
    for instance_id, name in session.execute(select(HumanTask.instance_id, HumanTask.name).where(
            HumanTask.instance_id.in_([r.id for r in rows]), HumanTask.state == TaskState.READY)):
        steps.setdefault(instance_id, set()).add(name)
    return Page(tuple(RunningInstance(id=r.id, process_key=r.process_key, version=r.version,
                                      business_key=r.business_key, status=r.status,
                                      current_steps=tuple(sorted(steps.get(r.id, ()))))
                      for r in rows), total)
