"""The learning log (SPEC §5): ``GET /learning-log`` with its filters as JSON, CSV or XLSX (the same rows, in words),
one lesson, and its seven-minute briefing. The filters are read here for the pages too (``web.pages.learning``):
an unknown parameter or a bad value is a 400 naming it, and nothing is read."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import jsonify, request
from marshmallow import Schema, fields
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from engine.errors import BadRequest
from engine.records import Actor
from engine.reports import lessons
from engine.reports.lessons import LogChoices, LoggedLesson
from engine.store import audit

from ..context import lif
from ..csv_export import csv_response
from ..documents_out.briefing import NONE_IDENTIFIED, briefing_response
from ..xlsx_export import xlsx_response
from .blueprint import bp
from .common import current_actor, now

FILTERS = ("q", "theme", "agency", "process_key", "from", "to")
EXPORT_LIMIT = 10_000  # every lesson of a partnership's log in one file
FORMATS = ("json", "csv", "xlsx")
EXPORT_HEADERS = ("Lesson number", "Theme", "Lesson", "Good practice", "Agencies", "Process", "Case", "Recorded")


class LessonSchema(Schema):
    """One lesson as the API gives it (SPEC §5), with its theme's name."""
    id = fields.Integer()
    instance_id = fields.String()
    process_key = fields.String()
    business_key = fields.String()
    theme = fields.String()
    theme_name = fields.String()
    lesson = fields.String()
    good_practice = fields.String()
    agencies = fields.List(fields.String())
    recorded_at = fields.DateTime()


@dataclass(frozen=True)
class LogFilters:
    q: str | None = None
    theme: str | None = None
    agency: str | None = None
    process_key: str | None = None
    recorded_from: date | None = None
    recorded_to: date | None = None

    def query(self) -> dict[str, str]:
        """The filters as the query string gives them (for links that carry them)."""
        values = {"q": self.q, "theme": self.theme, "agency": self.agency, "process_key": self.process_key,
                  "from": self.recorded_from.isoformat() if self.recorded_from else None,
                  "to": self.recorded_to.isoformat() if self.recorded_to else None}
        return {k: v for k, v in values.items() if v}

    def audited(self) -> dict[str, Any]:
        """For the audit trail: codes and dates, and that a search was made, never its words."""
        found = {k: v for k, v in self.query().items() if k != "q"}
        return found | ({"searched": True} if self.q else {})


def bad(parameter: str, message: str) -> BadRequest:
    return BadRequest(message, {"parameter": parameter})


def log_filters(args: MultiDict[str, str], known: LogChoices, *, also: tuple[str, ...] = ()) -> LogFilters:
    """The filters of ``args``, checked against what exists (``also``: other parameters the caller reads)."""
    for name in args:
        if name not in FILTERS and name not in also:
            raise bad(name, f"unknown parameter {name!r}")
    value = {name: args.get(name, "").strip() for name in FILTERS}
    if len(value["q"]) > lessons.MAX_SEARCH:
        raise bad("q", f"q must be at most {lessons.MAX_SEARCH} characters")
    for name, choices in (("theme", known.themes), ("agency", known.agencies), ("process_key", known.processes)):
        if value[name] and value[name] not in choices:
            raise bad(name, f"there is no {name.replace('_', ' ')} {value[name][:64]!r}")
    start, end = _day("from", value["from"]), _day("to", value["to"])
    if start and end and end < start:
        raise bad("to", "to must be the same as or after from")
    return LogFilters(q=value["q"] or None, theme=value["theme"] or None, agency=value["agency"] or None,
                      process_key=value["process_key"] or None, recorded_from=start, recorded_to=end)


def _day(name: str, text: str) -> date | None:
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        day = date.fromisoformat(text)
        if not 1900 <= day.year <= 2200:  # the day after 31 December 9999 overflows, as the compliance report's
            raise ValueError(text)
        return day
    except ValueError:
        raise bad(name, f"{name} must be a date from 1900 to 2200 written as 2026-12-10") from None


