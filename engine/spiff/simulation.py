"""What the designer's check by running asks of a loaded workflow that the step facts do not say: where a case
that cannot move on stands (the elements still waiting, ready or started)."""
from __future__ import annotations

from SpiffWorkflow.util.task import TaskState

from .adapter import Workflow

_STANDING = TaskState.WAITING | TaskState.READY | TaskState.STARTED


def waiting_elements(flow: Workflow) -> list[str]:
    """The BPMN ids of the diagram elements ``flow`` stands at (a join waiting for a branch, a catch event, a
    task), sorted; the library's own tasks (a start, an end join) have none."""
    found = set()
    for task in flow._all_tasks():  # the adapter's one walk over the workflow and its subprocesses
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if bpmn_id and task.state & _STANDING and not _has_standing_child(task):
            found.add(bpmn_id)
    return sorted(found)


def _has_standing_child(task: object) -> bool:
    """A started subprocess or call activity stands where its inner tasks stand: name those instead."""
    return any(child.state & _STANDING and getattr(child.task_spec, "bpmn_id", None)
               for child in getattr(task, "children", ()))
