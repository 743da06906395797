"""My tasks and the task page: the form rendered from the task's JSON schema, instructions, the case's
context and comments; saving a draft, adding and removing rows, completing, claiming and releasing."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine import workdays
from engine.cases import instances
from engine.documents import reading as documents
from engine.errors import Conflict, InvalidData, LifError
from engine.people import accounts
from engine.reads import access, case_groups, task_forms, task_people
from engine.reads import inbox as task_inbox
from engine.states import TaskState
from engine.work import tasks
from notifications import inbox as notices

from .. import forms_render
from ..context import lif
from ..forms_render.answers import answer_sections
from . import files, task_pages
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


@bp.get("/tasks/<task_id>/section/<int:number>")
@signed_in
def section_page(task_id: str, number: int) -> str | tuple[str, int]:
    """One page of a long form; ``?errors=1`` (a link from check your answers) shows the page's problems."""
    return _render_task(task_id, number=number, check=request.args.get("errors") == "1")


def _render_task(task_id: str, *, values: dict[str, Any] | None = None, problems: list | None = None,
                 status: int = 200, focus: str | None = None, number: int | None = None,
                 check: bool = False) -> str | tuple[str, int]:
    actor = current_actor()
    with lif().unit_of_work() as db:
        detail = tasks.task_detail(db, task_id, actor=actor, now=now())
        notes = [(c.author, c.body, c.created_at, c.challenge) for c in tasks.comments(db, task_id, actor=actor)]
        agencies = accounts.agency_names(db)
        users = task_people.people_by_task(db, [detail.task]) if actor.has("coordinator") else {}
        context = accounts.form_context(db)
        papers = documents.task_documents(db, task_id, actor=actor)
        process = task_pages.process_name(db, detail.task.process_key)
        withdrawable = instances.may_withdraw(db, detail.task.instance_id, actor)
        part_of = case_groups.part_of(db, detail.task.instance_id, actor)
    task = detail.task
    editable = task.state == TaskState.READY and access.may_do(actor, task)
    shown, suggestions = task_pages.shown_values(detail, values)
    page = task_pages.section_page(detail.form_schema, detail.ui_schema, shown, number, check) \
        if editable and detail.form_schema else task_pages.OnePage()
    form = task_pages.settle_page(forms_render.note_suggestions(forms_render.build_form(
        detail.form_schema, detail.ui_schema, shown, problems if problems is not None else page.problems,
        {d.id: d for d in papers}), suggestions), detail.form_schema, page) if detail.form_schema and editable else None
    answers = answer_sections(detail.form_schema, detail.ui_schema, task_pages.answered(detail),
                              documents={d.id: d for d in papers}) if detail.form_schema and not editable else []
    labels = {d.id: forms_render.file_label(detail.form_schema, d.field) for d in papers}
    days = workdays.working_days_left(task.due_at, now()) if task.due_at and task.state == TaskState.READY else None
    names = task_pages.people(context)
    html = render_template("tasks/task.html", detail=detail, task=task, form=form, editable=editable, part_of=part_of,
                           comments=notes, agencies=agencies, days_left=days, focus=focus, page=page,
                           users=users, answers=answers,
                           summary=task_pages.page_summary(form, page), process_name=process, names=names,
                           role=task_pages.role_in_words(task.role, task.agency),
                           withdrawable=withdrawable, has_draft=detail.draft is not None, documents=papers,
                           document_labels=labels)
    return (html, status) if status != 200 else html


@bp.get("/tasks/<task_id>/check")
@signed_in
def check_page(task_id: str) -> Any:
    return _render_check(task_id)


def _render_check(task_id: str, problems: list | None = None, status: int = 200) -> Any:
    """Check your answers: every answer of the pages asked, each with a "Change" link to its page and field."""
    actor = current_actor()
    with lif().unit_of_work() as db:
        detail = tasks.task_detail(db, task_id, actor=actor, now=now())
        papers = {d.id: d for d in documents.task_documents(db, task_id, actor=actor)}
    task, schema, ui = detail.task, detail.form_schema, detail.ui_schema
    sections = forms_render.form_sections(schema, ui)
    if task.state != TaskState.READY or not access.may_do(actor, task) or not sections:
        return redirect(url_for("tasks.task_page", task_id=task_id))
    check = task_pages.check_answers(task_id, schema or {}, ui, detail.draft or {}, sections, papers, problems)
    html = render_template("tasks/check.html", task=task, check=check)
    return (html, status) if status != 200 else html


@bp.post("/tasks/<task_id>/check")
@signed_in
def complete_checked(task_id: str) -> Any:
    """Complete a long form with the answers its pages saved in the draft."""
    actor = current_actor()
    with lif().reading() as db:
        form = task_forms.task_form(db, task_id, actor=actor)
        draft = tasks.task_draft(db, task_id, actor=actor)
    data = forms_render.only_asked(form.schema, forms_render.form_sections(form.schema, form.ui_schema), draft)
    return _complete(task_id, data, on_error=lambda problems: _render_check(task_id, problems, 422))


