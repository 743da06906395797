"""Retention pages, for coordinators: the cases past their retention date, disposing of one (a confirmation
step: type its business key), placing and lifting a legal hold from the case page, and a case's access report
(who viewed or downloaded what, and when), with its CSV download."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from engine.errors import Conflict, InvalidData
from engine.reads import queries
from engine.retention import access_report, disposal, holds, schedule

from ..api.retention import access_report_download
from ..context import lif
from .common import back, current_actor, done, now, requires

bp = Blueprint("retention", __name__)


@bp.app_template_filter("hold_reason")
def hold_reason(kind: str) -> str:
    return holds.KIND_NAMES.get(kind, kind)


@bp.get("/retention")
@requires("coordinator")
def due() -> str:
    with lif().unit_of_work() as db:
        cases = schedule.cases_past_retention(db, now(), actor=current_actor())
    return render_template("retention/due.html", cases=cases)


@bp.get("/cases/<instance_id>/dispose")
@requires("coordinator")
def confirm_disposal(instance_id: str) -> str:
    return _confirmation_page(instance_id)


def _confirmation_page(instance_id: str, error: str | None = None, typed: str = "") -> str:
    with lif().unit_of_work() as db:
        row = queries.visible_instance_row(db, current_actor(), instance_id)
        info = schedule.retention_of(db, row)
        case = {"id": row.id, "business_key": row.business_key, "title": row.title, "status": row.status,
                "process_name": row.definition.name, "version": row.definition.version,
                "completed_at": row.completed_at, "created_at": row.created_at}
    return render_template("retention/dispose.html", case=case, info=info, now=now(), error=error, typed=typed)


@bp.post("/cases/<instance_id>/dispose")
@requires("coordinator")
def dispose(instance_id: str) -> BaseResponse | str:
    typed = request.form.get("business_key", "")[:64]
    try:
        with lif().unit_of_work() as db:
            queries.visible_instance_row(db, current_actor(), instance_id)
            result = disposal.dispose_case(db, instance_id, typed, actor=current_actor(), now=now())
    except InvalidData:
        return _confirmation_page(instance_id, "Type the case's business key exactly as shown to confirm", typed)
    except Conflict as exc:
        return back(exc.message[:1].upper() + exc.message[1:], "retention.confirm_disposal", instance_id=instance_id)
    return done(f"{result.business_key} has been disposed of. Its statistics and audit trail are kept.",
                "retention.due")


@bp.post("/cases/<instance_id>/hold")
@requires("coordinator")
def place_hold(instance_id: str) -> BaseResponse:
    kind = request.form.get("kind", "")[:32]
    details = request.form.get("details", "")[:holds.MAX_REASON].strip()
    if kind not in holds.KIND_NAMES:
        return _case_problem(instance_id, "Choose why the case is being held")
    if kind == holds.HoldKind.OTHER and not details:
        return _case_problem(instance_id, "Enter the reason for the legal hold")
    reason = details or holds.KIND_NAMES[kind]
    return _hold_action(instance_id, lambda db: holds.place_hold(db, instance_id, reason, kind=kind,
                                                                 actor=current_actor(), now=now()),
                        "The case is under a legal hold. It will not be disposed of until the hold is lifted")


@bp.post("/cases/<instance_id>/release-hold")
@requires("coordinator")
def release_hold(instance_id: str) -> BaseResponse:
    reason = request.form.get("reason", "")[:holds.MAX_REASON]
    if not reason.strip():
        return _case_problem(instance_id, "Enter the reason for lifting the legal hold")
    return _hold_action(instance_id, lambda db: holds.release_hold(db, instance_id, reason, actor=current_actor(),
                                                                   now=now()), "The legal hold has been lifted")


def _hold_action(instance_id: str, act: Any, success: str) -> BaseResponse:
    try:
        with lif().unit_of_work() as db:
            queries.visible_instance_row(db, current_actor(), instance_id)
            act(db)
    except Conflict as exc:
        return back(exc.message[:1].upper() + exc.message[1:], "instances.case", instance_id=instance_id)
    return done(success, "instances.case", instance_id=instance_id)


def _case_problem(instance_id: str, message: str) -> BaseResponse:
    flash(message, "error")
    return redirect(url_for("instances.case", instance_id=instance_id) + "#legal-hold")


@bp.get("/cases/<instance_id>/access")
@requires("coordinator")
def access(instance_id: str) -> str:
    with lif().unit_of_work() as db:
        queries.visible_instance_row(db, current_actor(), instance_id)
        report = access_report.access_report(db, instance_id, actor=current_actor(), now=now())
    return render_template("retention/access.html", report=report)


@bp.get("/cases/<instance_id>/access.csv")
@requires("coordinator")
def access_csv(instance_id: str) -> Response:
    with lif().unit_of_work() as db:
        queries.visible_instance_row(db, current_actor(), instance_id)
        report = access_report.access_report(db, instance_id, actor=current_actor(), now=now())
    return access_report_download(report)
