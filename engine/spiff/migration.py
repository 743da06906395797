"""Moving a running workflow onto another deployed version's specs, with SpiffWorkflow's own diff and migration
utilities (``SpiffWorkflow.bpmn.util.diff``), and saying in words why a workflow cannot move.

The library's rule is that no task already done or under way (COMPLETED, STARTED) may be changed or removed,
and every subprocess the workflow is in must exist in the new version. LIF adds: the steps where the case
stands (READY, WAITING) may not be removed, a multi-instance task under way may not change (its instances hold
their items), and the result must store and restore against the new specs. An assessment runs the whole
migration on a copy restored for it, so a preview says exactly what the real migration would meet.

``migrate_workflow`` resets each READY and WAITING branch, which clears the tasks' data and internal data: a
waiting timer would start counting again from the migration, and a ready task would lose what a step before it
gave it. Both are put back for every task that survives with its id, unless its event changed.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from ..config import StepSettings
from .adapter import Facts, Workflow
from .state import LIBRARY, SpecSet, library_state, restore_state

log = logging.getLogger(__name__)

_DONE = TaskState.COMPLETED | TaskState.STARTED
_WHERE_IT_STANDS = TaskState.READY | TaskState.WAITING
_WORDS = {"outputs": "what follows it", "inputs": "what leads to it", "lane": "its lane", "typename": "its kind",
          "extensions": "its properties (form, deadline, instructions)", "bpmn_name": "its name",
          "event_definition": "its event", "prescript": "its pre-script", "postscript": "its post-script",
          "script": "its script", "condition": "its condition", "cond_task_specs": "its conditions",
          "documentation": "its documentation", "task_spec": "the task it repeats"}


@dataclass(frozen=True)
class Assessment:
    """Whether a workflow can move to the target specs, and why not, in words naming the elements."""
    problems: tuple[str, ...]
    standing: tuple[str, ...] = ()  # the names of the steps where the case stands (ready or waiting)

    @property
    def safe(self) -> bool:
        return not self.problems


def assess(state: str, source: SpecSet, target: SpecSet, process_id: str, label: str) -> Assessment:
    """Try the migration of the stored ``state`` (on ``source``'s specs) to ``target`` on a copy, and say what
    stops it. ``label`` names the target in the words ("version 2")."""
    wf = restore_state(source, process_id, state, fast=True)
    standing = tuple(dict.fromkeys(_name(t) for t in _all_tasks(wf)
                                   if t.state & _WHERE_IT_STANDS and getattr(t.task_spec, "bpmn_id", None)))
    problems = diff_problems(wf, target, process_id, label)
    if not problems:
        try:
            _round_trip(_migrated(wf, target, process_id), target, process_id)
        except Exception:  # whatever the library meets, the designer gets a sentence, not a server error
            log.warning("moving a case to %s failed in the trial run", label, exc_info=True)
            problems = [f"the case could not be moved to {label}: the trial move on a copy failed (the server's log "
                        "has the details)"]
    return Assessment(tuple(problems), standing)


def migrate(state: str, source: SpecSet, target: SpecSet, process_id: str,
            settings: StepSettings) -> tuple[Workflow, Facts]:
    """The stored ``state`` moved onto ``target``: a fresh workflow object (no cached conversion of a task from
    before the move can be written again), run to its next wait, with the facts to project. Assess first."""
    wf = _migrated(restore_state(source, process_id, state, fast=True), target, process_id)
    flow = Workflow.restore(target, process_id, _round_trip(wf, target, process_id), settings)
    return flow, flow._advance()  # no action: only engine tasks the new version made ready run


@dataclass
class _Part:
    """One (sub)workflow with SpiffWorkflow's diffs against its spec in the target (``diff_workflow``'s parts,
    kept with the spec diff so the words can say what changed)."""
    workflow: Any
    new_spec: Any
    spec_diff: SpecDiff | None
    diff: WorkflowDiff | None


def diff_parts(wf: BpmnWorkflow, target: SpecSet, process_id: str) -> list[_Part]:
    """``diff_workflow``: the top-level workflow against the target's process, and each subprocess the workflow
    is in against the target's spec of the same name (None when the target has none)."""
    parts = []
    for workflow, new_spec in [(wf, target.specs.get(process_id)),
                               *[(sub, target.subprocess_specs.get(sub.spec.name))
                                 for sub in wf.subprocesses.values()]]:
        spec_diff = SpecDiff(LIBRARY.registry, workflow.spec, new_spec) if new_spec is not None else None
        diff = WorkflowDiff(workflow, spec_diff) if spec_diff is not None else None
        parts.append(_Part(workflow, new_spec, spec_diff, diff))
    return parts


