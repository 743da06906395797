"""Reading a task's form without viewing the task (``engine.reads.task_forms``): the same rendered schema the
task page shows, no "task viewed" audit row, and nothing for someone who may not see the task."""
from __future__ import annotations

import pytest

from engine.errors import NotFound
from engine.reads import task_forms
from engine.store.db import reading, transaction
from engine.work import tasks

from .engine_kit import NOW

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured


@pytest.fixture
def review(deploy, cases):
    deploy("simple_review")
    instance_id = cases.start("simple_review", data={"case_ref": "X1"})
    return instance_id, cases.task(instance_id, "submit").id


def test_task_form_is_the_schema_the_task_page_shows(review, cases, factory):
    _, task_id = review
    with reading(factory) as s:
        form = task_forms.task_form(s, task_id, actor=cases.actor("police"))
    with transaction(factory) as s:
        detail = tasks.task_detail(s, task_id, actor=cases.actor("police"), now=NOW)
    assert form.schema["properties"]["agency"]["enum"] == ["csc", "health", "police"]  # rendered: {{ agency_keys }}
    assert (form.schema, form.ui_schema) == (detail.form_schema, detail.ui_schema)


def test_reading_a_task_form_writes_no_view(review, cases, factory):
    instance_id, task_id = review
    with transaction(factory) as s:
        task_forms.task_form(s, task_id, actor=cases.actor("police"))
    assert "task.viewed" not in cases.actions(instance_id)


def test_a_task_form_is_not_found_for_someone_who_may_not_see_the_task(deploy, cases, factory):
    deploy("agency_task")
    task_id = cases.task(cases.start("agency_task", data={"lead_agency": "police"}), "agency_report").id
    with reading(factory) as s, pytest.raises(NotFound):
        task_forms.task_form(s, task_id, actor=cases.actor("csc"))
    with reading(factory) as s:
        assert task_forms.task_form(s, task_id, actor=cases.actor("police")) is not None
