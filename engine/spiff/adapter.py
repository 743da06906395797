"""The SpiffWorkflow adapter: the only module that creates, restores, runs and saves ``BpmnWorkflow`` objects.

It turns each step into plain facts (ready human tasks, waiting timers, message waits, thrown messages, errors)
that the services project into rows. Specs are stored once per deployed version and cached in memory; the
instance state is stored without them. The restricted script engine is set on every workflow it hands out,
including after every restore.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import StartEventJoin
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from .. import clock
from ..config import StepSettings
from ..sandbox.scripting import ScriptLimitExceeded
from . import compat
from . import timers as timer_bounds
from . import walks as spiff_walks
from .scripting import make_script_engine
from .state import IncrementalDumper, LibraryDumper, SpecSet, dump_state, restore_state

_TIMER_TYPES = ("DurationTimerEventDefinition", "TimeDateEventDefinition", "CycleTimerEventDefinition")
_MAX_ENGINE_ROUNDS = 20

compat.install_clock(clock.ClockDatetime)
# Below INFO, SpiffWorkflow lists every task id of the tree for a completion log record, whether or not the
# record is emitted; a workflow's last step would walk the whole tree once more for nothing.
if logging.getLogger("spiff.workflow").level == logging.NOTSET:
    logging.getLogger("spiff.workflow").setLevel(logging.INFO)


@dataclass(frozen=True)
class ReadyTask:
    id: str
    name: str
    title: str
    lane: str | None
    properties: dict[str, str]
    instructions: str | None
    data: dict[str, Any]
    mi_item: str | None


@dataclass(frozen=True)
class TimerWait:
    task_id: str
    name: str
    due_at: datetime


@dataclass(frozen=True)
class MessageWait:
    task_id: str
    message_name: str
    correlation: dict[str, Any]
    expressions: dict[str, str]


@dataclass(frozen=True)
class ThrownMessage:
    name: str
    payload: Any
    correlation: dict[str, Any]


@dataclass
class StepError:
    message: str
    task_id: str | None = None
    task_name: str | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.message, "task_id": self.task_id, "task_name": self.task_name, "line": self.line}


@dataclass
class Facts:
    ready: list[ReadyTask]
    timers: list[TimerWait]
    waits: list[MessageWait]
    thrown: list[ThrownMessage]
    completed: bool
    data: dict[str, Any]
    error: StepError | None = None
    executed: frozenset[str] = frozenset()  # the BPMN ids of the elements this step ran (tasks, gateways, events)


class Workflow:
    """One running instance in memory. Methods run a step and return the resulting facts.

    ``settings.spiff_fast_paths`` chooses LIF's cheaper walks, dump and restore, or the library's own
    (``LIF_SPIFF_FAST_PATHS=0``)."""

    def __init__(self, wf: BpmnWorkflow, settings: StepSettings) -> None:
        self.wf = wf
        self.settings = settings
        self.fast_paths = settings.spiff_fast_paths
        if self.fast_paths:
            spiff_walks.install(wf)
        self.timeout_s = settings.script_timeout_s
        self._dumper: IncrementalDumper | LibraryDumper = IncrementalDumper() if self.fast_paths else LibraryDumper()
        self.synced: dict[str, Any] = {}  # what the last save wrote to rows; valid while this object is cached
        wf.script_engine = timer_bounds.checking(make_script_engine(
            timeout_s=settings.script_timeout_s, max_size=settings.script_max_size))

    @classmethod
    def start(cls, specs: SpecSet, process_id: str, data: dict[str, Any], settings: StepSettings,
              message: ThrownMessage | None = None) -> tuple[Workflow, Facts]:
        """A new instance run to its first wait; with ``message``, started by that message's start event
        only (other start events of the process are withdrawn first, or a plain start would fire)."""
        wf = BpmnWorkflow(specs.specs[process_id], specs.subprocess_specs)
        flow = cls(wf, settings)
        start = wf.get_next_task(spec_name="Start")
        if start is not None and data:
            start.data.update(data)
        if message is None:
            return flow, flow._advance()
        return flow, flow._advance(lambda: flow._start_by_message(message))

    def _start_by_message(self, message: ThrownMessage) -> None:
        self.wf.get_next_task(spec_name="Start").run()
        split = self.wf.get_next_task(spec_name="StartEventSplit")
        if split is not None and split.state == TaskState.READY:
            split.run()
        waiting = TaskState.WAITING | TaskState.READY | TaskState.FUTURE | TaskState.LIKELY | TaskState.MAYBE
        for task in self.wf.get_tasks(spec_class=StartEvent):
            definition = task.task_spec.event_definition
            catches = isinstance(definition, MessageEventDefinition) and definition.name == message.name
            if not catches and task.state & waiting:
                task.cancel()
        self.wf.send_event(BpmnEvent(MessageEventDefinition(message.name), message.payload, message.correlation))

    @classmethod
    def restore(cls, specs: SpecSet, process_id: str, state: str, settings: StepSettings) -> Workflow:
        return cls(restore_state(specs, process_id, state, settings.spiff_fast_paths), settings)

    def dump(self) -> str:
        """The state to store: without the specs, which are stored once per deployed version."""
        return dump_state(self._dumper, self.wf, verify=self.settings.verify_dumps)

    # --- steps -------------------------------------------------------------------------------------------

    def is_ready(self, task_id: str) -> bool:
        task = self._task(task_id)
        return task is not None and task.state == TaskState.READY

    def complete(self, task_id: str, data: dict[str, Any]) -> Facts:
        task = self._task(task_id)
        if task is None or task.state != TaskState.READY:
            raise WorkflowException(f"task {task_id} is not ready")
        task.data.update(data)
        return self._advance(lambda: task.run(), ran=task)

    def fire_timers(self) -> Facts:
        return self._advance(self.wf.refresh_timers)

    def deliver(self, message: ThrownMessage) -> Facts:
        definition = MessageEventDefinition(message.name)
        event = BpmnEvent(definition, message.payload, message.correlation)
        return self._advance(lambda: self.wf.send_event(event))

    def shift_timers(self, shift: Any) -> Facts:
        """Move every waiting timer's due time through ``shift`` (a datetime -> datetime function)."""
        for task in self._waiting_event_tasks():
            if type(getattr(task.task_spec, "event_definition", None)).__name__ not in _TIMER_TYPES:
                continue
            value = task.internal_data.get("event_value")
            if isinstance(value, str):
                task.internal_data["event_value"] = shift(TimerEventDefinition.get_datetime(value)).isoformat()
            elif isinstance(value, dict) and isinstance(value.get("next"), str):
                value["next"] = shift(TimerEventDefinition.get_datetime(value["next"])).isoformat()
        return self._facts(None)

    def cancel(self) -> None:
        self.wf.cancel()

    def retry(self, data: dict[str, Any] | None = None) -> Facts:
        """Reset each failed task (its data copied again from its parent, plus ``data``) and run on."""
        failed = [t for t in self._all_tasks() if t.state == TaskState.ERROR]
        if not failed:
            return self._advance()
        return self._advance(lambda: [self.wf.reset_from_task_id(t.id, {**t.parent.data, **data} if data else None)
                                      for t in failed])

    def _advance(self, action: Any = None, ran: Any = None) -> Facts:
        """Run ``action`` (which runs the task ``ran``, when given), then every engine task it made ready. The
        facts name each element run on the way, from the library's own callback: the case keeps them for its
        diagram, since the tree that holds completed tasks is not kept whole."""
        error: StepError | None = None
        started = time.monotonic()
        executed: set[str] = set()

        def budget(task: Any) -> None:
            _note_executed(executed, task)
            if time.monotonic() - started > self.timeout_s:
                raise ScriptLimitExceeded(f"engine step ran longer than {self.timeout_s:g} s and was stopped")

        try:
            if action is not None:
                action()
                _note_executed(executed, ran)
            for _ in range(_MAX_ENGINE_ROUNDS):
                self.wf.do_engine_steps(did_complete_task=budget)  # ends by refreshing waiting timers
                if not any(t.state == TaskState.READY and not t.task_spec.manual for t in self._all_tasks()):
                    break
        except Exception as exc:  # whatever a diagram's code or the library raises, the case goes to error
            error = _step_error(exc)
        return self._facts(error, frozenset(executed))

    # --- facts -------------------------------------------------------------------------------------------

    def _facts(self, error: StepError | None, executed: frozenset[str] = frozenset()) -> Facts:
        thrown = [ThrownMessage(e.event_definition.name, e.payload, e.correlations)
                  for e in self.wf.get_events() if isinstance(e.event_definition, MessageEventDefinition)]
        ready = [self._ready_task(t) for t in self._all_tasks() if t.state == TaskState.READY and t.task_spec.manual]
        last = self.wf.last_task
        if last is not None and isinstance(last.task_spec, StartEventJoin):
            # With several start events SpiffWorkflow completes this join after the started branch has run on,
            # so it holds only the start event's data; the branch's waiting or ready task holds the case's.
            last = next((t for t in self._all_tasks() if t.state & (TaskState.READY | TaskState.WAITING)), last)
        data = dict(self.wf.data) if self.wf.is_completed() else dict(last.data if last is not None else {})
        return Facts(ready=ready, timers=self._timers(), waits=self._waits(), thrown=thrown,
                     completed=error is None and self._really_completed(), data=data, error=error,
                     executed=executed)

    def _really_completed(self) -> bool:
        if not self.wf.is_completed():
            return False
        pending = TaskState.READY | TaskState.WAITING | TaskState.STARTED
        if any(t.state & pending for t in self._all_tasks()):
            raise WorkflowException("engine reported completion with unfinished tasks (task tree too deep)")
        return True

    def _ready_task(self, task: Any) -> ReadyTask:
        spec = task.task_spec
        extensions = getattr(spec, "extensions", {}) or {}
        parent_spec = task.parent.task_spec if task.parent is not None else None
        mi_item = None
        # one instance of a multi-instance task, not the task after one (whose parent is the finished MI task too)
        if isinstance(parent_spec, MultiInstanceTask) and parent_spec.input_item is not None \
                and parent_spec.task_spec == spec.name:
            mi_item = parent_spec.input_item.bpmn_id
        return ReadyTask(
            id=str(task.id), name=spec.bpmn_id or spec.name, title=spec.bpmn_name or spec.bpmn_id or spec.name,
            lane=spec.lane, properties=dict(extensions.get("properties", {}) or {}),
            instructions=extensions.get("instructionsForEndUser"), data=dict(task.data), mi_item=mi_item,
        )

    def _timers(self) -> list[TimerWait]:
        waits = []
        for task in self._waiting_event_tasks():
            definition = getattr(task.task_spec, "event_definition", None)
            value = task.internal_data.get("event_value")
            if type(definition).__name__ in _TIMER_TYPES + ("MultipleEventDefinition",):
                due = value.get("next") if isinstance(value, dict) else value
                if isinstance(due, str):
                    waits.append(TimerWait(str(task.id), task.task_spec.bpmn_name or task.task_spec.name,
                                           TimerEventDefinition.get_datetime(due)))
        return waits

    def _waiting_event_tasks(self) -> list[Any]:
        """Catching events that wait, from SpiffWorkflow's event manager (no walk of the whole tree)."""
        return [t for t in self.wf.event_manager.tasks.values() if t.state == TaskState.WAITING]

    def _waits(self) -> list[MessageWait]:
        waits = []
        for task in self._waiting_event_tasks():
            definition = getattr(task.task_spec, "event_definition", None)
            if not isinstance(definition, MessageEventDefinition):
                continue
            correlation: dict[str, Any] = {}
            expressions: dict[str, str] = {}
            fixed = task.workflow.correlations
            for prop in definition.correlation_properties:
                expressions[prop.name] = prop.retrieval_expression
                value = next((fixed[k][prop.name] for k in prop.correlation_keys
                              if prop.name in fixed.get(k, {})), None)
                if value is None:
                    value = self._try_evaluate(prop.retrieval_expression, task.data)
                correlation[prop.name] = value
            waits.append(MessageWait(str(task.id), definition.name, correlation, expressions))
        return waits + self._event_subprocess_waits()

    def _event_subprocess_waits(self) -> list[MessageWait]:
        """The message starts of the process's event subprocesses: SpiffWorkflow keeps them as triggers of the
        process's start, not as waiting tasks, and starts the subprocess on each such message while the case runs
        (without checking correlations), so the case waits for them until it ends."""
        triggers = self.wf.spec.start.trigger_specs
        if not triggers or self.wf.is_completed():
            return []
        waits = []
        for name in triggers:
            sub = self.wf.subprocess_specs.get(name)
            if sub is None or isinstance(self.wf.spec.task_specs.get(name), CallActivity):
                continue  # a collaboration's participant (LIF parses none), not an event subprocess
            waits += [MessageWait(f"{name}:{start.name}", start.event_definition.name, {}, {})
                      for start in sub.bpmn_start_events if isinstance(start.event_definition, MessageEventDefinition)]
        return waits

    def correlation_keys_for(self, message_name: str) -> dict[str, list[str]]:
        """Property name -> correlation keys, for the waiting catch of ``message_name``."""
        for task in self._all_tasks():
            definition = getattr(task.task_spec, "event_definition", None)
            if task.state == TaskState.WAITING and isinstance(definition, MessageEventDefinition) \
                    and definition.name == message_name:
                return {p.name: list(p.correlation_keys) for p in definition.correlation_properties}
        return {}

    def correlation_expressions_for(self, message_name: str) -> dict[str, str]:
        """Property name -> retrieval expression, for the waiting catch of ``message_name``."""
        for task in self._all_tasks():
            definition = getattr(task.task_spec, "event_definition", None)
            if task.state == TaskState.WAITING and isinstance(definition, MessageEventDefinition) \
                    and definition.name == message_name:
                return {p.name: p.retrieval_expression for p in definition.correlation_properties}
        return {}

    def _try_evaluate(self, expression: str, context: dict[str, Any]) -> Any:
        try:
            return self.wf.script_engine.environment.evaluate(expression, dict(context))
        except Exception:
            return None

    def _task(self, task_id: str) -> Any:
        try:
            return self.wf.get_task_from_id(UUID(task_id))
        except (ValueError, KeyError):
            return None

    def _all_tasks(self) -> list[Any]:
        tasks = list(self.wf.tasks.values())
        for sub in self.wf.subprocesses.values():
            tasks.extend(sub.tasks.values())
        return tasks


