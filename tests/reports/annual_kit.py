"""Helpers for the annual pack's tests: register rows written as the projection writes them, the figures read as a
coordinator, and the Word document and workbook read back into plain rows to compare with the API's JSON."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import openpyxl
from docx import Document

from engine.reports import annual
from engine.store.db import transaction
from engine.store.models import Lesson, PlanAction
from tests.scenarios.scenarios_kit import at

NONE_ROW = "Nothing recorded in the year"


def moment(day: str, hour: int = 9, minute: int = 0) -> datetime:
    """``day`` at ``hour``:``minute`` London time, in UTC."""
    return at(day, hour, minute)


def add_lesson(factory: Any, instance_id: str, position: int, theme: str, recorded_at: datetime,
               good_practice: str = "") -> None:
    with transaction(factory) as s:  # after the lessons the case's own steps recorded
        s.add(Lesson(instance_id=instance_id, position=100 + position, process_key="scr", business_key="SCR-TEST",
                     theme=theme, lesson="Share concerns early", good_practice=good_practice, agencies=["police"],
                     recorded_at=recorded_at, recorded_by="cora"))


def add_action(factory: Any, plan_id: str, key: str, *, agency: str | None, raised_at: datetime, due: str,
               status: str = "on_track", closed_at: datetime | None = None, signed_off_at: datetime | None = None,
               replans: int = 0, original_due: str | None = None) -> None:
    with transaction(factory) as s:
        s.add(PlanAction(action_key=key, plan_id=plan_id, agency=agency, owner=None, raised_at=raised_at,
                         updated_at=closed_at or raised_at, due_date=date.fromisoformat(due),
                         original_due_date=date.fromisoformat(original_due or due), replans=replans, status=status,
                         closed_at=closed_at, signed_off_at=signed_off_at,
                         withdrawn_reason="Superseded by the new protocol" if status == "withdrawn" else ""))


def figures(factory: Any, actor: Any, year: int, now: datetime | None = None) -> annual.AnnualFigures:
    with transaction(factory) as s:
        return annual.annual_figures(s, actor=actor, year=year, now=now or datetime.now(UTC))


def by_key(found: annual.AnnualFigures) -> dict[str, Any]:
    return {c.process_key: c for c in found.cases}


def counts(case_type: Any, name: str) -> list[tuple[str, int]]:
    return [(c.key, c.count) for c in case_type.outcomes.get(name, ())]


# --- the documents read back ---------------------------------------------------------------------------------------

def number(text: str) -> Any:
    """A cell as the number it shows (``85.7%`` is 85.7, ``-`` None), or its text."""
    text = text.strip()
    if text == "-":
        return None
    bare = text.removesuffix("%")
    try:
        return int(bare)
    except ValueError:
        try:
            return float(bare)
        except ValueError:
            return text


def docx_tables(content: bytes) -> list[list[list[Any]]]:
    """Every table of the document, in order, without its header row; a "none" row is no row."""
    document = Document(io.BytesIO(content))
    found = []
    for table in document.tables:
        rows = [[number(cell.text) for cell in row.cells] for row in table.rows[1:]]
        found.append([row for row in rows if row[0] != NONE_ROW])
    return found


def docx_text(content: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(content)).paragraphs]


def xlsx_sheets(content: bytes) -> dict[str, list[list[Any]]]:
    """Each sheet's rows after its header, by title."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {sheet.title: [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
            for sheet in book.worksheets}


def expected_docx_tables(pack: dict[str, Any]) -> list[list[list[Any]]]:
    """The tables the document should hold, from the API's JSON, in the document's order."""
    cases = [[c["name"], c["started"], c["completed"], c["cancelled"], c["open_at_end"]] for c in pack["cases"]]
    tables = [cases + [["All processes", *(sum(row[i] for row in cases) for i in range(1, 5))]]]
    tables += [[[n["label"], n["count"]] for n in outcome["counts"]]
               for c in pack["cases"] for outcome in c["outcomes"]]
    for measure in pack["measures"]:
        tables.append([[measure["label"], measure["numerator"], measure["denominator"], measure["percent"]]])
        tables += [[[s["label"], s["numerator"], s["denominator"], s["percent"]] for s in b["shares"]]
                   for b in measure["breakdowns"]]
    tables.append([[t["name"], t["lessons"], t["cases"], t["good_practice"]] for t in pack["learning_themes"]])
    tables.append(action_rows(pack))
    return tables


def action_rows(pack: dict[str, Any]) -> list[list[Any]]:
    return [[a["name"], a["raised"], a["signed_off"], a["withdrawn"], a["open_at_end"], a["overdue_at_end"]]
            for a in (*pack["actions"]["by_agency"], pack["actions"]["total"])]
