"""The cases dashboard: every case the viewer may see (all of them, for coordinators and chairs) with filters,
search and pages, and the board of outstanding agency returns. Its CSV files are ``exports``'."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from engine.bundles import definitions
from engine.people import accounts
from engine.reads import dashboard
from engine.states import InstanceStatus
from engine.store import audit

from ..context import lif
from . import list_words
from .common import PAGE_SIZE, bounded_int, current_actor, now, page_number, signed_in

bp = Blueprint("dashboard", __name__)


def case_filters() -> dashboard.CaseFilters:
    """The dashboard's filters from the query string (the page's and its CSV file's)."""
    args = request.args
    status = args.get("status", InstanceStatus.ACTIVE)
    within = args.get("within", "").strip()
    return dashboard.CaseFilters(
        process_key=args.get("process") or None,
        status=status if status in dashboard.STATUSES else None,
        agency=args.get("agency") or None,
        overdue={"yes": True, "no": False}.get(args.get("overdue", "")),
        due_within_days=bounded_int(within, 0, 260),
        search=args.get("q", "").strip()[:100] or None,
    )


def filters_audited(filters: dashboard.CaseFilters) -> dict[str, Any]:
    """The filters for the audit trail, which keeps codes and ids, never what people typed: that a search was
    made, not its words (they may be a child's pseudonym)."""
    audited = {k: v for k, v in filters.__dict__.items() if v is not None and k != "search"}
    return audited | ({"searched": True} if filters.search else {})


@bp.get("/cases")
@signed_in
def cases() -> str:
    actor, page, filters = current_actor(), page_number(), case_filters()
    with lif().unit_of_work() as db:
        board = dashboard.case_board(db, actor, now(), filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        returns = dashboard.outstanding_returns(db, actor, now())
        processes = {d.key: d.name for d in definitions.list_latest(db)}
        agencies = accounts.agency_names(db)
        people = accounts.full_names(db)
        audit.record(db, "cases.listed", actor=actor.username, now=now(), page=page, filters=filters_audited(filters))
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("dashboard/cases.html", board=board, returns=returns, processes=processes,
                           agencies=agencies, people=people, filters=filters, number=page, query=query,
                           status_arg=request.args.get("status", InstanceStatus.ACTIVE),
                           within=request.args.get("within", ""), words=list_words,
                           coordinator=actor.has("coordinator"), whole=actor.sees_everything)