def _whole(args: Mapping[str, str], name: str, low: int, high: int, default: int) -> int:
    text = args.get(name, "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or not low <= int(text) <= high:
        raise bad(name, f"{name} must be a whole number from {low} to {high}")
    return int(text)


def found_lessons(session: Any, actor: Actor, filters: LogFilters, *, limit: int, offset: int) -> Any:
    return lessons.learning_log(session, actor=actor, now=now(), q=filters.q, theme=filters.theme,
                                agency=filters.agency, process_key=filters.process_key,
                                recorded_from=filters.recorded_from, recorded_to=filters.recorded_to,
                                limit=limit, offset=offset)


def lesson_json(entry: LoggedLesson) -> dict[str, Any]:
    dumped: dict[str, Any] = LessonSchema().dump(entry)
    return dumped


def export_rows(items: tuple[LoggedLesson, ...], known: LogChoices) -> list[tuple[Any, ...]]:
    """The rows of a CSV or XLSX file, in words: names for themes, agencies and processes, and "None identified"
    for good practice left empty (as the page says)."""
    return [(e.id, e.theme_name, e.lesson, e.good_practice or NONE_IDENTIFIED,
             "; ".join(known.agencies.get(a, a) for a in e.agencies),
             known.process_names.get(e.process_key, e.process_key), e.business_key, e.recorded_at) for e in items]


def export(kind: str, items: tuple[LoggedLesson, ...], known: LogChoices) -> Response:
    rows = export_rows(items, known)
    if kind == "csv":
        return csv_response("learning-log.csv", EXPORT_HEADERS, rows)
    return xlsx_response("learning-log.xlsx", EXPORT_HEADERS, rows, sheet="Learning log")


@bp.get("/learning-log")
def learning_log() -> Response:
    """The lessons the caller may read, filtered; ``format=csv`` or ``xlsx`` gives every matching row (up to
    ``EXPORT_LIMIT``, unless ``limit`` is given) as a file."""
    actor = current_actor()
    kind = request.args.get("format", "json")
    if kind not in FORMATS:
        raise bad("format", "format must be json, csv or xlsx")
    limit = _whole(request.args, "limit", 1, EXPORT_LIMIT if kind != "json" else 200,
                   EXPORT_LIMIT if kind != "json" else 50)
    offset = _whole(request.args, "offset", 0, 2**31 - 1, 0)
    with lif().unit_of_work() as session:
        known = lessons.choices(session)
        filters = log_filters(request.args, known, also=("format", "limit", "offset"))
        page = found_lessons(session, actor, filters, limit=limit, offset=offset)
        if kind != "json":
            audit.record(session, "learning_log.exported", actor=actor.username, now=now(), format=kind,
                         filters=filters.audited(), rows=len(page.items))
        else:
            audit.record(session, "learning_log.listed", actor=actor.username, now=now(), offset=offset,
                         filters=filters.audited(), lesson_ids=[e.id for e in page.items])
    if kind != "json":
        return export(kind, page.items, known)
    return jsonify({"items": [lesson_json(e) for e in page.items], "total": page.total})


@bp.get("/learning-log/<int:lesson_id>")
def one_lesson(lesson_id: int) -> Response:
    actor = current_actor()
    with lif().unit_of_work() as session:
        entry = lessons.lesson(session, lesson_id, actor=actor)
        audit.record(session, "lesson.viewed", actor=actor.username, now=now(), instance_id=entry.instance_id,
                     lesson_id=entry.id)
    return jsonify(lesson_json(entry))


@bp.get("/learning-log/<int:lesson_id>/briefing.docx")
def lesson_briefing(lesson_id: int) -> Response:
    """The lesson's seven-minute briefing as a Word document."""
    actor = current_actor()
    with lif().unit_of_work() as session:
        entry = lessons.lesson(session, lesson_id, actor=actor)
        known = lessons.choices(session)
        audit.record(session, "lesson.briefing_downloaded", actor=actor.username, now=now(), lesson_id=entry.id)
    return briefing_response(entry, known, today=now())
