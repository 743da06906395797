"""Marked cases: a shipped process driven to its end as its people would (``tests/scenarios``' driver and the demo's
form data), with a distinct marker in every free-text answer (found from each task's JSON schema) and in every
reason, comment, draft and chaser message, so that a test can look for the markers wherever they must not be.

A marker is ``QZX`` and a number: no form, template or bundle contains ``QZX``, so finding the three letters
anywhere means a typed value got there."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from demo import form_data
from demo.documents import upload_placeholders
from engine.cases import instances
from engine.errors import InvalidData
from engine.records import TaskInfo
from engine.retention import holds
from engine.store.db import transaction
from engine.store.models import DueItem, ProcessInstance
from engine.work import deadline_changes, tasks
from notifications import outbox
from tests.scenarios.scenarios_kit import Scenario

PREFIX = "QZX"
FINISHED = ("completed", "cancelled")
# Choices that take each process down its longest road: hand-overs, a referral between processes, sign-offs.
PLANS: dict[str, dict[str, dict[str, Any]]] = {
    "scr": {},
    "cdop": {"panel_review": {"abuse_neglect_suspected": True, "recommendations": 2},
             "partner_response": {"partner_decision": "accepted"}},
    "section11": {"self_evaluation": {"ratings": ["green"] * 7 + ["red"]}, "challenge_event": {"agreed_actions": 1}},
    "action_plan": {"plan_form": {"actions": 2}, "progress_update": {"status": "completed"},
                    "sign_off_coordinator": {"decision": "signed_off"}, "sign_off_chair": {"decision": "signed_off"}},
    "case_audit": {"audit_meeting": {"actions": 2}},
    "case_audit_programme": {},
}
STARTED_BY = {"scr": "pat"}  # a referral is a reviewer's task
FREE_TEXT_EXCLUSIONS = ("enum", "const", "format", "pattern", "oneOf", "anyOf")


class MarkedScenario(Scenario):
    """The scenario driver, marking every free-text answer and adding marked comments, drafts, deadline
    extensions and chasers to every task it completes."""

    def __init__(self, factory: Any, traveller: Any) -> None:
        super().__init__(factory, traveller)
        self.count = 0
        self.plan: dict[str, dict[str, Any]] = {}

    def marker(self, what: str) -> str:
        self.count += 1
        return f"{PREFIX}{self.count:04d}-{what}"

    def complete(self, task: TaskInfo, **choices: Any) -> TaskInfo:
        actor = self.people.actor_for(task.role, task.agency, task.assignee)
        with transaction(self.factory) as s:
            detail = tasks.task_detail(s, task.id, actor=actor, now=self.now)
        payload = form_data(task.process_key, task.name, detail.data, self.people, self.today, agency=task.agency,
                            doer=actor.username, **{**self.plan.get(task.name, {}), **choices})
        payload = self.mark(payload, detail.form_schema or {})
        self._touch(task, actor, payload)
        try:
            with transaction(self.factory) as s:
                payload = upload_placeholders(s, task.id, payload, actor=actor, now=self.now)
                tasks.complete_task(s, task.id, payload, actor=actor, now=self.now)
        except InvalidData as exc:
            raise AssertionError(f"{task.process_key}.{task.name}: {exc.message} {exc.details}") from None
        return task

    def _touch(self, task: TaskInfo, actor: Any, payload: dict[str, Any]) -> None:
        """What people do around a task besides answering it: a comment, a draft, a new deadline, a chaser."""
        with transaction(self.factory) as s:
            tasks.add_comment(s, task.id, self.marker("comment"), actor=actor, now=self.now)
            tasks.save_draft(s, task.id, payload, actor=actor, now=self.now)
            deadline_changes.extend_deadline(s, task.id, self.now + timedelta(days=30), self.marker("extend"),
                                             actor=self.coordinator, now=self.now)
            outbox.send_chaser(s, task.id, self.marker("chase"), actor=self.coordinator, now=self.now,
                               base_url="http://lif.test")

    def mark(self, value: Any, schema: dict[str, Any]) -> Any:
        """``value`` with a marker added to each string its schema leaves free (no choice, format or pattern)."""
        if isinstance(value, str) and _free_text(schema):
            return self._marked(value, schema)
        if isinstance(value, dict):
            found = _properties(schema)
            return {k: self.mark(v, found.get(k, {})) for k, v in value.items()}
        if isinstance(value, list):
            items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
            return [self.mark(v, items) for v in value]
        return value

    def _marked(self, value: str, schema: dict[str, Any]) -> str:
        marker = self.marker("answer")
        limit = schema.get("maxLength")
        marked = f"{value} {marker}"
        if isinstance(limit, int) and len(marked) > limit:
            marked = (value[:max(0, limit - len(marker) - 1)] + " " + marker)[-limit:]
        return marked

    # --- a whole case ---------------------------------------------------------------------------------------

    def drive(self, key: str, *, limit: int = 400) -> str:
        """Start ``key`` and drive it, and every case it leads to, until nothing is left to do (timers included);
        on the way, pause and resume the first case's clock and place and lift a legal hold, with marked reasons.
        The first case's id."""
        self.plan = PLANS[key]
        first = self.start(key, who=STARTED_BY.get(key))
        self._clock_and_hold(first)
        for _ in range(limit):
            ready = self.ready()
            if ready:
                self.complete(ready[0])
            elif not self._next_timer():
                break
        assert self.instance(first).status == "completed", self.instance(first).error
        return first

    def _clock_and_hold(self, instance_id: str) -> None:
        with transaction(self.factory) as s:
            deadline_changes.pause_instance(s, instance_id, self.marker("pause"), actor=self.coordinator, now=self.now)
        self.later(days=2)
        with transaction(self.factory) as s:
            deadline_changes.resume_instance(s, instance_id, self.marker("resume"), actor=self.coordinator,
                                             now=self.now)
            holds.place_hold(s, instance_id, self.marker("hold"), kind="inquest", actor=self.coordinator,
                             now=self.now)
            holds.release_hold(s, instance_id, self.marker("release"), actor=self.coordinator, now=self.now)

    def _next_timer(self) -> bool:
        """Move to just after the earliest BPMN timer of a running case and fire it; False when none waits."""
        with transaction(self.factory) as s:
            due = s.scalar(select(DueItem.due_at).join(ProcessInstance, ProcessInstance.id == DueItem.instance_id)
                           .where(DueItem.kind == "timer", DueItem.done_at.is_(None),
                                  ProcessInstance.status == "active").order_by(DueItem.due_at).limit(1))
        if due is None:
            return False
        self.traveller.move_to(max(due, self.now) + timedelta(minutes=1))
        return self.sweep() > 0

    def cancelled_case(self, key: str) -> str:
        """Another case of ``key``, cancelled at its first task with a marked reason."""
        self.plan = PLANS[key]
        case = self.start(key, who=STARTED_BY.get(key))
        with transaction(self.factory) as s:
            instances.cancel_instance(s, case, self.marker("cancel"), actor=self.coordinator, now=self.now)
        return case


def _free_text(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    strings = kind == "string" or (isinstance(kind, list) and "string" in kind)
    return strings and not any(k in schema for k in FREE_TEXT_EXCLUSIONS)


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    """The properties an object's schema declares, also inside its ``allOf`` / ``if``-``then`` clauses (a
    property's plainest declaration wins: the one with a ``type``)."""
    found: dict[str, Any] = {}
    clauses = [schema] + [c for c in schema.get("allOf", []) if isinstance(c, dict)]
    clauses += [c.get(part) for c in list(clauses) for part in ("then", "else") if isinstance(c.get(part), dict)]
    for clause in clauses:
        for name, sub in (clause.get("properties") or {}).items():
            if isinstance(sub, dict) and ("type" in sub or name not in found):
                found[name] = sub
    return found


def found_in(value: Any) -> list[str]:
    """The markers in ``value`` (any JSON-able value), as text around them."""
    text = json.dumps(value, default=str, ensure_ascii=False)
    out, start = [], 0
    while (at := text.find(PREFIX, start)) >= 0:
        out.append(text[max(0, at - 60):at + 30])
        start = at + 1
    return out
