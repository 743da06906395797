"""``FlatNested`` (the task lists inside API answers) gives exactly what the marshmallow schema gives."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from marshmallow import Schema, fields

from engine.records import InstanceInfo, TaskInfo
from web.api.schemas import FlatNested, InstanceSchema, TaskSchema

AT = datetime(2026, 12, 1, 9, 30, 5, 123456, tzinfo=UTC)


def _tasks() -> list[TaskInfo]:
    return [
        TaskInfo("t1", "i1", "scr", "submit", "Submit", "ready", None, None, None, AT, None, False, None, None),
        TaskInfo("t2", "i1", "scr", "review", "Review", "completed", "reviewer", "police", "pat", AT,
                 AT + timedelta(days=21), True, AT + timedelta(hours=1), "pat", 1, "SCR-0001", "Child A"),
    ]


def test_flat_nested_dumps_as_the_schema_does():
    tasks = _tasks()
    instance = InstanceInfo(id="i1", process_key="scr", version=2, business_key="SCR-0001", title="A review",
                            status="active", created_at=AT, updated_at=AT, pseudonym=None, error=None, paused=False,
                            tasks=tuple(tasks), data={"case_title": "A review"})
    dumped = InstanceSchema().dump(instance)
    assert dumped["tasks"] == TaskSchema().dump(tasks, many=True)
    assert dumped["tasks"][1]["due_at"] == "2026-12-22T09:30:05.123456+00:00"
    assert dumped["tasks"][0]["due_at"] is None


def test_flat_nested_refuses_a_schema_that_is_not_flat():
    class Outer(Schema):
        inner = fields.Nested(TaskSchema)

    with pytest.raises(TypeError):
        FlatNested(Outer)


def test_values_of_other_types_are_converted_as_the_fields_convert_them():
    class Loose(Schema):
        text = fields.String(allow_none=True)
        count = fields.Integer(allow_none=True)
        count_text = fields.Integer(as_string=True)
        flag = fields.Boolean(allow_none=True)

    class Item:
        def __init__(self, text, count, flag):
            self.text, self.count, self.count_text, self.flag = text, count, count, flag

    items = [Item(5, "7", 1), Item(None, None, None), Item("x", True, False)]
    assert FlatNested(Loose)._serialize(items, None, None) == Loose().dump(items, many=True)
