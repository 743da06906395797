"""The action register page (``/actions``): every action the viewer may see (their agency's, for agency leads), with
GOV.UK filters, pages and the same rows as CSV or Excel; and a plan's one-page progress report for the board
(``/cases/<id>/progress-report``). A filter that cannot be read is an error summary naming it, and nothing else
is listed or sent."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from engine.errors import NotFound
from engine.people import accounts
from engine.reads import queries
from engine.registers.records import RAG_WORDS, STATUS_WORDS
from engine.reports import actions
from engine.store import audit

from ..actions_export import EXPORT_LIMIT, export_response
from ..context import lif
from .common import PAGE_SIZE, current_actor, now, page_number, signed_in

bp = Blueprint("actions", __name__)

# "open" is every action not yet closed (those not yet updated among them)
STATUS_CHOICES = {"open": "Open (not yet closed)", "closed": "Closed (signed off or withdrawn)",
                  **{key: words for key, words in STATUS_WORDS.items() if key != "open"}}
OVERDUE_CHOICES = {"yes": True, "no": False}
KNOWN = {"agency", "process", "status", "rag", "overdue", "q", "page",
         *(f"{end}-{part}" for end in ("from", "to") for part in ("day", "month", "year"))}
LABELS = {"from": "Due from", "to": "Due to"}


def read_filters(agencies: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The register's filters from the query string, and the problems as (message, field id) for the error
    summary."""
    args, problems = request.args, []
    found: dict[str, Any] = {}
    for name in sorted(set(args) - KNOWN):
        problems.append((f"‘{name[:40]}’ is not one of this page's filters: use the filters below", "#filters"))
    choices: tuple[tuple[str, str, Any, str], ...] = (
        ("agency", "agency", agencies, "Choose an agency from the list"),
        ("process", "process_key", actions.PROCESS_KEYS, "Choose a process from the list"),
        ("status", "status", STATUS_CHOICES, "Choose a status from the list"),
        ("rag", "rag", RAG_WORDS, "Choose red, amber or green"),
        ("overdue", "overdue", OVERDUE_CHOICES, "Choose overdue or not overdue"))
    for field, name, allowed, message in choices:
        value = args.get(field, "")
        if value and value not in allowed:
            problems.append((message, f"#{field}"))
        elif value:
            found[name] = OVERDUE_CHOICES[value] if field == "overdue" else value
    for end, name in (("from", "due_from"), ("to", "due_to")):
        day, problem = _date_of(end)
        if problem:
            problems.append((problem, f"#{end}"))
        elif day is not None:
            found[name] = day
    if "due_from" in found and "due_to" in found and found["due_to"] < found["due_from"]:
        problems.append(("Due to must be the same as or after due from", "#to"))
    search = args.get("q", "").strip()
    if len(search) > actions.MAX_SEARCH:
        problems.append((f"Search must be {actions.MAX_SEARCH} characters or fewer", "#q"))
    elif search:
        found["q"] = search
    return found, problems


def _date_of(end: str) -> tuple[date | None, str | None]:
    """The date typed in ``<end>-day``, ``-month``, ``-year``: None when left empty; a problem when not a date."""
    parts = [request.args.get(f"{end}-{part}", "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None, None
    label = LABELS[end]
    if not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts) or len(parts[2]) != 4:
        return None, f"{label} must be a real date, for example 27 3 2027"
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0])), None
    except ValueError:
        return None, f"{label} must be a real date, for example 27 3 2027"


@bp.get("/actions")
@signed_in
def register() -> Any:
    actor, number = current_actor(), page_number()
    with lif().unit_of_work() as db:
        agencies, processes = accounts.agency_names(db), actions.process_names(db)
        filters, problems = read_filters(agencies)
        page = None
        if not problems:
            page = actions.action_register(db, actor=actor, now=now(), limit=PAGE_SIZE,
                                           offset=(number - 1) * PAGE_SIZE, **filters)
            audit.record(db, "actions.listed", actor=actor.username, now=now(), page=number,
                         filters={k: str(v) for k, v in filters.items() if k != "q"} | ({"searched": True}
                                                                                       if "q" in filters else {}))
    query = {k: v for k, v in request.args.items() if k != "page" and v and k in KNOWN}
    html = render_template("actions/register.html", page=page, problems=problems, number=number, query=query,
                           agencies=agencies, processes=processes, statuses=STATUS_CHOICES, rags=RAG_WORDS,
                           whole=actor.sees_everything, args=request.args, page_has_errors=bool(problems))
    return (html, 400) if problems else html


@bp.get("/actions.csv")
@signed_in
def register_csv() -> Any:
    return _download("csv")


@bp.get("/actions.xlsx")
@signed_in
def register_xlsx() -> Any:
    return _download("xlsx")


def _download(kind: str) -> Any:
    """Every action the page lists with these filters (up to ``EXPORT_LIMIT``), as a file; the page with its error
    summary when a filter cannot be read."""
    actor = current_actor()
    with lif().unit_of_work() as db:
        agencies, processes = accounts.agency_names(db), actions.process_names(db)
        filters, problems = read_filters(agencies)
        if not problems:
            page = actions.action_register(db, actor=actor, now=now(), limit=EXPORT_LIMIT, offset=0, **filters)
            audit.record(db, "actions.exported", actor=actor.username, now=now(), format=kind,
                         rows=len(page.items))
    return register() if problems else export_response(kind, page.items, processes)


@bp.get("/cases/<instance_id>/progress-report")
@signed_in
def progress_report(instance_id: str) -> Response | str:
    """The plan's progress for the board on one printable page: what each action has done and shows."""
    actor = current_actor()
    with lif().unit_of_work() as db:
        row = queries.visible_instance_row(db, actor, instance_id)
        plan = actions.plan_actions(db, row.id, actor=actor, now=now())
        if plan is None:
            raise NotFound("this case is not an action plan")
        case = {"id": row.id, "business_key": row.business_key, "title": row.title, "status": row.status}
        processes = actions.process_names(db)
        audit.record(db, "instance.viewed", actor=actor.username, now=now(), instance_id=row.id,
                     page="progress report")
    return render_template("actions/progress_report.html", case=case, plan=plan,
                           processes=processes, statuses=STATUS_WORDS, rags=RAG_WORDS, today=now())
