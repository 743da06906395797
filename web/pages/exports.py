"""Every list as a CSV file: the cases dashboard (with its filters and search), my tasks (with the page's
choice of overdue or not) and the outstanding returns board. Each download is audited with what was asked for
and how many rows went out: a file of cases leaves the system."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, request
from werkzeug.wrappers import Response

from engine.bundles import definitions
from engine.people import accounts
from engine.reads import dashboard
from engine.reads import inbox as task_inbox
from engine.store import audit

from ..context import lif
from ..csv_export import csv_response
from . import list_words
from .common import current_actor, now, signed_in
from .dashboard import case_filters, filters_audited

bp = Blueprint("exports", __name__)
MOST_ROWS = 10_000  # a file the size of a partnership's working set, not of its whole history

CASE_HEADERS = ("Reference", "Title", "Child", "Process", "Status", "Current steps", "Next deadline", "Overdue",
                "Open actions", "Overdue actions")
TASK_HEADERS = ("Task", "Agency", "Case", "Child", "Due", "Overdue", "Assigned to")
RETURN_HEADERS = ("Agency", "Open", "Overdue", "Due in 5 working days")


@bp.get("/cases.csv")
@signed_in
def cases_csv() -> Response:
    actor, filters = current_actor(), case_filters()
    with lif().unit_of_work() as db:
        board = dashboard.case_board(db, actor, now(), filters, limit=MOST_ROWS)
        processes = {d.key: d.name for d in definitions.list_latest(db)}
        agencies, people = accounts.agency_names(db), accounts.full_names(db)
        audit.record(db, "cases.exported", actor=actor.username, now=now(), filters=filters_audited(filters),
                     rows=len(board.items))
    rows = [(c.business_key, c.title, c.pseudonym, processes.get(c.process_key, c.process_key),
             list_words.case_status(c),
             "; ".join(f"{s.title} ({list_words.waits_for(s, agencies, people)})" for s in c.steps),
             _soonest(c.next_due_at, c.group.next_due_at if c.group else None),
             c.overdue or bool(c.group and c.group.overdue),
             c.group.open if c.group else None, c.group.overdue if c.group else None) for c in board.items]
    return csv_response("cases.csv", CASE_HEADERS, rows)


def _soonest(*moments: datetime | None) -> datetime | None:
    found = [m for m in moments if m is not None]
    return min(found) if found else None


@bp.get("/tasks.csv")
@signed_in
def tasks_csv() -> Response:
    actor = current_actor()
    overdue = {"overdue": True, "on-time": False}.get(request.args.get("show", ""))
    with lif().unit_of_work() as db:
        found = task_inbox.inbox_for(db, actor, now(), overdue=overdue, limit=MOST_ROWS)
        agencies, people = accounts.agency_names(db), accounts.full_names(db)
        audit.record(db, "tasks.exported", actor=actor.username, now=now(), show=request.args.get("show") or None,
                     rows=len(found.items))
    rows = [(t.title, agencies.get(t.agency, t.agency) if t.agency else None, t.business_key,
             t.pseudonym, t.due_at, t.overdue,
             people.get(t.assignee, t.assignee) if t.assignee else None)
            for t in (item.task for item in found.items)]
    return csv_response("my-tasks.csv", TASK_HEADERS, rows)


@bp.get("/returns.csv")
@signed_in
def returns_csv() -> Response:
    actor = current_actor()
    with lif().unit_of_work() as db:
        returns = dashboard.outstanding_returns(db, actor, now())
        audit.record(db, "returns.exported", actor=actor.username, now=now(), rows=len(returns))
    return csv_response("outstanding-returns.csv", RETURN_HEADERS,
                        [(r.name, r.open, r.overdue, r.due_soon) for r in returns])
