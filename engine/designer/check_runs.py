"""The runs of a check: a draft deployed in a scratch in-memory database (never the real one) with a partnership
that has someone in every role, then started and played by LIF's own engine under a seeded random until it
finishes, fails, stops, or reaches the step bound. What each run reached and where it stopped comes back as
plain facts for ``checking`` to judge."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from random import Random
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from .. import clock
from ..bundles import definitions, forms
from ..bundles.parsing import ParsedBundle
from ..cases import launch, runtime, step, timers
from ..cases.correlation import Message
from ..errors import LifError
from ..reads import task_forms
from ..spiff.simulation import waiting_elements
from ..states import DueKind, InstanceStatus, TaskState
from ..store.db import make_engine, make_session_factory, step_settings
from ..store.models import (
    Agency,
    DueItem,
    HumanTask,
    MessageSubscription,
    ProcessDefinition,
    ProcessInstance,
    User,
    UserRole,
)
from ..store.schema import create_schema
from ..work.tasks import _known_fields
from . import check_forms

MAX_STEPS = 250  # actions of one run: a case that has not finished by then is reported as looping
MAX_DELIVERIES = 2  # times one run delivers each message from outside
SETTLE_AFTER = 2  # visits of one task in a run after which its choices settle (see ``check_forms.answers_for``)
EAGER, CALM = 0.5, 0.1  # how often a run fires a timer or delivers a message while a task is open
CASE_ROLES = ("coordinator", "chair", "reviewer", "partner", "scrutineer")
ACTOR = "lif-check"
_PARTNER_KINDS = ("la", "icb", "police")


@dataclass
class RunResult:
    seed: int
    reached: set[str] = field(default_factory=set)
    errors: list[tuple[str | None, str]] = field(default_factory=list)  # (element, the engine's message)
    stuck: list[tuple[list[str], str]] = field(default_factory=list)  # (elements it waits at, why)
    unsubmittable: dict[str, str] = field(default_factory=dict)  # element -> why no answer passed
    forms_seen: dict[str, tuple[dict[str, Any], dict[str, Any] | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """How to run the draft: its key, how to start each run, and the messages to deliver as their owners would."""
    key: str
    starts: tuple[str | None, ...]  # None: by hand; else the name of a message start event
    outside: dict[str, dict[str, Any]]  # message name -> a payload template (see ``payload_for``)


@contextmanager
def scratch(session: Session, parsed: ParsedBundle, now: datetime) -> Iterator[sessionmaker[Session]]:
    """A throwaway database holding the draft ``parsed`` and a partnership copied from ``session``'s agencies
    (with a statutory partner of each kind) and one person per role and agency."""
    engine = make_engine("sqlite://", poolclass=StaticPool)
    factory = make_session_factory(engine, step_settings(session))
    try:
        create_schema(engine)
        agencies = [(a.key, a.name, a.partner_kind) for a in session.scalars(select(Agency).order_by(Agency.key))]
        with factory.begin() as s:
            _partnership(s, agencies, now)
            definitions.deploy_parsed(s, parsed, actor=ACTOR, now=now)
        yield factory
    finally:
        with factory.begin() as s:  # its specs were cached under its row id: forget them with the database
            for row in s.execute(select(ProcessDefinition.id, ProcessDefinition.content_hash)):
                runtime.SPECS.forget((row.id, row.content_hash))
        engine.dispose()


def _partnership(s: Session, agencies: list[tuple[str, str, str | None]], now: datetime) -> None:
    kinds = {kind for _, _, kind in agencies}
    agencies = agencies + [(f"check_{k}", f"Check {k}", k) for k in _PARTNER_KINDS if k not in kinds]
    rows = []
    for key, name, kind in agencies:
        row = Agency(key=key, name=name, partner_kind=kind, created_at=now)
        s.add(row)
        rows.append(row)
    s.flush()
    people: list[tuple[str, Agency | None]] = [(role, None) for role in CASE_ROLES if role != "partner"]
    people += [("reviewer", a) for a in rows] + [("partner", a) for a in rows if a.partner_kind]
    for number, (role, agency) in enumerate(people):
        user = User(username=f"check{number}", full_name=f"Check person {number}", active=True,
                    agency_id=agency.id if agency is not None else None, created_at=now)
        user.role_rows = [UserRole(role=role)]
        s.add(user)
    s.flush()


def play(factory: sessionmaker[Session], plan: Plan, seed: int, now: datetime,
         coverage: check_forms.Coverage) -> RunResult:
    """One run under ``seed``, rolled back afterwards so the next starts from the same database. ``coverage``
    carries the choices of the runs before, so this one tries others."""
    result = RunResult(seed)
    session = factory()
    try:
        _Run(session, plan, Random(seed), result, now, coverage).play()
    finally:
        session.rollback()
        session.close()
    return result


class _Run:
    def __init__(self, session: Session, plan: Plan, rng: Random, result: RunResult, now: datetime,
                 coverage: check_forms.Coverage) -> None:
        self.session, self.plan, self.rng, self.result, self.now = session, plan, rng, result, now
        self.coverage = coverage
        self.delivered: dict[str, int] = {}
        self.visits: dict[str, int] = {}
        self.own_choices = check_forms.Coverage()  # this run's, for the forms of a loop (unsteered: to end it)
        # every other run lets timers and messages come before the open tasks are done, for boundary events
        self.eager = EAGER if result.seed % 2 == 0 else CALM

    def play(self) -> None:
        start = self.plan.starts[self.result.seed % len(self.plan.starts)]
        if not self._act(lambda: self._start(start)):
            return
        for _ in range(MAX_STEPS):
            action = self._next_action()
            if action is None:
                self._finish(looping=False)
                return
            if not self._act(action):
                return
        self._finish(looping=True)

    def _act(self, action: Any) -> bool:
        """Run one action; False when the engine refused it (reported as a stop)."""
        try:
            with clock.frozen_at(self.now):
                action()
            return True
        except LifError as exc:
            self.result.stuck.append(([], f"the engine refused a step: {exc.message}"))
            self._note_reached()
            return False

    def _start(self, message: str | None) -> None:
        if message is None:
            definition = definitions.latest(self.session, self.plan.key)
            instance, thrown = launch.launch_instance(
                self.session, definition, definition.primary_process_id, data={"process_initiator": "check0"},
                business_key=None, actor=ACTOR, now=self.now)
            step.route_thrown(self.session, instance, thrown, actor=ACTOR, now=self.now)
        else:
            step.deliver(self.session, Message(message, self._payload(message), {}), actor=ACTOR, now=self.now,
                         source_id=None)

    def _next_action(self) -> Any:
        active = self._active_ids()
        ready = self._ready(active)
        due = self._timers(active)
        waits = self._deliverable(active, ready)
        fresh = [w for w in waits if not self.coverage.count("deliver", self._context(w, ready))]
        if fresh:  # a catch no run has had its message for yet, beside these open tasks: its turn now
            return lambda: self._deliver(fresh[0])
        if ready and not (due and self.rng.random() < self.eager) and not (waits and self.rng.random() < self.eager):
            task = self.rng.choice(ready)
            return lambda: self._complete(task)
        if waits and (not due or self.rng.random() < 0.5):
            name = self.coverage.choose("deliver", sorted({w.message_name for w in waits}), self.rng)
            return lambda: self._deliver(next(w for w in waits if w.message_name == name))
        if due:
            return lambda: self._fire(due[0])
        if ready:
            return lambda: self._complete(self.rng.choice(ready))
        return None

    def _active_ids(self) -> list[str]:
        return list(self.session.scalars(select(ProcessInstance.id).where(
            ProcessInstance.status == InstanceStatus.ACTIVE).order_by(ProcessInstance.created_at,
                                                                      ProcessInstance.business_key)))

    def _ready(self, active: list[str]) -> list[HumanTask]:
        rows = self.session.scalars(select(HumanTask).where(HumanTask.instance_id.in_(active),
                                                            HumanTask.state == TaskState.READY))
        return sorted(rows, key=lambda r: (r.name, r.agency or "", json.dumps(r.data, sort_keys=True, default=str)))

    def _timers(self, active: list[str]) -> list[DueItem]:
        return list(self.session.scalars(select(DueItem).where(
            DueItem.instance_id.in_(active), DueItem.kind == DueKind.TIMER, DueItem.done_at.is_(None))
            .order_by(DueItem.due_at, DueItem.id)))

    def _deliverable(self, active: list[str], ready: list[HumanTask]) -> list[MessageSubscription]:
        """The waits for a message from outside that this run may still deliver: each message at most
        ``MAX_DELIVERIES`` times where the case stands the same (its open tasks), so a wait beside a task (a
        boundary event) gets its turn as well as the wait on its own."""
        rows = self.session.scalars(select(MessageSubscription).where(
            MessageSubscription.instance_id.in_(active)).order_by(MessageSubscription.message_name,
                                                                  MessageSubscription.id))
        return [r for r in rows if r.message_name in self.plan.outside
                and self.delivered.get(self._context(r, ready), 0) < MAX_DELIVERIES]

    @staticmethod
    def _context(wait: MessageSubscription, ready: list[HumanTask]) -> str:
        """A wait for a message, with the case's open tasks beside it."""
        beside = sorted({t.name for t in ready if t.instance_id == wait.instance_id})
        return f"{wait.message_name} beside {','.join(beside)}"

    def _complete(self, row: HumanTask) -> None:
        instance = self.session.get(ProcessInstance, row.instance_id)
        assert instance is not None
        try:
            form = task_forms.form_of(self.session, row, instance)
        except LifError as exc:
            self.result.errors.append((row.name, f"its form could not be prepared: {exc.message}"))
            row.state = TaskState.CANCELLED  # nobody can move it on: the run stops here for this case
            return
        data: dict[str, Any] = {}
        if form.schema is not None:
            self.result.forms_seen.setdefault(row.name, (form.schema, form.ui_schema))
            self.visits[row.name] = self.visits.get(row.name, 0) + 1
            answers, problems = check_forms.answers_for(form.schema, form.ui_schema, self.rng, today=self._today(),
                                                        coverage=self.coverage, form=row.name,
                                                        settle=self.own_choices if self.visits[row.name] >
                                                        SETTLE_AFTER else None)
            if answers is None:  # reported; the run goes on with a draw as it is, to find what lies beyond
                self.result.unsubmittable.setdefault(row.name, _first_problem(problems))
                answers = check_forms.answers_for(form.schema, form.ui_schema, self.rng, today=self._today(),
                                                  coverage=self.coverage, form=row.name, checked=False)[0] or {}
            data = _known_fields(form.schema, answers)

        def complete(flow: Any) -> Any:
            return flow.complete(row.id, data)

        step.take_step(self.session, instance, complete, actor=ACTOR, now=self.now, finished_task=row, answers=data)

    def _fire(self, item: DueItem) -> None:
        self.now = max(self.now, item.due_at + timers.RECHECK_NOT_FIRED)  # as the sweep after it falls due
        with clock.frozen_at(self.now):
            if not timers.fire_instance_timers(self.session, item.instance_id, now=self.now):
                item.done_at = self.now
            elif not _gone(self.session, item):
                item.done_at = self.now  # the engine did not fire it: never try it again in this run

    def _deliver(self, row: MessageSubscription) -> None:
        name = row.message_name
        context = self._context(row, self._ready([row.instance_id]))
        self.delivered[context] = self.delivered.get(context, 0) + 1
        if not self.coverage.count("deliver", context):
            self.coverage.choose("deliver", [context], self.rng)  # counted: the next runs try other catches first
        correlation = {k: v for k, v in (row.correlation or {}).items() if v is not None}
        step.deliver(self.session, Message(name, self._payload(name), correlation), actor=ACTOR, now=self.now,
                     source_id=None)

    def _payload(self, name: str) -> dict[str, Any]:
        agencies = list(self.session.scalars(select(Agency.key).order_by(Agency.key)))
        return payload_for(name, self.plan.outside.get(name, {}), self.rng, self._today(), agencies, self.coverage)

    def _today(self) -> date:
        return self.now.date()

    def _note_reached(self) -> None:
        """What the run reached: the elements the engine ran, and the tasks that became ready (a task a case
        waits at, or one a boundary event took the case away from, was reached)."""
        for elements in self.session.scalars(select(ProcessInstance.executed_elements)):
            self.result.reached.update(elements or ())
        self.result.reached.update(self.session.scalars(select(HumanTask.name).distinct()))

    def _finish(self, *, looping: bool) -> None:
        self.session.flush()
        self._note_reached()
        instances = list(self.session.scalars(select(ProcessInstance).order_by(ProcessInstance.created_at)))
        for instance in instances:
            if instance.status == InstanceStatus.ERROR:
                error = instance.error or {}
                self.result.errors.append((error.get("task_name"), str(error.get("message") or "")))
            elif instance.status == InstanceStatus.ACTIVE and (looping or not self._awaits_outside(instance.id)):
                flow = runtime.load(self.session, instance)
                why = "looping" if looping else "stuck"
                self.result.stuck.append((waiting_elements(flow), why))


    def _awaits_outside(self, instance_id: str) -> bool:
        """Whether the case waits for a message from outside: it can still finish when that comes."""
        names = self.session.scalars(select(MessageSubscription.message_name).where(
            MessageSubscription.instance_id == instance_id))
        return any(name in self.plan.outside for name in names)


