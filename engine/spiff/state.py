"""Storing SpiffWorkflow state: the serializer, specs stored and restored once per deployed version, and
the incremental dump of an instance's state (without its specs)."""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from threading import Lock
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
WORKFLOW_CONVERTER = SERIALIZER.registry.convert_from_dict["BpmnWorkflow"].args[0].__self__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class SpecSet:
    specs: dict[str, Any]
    subprocess_specs: dict[str, Any]


def serialize_specs(specs: dict[str, Any], subprocess_specs: dict[str, Any]) -> str:
    return json.dumps({
        "specs": {pid: SERIALIZER.to_dict(spec) for pid, spec in specs.items()},
        "subprocess_specs": {name: SERIALIZER.to_dict(spec) for name, spec in subprocess_specs.items()},
    })


class SpecCache:
    """Restored specs by (definition id, content hash); a deployed version never changes, so entries never go
    stale."""

    def __init__(self) -> None:
        self._specs: dict[tuple[int, str], SpecSet] = {}
        self._lock = Lock()

    def get(self, key: tuple[int, str], spec_json_loader: Any) -> SpecSet:
        found = self._specs.get(key)
        if found is None:
            raw = json.loads(spec_json_loader())
            found = SpecSet(
                specs={pid: SERIALIZER.from_dict(d) for pid, d in raw["specs"].items()},
                subprocess_specs={n: SERIALIZER.from_dict(d) for n, d in raw["subprocess_specs"].items()},
            )
            with self._lock:
                self._specs[key] = found
        return found


_TASKS_PLACEHOLDER = "@lif-top-level-tasks@"


def dump_state(dumper: "IncrementalDumper", wf: BpmnWorkflow, *, verify: bool = False) -> str:
    """The state without the specs. Tasks unchanged since the last dump reuse their converted form and their
    JSON text; the top-level task map is spliced into the document (it is the first key, so the first match
    of the placeholder is always the one written here, whatever the case data holds)."""
    document = {"tasks": _TASKS_PLACEHOLDER, **dumper.workflow_fields(wf)}
    document[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
    text = json.dumps(document, cls=SERIALIZER._encoder_cls)
    text = text.replace(json.dumps(_TASKS_PLACEHOLDER), dumper.tasks_json(wf), 1)
    if verify:  # Config.verify_dumps (LIF_VERIFY_DUMPS=1, the test suite)
        full = SERIALIZER.to_dict(wf)
        full.pop("spec"), full.pop("subprocess_specs")
        full[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
        ours = json.loads(text)
        if json.dumps(full, cls=SERIALIZER._encoder_cls, sort_keys=True) != json.dumps(ours, sort_keys=True) \
                or list(ours["tasks"]) != [str(k) for k in wf.tasks]:
            raise AssertionError("incremental dump differs from SpiffWorkflow's own serialization")
    return text


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


class IncrementalDumper:
    """SpiffWorkflow's serialization, re-converting only the tasks that changed since the previous dump.

    A task is reused when its state, state-change time, trigger flag, parent and children are unchanged and its
    data, internal data and its parent's data equal the snapshots taken when it was last converted (data is
    stored as a delta against the parent). With ``LIF_VERIFY_DUMPS=1`` (the test suite) every dump is compared
    with the library's own full serialization.
    """

    def __init__(self) -> None:
        self._tasks: dict[Any, _Converted] = {}

    def tasks_json(self, wf: BpmnWorkflow) -> str:
        """The top-level task map as JSON, from each task's cached text."""
        parts = []
        for task in wf.tasks.values():
            entry = self._converted(task)
            if entry.text is None:
                entry.text = f'"{task.id}": {json.dumps(entry.value, cls=SERIALIZER._encoder_cls)}'
            parts.append(entry.text)
        return "{" + ", ".join(parts) + "}"

    def workflow_fields(self, wf: BpmnWorkflow) -> dict[str, Any]:
        """The workflow's own fields, as SpiffWorkflow writes them, without its top-level task map."""
        return {**_shared_fields(wf),
                "subprocesses": {str(k): self._subprocess(sp) for k, sp in wf.subprocesses.items()},
                "bpmn_events": SERIALIZER.registry.convert(wf.bpmn_events), "typename": "BpmnWorkflow"}

    def _subprocess(self, sp: Any) -> dict[str, Any]:
        return {**_shared_fields(sp),
                "tasks": {str(task_id): self._converted(task).value for task_id, task in sp.tasks.items()},
                "parent_task_id": str(sp.parent_task_id), "spec": sp.spec.name, "typename": "BpmnSubWorkflow"}

    def _converted(self, task: Any) -> _Converted:
        signature = (task.state, task.last_state_change, task.triggered, task._parent)
        parent = task.parent
        parent_data = parent.data if parent is not None else None
        entry = self._tasks.get(task.id)
        if entry is not None and entry.signature == signature and entry.children == task._children \
                and entry.data == task.data and entry.parent_data == parent_data \
                and entry.internal_data == task.internal_data:
            return entry
        entry = self._tasks[task.id] = _Converted(
            signature, list(task._children), copy.deepcopy(task.data), copy.deepcopy(parent_data),
            copy.deepcopy(task.internal_data), SERIALIZER.registry.convert(task))
        return entry


def _shared_fields(wf: Any) -> dict[str, Any]:
    """What a workflow and a subprocess both store."""
    registry = SERIALIZER.registry
    return {"data": registry.convert(registry.clean(wf.data)), "correlations": wf.correlations,
            "last_task": str(wf.last_task.id) if wf.last_task is not None else None,
            "success": wf.success, "completed": wf.completed, "root": str(wf.task_tree.id)}
