"""My tasks and the task page: the form rendered from the task's JSON schema, instructions, the case's
context and comments; saving a draft, adding and removing rows, completing, claiming and releasing."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine import workdays
from engine.documents import reading as documents
from engine.errors import Conflict, InvalidData, LifError
from engine.people import accounts
from engine.reads import access, task_forms, task_people
from engine.reads import inbox as task_inbox
from engine.states import TaskState
from engine.work import tasks

from .. import forms_render
from ..context import lif
from . import files
from .common import PAGE_SIZE, back, current_actor, done, now, page_number, signed_in

bp = Blueprint("tasks", __name__)


@bp.get("/")
@signed_in
def inbox_page() -> str | Response:
    """A signed-in user's home: their tasks; for an administrator or a designer, who take part in no case,
    the pages of their work."""
    actor = current_actor()
    if not actor.reads_cases:
        return redirect(url_for("admin.people" if actor.has("admin") else "designer.processes"))
    return inbox_view()


@bp.get("/tasks")
@signed_in
def inbox() -> str:
    return inbox_view()


def inbox_view() -> str:
    actor, page = current_actor(), page_number()
    overdue = {"overdue": True, "on-time": False}.get(request.args.get("show", ""))
    with lif().unit_of_work() as db:
        found = task_inbox.inbox_for(db, actor, now(), overdue=overdue, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        agencies, people = accounts.agency_names(db), accounts.full_names(db)
    return render_template("tasks/inbox.html", page=found, number=page, agencies=agencies, people=people,
                           show=request.args.get("show", ""))


@bp.get("/tasks/<task_id>")
@signed_in
def task_page(task_id: str) -> str | tuple[str, int]:
    return _render_task(task_id)


def _render_task(task_id: str, *, values: dict[str, Any] | None = None, problems: list | None = None,
                 status: int = 200, focus: str | None = None) -> str | tuple[str, int]:
    actor = current_actor()
    with lif().unit_of_work() as db:
        detail = tasks.task_detail(db, task_id, actor=actor, now=now())
        notes = [(c.author, c.body, c.created_at, c.challenge) for c in tasks.comments(db, task_id, actor=actor)]
        agencies = accounts.agency_names(db)
        users = task_people.people_by_task(db, [detail.task]) if actor.has("coordinator") else {}
        papers = documents.task_documents(db, task_id, actor=actor)
    task = detail.task
    editable = task.state == TaskState.READY and access.may_do(actor, task)
    shown = values if values is not None else (detail.draft if detail.draft is not None else detail.data)
    form = forms_render.build_form(detail.form_schema, detail.ui_schema, shown, problems, {d.id: d for d in papers}) \
        if detail.form_schema and task.state == TaskState.READY else None
    labels = {d.id: forms_render.file_label(detail.form_schema, d.field) for d in papers}
    days = workdays.working_days_left(task.due_at, now()) if task.due_at and task.state == TaskState.READY else None
    page = render_template("tasks/task.html", detail=detail, task=task, form=form, editable=editable,
                           comments=notes, agencies=agencies, days_left=days, users=users, focus=focus,
                           has_draft=detail.draft is not None, documents=papers, document_labels=labels)
    return (page, status) if status != 200 else page


@bp.post("/tasks/<task_id>")
def submit_task(task_id: str) -> Any:
    if g.get("actor") is None:
        return _keep_as_draft(task_id)
    actor, action = current_actor(), request.form.get("_action", "save")
    with lif().reading() as db:  # the form to read the post with; not a view of the task
        form = task_forms.task_form(db, task_id, actor=actor)
    schema, ui = form.schema or {}, form.ui_schema or {}
    draft = forms_render.parse_form(schema, ui, request.form, keep_empty_rows=action != "complete")
    stored, refused, status = files.store_chosen_files(task_id, schema, request.files)  # any button sends them
    forms_render.hold_documents(draft, stored, action)
    if refused:
        return _refuse_files(task_id, draft, refused, status)
    if action == "complete":
        data = forms_render.parse_form(schema, ui, request.form, keep_empty_rows=False)
        forms_render.hold_documents(data, stored, action)
        return _complete(task_id, data, draft)
    focus = forms_render.apply_row_action(draft, schema, action) if action != "save" else None
    try:
        with lif().unit_of_work() as db:
            tasks.save_draft(db, task_id, draft, actor=actor, now=now())
    except Conflict as exc:
        return back(exc.message.capitalize(), "tasks.task_page", task_id=task_id)
    if action == "save":
        return done("Your draft has been saved. You can come back to it later.", "tasks.task_page", task_id=task_id)
    if action.startswith((forms_render.UPLOAD_FILE, forms_render.REMOVE_FILE)):
        return files.file_action_done(task_id, action, stored)
    anchor = forms_render.field_id(focus) + ("-row" if focus and focus.endswith("]") else "") if focus else None
    return redirect(url_for("tasks.task_page", task_id=task_id, _anchor=anchor))


def _refuse_files(task_id: str, draft: dict[str, Any], refused: list[dict[str, Any]], status: int) -> Any:
    """A chosen file was refused: the other answers are kept as the draft and the page says what was wrong."""
    try:
        with lif().unit_of_work() as db:
            tasks.save_draft(db, task_id, draft, actor=current_actor(), now=now())
    except Conflict as exc:
        return back(exc.message.capitalize(), "tasks.task_page", task_id=task_id)
    return _render_task(task_id, values=draft, problems=refused, status=status)


def _keep_as_draft(task_id: str) -> Response:
    """A form posted after its session timed out: what was typed is saved as a draft of the task for the
    session's user (the server still knows whose session it was), who comes back to it after signing in."""
    lapsed, back_to = g.get("lapsed"), url_for("tasks.task_page", task_id=task_id)
    if lapsed is not None:
        try:
            with lif().unit_of_work() as db:
                actor = accounts.actor_for(accounts.find_user(db, lapsed.username))
                form = task_forms.task_form(db, task_id, actor=actor)
                draft = forms_render.parse_form(form.schema or {}, form.ui_schema or {}, request.form,
                                                keep_empty_rows=True)
                tasks.save_draft(db, task_id, draft, actor=actor, now=now())
            flash("You were signed out because you had not done anything for a while. What you entered has been "
                  "saved as a draft: sign in again to carry on.", "important")
        except LifError:
            pass  # the task moved on or is no longer theirs: nothing to keep it in
    return redirect(url_for("auth.sign_in", next=back_to))


