"""LIF's two converters, registered through the serializer's ``configure(...)`` (the library's extension point)
in place of its own for ``BpmnWorkflow`` and ``Task``; both hand the real work to the library's methods.

- ``StoredWorkflowConverter`` writes a workflow without its specs (LIF stores those once per deployed version)
  and restores one with specs passed in (restored once per version, shared by every instance).
- ``CachingTaskConverter`` gives back a task's previous conversion when the task has not changed since, while
  a workflow's ``TaskCache`` is active (the incremental dump in ``state.py``); otherwise it is the library's.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter, WorkflowConverter

from . import compat

_ACTIVE: ContextVar[TaskCache | None] = ContextVar("lif_task_cache", default=None)


class StoredWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    def to_dict(self, workflow: Any) -> dict[str, Any]:
        """The library's fields, less ``spec`` and ``subprocess_specs`` (converting them is most of the cost)."""
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], spec: Any = None, subprocess_specs: dict[str, Any] | None = None) -> Any:
        """The library's restore; with ``spec`` given, using the restored specs as they are (the registry hands
        back unchanged a value that is not a dict, so the library's ``from_dict`` takes them)."""
        if spec is not None:
            dct = {**dct, "spec": spec, "subprocess_specs": subprocess_specs or {}}
        return super().from_dict(dct)


class CachingTaskConverter(TaskConverter):  # type: ignore[misc]
    def to_dict(self, task: Any) -> dict[str, Any]:
        cache = _ACTIVE.get()
        if cache is None:
            return super().to_dict(task)  # type: ignore[no-any-return]
        return cache.converted(task, super().to_dict).value


@dataclass(slots=True)
class _Converted:
    """One task's converted form, with what it was converted from."""
    signature: tuple[Any, ...]
    children: list[Any]
    data: Any
    parent_data: Any
    internal_data: Any
    value: dict[str, Any]
    text: str | None = None  # '"<id>": <json>', made when first needed


class TaskCache:
    """One workflow's converted tasks. A task is reused when its state, state-change time, trigger flag, parent
    and children are unchanged and its data, internal data and its parent's data equal the snapshots taken when
    it was last converted (data is stored as a delta against the parent)."""

    def __init__(self) -> None:
        self._tasks: dict[Any, _Converted] = {}

    @contextmanager
    def active(self) -> Iterator[None]:
        """Within the block (and this thread or task only), ``CachingTaskConverter`` converts through here."""
        token = _ACTIVE.set(self)
        try:
            yield
        finally:
            _ACTIVE.reset(token)

    def converted(self, task: Any, convert: Callable[[Any], dict[str, Any]]) -> _Converted:
        signature = (task.state, task.last_state_change, task.triggered, compat.parent_id(task))
        parent = task.parent
        parent_data = parent.data if parent is not None else None
        entry = self._tasks.get(task.id)
        if entry is not None and entry.signature == signature and entry.children == compat.child_ids(task) \
                and entry.data == task.data and entry.parent_data == parent_data \
                and entry.internal_data == task.internal_data:
            return entry
        entry = self._tasks[task.id] = _Converted(
            signature, list(compat.child_ids(task)), copy.deepcopy(task.data), copy.deepcopy(parent_data),
            copy.deepcopy(task.internal_data), convert(task))
        return entry

    def tasks_json(self, tasks: dict[Any, Any], encoder: type[json.JSONEncoder]) -> str:
        """A task map as JSON, from each task's cached text (converted in the dump that just ran)."""
        parts = []
        for task in tasks.values():
            entry = self._tasks[task.id]
            if entry.text is None:
                entry.text = f'"{task.id}": {json.dumps(entry.value, cls=encoder)}'
            parts.append(entry.text)
        return "{" + ", ".join(parts) + "}"
