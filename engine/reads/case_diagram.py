"""What a case's diagram marks: the elements it has run (done), and its open steps (current, or overdue).

Run elements come from the case's own record (``ProcessInstance.executed_elements``: script tasks, gateways,
events and people's steps alike) and from its completed tasks (cases started before that record was kept). A
viewer who does not see the whole case sees the path, but a person's step only where they may see one of its
tasks: a reviewer is not told which other agencies' steps were done."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..records import Actor, TaskInfo
from ..states import TaskState
from ..store.models import HumanTask, ProcessInstance

_RANK = {"done": 0, "active": 1, "overdue": 2}


@dataclass(frozen=True)
class DiagramMarks:
    done: tuple[str, ...]
    active: tuple[str, ...]
    overdue: tuple[str, ...]


def diagram_marks(session: Session, instance: ProcessInstance, actor: Actor,
                  visible: tuple[TaskInfo, ...]) -> DiagramMarks:
    """The marks of ``instance``'s diagram for ``actor``, whose visible tasks are ``visible``. A step done by
    some agencies and still open for others counts as current (or overdue)."""
    state: dict[str, str] = {}
    for task in visible:
        mark = "overdue" if task.overdue else "active" if task.state == TaskState.READY else \
            "done" if task.state == TaskState.COMPLETED else None
        if mark and _RANK[mark] >= _RANK.get(state.get(task.name, "done"), 0):
            state[task.name] = mark
    run = set(instance.executed_elements or ())
    if not actor.sees_everything and run:  # people's steps the viewer sees none of stay unmarked
        steps = set(session.scalars(select(HumanTask.name).where(HumanTask.instance_id == instance.id).distinct()))
        run -= steps - {t.name for t in visible}
    for element in run:
        state.setdefault(element, "done")
    return DiagramMarks(*(tuple(sorted(n for n, m in state.items() if m == kind)) for kind in _RANK))
