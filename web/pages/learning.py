"""The learning log's pages: the log, searched and filtered, with its CSV and Excel downloads carrying the filters;
one lesson, with its seven-minute briefing (Word); and, for coordinators, the themes lessons are filed under.
The filters are the API's (``web.api.learning``): a bad one gives the error summary and no list."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from engine.errors import BadRequest, Conflict, InvalidData, NotFound
from engine.reports import lessons, themes
from engine.store import audit

from ..api.learning import EXPORT_LIMIT, LogFilters, export, found_lessons, log_filters
from ..context import lif
from ..documents_out.briefing import briefing_response
from .common import PAGE_SIZE, back, current_actor, done, now, page_number, requires, signed_in

bp = Blueprint("learning", __name__)

# What the error summary says of a filter the log cannot use, by parameter (the field's id is the parameter's name)
FILTER_PROBLEMS = {"q": "Search must be 200 characters or fewer", "theme": "Choose a theme from the list",
                   "agency": "Choose an agency from the list", "process_key": "Choose a process from the list",
                   "from": "Recorded from must be a real date",
                   "to": "Recorded to must be a real date, the same as or after recorded from"}


@bp.get("/learning-log")
@signed_in
def log() -> tuple[str, int] | str:
    actor, number = current_actor(), page_number()
    with lif().unit_of_work() as db:
        known = lessons.choices(db)
        try:
            filters = log_filters(request.args, known, also=("page",))
        except BadRequest as exc:
            return _log_page(known, LogFilters(), None, number, problem=_problem(exc)), 400
        found = found_lessons(db, actor, filters, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
        audit.record(db, "learning_log.listed", actor=actor.username, now=now(), page=number,
                     filters=filters.audited(), lesson_ids=[e.id for e in found.items])
    return _log_page(known, filters, found, number)


def _problem(exc: BadRequest) -> tuple[str, str]:
    """The error summary's line and the field it links to."""
    name = (exc.details or {}).get("parameter", "")
    if name in FILTER_PROBLEMS:
        return FILTER_PROBLEMS[name], "#" + name
    return f"The address has a filter this page does not know ({name[:40]}): use the filters below", "#filters"


def _log_page(known: lessons.LogChoices, filters: LogFilters, found: Any, number: int,
              problem: tuple[str, str] | None = None) -> str:
    raw = {name: request.args.get(name, "")[:200] for name in ("q", "theme", "agency", "process_key", "from", "to")}
    return render_template("learning/log.html", known=known, filters=filters, found=found, number=number,
                           query=filters.query(), raw=raw if problem else filters.query(), problem=problem,
                           coordinator=current_actor().has("coordinator"))


@bp.get("/learning-log.csv")
@signed_in
def log_csv() -> Response:
    return _download("csv")


@bp.get("/learning-log.xlsx")
@signed_in
def log_xlsx() -> Response:
    return _download("xlsx")


def _download(kind: str) -> Response:
    """The rows the page shows for these filters, every page of them, as a file; a bad filter is the 400 page."""
    actor = current_actor()
    with lif().unit_of_work() as db:
        known = lessons.choices(db)
        filters = log_filters(request.args, known)
        found = found_lessons(db, actor, filters, limit=EXPORT_LIMIT, offset=0)
        audit.record(db, "learning_log.exported", actor=actor.username, now=now(), format=kind,
                     filters=filters.audited(), rows=len(found.items))
    return export(kind, found.items, known)


@bp.get("/learning-log/<int:lesson_id>")
@signed_in
def lesson(lesson_id: int) -> str:
    actor = current_actor()
    with lif().unit_of_work() as db:
        entry = lessons.lesson(db, lesson_id, actor=actor)
        known = lessons.choices(db)
        audit.record(db, "lesson.viewed", actor=actor.username, now=now(), instance_id=entry.instance_id,
                     lesson_id=entry.id)
    return render_template("learning/lesson.html", lesson=entry, known=known)


