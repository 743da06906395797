"""A cheaper ``update_waiting_tasks`` for the workflows LIF runs.

SpiffWorkflow calls ``update_waiting_tasks`` after every completed task, and it walks the whole task tree
looking for WAITING tasks. Most of the time there are none, or one (a timer, a message catch, a join). A flat
pass over the workflow's task map finds them for a fraction of the walk's cost:

- none waiting: there is nothing to update, as the walk would have found;
- one waiting, reachable by the walk (every ancestor at least FUTURE, within its depth limit): it is updated,
  as the walk would have done; if that leaves other tasks newly waiting, the library's walk runs as well
  (updating a waiting task again is what every later completion does anyway);
- otherwise the library's own walk runs, in its own order.
"""
from __future__ import annotations

import types
from typing import Any

from SpiffWorkflow.util.task import TaskState

_WALK_DEPTH_LIMIT = 900  # below TaskIterator's default max_depth (1000), so a deep task always takes the walk


def install(wf: Any) -> None:
    """Give this workflow object (not its class, so serialization is unchanged) the cheaper method."""
    library_walk = wf.update_waiting_tasks
    wf.update_waiting_tasks = types.MethodType(lambda self: _update_waiting(self, library_walk), wf)


def _update_waiting(wf: Any, library_walk: Any) -> None:
    waiting = [t for t in wf.tasks.values() if t._state == TaskState.WAITING]
    if not waiting:
        return
    if len(waiting) > 1 or not _reachable_by_walk(waiting[0]):
        library_walk()
        return
    task = waiting[0]
    task.task_spec._update(task)
    if any(t._state == TaskState.WAITING and t is not task for t in wf.tasks.values()):
        library_walk()


def _reachable_by_walk(task: Any) -> bool:
    depth = 0
    parent = task.parent
    while parent is not None:
        depth += 1
        if parent._state < TaskState.FUTURE or depth >= _WALK_DEPTH_LIMIT:
            return False
        parent = parent.parent
    return True
