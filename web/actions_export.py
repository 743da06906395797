"""The action register as a file (CSV or Excel), the same for the API (``GET /api/v1/actions?format=``) and the
register page's download links: headers in words, names rather than keys, one row per action the viewer sees."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from werkzeug.wrappers import Response

from engine.registers.records import RAG_WORDS
from engine.reports.actions import RegisteredAction

from .csv_export import csv_response
from .xlsx_export import xlsx_response

EXPORT_LIMIT = 10_000  # actions in one file: a partnership's whole register for years
HEADERS = ("Action reference", "Plan", "Plan title", "Raised by", "Recommendation", "Action", "Measure",
           "Expected outcome", "Owner", "Agency", "Due date", "Original due date", "RAG", "Status", "Overdue",
           "Latest update", "Date of latest update", "Evidence of completion", "Evidence of impact", "Signed off",
           "Times re-planned", "Escalations")


def export_rows(items: Sequence[RegisteredAction], processes: Mapping[str, str]) -> list[tuple[Any, ...]]:
    """One row per action, in ``HEADERS``' order."""
    rows = []
    for item in items:
        a = item.entry
        rows.append((a.action_key, item.plan_business_key, item.plan_title,
                     processes.get(a.source_process, a.source_process.replace("_", " ").capitalize()),
                     a.recommendation, a.action, a.measure, a.expected_outcome, item.owner_name or a.owner,
                     item.agency_name or a.agency, a.due_date, a.original_due_date,
                     RAG_WORDS.get(a.rag or "", a.rag or None), a.status_words, item.overdue, a.latest_update,
                     a.latest_update_date, a.evidence_of_completion, a.evidence_of_impact, a.signed_off_at,
                     a.replans, a.escalations))
    return rows


def export_response(kind: str, items: Sequence[RegisteredAction], processes: Mapping[str, str]) -> Response:
    """``kind`` is ``csv`` or ``xlsx``."""
    rows = export_rows(items, processes)
    if kind == "xlsx":
        return xlsx_response("actions.xlsx", HEADERS, rows, sheet="Actions")
    return csv_response("actions.csv", HEADERS, rows)