def _complete(task_id: str, data: dict[str, Any], draft: dict[str, Any]) -> Any:
    actor = current_actor()
    try:
        with lif().unit_of_work() as db:
            info, instance = tasks.complete_task(db, task_id, data, actor=actor, now=now())
            following = task_inbox.inbox_for(db, actor, now(), instance_id=instance.id, limit=1).items
    except InvalidData as exc:
        return _render_task(task_id, values=draft, problems=exc.details or [], status=422)
    except Conflict as exc:
        return back(f"This task could not be completed: {exc.message}", "tasks.task_page", task_id=task_id)
    if following:
        return done(f"‘{info.title}’ is complete. The next step, ‘{following[0].task.title}’, is yours too.",
                    "tasks.task_page", task_id=following[0].task.id)
    return done(f"‘{info.title}’ is complete", "tasks.inbox")


@bp.post("/tasks/<task_id>/claim")
@signed_in
def claim(task_id: str) -> Response:
    try:
        with lif().unit_of_work() as db:
            info = tasks.claim_task(db, task_id, actor=current_actor(), now=now())
    except Conflict as exc:
        return back(exc.message.capitalize(), "tasks.inbox")
    return done(f"You have claimed ‘{info.title}’", **_return_to(task_id))


@bp.post("/tasks/<task_id>/unclaim")
@signed_in
def unclaim(task_id: str) -> Response:
    try:
        with lif().unit_of_work() as db:
            info = tasks.unclaim_task(db, task_id, actor=current_actor(), now=now())
    except Conflict as exc:
        return back(exc.message.capitalize(), "tasks.inbox")
    where = f"is assigned to {info.assignee} again" if info.assignee else "is back in the shared queue"
    return done(f"‘{info.title}’ {where}", **_return_to(task_id))


def _return_to(task_id: str) -> dict[str, str]:
    if request.form.get("from") == "task":
        return {"endpoint": "tasks.task_page", "task_id": task_id}
    return {"endpoint": "tasks.inbox"}


@bp.post("/tasks/<task_id>/comments")
@signed_in
def comment(task_id: str) -> Any:
    instance_id = request.form.get("instance_id")  # sent from the case page, which is where to go back to
    where = {"endpoint": "instances.case", "instance_id": instance_id} if instance_id else \
        {"endpoint": "tasks.task_page", "task_id": task_id, "_anchor": "comments"}
    try:
        with lif().unit_of_work() as db:
            tasks.add_comment(db, task_id, request.form.get("body", "")[:10_000], actor=current_actor(), now=now())
    except InvalidData:
        return back("Enter a comment before adding it", **where)
    return done("Your comment has been added", **where)
