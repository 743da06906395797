"""The law's clock on each task (migration 0015): a task keeps when its deadline started counting and its
statutory deadline; a coordinator's extension moves the deadline but not the statutory one, and resuming a paused
case moves both on by the working days paused (and counts them)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine import workdays
from engine.store.db import transaction
from engine.store.models import HumanTask
from engine.work import deadline_changes

from .engine_kit import NOW

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured


def _clock(factory, task_id):
    with transaction(factory) as s:
        row = s.get(HumanTask, task_id)
        return row.clock_started_at, row.due_at, row.statutory_due_at, row.paused_days


def test_a_new_task_starts_its_clock_with_its_statutory_deadline_its_own(deploy, factory, cases):
    deploy("simple_review")
    (submit,) = cases.tasks(cases.start("simple_review"))
    started, due, statutory, paused = _clock(factory, submit.id)
    assert (started, paused) == (NOW, 0)
    assert due == statutory == workdays.end_of_working_day(workdays.add_working_days(NOW.date(), 5))


def test_an_extension_moves_the_deadline_but_not_the_statutory_one(deploy, factory, cases):
    deploy("simple_review")
    (submit,) = cases.tasks(cases.start("simple_review"))
    _, before, _, _ = _clock(factory, submit.id)
    with transaction(factory) as s:
        deadline_changes.extend_deadline(s, submit.id, before + timedelta(days=7), "Records awaited",
                                         actor=cases.actor("coordinator"), now=NOW)
    _, due, statutory, paused = _clock(factory, submit.id)
    assert (due, statutory, paused) == (before + timedelta(days=7), before, 0)


def test_resuming_a_pause_moves_both_on_by_the_working_days_paused(deploy, factory, cases):
    deploy("simple_review")
    instance_id = cases.start("simple_review")
    (submit,) = cases.tasks(instance_id)
    _, before, _, _ = _clock(factory, submit.id)
    coordinator = cases.actor("coordinator")
    with transaction(factory) as s:
        deadline_changes.pause_instance(s, instance_id, "Criminal proceedings", actor=coordinator, now=NOW)
    with transaction(factory) as s:  # Tuesday 1 to Tuesday 8 December: 5 working days
        deadline_changes.resume_instance(s, instance_id, "Ended", actor=coordinator, now=NOW + timedelta(days=7))
    started, due, statutory, paused = _clock(factory, submit.id)
    moved = deadline_changes.shift_by_working_days(before, 5)
    assert (started, due, statutory, paused) == (NOW, moved, moved, 5)


def test_a_task_done_while_paused_moves_its_statutory_deadline_on_by_the_days_it_stood_still(deploy, factory, cases):
    deploy("simple_review")
    instance_id = cases.start("simple_review")
    (submit,) = cases.tasks(instance_id)
    _, before, _, _ = _clock(factory, submit.id)  # due Tuesday 8 December
    coordinator = cases.actor("coordinator")
    with transaction(factory) as s:
        deadline_changes.pause_instance(s, instance_id, "Criminal proceedings", actor=coordinator, now=NOW)
    done_at = NOW + timedelta(days=9)  # Thursday 10 December: late by the unmoved date, 7 working days paused
    cases.complete(submit.id, {"summary": "Done while paused", "agency": "police"}, who="police", now=done_at)
    with transaction(factory) as s:  # resumed Tuesday 15 December: 10 working days paused in all
        deadline_changes.resume_instance(s, instance_id, "Ended", actor=coordinator, now=NOW + timedelta(days=14))
    _, due, statutory, paused = _clock(factory, submit.id)
    assert (due, statutory, paused) == (before, deadline_changes.shift_by_working_days(before, 7), 7)
    assert statutory > done_at


def test_a_task_late_before_the_pause_stays_late_by_the_law(deploy, factory, cases):
    deploy("simple_review")
    instance_id = cases.start("simple_review")
    (submit,) = cases.tasks(instance_id)
    _, before, _, _ = _clock(factory, submit.id)  # due Tuesday 8 December
    coordinator = cases.actor("coordinator")
    with transaction(factory) as s:  # paused Thursday 10 December, already two days late
        deadline_changes.pause_instance(s, instance_id, "Criminal proceedings", actor=coordinator,
                                        now=NOW + timedelta(days=9))
    done_at = NOW + timedelta(days=10)  # Friday 11 December: one working day paused before it was done
    cases.complete(submit.id, {"summary": "Done while paused", "agency": "police"}, who="police", now=done_at)
    with transaction(factory) as s:
        deadline_changes.resume_instance(s, instance_id, "Ended", actor=coordinator, now=NOW + timedelta(days=21))
    _, _, statutory, paused = _clock(factory, submit.id)
    assert (statutory, paused) == (deadline_changes.shift_by_working_days(before, 1), 1)
    assert statutory < done_at