def _gone(session: Session, item: DueItem) -> bool:
    from sqlalchemy import inspect
    state = inspect(item)
    return bool(state.deleted or state.was_deleted or state.detached)


def _first_problem(problems: list[forms.FormProblem]) -> str:
    if not problems:
        return "no answer could be made for it"
    first = problems[0]
    where = f"the field {first['field']!r}" if first["field"] else "the form"
    return f"{where} {first['message']}"


def payload_for(name: str, template: dict[str, Any], rng: Random, today: date, agencies: list[str],
                coverage: check_forms.Coverage) -> dict[str, Any]:
    """A payload from a template of key -> kind (``text``, ``date``, ``list`` (of agency keys, the lists LIF's
    processes pass), ``flag``, ``number``) or a list of the values the draft compares it with."""
    made: dict[str, Any] = {}
    for key, kind in sorted(template.items()):
        if isinstance(kind, list):
            made[key] = coverage.choose(f"message {name}:{key}", kind, rng)
        elif kind == "date":
            made[key] = today.isoformat()
        elif kind == "list":
            made[key] = sorted(rng.sample(agencies, min(len(agencies), rng.randint(1, 2))))
        elif kind == "flag":
            made[key] = rng.random() < 0.5
        elif kind == "number":
            made[key] = rng.randint(1, 5)
        else:
            made[key] = f"Check {key.replace('_', ' ')}"
    return made
