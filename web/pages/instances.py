"""The case page: the diagram with the path taken and the current and overdue steps marked, the steps, the case
summary (what was decided at each step the viewer may see, by whom and when, in the forms' own words), the
timeline, the comments, and the coordinator's actions (reassign, extend a deadline, chase, pause and resume the
clock, retry a case in error, and cancel, after a page that says what cancelling does). Everything on it comes
through the engine's views (``queries.instance_info``, ``case_summary``, ``case_diagram``, ``timeline``,
``comments``): the page never reads the instance's own data."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine import workdays
from engine.bundles import definitions
from engine.cases import instances
from engine.documents import fields as document_fields
from engine.documents import reading as documents
from engine.errors import Conflict, InvalidData
from engine.people import accounts
from engine.reads import case_diagram, case_groups, case_summary, comments, inbox, names, queries, task_people, timeline
from engine.retention import schedule
from engine.store import audit
from engine.work import deadline_changes, tasks

from ..context import lif
from ..forms_render.answers import AnswerSection, answer_sections
from .common import back, current_actor, done, now, requires, signed_in

bp = Blueprint("instances", __name__)


@bp.get("/cases/<instance_id>")
@signed_in
def case(instance_id: str) -> str:
    actor = current_actor()
    with lif().unit_of_work() as db:
        row = queries.visible_instance_row(db, actor, instance_id)
        info = queries.instance_info(db, row, actor, now(), with_data=False)
        audit.record(db, "instance.viewed", actor=actor.username, now=now(), instance_id=row.id)
        events = timeline.timeline(db, row.id, actor)
        notes = comments.case_comments(db, row.id, actor)
        mine = {item.task.id for item in inbox.inbox_for(db, actor, now(), instance_id=row.id, limit=100).items}
        agencies = accounts.agency_names(db)
        users = task_people.people_by_task(db, info.tasks) if actor.has("coordinator") else {}
        people = names.full_names(db, [t.completed_by for t in info.tasks] + [t.assignee for t in info.tasks]
                                  + [c.author for c in notes])
        summary = _summary(db, case_summary.case_summary(db, row, actor, now()))
        marks = case_diagram.diagram_marks(row, actor, info.tasks)
        process_name = row.definition.name
        withdrawable = instances.may_withdraw(db, row.id, actor)
        retention = schedule.retention_of(db, row) if actor.has("coordinator") else None
        part_of = case_groups.part_of(db, row.id, actor)
    return render_template("instances/case.html", case=info, part_of=part_of, events=events, notes=notes, mine=mine,
                           agencies=agencies, users=users, people=people, process_name=process_name,
                           summary=summary, markers=marks, coordinator=actor.has("coordinator"),
                           retention=retention, withdrawable=withdrawable, now=now())


def _summary(db: Any, steps: tuple[case_summary.SummaryStep, ...]) -> list[tuple[case_summary.SummaryStep,
                                                                                   list[AnswerSection] | None]]:
    """Each step with its answers in sections of its own form (None when its form cannot be read now); a file
    field names the document it holds."""
    out: list[tuple[case_summary.SummaryStep, list[AnswerSection] | None]] = []
    for step in steps:
        if step.schema is None:
            out.append((step, None if step.answers else []))
            continue
        papers = {d.id: d for d in documents.task_documents(db, step.task.id, actor=current_actor())} \
            if any(document_fields.file_values(step.schema, step.answers)) else {}
        out.append((step, answer_sections(step.schema, step.ui, step.answers, documents=papers)))
    return out


@bp.get("/cases/<instance_id>/diagram.bpmn")
@signed_in
def diagram(instance_id: str) -> Response:
    with lif().unit_of_work() as db:
        row = queries.visible_instance_row(db, current_actor(), instance_id)
        xml = definitions.bpmn_xml(db, row.process_key, row.definition.version)
    return Response(xml, mimetype="application/xml", headers={"Cache-Control": "private, max-age=300"})


def _reason() -> str:
    return request.form.get("reason", "")[:2000]


def _case_action(instance_id: str, act: Any, success: str) -> Response:
    try:
        with lif().unit_of_work() as db:
            queries.visible_instance_row(db, current_actor(), instance_id)
            act(db)
    except InvalidData as exc:
        flash(_problem_text(exc), "error")
        return redirect(url_for("instances.case", instance_id=instance_id))
    except Conflict as exc:
        return back(exc.message.capitalize(), "instances.case", instance_id=instance_id)
    return done(success, "instances.case", instance_id=instance_id)


def _problem_text(exc: InvalidData) -> str:
    fields = {"reason": "Enter a reason", "due_at": "Enter a new deadline in the future",
              "username": "Choose a person to assign the task to"}
    details = exc.details or []
    return "; ".join(fields.get(d.get("field"), d.get("message", "")) for d in details) or exc.message


@bp.get("/cases/<instance_id>/cancel")
@requires("coordinator")
def cancel_page(instance_id: str, reason: str = "", problem: str | None = None, status: int = 200) -> Any:
    """What cancelling does, and the reason asked for, before the case is cancelled."""
    actor = current_actor()
    with lif().unit_of_work() as db:
        row = queries.visible_instance_row(db, actor, instance_id)
        info = queries.instance_info(db, row, actor, now(), with_data=False)
        process_name, agencies = row.definition.name, accounts.agency_names(db)
    page = render_template("instances/cancel.html", case=info, process_name=process_name, reason=reason,
                           agencies=agencies,
                           problem=problem, open_steps=[t for t in info.tasks if t.state == "ready"])
    return (page, status) if status != 200 else page


@bp.post("/cases/<instance_id>/cancel")
@requires("coordinator")
def cancel(instance_id: str) -> Any:
    reason = _reason()
    if not reason.strip():
        return cancel_page(instance_id, reason, "Enter why the case is being cancelled", 422)
    return _case_action(instance_id, lambda db: instances.cancel_instance(
        db, instance_id, reason, actor=current_actor(), now=now()), "The case has been cancelled")


@bp.post("/cases/<instance_id>/pause")
@requires("coordinator")
def pause(instance_id: str) -> Response:
    return _case_action(instance_id, lambda db: deadline_changes.pause_instance(
        db, instance_id, _reason(), actor=current_actor(), now=now()), "The case's clock is paused")


@bp.post("/cases/<instance_id>/resume")
@requires("coordinator")
def resume(instance_id: str) -> Response:
    return _case_action(instance_id, lambda db: deadline_changes.resume_instance(
        db, instance_id, _reason(), actor=current_actor(), now=now()),
        "The case's clock is running again; open deadlines have moved on by the working days it was paused")


@bp.post("/cases/<instance_id>/retry")
@requires("coordinator")
def retry(instance_id: str) -> Response:
    return _case_action(instance_id, lambda db: instances.retry_instance(
        db, instance_id, actor=current_actor(), now=now()), "The case has been retried")


def _task_action(task_id: str, act: Any, success: str) -> Response:
    instance_id = request.form.get("instance_id", "")
    values: dict[str, Any]
    endpoint, values = ("instances.case", {"instance_id": instance_id}) if instance_id else \
        ("tasks.task_page", {"task_id": task_id})
    try:
        with lif().unit_of_work() as db:
            act(db)
    except InvalidData as exc:
        flash(_problem_text(exc), "error")
        return redirect(url_for(endpoint, **values))
    except Conflict as exc:
        return back(exc.message.capitalize(), endpoint, **values)
    return done(success, endpoint, **values)


@bp.post("/tasks/<task_id>/assign")
@requires("coordinator")
def assign(task_id: str) -> Response:
    username = request.form.get("username", "")[:64]
    with lif().unit_of_work() as db:
        name = names.full_names(db, [username]).get(username, username)
    return _task_action(task_id, lambda db: tasks.assign_task(db, task_id, username, actor=current_actor(), now=now()),
                        f"The task is now assigned to {name}")


@bp.post("/tasks/<task_id>/extend")
@requires("coordinator")
def extend(task_id: str) -> Response:
    due_at = _date_from_form("due")
    return _task_action(task_id, lambda db: deadline_changes.extend_deadline(
        db, task_id, due_at, _reason(), actor=current_actor(), now=now()), "The deadline has been extended")


def _date_from_form(prefix: str) -> Any:
    """The end of the London working day typed in ``<prefix>-day/-month/-year`` (a past instant if unreadable,
    which the service refuses with a clear message)."""
    try:
        day = date(int(request.form.get(f"{prefix}-year", "")), int(request.form.get(f"{prefix}-month", "")),
                   int(request.form.get(f"{prefix}-day", "")))
    except (ValueError, OverflowError):  # OverflowError: a year past C's int
        day = date(2000, 1, 1)
    return workdays.end_of_working_day(day)


@bp.post("/tasks/<task_id>/chase")
@requires("coordinator")
def chase(task_id: str) -> Response:
    from notifications.outbox import send_chaser

    message, base_url = request.form.get("message", "")[:2000], lif().config.base_url
    return _task_action(task_id, lambda db: send_chaser(db, task_id, message, actor=current_actor(), now=now(),
                                                        base_url=base_url), "A chaser has been sent")
