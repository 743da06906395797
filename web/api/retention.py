"""Retention for coordinators: legal holds, the cases past their retention date, disposal, and a case's access
report (JSON or CSV, for a subject access request)."""
from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, jsonify

from engine.reads import queries
from engine.records import Actor
from engine.retention import access_report, disposal, holds, schedule
from engine.workdays import LONDON

from ..context import lif
from .blueprint import bp
from .common import body, current_actor, now, query
from .schemas import (
    AccessReportArgs,
    AccessReportSchema,
    DisposalSchema,
    DisposeRequest,
    DueCaseSchema,
    HoldRequest,
    HoldSchema,
    InstanceSchema,
    ReleaseHoldRequest,
    RetentionSchema,
)


def held_instance_json(session: Any, row: Any, actor: Actor) -> dict[str, Any]:
    """The instance, with its legal hold (or null) and where it stands on retention."""
    answer: dict[str, Any] = InstanceSchema().dump(queries.instance_info(session, row, actor, now()))
    info = schedule.retention_of(session, row)
    policy = info.policy
    answer["hold"] = HoldSchema().dump(info.hold) if info.hold else None
    answer["retention"] = RetentionSchema().dump({
        "period": policy.period if policy else None, "counted_from": policy.counted_from if policy else None,
        "period_in_words": info.period_in_words, "retention_date": info.retention_date,
        "disposed_at": info.disposed_at})
    return answer


@bp.post("/process-instances/<instance_id>/hold")
def place_hold(instance_id: str) -> Response:
    actor = current_actor()
    request_body = body(HoldRequest())
    with lif().unit_of_work() as session:
        queries.visible_instance_row(session, actor, instance_id)
        holds.place_hold(session, instance_id, request_body["reason"], kind=request_body["kind"], actor=actor,
                         now=now())
        answer = held_instance_json(session, queries.visible_instance_row(session, actor, instance_id), actor)
    return jsonify(answer)


@bp.post("/process-instances/<instance_id>/release-hold")
def release_hold(instance_id: str) -> Response:
    actor = current_actor()
    reason = body(ReleaseHoldRequest())["reason"]
    with lif().unit_of_work() as session:
        queries.visible_instance_row(session, actor, instance_id)
        holds.release_hold(session, instance_id, reason, actor=actor, now=now())
        answer = held_instance_json(session, queries.visible_instance_row(session, actor, instance_id), actor)
    return jsonify(answer)


@bp.post("/process-instances/<instance_id>/dispose")
def dispose_case(instance_id: str) -> Response:
    actor = current_actor()
    confirmation = body(DisposeRequest())["business_key"]
    with lif().unit_of_work() as session:
        queries.visible_instance_row(session, actor, instance_id)
        result = disposal.dispose_case(session, instance_id, confirmation, actor=actor, now=now())
    return jsonify(DisposalSchema().dump(result))


@bp.get("/retention/due")
def cases_past_retention() -> Response:
    actor = current_actor()
    with lif().reading() as session:
        found = schedule.cases_past_retention(session, now(), actor=actor)
    return jsonify({"items": DueCaseSchema().dump(found, many=True), "total": len(found)})


@bp.get("/process-instances/<instance_id>/access-report")
def case_access_report(instance_id: str) -> Response:
    actor = current_actor()
    wanted = query(AccessReportArgs())["format"]
    with lif().unit_of_work() as session:
        queries.visible_instance_row(session, actor, instance_id)
        report = access_report.access_report(session, instance_id, actor=actor, now=now())
    if wanted == "csv":
        return access_report_download(report)
    return jsonify(AccessReportSchema().dump(report))


def access_report_download(report: access_report.AccessReport) -> Response:
    """The report as a CSV attachment (also the case page's download)."""
    return Response(access_report_csv(report), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="access-report-{_safe(report.business_key)}.csv"',
        "X-Content-Type-Options": "nosniff"})


CSV_COLUMNS = ("Date and time (London)", "Person", "Username", "Agency", "What", "Task", "Document", "At (UTC)")


def access_report_csv(report: access_report.AccessReport) -> str:
    """The report as CSV for a spreadsheet: one row per view or download, dates in words and in ISO 8601."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in report.entries:
        writer.writerow([_cell(v) for v in (_london(e.at), e.name, e.username or "", e.agency or "", e.what,
                                            e.task_title or "", e.document_id or "", e.at.isoformat())])
    return out.getvalue()


def _london(moment: Any) -> str:
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%B %Y} at {local.hour % 12 or 12}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def _cell(value: str) -> str:
    """A spreadsheet never runs a cell as a formula (OWASP's CSV injection advice)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _safe(name: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in name)[:64] or "case"