@bp.get("/learning-log/<int:lesson_id>/briefing.docx")
@signed_in
def briefing(lesson_id: int) -> Response:
    actor = current_actor()
    with lif().unit_of_work() as db:
        entry = lessons.lesson(db, lesson_id, actor=actor)
        known = lessons.choices(db)
        audit.record(db, "lesson.briefing_downloaded", actor=actor.username, now=now(), lesson_id=entry.id)
    return briefing_response(entry, known, today=now())


@bp.get("/learning-log/themes")
@requires("coordinator")
def theme_list() -> str:
    return _themes_page()


def _themes_page(errors: dict[str, str] | None = None, name: str = "") -> str:
    with lif().reading() as db:
        every = themes.all_themes(db)
    return render_template("learning/themes.html", active=[t for t in every if not t.retired],
                           retired=[t for t in every if t.retired], errors=errors or {}, name=name)


@bp.post("/learning-log/themes")
@requires("coordinator")
def add_theme() -> Response | tuple[str, int]:
    name = request.form.get("name", "")[:500]
    try:
        with lif().unit_of_work() as db:
            added = themes.add_theme(db, name, actor=current_actor(), now=now())
    except InvalidData as exc:
        return _themes_page({"name": _first(exc)}, name), 400
    return done(f"{added.name} has been added to the themes", "learning.theme_list")


@bp.get("/learning-log/themes/<key>/rename")
@requires("coordinator")
def rename_form(key: str) -> str:
    return _rename_page(key)


def _rename_page(key: str, errors: dict[str, str] | None = None, name: str | None = None) -> str:
    with lif().reading() as db:
        found = next((t for t in themes.all_themes(db) if t.key == key), None)
    if found is None:
        raise NotFound("no such learning theme")
    return render_template("learning/rename.html", theme=found, errors=errors or {},
                           name=found.name if name is None else name)


@bp.post("/learning-log/themes/<key>/rename")
@requires("coordinator")
def rename_theme(key: str) -> Response | tuple[str, int]:
    name = request.form.get("name", "")[:500]
    try:
        with lif().unit_of_work() as db:
            renamed = themes.rename_theme(db, key, name, actor=current_actor(), now=now())
    except InvalidData as exc:
        return _rename_page(key, {"name": _first(exc)}, name), 400
    return done(f"The theme is now called {renamed.name}", "learning.theme_list")


@bp.post("/learning-log/themes/<key>/retire")
@requires("coordinator")
def retire_theme(key: str) -> Response:
    return _change(lambda db: themes.retire_theme(db, key, actor=current_actor(), now=now()),
                   "{name} has been retired. Lessons already filed under it keep it; forms no longer offer it")


@bp.post("/learning-log/themes/<key>/restore")
@requires("coordinator")
def restore_theme(key: str) -> Response:
    return _change(lambda db: themes.restore_theme(db, key, actor=current_actor(), now=now()),
                   "{name} is back in the forms' choices, at the end of the list")


@bp.post("/learning-log/themes/<key>/move")
@requires("coordinator")
def move_theme(key: str) -> Response:
    direction = request.form.get("direction", "")[:8]
    try:
        with lif().unit_of_work() as db:
            themes.move_theme(db, key, direction, actor=current_actor(), now=now())
    except (Conflict, InvalidData) as exc:
        return back(exc.message[:1].upper() + exc.message[1:], "learning.theme_list")
    return done("The order of the themes has been changed", "learning.theme_list")


def _change(act: Any, success: str) -> Response:
    try:
        with lif().unit_of_work() as db:
            theme = act(db)
    except Conflict as exc:
        return back(exc.message[:1].upper() + exc.message[1:], "learning.theme_list")
    return done(success.format(name=theme.name), "learning.theme_list")


def _first(exc: InvalidData) -> str:
    details = exc.details or []
    return str(details[0]["message"]) if details else exc.message[:1].upper() + exc.message[1:]