def _note_executed(executed: set[str], task: Any) -> None:
    """Add the diagram element ``task`` stands for, once it has run (a call activity runs on as its subprocess);
    the library's own tasks (a start, an end join) have no id."""
    bpmn_id = getattr(getattr(task, "task_spec", None), "bpmn_id", None)
    if bpmn_id and task.state & (TaskState.COMPLETED | TaskState.STARTED):
        executed.add(bpmn_id)


def _step_error(exc: BaseException) -> StepError:
    task = getattr(exc, "task", None)
    line = getattr(exc, "line_number", None)
    message = str(exc) or type(exc).__name__
    if isinstance(exc, RecursionError):
        message = "the diagram recursed too deeply"
    elif not isinstance(exc, (WorkflowException, ScriptLimitExceeded)):
        message = f"{type(exc).__name__}: {message}"  # an unexpected failure: say what kind it was
    inner = exc.__cause__ or exc.__context__  # SpiffWorkflow's "Error evaluating expression" hides the reason
    if isinstance(exc, WorkflowException) and inner is not None and str(inner) and str(inner) not in message:
        reason = str(inner) if isinstance(inner, ScriptLimitExceeded) else f"{type(inner).__name__}: {inner}"
        message = f"{message.rstrip(' .')}: {reason}"
    return StepError(message=message, task_id=str(task.id) if task is not None else None,
                     task_name=(task.task_spec.bpmn_id or task.task_spec.name) if task is not None else None,
                     line=line if isinstance(line, int) and line > 0 else None)