@bp.post("/tasks/<task_id>")
def submit_task(task_id: str) -> Any:
    if g.get("actor") is None:
        return _keep_as_draft(task_id)
    actor, action = current_actor(), request.form.get("_action", "save")
    with lif().reading() as db:  # the form to read the post with; not a view of the task
        form = task_forms.task_form(db, task_id, actor=actor)
        section, earlier = task_pages.posted_section(db, task_id, form, request.form, actor=actor)
    schema, ui = form.schema or {}, form.ui_schema or {}
    blank_rows = action not in ("complete", "continue")  # a row just added stays; moving on drops blank ones
    draft = task_pages.with_section(forms_render.parse_form(schema, ui, request.form, keep_empty_rows=blank_rows),
                                    earlier, section)
    stored, refused, status = files.store_chosen_files(task_id, schema, request.files)  # any button sends them
    forms_render.hold_documents(draft, stored, action)
    if refused:
        return _refuse_files(task_id, draft, refused, status, section)
    if action == "complete" and section is None:
        data = forms_render.parse_form(schema, ui, request.form, keep_empty_rows=False)
        forms_render.hold_documents(data, stored, action)
        return _complete(task_id, data, on_error=lambda problems: _render_task(
            task_id, values=draft, problems=problems, status=422))
    focus = forms_render.apply_row_action(draft, schema, action) if action not in ("save", "continue") else None
    try:
        with lif().unit_of_work() as db:
            tasks.save_draft(db, task_id, draft, actor=actor, now=now())
    except Conflict as exc:
        return back(exc.message.capitalize(), "tasks.task_page", task_id=task_id)
    if action == "continue" and section is not None:
        return _continue(task_id, schema, ui, draft, section)
    if action == "save":
        return done("Your draft has been saved. You can come back to it later.", **_page_of(task_id, section))
    if action.startswith((forms_render.UPLOAD_FILE, forms_render.REMOVE_FILE)):
        return files.file_action_done(task_id, action, stored, _page_of(task_id, section))
    anchor = forms_render.field_id(focus) + ("-row" if focus and focus.endswith("]") else "") if focus else None
    return redirect(url_for(**_page_of(task_id, section), _anchor=anchor))


def _page_of(task_id: str, section: forms_render.Section | None) -> dict[str, Any]:
    if section is None:
        return {"endpoint": "tasks.task_page", "task_id": task_id}
    return {"endpoint": "tasks.section_page", "task_id": task_id, "number": section.number}


def _continue(task_id: str, schema: dict[str, Any], ui: dict[str, Any], draft: dict[str, Any],
              section: forms_render.Section) -> Any:
    """After a page is saved: its problems on the page again, or the next page asked, or check your answers."""
    problems = task_pages.section_problems(schema, ui, draft, section)
    if problems:
        return _render_task(task_id, values=draft, problems=problems, status=422, number=section.number)
    following = task_pages.next_section(schema, ui, draft, section)
    if following is None:
        return redirect(url_for("tasks.check_page", task_id=task_id))
    return redirect(url_for("tasks.section_page", task_id=task_id, number=following.number))


def _refuse_files(task_id: str, draft: dict[str, Any], refused: list[dict[str, Any]], status: int,
                  section: forms_render.Section | None = None) -> Any:
    """A chosen file was refused: the other answers are kept as the draft and the page says what was wrong."""
    try:
        with lif().unit_of_work() as db:
            tasks.save_draft(db, task_id, draft, actor=current_actor(), now=now())
    except Conflict as exc:
        return back(exc.message.capitalize(), "tasks.task_page", task_id=task_id)
    return _render_task(task_id, values=draft, problems=refused, status=status,
                        number=section.number if section else None)


def _keep_as_draft(task_id: str) -> Response:
    """A form posted after its session timed out: what was typed is saved as a draft of the task for the
    session's user (the server still knows whose session it was), who comes back to it after signing in."""
    lapsed, back_to = g.get("lapsed"), url_for("tasks.task_page", task_id=task_id)
    if lapsed is not None:
        try:
            with lif().unit_of_work() as db:
                actor = accounts.actor_for(accounts.find_user(db, lapsed.username))
                form = task_forms.task_form(db, task_id, actor=actor)
                section, earlier = task_pages.posted_section(db, task_id, form, request.form, actor=actor)
                draft = forms_render.parse_form(form.schema or {}, form.ui_schema or {}, request.form,
                                                keep_empty_rows=True)
                tasks.save_draft(db, task_id, task_pages.with_section(draft, earlier, section), actor=actor,
                                 now=now())
            flash("You were signed out because you had not done anything for a while. What you entered has been "
                  "saved as a draft: sign in again to carry on.", "important")
        except LifError:
            pass  # the task moved on or is no longer theirs: nothing to keep it in
    return redirect(url_for("auth.sign_in", next=back_to))


def _complete(task_id: str, data: dict[str, Any], *, on_error: Callable[[list], Any]) -> Any:
    actor = current_actor()
    try:
        with lif().unit_of_work() as db:
            info, instance = tasks.complete_task(db, task_id, data, actor=actor, now=now())
            following = task_inbox.inbox_for(db, actor, now(), instance_id=instance.id, limit=1).items
            if following:  # the page goes straight on to it: its "New task" notice to them is not news
                notices.taken_straight_to(db, following[0].task.id, actor.username, now=now())
    except InvalidData as exc:
        return on_error(exc.details or [])
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
            name = accounts.full_names(db).get(info.assignee, info.assignee) if info.assignee else None
    except Conflict as exc:
        return back(exc.message.capitalize(), "tasks.inbox")
    where = f"is assigned to {name} again" if name else "is back in the shared queue"
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