def diff_problems(wf: BpmnWorkflow, target: SpecSet, process_id: str, label: str) -> list[str]:
    """SpiffWorkflow's diff of ``wf`` against the target specs, as the reasons it may not move."""
    if process_id not in target.specs:
        return [f"{label} has no process “{process_id}”"]
    problems = []
    for part in diff_parts(wf, target, process_id):
        if part.diff is None or part.spec_diff is None:
            problems.append(f"the case is inside “{_spec_name(part.workflow.spec)}”, which {label} does not have")
        else:
            problems += _task_problems(part.diff, part.spec_diff, label)
    return list(dict.fromkeys(problems))


def _task_problems(diff: WorkflowDiff, spec_diff: SpecDiff, label: str) -> list[str]:
    problems = []
    removed = {id(t) for t in diff.removed}
    for task in diff.removed:
        if task.state & _DONE:
            problems.append(f"“{_name(task)}” has been done but {label} removes it")
        elif task.state & _WHERE_IT_STANDS:
            problems.append(f"the case stands at “{_name(task)}”, which {label} removes")
    for task in diff.changed:
        if id(task) in removed:
            continue
        if task.state & _DONE:
            what = _changes(spec_diff.changed.get(task.task_spec, []))
            problems.append(f"“{_name(task)}” has been done or is under way but {label} changes {what}")
        elif task.state & _WHERE_IT_STANDS and _in_loop(task):
            problems.append(f"“{_name(task)}” repeats for several items and {label} changes it")
    return problems


def _in_loop(task: Any) -> bool:
    parent = task.parent
    return isinstance(task.task_spec, LoopTask) or (parent is not None and isinstance(parent.task_spec, LoopTask))


def _changes(keys: list[str]) -> str:
    words = [_WORDS.get(k, k.replace("_", " ")) for k in keys]
    return ", ".join(dict.fromkeys(words)) or "it"


def _migrated(wf: BpmnWorkflow, target: SpecSet, process_id: str) -> BpmnWorkflow:
    kept = {t.id: (t.data, t.internal_data, t.task_spec) for t in _all_tasks(wf) if t.state & _WHERE_IT_STANDS}
    parts = diff_parts(wf, target, process_id)
    for part in reversed(parts):  # the subprocesses first, then the workflow that holds them
        migrate_workflow(part.diff, part.workflow, part.new_spec)
    wf.subprocess_specs = target.subprocess_specs
    _put_back(wf, kept)
    return wf


def _put_back(wf: BpmnWorkflow, kept: dict[Any, tuple[Any, Any, Any]]) -> None:
    """Give each READY or WAITING task that survived the reset its data back, and its internal data (a timer's
    due time) unless its event changed."""
    for task in _all_tasks(wf):
        if task.id not in kept or not task.state & _WHERE_IT_STANDS:
            continue
        data, internal, old_spec = kept[task.id]
        task.data = data
        if _event_text(old_spec) == _event_text(task.task_spec):  # not ``==``: a timer's compares its name only
            task.internal_data = internal


def _event_text(spec: Any) -> Any:
    definition = getattr(spec, "event_definition", None)
    return None if definition is None else LIBRARY.registry.convert(definition)


def _round_trip(wf: BpmnWorkflow, target: SpecSet, process_id: str) -> str:
    """The migrated state as stored, proven to restore against the target specs."""
    state = library_state(wf)
    restore_state(target, process_id, state, fast=True)
    return state


def _all_tasks(wf: BpmnWorkflow) -> list[Any]:
    tasks = list(wf.tasks.values())
    for sub in wf.subprocesses.values():
        tasks.extend(sub.tasks.values())
    return tasks


def _name(task: Any) -> str:
    return _spec_name(task.task_spec)


def _spec_name(spec: Any) -> str:
    name: str = getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name
    return name
