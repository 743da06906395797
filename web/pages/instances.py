"""The case page: the diagram with done, active and overdue steps marked, the timeline, the comments and the
data the viewer may see, and the coordinator's actions (reassign, extend a deadline, chase, cancel, pause and
resume the clock, retry a case in error). Everything on it comes through the engine's views
(``queries.instance_info``, ``timeline``, ``comments``): the page never reads the instance's own data."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine import workdays
from engine.bundles import definitions
from engine.cases import instances
from engine.errors import Conflict, InvalidData
from engine.people import accounts
from engine.reads import comments, inbox, queries, task_people, timeline
from engine.records import TaskInfo
from engine.retention import schedule
from engine.states import TaskState
from engine.store import audit
from engine.work import deadline_changes, tasks

from ..context import lif
from .common import back, current_actor, done, now, requires, signed_in

bp = Blueprint("instances", __name__)


@bp.get("/cases/<instance_id>")
@signed_in
def case(instance_id: str) -> str:
    actor = current_actor()
    with lif().unit_of_work() as db:
        row = queries.visible_instance_row(db, actor, instance_id)
        info = queries.instance_info(db, row, actor, now())
        audit.record(db, "instance.viewed", actor=actor.username, now=now(), instance_id=row.id)
        events = timeline.timeline(db, row.id, actor)
        notes = comments.case_comments(db, row.id, actor)
        mine = {item.task.id for item in inbox.inbox_for(db, actor, now(), instance_id=row.id, limit=100).items}
        agencies = accounts.agency_names(db)
        users = task_people.people_by_task(db, info.tasks) if actor.has("coordinator") else {}
        process_name = row.definition.name
        retention = schedule.retention_of(db, row) if actor.has("coordinator") else None
    return render_template("instances/case.html", case=info, events=events, notes=notes, mine=mine,
                           agencies=agencies, users=users, process_name=process_name,
                           markers=diagram_markers(info.tasks), coordinator=actor.has("coordinator"),
                           retention=retention, now=now())


def diagram_markers(task_list: tuple[TaskInfo, ...]) -> dict[str, str]:
    """BPMN element ids by state, space-separated, for the diagram's data attributes. A step done by some
    agencies and still open for others counts as active (or overdue)."""
    state: dict[str, str] = {}
    rank = {"done": 0, "active": 1, "overdue": 2}
    for task in task_list:
        mark = "overdue" if task.overdue else "active" if task.state == TaskState.READY else \
            "done" if task.state == TaskState.COMPLETED else None
        if mark and rank[mark] >= rank.get(state.get(task.name, "done"), 0):
            state[task.name] = mark
    return {kind: " ".join(sorted(name for name, mark in state.items() if mark == kind)) for kind in rank}


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


@bp.post("/cases/<instance_id>/cancel")
@requires("coordinator")
def cancel(instance_id: str) -> Response:
    return _case_action(instance_id, lambda db: instances.cancel_instance(
        db, instance_id, _reason(), actor=current_actor(), now=now()), "The case has been cancelled")


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
    return _task_action(task_id, lambda db: tasks.assign_task(db, task_id, username, actor=current_actor(), now=now()),
                        f"The task is now assigned to {username}")


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
