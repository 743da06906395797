"""Resuming a paused case lifts the pause and moves its deadlines on; a case that ended while paused (a task
completed meanwhile ran into a failing script, or it was cancelled) keeps the status it ended with."""
from __future__ import annotations

import re
import shutil
from datetime import timedelta

import pytest

from engine.cases import instances
from engine.store.db import transaction
from engine.work import deadline_changes

from .engine_kit import BUNDLES, NOW

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured


@pytest.fixture
def failing_after_submit(tmp_path, deploy):
    """``simple_review`` whose script after the submit task fails (a step done while the case is paused)."""
    bundle = tmp_path / "simple_review"
    shutil.copytree(BUNDLES / "simple_review", bundle)
    (diagram,) = bundle.glob("*.bpmn")
    text = diagram.read_text(encoding="utf-8")
    script = re.search(r"<bpmn:script>.*?</bpmn:script>", text, re.S)
    assert script is not None
    diagram.write_text(text.replace(script.group(0), "<bpmn:script>x = 1 / 0</bpmn:script>"), encoding="utf-8")
    deploy(bundle)
    return "simple_review"


def _resume(factory, coordinator, instance_id, now):
    with transaction(factory) as session:
        row = deadline_changes.resume_instance(session, instance_id, "Trial over", actor=coordinator, now=now)
        return row.status, row.paused_at, row.error


def test_a_case_that_went_into_error_while_paused_stays_in_error_when_resumed(failing_after_submit, factory, cases):
    instance_id = cases.start(failing_after_submit)
    coordinator = cases.actor("coordinator")
    with transaction(factory) as session:
        deadline_changes.pause_instance(session, instance_id, "Criminal proceedings", actor=coordinator, now=NOW)
    (submit,) = cases.tasks(instance_id)
    cases.complete(submit.id, {"summary": "Chronology agreed", "agency": "police"}, who="police",
                   now=NOW + timedelta(days=1))
    assert cases.instance(instance_id).status == "error"
    status, paused_at, error = _resume(factory, coordinator, instance_id, NOW + timedelta(days=7))
    assert (status, paused_at) == ("error", None)
    assert "division by zero" in error["message"]


def test_a_case_cancelled_while_paused_stays_cancelled_when_resumed(deploy, factory, cases):
    deploy("intermediate_timer")
    instance_id = cases.start("intermediate_timer")
    coordinator = cases.actor("coordinator")
    with transaction(factory) as session:
        deadline_changes.pause_instance(session, instance_id, "Criminal proceedings", actor=coordinator, now=NOW)
        instances.cancel_instance(session, instance_id, "withdrawn", actor=coordinator, now=NOW)
    status, paused_at, _ = _resume(factory, coordinator, instance_id, NOW + timedelta(days=7))
    assert (status, paused_at) == ("cancelled", None)
