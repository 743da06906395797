"""Storing SpiffWorkflow state: the serializers, specs stored and restored once per deployed version, and an
instance's state (without its specs), dumped and restored.

Two serializers: ``LIBRARY`` is the library's own, unchanged; ``SERIALIZER`` has LIF's converters registered
(``converters.py``). With the fast paths on (``StepSettings.spiff_fast_paths``) a dump re-converts only the
tasks that changed and a restore shares the version's restored specs; off, both are the library's own, on the
same stored format.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from threading import Lock
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task

from .converters import CachingTaskConverter, StoredWorkflowConverter, TaskCache

LIBRARY = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(
    {**SPIFF_CONFIG, BpmnWorkflow: StoredWorkflowConverter, Task: CachingTaskConverter}))
ENCODER = create_encoder(SERIALIZER.registry)  # the serializer's JSON encoder, for the dumps written here
_SPECS = ("spec", "subprocess_specs")


@dataclass(frozen=True)
class SpecSet:
    specs: dict[str, Any]
    subprocess_specs: dict[str, Any]
    spec_json: str = ""  # what they were restored from, for the library's own restore (fast paths off)


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
            text = spec_json_loader()
            raw = json.loads(text)
            found = SpecSet(
                specs={pid: SERIALIZER.from_dict(d) for pid, d in raw["specs"].items()},
                subprocess_specs={n: SERIALIZER.from_dict(d) for n, d in raw["subprocess_specs"].items()},
                spec_json=text,
            )
            for spec in (*found.specs.values(), *found.subprocess_specs.values()):
                arm_event_subprocesses(spec)
            with self._lock:
                self._specs[key] = found
        return found

    def forget(self, key: tuple[int, str]) -> None:
        """Drop an entry (a throwaway database's version, whose row id another database may reuse)."""
        with self._lock:
            self._specs.pop(key, None)


def arm_event_subprocesses(spec: Any) -> None:
    """Connect each event subprocess of ``spec`` as SpiffWorkflow does the first time a message starts one, but
    without the process start's output. The library makes that connection on the spec (``trigger_wf``), and this
    cache shares specs between instances: every instance begun afterwards would run the event subprocess from its
    start as a plain branch, waiting inside it, and never complete. With the connection made here, ``trigger_wf``
    finds it and leaves the spec alone; a triggered subprocess still ends at the process's end."""
    start = getattr(spec, "start", None)
    for name in getattr(start, "trigger_specs", None) or ():
        sub = spec.task_specs.get(name)
        if sub is None or start in sub.inputs:
            continue
        sub.inputs = [*sub.inputs, start]
        if spec.end not in sub.outputs:
            sub.connect(spec.end)


def restore_state(specs: SpecSet, process_id: str, state: str, fast: bool) -> BpmnWorkflow:
    """The workflow stored as ``state``: fast, through LIF's converter with the version's shared specs; otherwise
    the library's own ``deserialize_json`` of the state with the version's specs written back into it."""
    dct = json.loads(state)
    if fast:
        SERIALIZER.migrate(dct)
        return SERIALIZER.from_dict(dct, spec=specs.specs[process_id], subprocess_specs=specs.subprocess_specs)
    raw = json.loads(specs.spec_json or serialize_specs(specs.specs, specs.subprocess_specs))
    dct.update(spec=raw["specs"][process_id], subprocess_specs=raw["subprocess_specs"])
    wf = LIBRARY.deserialize_json(json.dumps(dct))
    for spec in (wf.spec, *wf.subprocess_specs.values()):  # armed as the cached specs are, or a triggered one
        arm_event_subprocesses(spec)  # would end nowhere on these fresh specs
    return wf


def library_state(wf: BpmnWorkflow) -> str:
    """The library's own serialization of ``wf``, without the specs: the stored format, the slow way."""
    return json.dumps(_library_document(wf), cls=ENCODER)


def _library_document(wf: BpmnWorkflow) -> dict[str, Any]:
    document: dict[str, Any] = LIBRARY.to_dict(wf)
    for key in _SPECS:
        document.pop(key)
    document[LIBRARY.VERSION_KEY] = LIBRARY.VERSION
    return document


_TASKS_PLACEHOLDER = "@lif-top-level-tasks@"


class IncrementalDumper:
    """The library's serialization, through ``SERIALIZER``, re-converting only the tasks that changed since this
    dumper's previous dump (one dumper per workflow object). The top-level task map is written from each task's
    cached JSON text and spliced into the document: it is the first key, so the first match of the placeholder
    is always the one written here, whatever the case data holds. With ``verify`` (the test suite) every
    dump is compared with the library's own full serialization."""

    def __init__(self) -> None:
        self._cache = TaskCache()

    def dump(self, wf: BpmnWorkflow, verify: bool = False) -> str:
        with self._cache.active():
            converted: dict[str, Any] = SERIALIZER.to_dict(wf)
        document = {"tasks": _TASKS_PLACEHOLDER, **{k: v for k, v in converted.items() if k != "tasks"},
                    SERIALIZER.VERSION_KEY: SERIALIZER.VERSION}
        text = json.dumps(document, cls=ENCODER)
        text = text.replace(json.dumps(_TASKS_PLACEHOLDER), self._cache.tasks_json(wf.tasks, ENCODER), 1)
        if verify:
            _verify(wf, text)
        return text


class LibraryDumper:
    """The library's own serialization every time (the fast paths off)."""

    def dump(self, wf: BpmnWorkflow, verify: bool = False) -> str:
        return library_state(wf)


def dump_state(dumper: IncrementalDumper | LibraryDumper, wf: BpmnWorkflow, *, verify: bool = False) -> str:
    """The state without the specs, as ``dumper`` writes it; with ``verify`` (``StepSettings.verify_dumps``, the
    test suite) an incremental dump is compared with the library's own full serialization."""
    return dumper.dump(wf, verify)


def _verify(wf: BpmnWorkflow, text: str) -> None:
    full, ours = _library_document(wf), json.loads(text)
    if json.dumps(full, cls=ENCODER, sort_keys=True) != json.dumps(ours, sort_keys=True) \
            or list(ours["tasks"]) != [str(k) for k in wf.tasks]:
        raise AssertionError("incremental dump differs from SpiffWorkflow's own serialization")
