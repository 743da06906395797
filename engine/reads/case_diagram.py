"""What a case's diagram marks: the elements it has run (done), and its open steps (current, or overdue).

Run elements come from the case's own record (``ProcessInstance.executed_elements``: script tasks, gateways,
events and people's steps alike) and from its completed tasks (cases started before that record was kept). The
path is for those who see the whole case (coordinators, chairs, the scrutineer): which way a gateway went says
what was decided at steps a reviewer may not read, so a viewer who does not see the whole case sees only the
steps they may see marked, as the steps table lists them."""
from __future__ import annotations

from dataclasses import dataclass

from ..records import Actor, TaskInfo
from ..states import TaskState
from ..store.models import ProcessInstance

_RANK = {"done": 0, "active": 1, "overdue": 2}


@dataclass(frozen=True)
class DiagramMarks:
    done: tuple[str, ...]
    active: tuple[str, ...]
    overdue: tuple[str, ...]


def diagram_marks(instance: ProcessInstance, actor: Actor, visible: tuple[TaskInfo, ...]) -> DiagramMarks:
    """The marks of ``instance``'s diagram for ``actor``, whose visible tasks are ``visible``. A step done by
    some agencies and still open for others counts as current (or overdue)."""
    state: dict[str, str] = {}
    for task in visible:
        mark = "overdue" if task.overdue else "active" if task.state == TaskState.READY else \
            "done" if task.state == TaskState.COMPLETED else None
        if mark and _RANK[mark] >= _RANK.get(state.get(task.name, "done"), 0):
            state[task.name] = mark
    run = instance.executed_elements or () if actor.sees_everything else ()
    for element in run:
        state.setdefault(element, "done")
    return DiagramMarks(*(tuple(sorted(n for n, m in state.items() if m == kind)) for kind in _RANK))
