"""No deadline any bundle produces falls on a weekend or England and Wales bank holiday, unless the task says
``dueOnAnyDay`` = ``true``.

The property is checked over every user task with a ``dueIn`` in every shipped bundle (workflows/*/*.bpmn) and
every fixture bundle (tests/fixtures/bundles), read from the files so that tasks added later are covered, for
every creation day from 1 December 2026 to 31 December 2028 at several London times of day, and for tasks with
``dueFrom``, from every such day given as a date and as a time. A task's due date depends only on ``dueIn``,
``dueFrom`` and ``dueOnAnyDay``, so tasks alike in those are swept once. Then the dates the app derives from a
moved deadline, end to end: the CDOP agency report of 7 December 2026, its reminder ladder, an extension and a
paused clock."""
from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import select

import notifications
from engine import events, workdays
from engine.bundles import deadlines
from engine.config import Config
from engine.store.db import transaction
from engine.store.models import AuditEvent, DueItem
from engine.work import deadline_changes
from tests.conftest import REPO

from .scenarios_kit import at, end_of_day

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
SHIPPED = sorted((REPO / "workflows").glob("*/*.bpmn"))
FIXTURES = sorted((REPO / "tests" / "fixtures" / "bundles").glob("*/*.bpmn"))
FIRST, LAST = date(2026, 12, 1), date(2028, 12, 31)
TIMES = (time(0, 0), time(0, 30), time(9, 0), time(12, 0), time(17, 30), time(23, 30), time(23, 59, 59))
FEW_TIMES = (time(0, 30), time(12, 0), time(23, 30))  # the fast sweeps: either side of midnight, and midday
Signature = tuple[str, bool, bool]  # dueIn, has dueFrom, dueOnAnyDay


def _tasks_with_deadlines(paths: list[Path]) -> dict[Signature, list[str]]:
    """Every user task with a ``dueIn``, as ``file#task`` by what its due date depends on."""
    found: dict[Signature, list[str]] = defaultdict(list)
    for path in paths:
        for task in etree.parse(str(path)).iter(BPMN + "userTask"):
            props = {p.get("name"): (p.get("value") or "").strip() for p in task.iter(SPIFF + "property")}
            if props.get("dueIn"):
                signature = (props["dueIn"], bool(props.get("dueFrom")), deadlines.due_on_any_day(props))
                found[signature].append(f"{path.parent.name}/{path.name}#{task.get('id')}")
    return found


def _days(first: date = FIRST, last: date = LAST) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _starts(day: date, from_variable: bool, times: tuple[time, ...]) -> list[tuple[datetime, dict[str, Any]]]:
    """The ways a task may start counting on ``day``: created then (at each time), and, with ``dueFrom``, from a
    case date of that day or a time on it (created a fixed while before)."""
    moments = [datetime.combine(day, t, tzinfo=workdays.LONDON).astimezone(UTC) for t in times]
    starts: list[tuple[datetime, dict[str, Any]]] = [(m, {}) for m in moments]
    if from_variable:
        created = datetime(2026, 11, 2, 9, tzinfo=UTC)
        starts.append((created, {"from": day.isoformat()}))
        starts += [(created, {"from": m.isoformat()}) for m in moments]
    return starts


def _off_days(signature: Signature, days: list[date],
              times: tuple[time, ...] = TIMES) -> list[tuple[datetime, dict[str, Any], datetime]]:
    """Every start whose due date is not a working day: (created, data, due)."""
    due_in, from_variable, any_day = signature
    properties = {"dueIn": due_in, "dueFrom": "from" if from_variable else "",
                  "dueOnAnyDay": "true" if any_day else "false"}
    found = []
    for day in days:
        for created, data in _starts(day, from_variable, times):
            due = deadlines.due_at(properties, data, created)
            assert due is not None
            if not workdays.is_working_day(workdays.london_date(due)):
                found.append((created, data, due))
    return found


def _check_every_deadline(paths: list[Path], days: list[date], times: tuple[time, ...] = TIMES) -> None:
    tasks = _tasks_with_deadlines(paths)
    assert tasks, f"no task with a dueIn in {[str(p) for p in paths]}"
    wrong = {}
    for signature, names in sorted(tasks.items()):
        if signature[2]:
            continue  # dueOnAnyDay: the bundle says the day may be any
        off = _off_days(signature, days, times)
        if off:
            wrong[signature] = (names, len(off), off[:3])
    assert not wrong, wrong


def test_shipped_bundles_have_deadlines_to_check():
    """The sweep below is not empty: it reads the issue's own example, the CDOP agency report, and its kinds."""
    tasks = _tasks_with_deadlines(SHIPPED)
    names = [name for found in tasks.values() for name in found]
    assert "cdop/cdop.bpmn#agency_report" in names
    assert {due_in for due_in, _, _ in tasks} >= {"P21D", "5WD", "15WD"}
    assert any(from_variable for _, from_variable, _ in tasks)


