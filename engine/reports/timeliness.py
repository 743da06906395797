"""The statutory deadlines a task meets: the serious incident notification (5 working days from the day the local
authority became aware), the rapid review (15 working days from the notification), the review's publication
(6 months from its initiation) and the CDOP agency reports (3 weeks from the request).

Each is read from ``human_task`` rows in one query: the task's clock start (``clock_started_at``: the ``dueFrom``
date, or the request), its statutory deadline (``statutory_due_at``: moved on by a resumed pause, never by an
extension) and when it was done: the day the task was completed, or the date its form records (the notification's,
the rapid review's sending, the publication) when that is earlier. Met when done on or before the statutory
deadline's day; late when done after it, or still open after it; a task still open within its time is not counted
yet."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, null, select
from sqlalchemy.orm import Session

from ..states import TaskState
from ..store.models import Agency, HumanTask, ProcessInstance
from .counting import Counted, Period, day, iso_day, london_day, measure, plural, share
from .records import Measure, Share

NOTIFICATION = ("notify_panel", "notify_panel_wt")
RAPID_REVIEW = ("rapid_review", "rr_submit")
PUBLICATION = ("publish_report",)
COMPLETED = str(TaskState.COMPLETED)  # compared with thousands of rows' states: a plain string is quicker
# the date each form records the thing done on (the notification's, the rapid review's sending, the publication)
DONE_FIELDS = {NOTIFICATION: "notification_date", RAPID_REVIEW: "rr_sent_date", PUBLICATION: "publication_date"}


def deadline_measures(session: Session, period: Period, now: datetime, *,
                      detail: bool = False) -> list[tuple[Measure, list[Counted]]]:
    """``notification_within_5wd``, ``rapid_review_within_15wd``, ``report_within_6_months`` (``detail``: with
    every date the drill-down shows)."""
    firsts = _first_task_per_case(session, "scr", NOTIFICATION + RAPID_REVIEW + PUBLICATION, period, now, detail)
    return [
        _deadline_measure("notification_within_5wd", "Serious incident notifications within 5 working days",
                          [c for name, c in firsts if name in NOTIFICATION]),
        _deadline_measure("rapid_review_within_15wd", "Rapid reviews sent to the Panel within 15 working days",
                          [c for name, c in firsts if name in RAPID_REVIEW]),
        _deadline_measure("report_within_6_months", "Reviews published within 6 months",
                          [c for name, c in firsts if name in PUBLICATION]),
    ]


def cdop_returns(session: Session, period: Period, now: datetime, *,
                 detail: bool = False) -> tuple[Measure, list[Counted]]:
    """``cdop_returns_on_time``: each agency report counted, with a breakdown by agency (returned when completed)."""
    query = _task_query(session, "cdop", ("agency_report",), period, now, detail=detail)
    rows = session.connection().execute(query.add_columns(
        HumanTask.agency, Agency.name.label("agency_name")).outerjoin(Agency, Agency.key == HumanTask.agency)).all()
    entries = [(row.agency or "", row.agency_name or row.agency or "No agency", c) for row in rows
               if (c := _counted(row, what=row.agency_name or row.agency or "")) is not None]
    names = {key: name for key, name, _ in entries}
    by_agency: dict[str, list[Counted]] = {}
    for key, _, counted in entries:
        by_agency.setdefault(key, []).append(counted)
    shares = tuple(share(key, names[key], by_agency[key]) for key in sorted(by_agency, key=lambda k: names[k]))
    items = [c for _, _, c in entries]
    return _deadline_measure("cdop_returns_on_time", "Child death agency reports returned on time", items,
                             breakdowns={"by agency": shares})


def _deadline_measure(key: str, label: str, counted: list[Counted], *,
                      breakdowns: dict[str, tuple[Share, ...]] | None = None) -> tuple[Measure, list[Counted]]:
    return measure(key, label, counted, breakdowns=breakdowns, notes=_clock_notes(counted)), counted


def _clock_notes(counted: list[Counted]) -> list[str]:
    notes = []
    extended = [c for c in counted if c.extended]
    if extended:
        late = sum(1 for c in extended if not c.met)
        notes.append(f"{plural(len(extended), 'deadline')} {'was' if len(extended) == 1 else 'were'} extended. "
                     "An extension counts against the partnership: these are measured against the date before it "
                     f"({late} of them late against that date).")
    paused = [c for c in counted if c.paused_days]
    if paused:
        days = sum(c.paused_days for c in paused)
        notes.append(f"{plural(len(paused), 'case')} {'was' if len(paused) == 1 else 'were'} paused "
                     f"({plural(days, 'working day')} in all). A paused clock does not count against the "
                     "partnership: the deadline moved on by the working days paused.")
    return notes


def _task_query(session: Session, process_key: str, wanted: tuple[str, ...], period: Period, now: datetime, *,
                detail: bool) -> Select[Any]:
    """The tasks whose clocks started in the period, with their days in England and whether their statutory
    deadline has passed: a report reads thousands, so the database does the dates. The date a form recorded and the
    clock's start are read for the drill-down (``detail``) only: reading a form's answers costs more than the rest."""
    fields = [(HumanTask.name.in_(names), func.substr(HumanTask.answers[field].as_string(), 1, 10))
              for names, field in DONE_FIELDS.items() if set(names) & set(wanted)]
    recorded = case(*fields, else_=None) if fields and detail else null()
    started = london_day(session, HumanTask.clock_started_at) if detail else null()
    statutory = func.coalesce(HumanTask.statutory_due_at, HumanTask.due_at)
    extended = case((HumanTask.due_at != HumanTask.statutory_due_at, HumanTask.due_at), else_=None)
    return (select(HumanTask.instance_id, HumanTask.name, HumanTask.state, recorded.label("recorded_day"),
                   london_day(session, HumanTask.completed_at).label("completed_day"),
                   london_day(session, statutory).label("due_day"),
                   # a paused case's clock stands still until it resumes (which moves the deadline on)
                   and_(statutory < now, ProcessInstance.paused_at.is_(None)).label("passed"),
                   london_day(session, extended).label("extended_day"), started.label("started_day"),
                   HumanTask.paused_days, HumanTask.id)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .where(HumanTask.process_key == process_key, HumanTask.name.in_(wanted),
                   HumanTask.clock_started_at >= period.starts_at, HumanTask.clock_started_at < period.ends_before,
                   HumanTask.state != TaskState.CANCELLED)
            .order_by(HumanTask.clock_started_at, HumanTask.created_at, HumanTask.id))


def _first_task_per_case(session: Session, process_key: str, names: tuple[str, ...], period: Period,
                         now: datetime, detail: bool) -> list[tuple[str, Counted]]:
    """The first task of each kind per case (a rapid review the Panel asks questions about is sent again; the
    first sending is the one the law times)."""
    seen: set[tuple[str, str]] = set()
    found = []
    for row in session.connection().execute(_task_query(session, process_key, names, period, now, detail=detail)):
        kind = next(group for group in (NOTIFICATION, RAPID_REVIEW, PUBLICATION) if row.name in group)[0]
        if (row.instance_id, kind) in seen:
            continue
        seen.add((row.instance_id, kind))
        counted = _counted(row)
        if counted is not None:
            found.append((row.name, counted, row.id))
    return _with_recorded_dates(session, found) if not detail else [(name, c) for name, c, _ in found]


def _with_recorded_dates(session: Session, found: list[tuple[str, Counted, str]]) -> list[tuple[str, Counted]]:
    """Tasks completed after their deadline, looked at again with the date their form recorded (the notification
    may have been sent on time and recorded a day later): the only answers a report reads."""
    late = {task_id: name for name, c, task_id in found if not c.met and c.done_on is not None}
    recorded: dict[str, date] = {}
    if late:
        fields = [(HumanTask.name.in_(names), func.substr(HumanTask.answers[field].as_string(), 1, 10))
                  for names, field in DONE_FIELDS.items()]
        for task_id, text in session.connection().execute(
                select(HumanTask.id, case(*fields, else_=None)).where(HumanTask.id.in_(list(late)))):
            if (on := iso_day(text)) is not None:
                recorded[task_id] = on
    result = []
    for name, c, task_id in found:
        if task_id in recorded and c.done_on is not None and recorded[task_id] < c.done_on:
            c = c._replace(done_on=recorded[task_id], met=c.due_on is not None and recorded[task_id] <= c.due_on)
        result.append((name, c))
    return result


def _counted(row: Any, what: str = "") -> Counted | None:
    """How the law counts one task (a row of ``_task_query``, unpacked by position: thousands a report); None when
    it has no deadline or is still within its time. Done on the day it was completed, or on the date its form
    recorded when that is earlier."""
    instance_id, _, state, recorded, completed, due_day, passed, extended, started, paused = row[:10]
    if due_day is None:
        return None
    done = day(completed) if state == COMPLETED else None
    if done is not None and (on := iso_day(recorded)) is not None and on < done:
        done = on
    if done is None and not passed:
        return None
    due = day(due_day)
    assert due is not None
    return Counted(instance_id, done is not None and done <= due, day(started), due, done, what,
                   day(extended) if extended else None, paused or 0)
