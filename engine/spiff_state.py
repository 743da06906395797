"""Storing SpiffWorkflow state: the serializer, specs stored and restored once per deployed version, and
the incremental dump of an instance's state (without its specs)."""
from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass
from threading import Lock
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
WORKFLOW_CONVERTER = SERIALIZER.registry.convert_from_dict["BpmnWorkflow"].args[0].__self__  # type: ignore[attr-defined]
VERIFY_DUMPS = os.environ.get("LIF_VERIFY_DUMPS") == "1"


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


def dump_state(dumper: "IncrementalDumper", wf: BpmnWorkflow) -> str:
    """The state without the specs. Tasks unchanged since the last dump reuse their converted form and their
    JSON text; the top-level task map is spliced into the document (it is the first key, so the first match
    of the placeholder is always the one written here, whatever the case data holds)."""
    dct = dumper.to_dict(wf)
    document = {"tasks": _TASKS_PLACEHOLDER, **{k: v for k, v in dct.items() if k != "tasks"}}
    document[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
    text = json.dumps(document, cls=SERIALIZER._encoder_cls)
    text = text.replace(json.dumps(_TASKS_PLACEHOLDER), dumper.tasks_json(wf), 1)
    if VERIFY_DUMPS:
        full = SERIALIZER.to_dict(wf)
        full.pop("spec"), full.pop("subprocess_specs")
        full[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
        ours = json.loads(text)
        if json.dumps(full, cls=SERIALIZER._encoder_cls, sort_keys=True) != json.dumps(ours, sort_keys=True) \
                or list(ours["tasks"]) != [str(k) for k in wf.tasks]:
            raise AssertionError("incremental dump differs from SpiffWorkflow's own serialization")
    return text


class IncrementalDumper:
    """SpiffWorkflow's serialization, re-converting only the tasks that changed since the previous dump.

    A task is reused when its state, state-change time, trigger flag and children are unchanged and its data,
    internal data and its parent's data equal the snapshots taken when it was last converted (data is stored
    as a delta against the parent). With ``LIF_VERIFY_DUMPS=1`` (the test suite) every dump is compared with
    the library's own full serialization.
    """

    def __init__(self) -> None:
        self._tasks: dict[Any, tuple[tuple[Any, ...], Any, Any, dict[str, Any]]] = {}
        self._texts: dict[Any, str] = {}

    def tasks_json(self, wf: BpmnWorkflow) -> str:
        """The top-level task map as JSON, from each task's cached text (after ``to_dict``)."""
        parts = []
        for task_id in wf.tasks:
            text = self._texts.get(task_id)
            if text is None:
                text = self._texts[task_id] = json.dumps(self._tasks[task_id][3], cls=SERIALIZER._encoder_cls)
            parts.append(f'"{task_id}": {text}')
        return "{" + ", ".join(parts) + "}"

    def to_dict(self, wf: BpmnWorkflow) -> dict[str, Any]:
        registry = SERIALIZER.registry
        dct = {
            "data": registry.convert(registry.clean(wf.data)), "correlations": wf.correlations,
            "last_task": str(wf.last_task.id) if wf.last_task is not None else None,
            "success": wf.success, "completed": wf.completed, "tasks": self._tasks_of(wf),
            "root": str(wf.task_tree.id),
            "subprocesses": {str(k): self._subprocess(sp) for k, sp in wf.subprocesses.items()},
            "bpmn_events": registry.convert(wf.bpmn_events), "typename": "BpmnWorkflow",
        }
        return dct

    def _subprocess(self, sp: Any) -> dict[str, Any]:
        registry = SERIALIZER.registry
        return {
            "data": registry.convert(registry.clean(sp.data)), "correlations": sp.correlations,
            "last_task": str(sp.last_task.id) if sp.last_task is not None else None,
            "success": sp.success, "completed": sp.completed, "tasks": self._tasks_of(sp),
            "root": str(sp.task_tree.id), "parent_task_id": str(sp.parent_task_id), "spec": sp.spec.name,
            "typename": "BpmnSubWorkflow",
        }

    def _tasks_of(self, wf: Any) -> dict[str, Any]:
        out = {}
        for task_id, task in wf.tasks.items():
            signature = (task.state, task.last_state_change, task.triggered, tuple(task._children), task._parent)
            parent_data = task.parent.data if task.parent is not None else None
            cached = self._tasks.get(task_id)
            if cached is not None and cached[0] == signature and cached[1] == (task.data, parent_data) \
                    and cached[2] == task.internal_data:
                out[str(task_id)] = cached[3]
                continue
            converted = SERIALIZER.registry.convert(task)
            self._tasks[task_id] = (signature, copy.deepcopy((task.data, parent_data)),
                                    copy.deepcopy(task.internal_data), converted)
            self._texts.pop(task_id, None)
            out[str(task_id)] = converted
        return out
