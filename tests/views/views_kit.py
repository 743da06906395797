"""The marking scenario driver, and the story of each shipped process that routes its cases through every
agency-bound task.

``MarkingScenario`` completes tasks as the scenario kit does, with the shared demo form data, and for the tasks
of the marked agencies (police and children's social care) it first overwrites every free-text field with a
marker of that agency (``markers.fill``), saves the answer as a draft and comments on the task with a marker.
The form data is built from the whole case as the coordinator holds it plus the task's own view, so driving a
case does not depend on how much each task's view shows: the views are what the test checks, not how it drives.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from demo import form_data
from engine.config import Config
from engine.documents import fields, uploads
from engine.errors import InvalidData
from engine.records import TaskInfo
from engine.store.db import transaction
from engine.store.models import HumanTask, ProcessInstance
from engine.work import tasks
from notifications import sweep
from tests.scenarios.scenarios_kit import PEOPLE, Scenario

from .markers import Markers, Origin, fill, free_text_fields

PDF = b"%%PDF-1.4\n%% %s\n%%%%EOF\n"
MARKED = ("police", "csc")  # the two agencies whose answers carry markers; health is the bystander
STEP_LIMIT = 120


class MarkingScenario(Scenario):
    def __init__(self, factory: Any, traveller: Any, *, config: Config) -> None:
        super().__init__(factory, traveller, PEOPLE)
        self.config = config
        self.markers = Markers()
        self.fields: dict[tuple[str, str], set[str]] = {}  # (process, task) -> every free-text field of its form
        self.filled: dict[tuple[str, str], set[str]] = {}  # (process, task) -> the fields given a marker

    def complete(self, task: TaskInfo, **choices: Any) -> TaskInfo:
        actor = self.people.actor_for(task.role, task.agency, task.assignee)
        with transaction(self.factory) as s:
            detail = tasks.task_detail(s, task.id, actor=actor, now=self.now)
            row, instance = s.get_one(HumanTask, task.id), s.get_one(ProcessInstance, task.instance_id)
            context = {**(instance.data or {}), **detail.data}
            bound_by = (row.properties or {}).get("agencyFrom")
            if bound_by and task.agency:
                context[bound_by] = task.agency
        payload = form_data(task.process_key, task.name, context, self.people, self.today, agency=task.agency,
                            doer=actor.username, **choices)
        self._attach_documents(task, actor, payload, detail.form_schema)
        if task.agency in MARKED:
            self._answer_with_markers(task, actor, payload, detail.form_schema)
        else:
            self._submit(task, actor, payload)
        return task

    def _attach_documents(self, task: TaskInfo, actor: Any, payload: dict[str, Any], schema: Any) -> None:
        """Upload a PDF for each file field the answer fills (a marked agency's holds a marker) and put its
        document id in the field, as the task page does."""
        for path, _ in list(fields.file_values(schema, payload)):
            words = "A case document"
            if task.agency in MARKED:
                words = self.markers.new(str(task.agency), Origin(task.process_key, task.name, str(task.agency),
                                                                  f"{path} (document)"))
            with transaction(self.factory) as s:
                document = uploads.upload_document(s, task.id, path, name="document.pdf",
                                                   content_type="application/pdf", data=PDF % words.encode(),
                                                   actor=actor, now=self.now)
            fields.set_value(payload, path, document.id)

    def _answer_with_markers(self, task: TaskInfo, actor: Any, payload: dict[str, Any], schema: Any) -> None:
        key = (task.process_key, task.name)
        self.fields.setdefault(key, set()).update(".".join(f.path) for f in free_text_fields(schema))
        origin = Origin(task.process_key, task.name, str(task.agency), "")
        for add_missing in (True, False):  # an optional field some rule refuses once filled: only those given
            marked = copy.deepcopy(payload)
            places = fill(marked, schema, self.markers, origin, add_missing=add_missing)
            comment = self.markers.new(str(task.agency), Origin(*key, str(task.agency), "a comment on the task"))
            with transaction(self.factory) as s:
                tasks.add_comment(s, task.id, f"Note from the agency: {comment}", actor=actor, now=self.now)
                tasks.save_draft(s, task.id, marked, actor=actor, now=self.now)
            try:
                self._submit(task, actor, marked)
            except AssertionError:
                if add_missing:
                    continue
                raise
            self.filled.setdefault(key, set()).update(_field_of(p) for p in places)
            return

    def _submit(self, task: TaskInfo, actor: Any, payload: dict[str, Any]) -> None:
        try:
            with transaction(self.factory) as s:
                tasks.complete_task(s, task.id, payload, actor=actor, now=self.now)
        except InvalidData as exc:
            raise AssertionError(f"{task.process_key}.{task.name}: {exc.message} {exc.details}") from None

    def drive(self, process_key: str, plan: dict[str, dict[str, Any]] | None = None) -> list[str]:
        """Complete every ready task of ``process_key`` (cases started by messages too) until none is left."""
        done = []
        for _ in range(STEP_LIMIT):
            ready = self.ready(process_key=process_key)
            if not ready:
                return done
            self.complete(ready[0], **(plan or {}).get(ready[0].name, {}))
            done.append(ready[0].name)
        raise AssertionError(f"{process_key}: still running after {STEP_LIMIT} steps: {done[-10:]}")

    def notices_later(self, days: int) -> None:
        """Move on ``days`` and run the scheduler's sweep: timers, reminders, overdue notices, escalations."""
        self.later(days=days)
        sweep.sweep(self.factory, self.config, self.now)

    def unexercised(self) -> dict[tuple[str, str], set[str]]:
        """Free-text fields of marked tasks that never got a marker (an empty list in every answer, say)."""
        return {key: missing for key, fields in self.fields.items()
                if (missing := fields - self.filled.get(key, set()))}


def _field_of(place: str) -> str:
    """``report.chronology[2].event`` as the schema path ``report.chronology.*.event``."""
    return re.sub(r"\[\d+\]", ".*", place)


BOTH = list(MARKED)


def scr(run: MarkingScenario) -> None:
    """An SCR with IMRs, and a partnership review with chronologies, from both agencies; the lead reviewer is
    health's (whose drafting task shows the returns by design)."""
    run.move_to("2027-01-11")
    for review_type in ("SCR", "PR"):
        case = run.start("scr", data={"regime": "lscb2013"})  # the chair chooses the review type (legacy rules)
        run.run_to_end(case, plan={"referral": {"agencies_involved": BOTH},
                                   "chair_decision": {"review_type": review_type},
                                   "set_up_review": {"lead_reviewer": "hana", "involve_family": True}},
                       limit=STEP_LIMIT)
        assert run.instance(case).status == "completed", run.ready_names(case)


def cdop(run: MarkingScenario) -> None:
    run.move_to("2027-02-01")
    case = run.start("cdop")
    run.run_to_end(case, plan={"identify_agencies": {"agencies_involved": BOTH},
                               "agency_report": {"safeguarding_concerns": "yes"},
                               "family_views": {}}, limit=STEP_LIMIT)
    assert run.instance(case).status == "completed", run.ready_names(case)


def section11(run: MarkingScenario) -> None:
    """Both agencies return, and both peer-review health's return (so neither reviews the other's)."""
    run.move_to("2027-03-01")
    case = run.start("section11")
    assignments = [{"agency_reviewed": "health", "reviewer_agency": agency} for agency in BOTH]
    run.run_to_end(case, plan={
        "set_cycle": {"agencies_taking_part": [*BOTH, "health"]},
        "self_evaluation": {"ratings": ["amber"] * 8},  # every standard with actions to fill
        "select_peer_review": {"peer_review_assignments": assignments},
        "peer_review": {"ratings_supported": "partly"}}, limit=STEP_LIMIT)
    assert run.instance(case).status == "completed", run.ready_names(case)


def case_audit(run: MarkingScenario) -> None:
    run.move_to("2027-04-05")
    case = run.start("case_audit")
    run.run_to_end(case, plan={"set_audit": {"agencies_taking_part": BOTH},  # csc refers a child to itself
                               "pre_audit": {"live_risks": 1, "live_risks_from": ["csc"]}}, limit=STEP_LIMIT)
    assert run.instance(case).status == "completed", run.ready_names(case)


def action_plan(run: MarkingScenario) -> None:
    """A plan with one action for each agency; each reports progress (completed) and is signed off."""
    run.move_to("2027-05-04")
    plan = run.start("action_plan")
    run.do(plan, "plan_form", actions=2)
    run.later(days=28, minutes=1)
    run.sweep()
    run.drive("action_plan", plan={"progress_update": {"status": "completed"}})
    assert not run.items(status="active")


STORIES: dict[str, Callable[[MarkingScenario], None]] = {
    "scr": scr, "cdop": cdop, "section11": section11, "case_audit": case_audit, "action_plan": action_plan}