def test_no_shipped_deadline_falls_on_a_non_working_day_from_christmas_2026_to_summer_2027():
    """Every start from 1 December 2026 to 31 July 2027, at three times of day: deadlines over Christmas 2026,
    Easter 2027 and the May and August bank holidays (every day to the end of 2028 at seven times of day is the
    slow test below)."""
    _check_every_deadline(SHIPPED, _days(last=date(2027, 7, 31)), FEW_TIMES)


@pytest.mark.slow
def test_no_shipped_deadline_falls_on_a_non_working_day():
    _check_every_deadline(SHIPPED, _days())


def test_no_fixture_bundle_deadline_falls_on_a_non_working_day():
    _check_every_deadline(FIXTURES, _days(), FEW_TIMES)


def test_the_sweep_finds_a_deadline_on_a_non_working_day_when_the_task_allows_any_day():
    """The check can fail: without the rule, P21D from 7 December 2026 (and nearly a third of all days) lands on
    a weekend or bank holiday."""
    off = _off_days(("P21D", False, True), _days())
    assert (at("2026-12-07", 12), {}, at("2026-12-28", 12)) in off
    assert len({c.date() for c, _, _ in off}) > 200


# --- end to end: what the app derives from a moved deadline ------------------------------------------------

@pytest.fixture
def ladder_installed():
    """The notifications room's handlers (the reminder ladder), taken away again after the test."""
    handlers = {kind: list(found) for kind, found in events._handlers.items()}
    notifications.install(Config.from_env(database_url="sqlite://", secret_key="x"))
    yield
    events._handlers.clear()
    events._handlers.update(handlers)


def _agency_report_requested_on_7_december(run) -> Any:
    run.move_to(at("2026-12-07", 14))
    case = run.start("cdop")
    run.do(case, "notification")
    run.do(case, "identify_agencies", agencies_involved=["csc"])
    return run.task(case, "agency_report")


def _rungs(run, task_id: str) -> list[tuple[str, str]]:
    with transaction(run.factory) as s:
        rows = s.scalars(select(DueItem).where(DueItem.task_id == task_id, DueItem.kind == "ladder",
                                               DueItem.done_at.is_(None)).order_by(DueItem.due_at))
        return [(r.payload["rung"], r.due_at.astimezone(workdays.LONDON).strftime("%Y-%m-%d %H:%M")) for r in rows]


def test_the_cdop_agency_report_of_7_december_2026_is_due_on_29_december(run, ladder_installed):
    """P21D lands on Monday 28 December, the Boxing Day substitute: due Tuesday 29 December at 14:00. Its ladder
    (-10,-5,-2,0,1) counts from the moved date, in working days: reminders on 11, 18 and 23 December, the
    overdue notice at the deadline, the escalation on Wednesday 30 December."""
    report = _agency_report_requested_on_7_december(run)
    assert report.due_at == at("2026-12-29", 14)
    assert _rungs(run, report.id) == [("reminder", "2026-12-11 09:00"), ("reminder", "2026-12-18 09:00"),
                                      ("reminder", "2026-12-23 09:00"), ("overdue", "2026-12-29 14:00"),
                                      ("escalation", "2026-12-30 09:00")]


@pytest.mark.parametrize("asked,expected", [
    (at("2027-01-01", 17), at("2027-01-04", 17)),                  # New Year's Day, a Friday
    (end_of_day("2026-12-25"), end_of_day("2026-12-29")),         # the web form's "by the end of" Christmas Day
    (at("2027-01-05", 17), at("2027-01-05", 17)),                  # a working day: as asked
], ids=["new-year", "christmas-day", "working-day"])
def test_an_extended_deadline_moves_off_a_bank_holiday(run, ladder_installed, asked, expected):
    report = _agency_report_requested_on_7_december(run)
    with transaction(run.factory) as s:
        extended = deadline_changes.extend_deadline(s, report.id, asked, "Records awaited", actor=run.coordinator,
                                                    now=run.now)
    assert extended.due_at == expected
    assert _rungs(run, report.id)[-2][1] == expected.astimezone(workdays.LONDON).strftime("%Y-%m-%d %H:%M")
    with transaction(run.factory) as s:
        (audited,) = s.scalars(select(AuditEvent).where(AuditEvent.action == "task.deadline_extended"))
        assert audited.details["due_at"] == expected.isoformat()
        assert audited.details.get("requested") == (asked.isoformat() if asked != expected else None)


def test_a_clock_paused_over_christmas_moves_the_deadline_on_by_working_days(run):
    """Paused on Monday 21 December 2026, resumed on Monday 4 January 2027: 7 working days (22, 23, 24, 29, 30,
    31 December, 4 January); 7 working days after 29 December is Friday 8 January, at 14:00 still."""
    report = _agency_report_requested_on_7_december(run)
    case = report.instance_id
    run.move_to(at("2026-12-21", 10))
    with transaction(run.factory) as s:
        deadline_changes.pause_instance(s, case, "Criminal proceedings", actor=run.coordinator, now=run.now)
    run.move_to(at("2027-01-04", 10))
    with transaction(run.factory) as s:
        deadline_changes.resume_instance(s, case, "Proceedings ended", actor=run.coordinator, now=run.now)
    assert run.task(case, "agency_report").due_at == at("2027-01-08", 14)
