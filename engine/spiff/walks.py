"""Cheaper answers to the two tree walks SpiffWorkflow makes on every step, for the workflows LIF runs.

After every completed task SpiffWorkflow walks the whole task tree for WAITING tasks (``update_waiting_tasks``),
and every round of ``do_engine_steps`` walks it again for READY ones (``get_tasks(state=READY)``). A long case's
tree is long, and most of the time there is no such task, or one. A flat pass over the workflow's task map
finds them for a fraction of the walk's cost, and where order could matter the library's walk runs instead:

- none found: there is nothing to update or run, as the walk would have found;
- one found, which the walk would reach (every ancestor at least FUTURE, within its depth limit): waiting, it
  is updated, once, as the walk would have done (children its update adds are not visited: the walk took the
  task's children before updating it; a cycle timer must not fire twice); ready, it is the answer;
- otherwise, or when the workflow has subprocesses (whose tasks the READY walk visits in tree order), the
  library's own walk runs.

These are fast paths: with ``LIF_SPIFF_FAST_PATHS=0`` they are not installed and the library walks every time.
"""
from __future__ import annotations

import types
from typing import Any

from SpiffWorkflow.util.task import TaskState

from . import compat

_WALK_DEPTH_LIMIT = 900  # below TaskIterator's default max_depth (1000), so a deep task always takes the walk


def install(wf: Any) -> None:
    """Give this workflow object (not its class, so serialization is unchanged) the cheaper methods."""
    library_walk, library_get = wf.update_waiting_tasks, wf.get_tasks
    wf.update_waiting_tasks = types.MethodType(lambda self: _update_waiting(self, library_walk), wf)
    wf.get_tasks = types.MethodType(
        lambda self, first_task=None, **filters: _get_tasks(self, library_get, first_task, filters), wf)


def _update_waiting(wf: Any, library_walk: Any) -> None:
    waiting = [t for t in wf.tasks.values() if t.state == TaskState.WAITING]
    if not waiting:
        return
    if len(waiting) > 1 or not _reachable_by_walk(waiting[0]):
        library_walk()
        return
    task = waiting[0]
    compat.update_waiting(task)


def _get_tasks(wf: Any, library_get: Any, first_task: Any, filters: dict[str, Any]) -> list[Any]:
    if first_task is None and not wf.subprocesses and filters.keys() == {"state"} \
            and filters["state"] == TaskState.READY:
        ready = [t for t in wf.tasks.values() if t.state == TaskState.READY]
        if len(ready) <= 1 and all(_reachable_by_walk(t) for t in ready):
            return ready
    found: list[Any] = library_get(first_task, **filters)
    return found


def _reachable_by_walk(task: Any) -> bool:
    depth = 0
    parent = task.parent
    while parent is not None:
        depth += 1
        if parent.state < TaskState.FUTURE or depth >= _WALK_DEPTH_LIMIT:
            return False
        parent = parent.parent
    return True
