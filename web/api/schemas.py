"""marshmallow schemas for every request body and response of the JSON API."""
from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from engine import text


class FlatNested(fields.Nested):
    """``Nested(schema, many=True)`` for a flat schema (plain fields, no hooks), dumped straight through each
    field's own ``_serialize``: the same output without marshmallow's per-value bookkeeping, which dominated the
    answers that list a long case's tasks. The OpenAPI document still sees the nested schema."""

    def __init__(self, schema: type[Schema], **kwargs: Any) -> None:
        super().__init__(schema, many=True, **kwargs)
        instance = schema()
        if any(instance._hooks.values()) or any(isinstance(f, (fields.Nested, fields.List, fields.Dict, fields.Method,
                                                                   fields.Function))
                                                 for f in instance.dump_fields.values()):
            raise TypeError(f"{schema.__name__} is not flat")
        self._plan = [(field.data_key or name, field.attribute or name, field._serialize, _unchanged_types(field))
                      for name, field in instance.dump_fields.items()]

    # marshmallow's own Nested renames Field's ``value`` to ``nested_obj``; either name breaks one of the two
    # signatures, and marshmallow passes it by position
    def _serialize(  # type: ignore[override]
            self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> list[dict[str, Any]] | None:
        if value is None:
            return None
        plan = self._plan
        return [{key: v if type(v) in unchanged else serialize(v, name, item)
                 for key, name, serialize, unchanged in plan for v in (getattr(item, name),)} for item in value]


def _unchanged_types(field: fields.Field) -> frozenset[type]:
    """The value types this exact field class dumps as they are (``_serialize`` returns its argument)."""
    passes = {fields.String: (str,), fields.Integer: (int,), fields.Boolean: (bool,)}.get(type(field), ())
    if isinstance(field, fields.Number) and field.as_string:
        passes = ()
    return frozenset((type(None), *passes))


class Line(fields.String):
    """A single-line string: no control character (CR, LF, tab, NUL, ...), no Unicode line separator."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        found = super()._deserialize(value, attr, data, **kwargs)
        problem = text.problem(found)
        if problem:
            raise ValidationError(problem)
        return found


class Text(fields.String):
    """A multi-line string: line breaks and tabs, and no other control character."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        found = super()._deserialize(value, attr, data, **kwargs)
        problem = text.problem(found, multiline=True)
        if problem:
            raise ValidationError(problem)
        return found


class Deadline(fields.AwareDateTime):
    """A date-time with an offset, far from the calendar's ends (arithmetic on ``9999-12-31T23:59:59Z`` overflows);
    the engine decides how far ahead a deadline may be."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        found = super()._deserialize(value, attr, data, **kwargs)
        if not 1900 <= found.year <= 9000:
            raise ValidationError("must be a date-time between the years 1900 and 9000")
        return found


class Strict(Schema):
    class Meta:
        unknown = RAISE


class TokenRequest(Strict):
    username = Line(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class PagingArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 2**31 - 1))


class VersionArgs(Schema):
    version = fields.Integer(load_default=None, validate=validate.Range(0, 2**31 - 1))


class TokenResponse(Schema):
    token = fields.String()
    expires_at = fields.DateTime(format="iso")


class DefinitionSchema(Schema):
    key = fields.String()
    name = fields.String()
    version = fields.Integer()
    deployed_at = fields.DateTime(format="iso")


class DeployRequest(Strict):
    key = Line(required=True, validate=validate.Length(min=1, max=64))
    files = fields.Dict(keys=Line(validate=validate.Length(min=1, max=200)), values=fields.String(),
                        required=True, validate=validate.Length(min=1, max=200))


class DeployResponse(Schema):
    key = fields.String()
    version = fields.Integer()


class TaskSchema(Schema):
    id = fields.String()
    instance_id = fields.String()
    process_key = fields.String()
    name = fields.String()
    title = fields.String()
    state = fields.String()
    role = fields.String(allow_none=True)
    agency = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    created_at = fields.DateTime(format="iso")
    due_at = fields.DateTime(format="iso", allow_none=True)
    overdue = fields.Boolean()
    completed_at = fields.DateTime(format="iso", allow_none=True)
    completed_by = fields.String(allow_none=True)
    priority = fields.Integer()
    business_key = fields.String(allow_none=True)
    pseudonym = fields.String(allow_none=True)


class TaskDetailSchema(TaskSchema):
    form_schema = fields.Dict(allow_none=True)
    ui_schema = fields.Dict(allow_none=True)
    instructions = fields.String(allow_none=True)
    data = fields.Dict()
    draft = fields.Dict(allow_none=True)


class InstanceSchema(Schema):
    id = fields.String()
    process_key = fields.String()
    version = fields.Integer()
    business_key = fields.String()
    title = fields.String()
    pseudonym = fields.String(allow_none=True)
    status = fields.String()
    error = fields.Dict(allow_none=True)
    paused = fields.Boolean()
    created_at = fields.DateTime(format="iso")
    updated_at = fields.DateTime(format="iso")
    tasks = FlatNested(TaskSchema)
    data = fields.Dict()


class InstanceSummarySchema(InstanceSchema):
    class Meta:
        exclude = ("tasks", "data")


class RunningInstanceSchema(Schema):
    """A case as a designer sees it: no title, pseudonym or data."""
    id = fields.String()
    process_key = fields.String()
    version = fields.Integer()
    business_key = fields.String()
    status = fields.String()
    current_steps = fields.List(fields.String())


class StartRequest(Strict):
    process_key = Line(required=True, validate=validate.Length(min=1, max=64))
    data = fields.Dict(load_default=dict)
    business_key = Line(load_default=None, allow_none=True, validate=validate.Length(max=64))


class ReasonRequest(Strict):
    reason = Text(required=True, validate=validate.Length(min=1, max=2000))


class DataRequest(Strict):
    data = fields.Dict(required=True)


class AssignRequest(Strict):
    username = Line(required=True, validate=validate.Length(min=1, max=64))


class CompletedInstanceSchema(InstanceSchema):
    """The instance in a completion's answer: SPEC gives it without its data."""
    class Meta:
        exclude = ("data",)


class CompleteResponse(Schema):
    task = fields.Nested(TaskSchema)
    instance = fields.Nested(CompletedInstanceSchema)


class CommentRequest(Strict):
    body = Text(required=True, validate=validate.Length(min=1, max=10000))


class CommentSchema(Schema):
    id = fields.Integer()
    author = fields.String()
    body = fields.String()
    created_at = fields.DateTime(format="iso")
    challenge = fields.Boolean()  # the independent scrutineer's challenge


class MessageRequest(Strict):
    name = Line(required=True, validate=validate.Length(min=1, max=128))
    correlation = fields.Dict(keys=Line(), load_default=dict)
    payload = fields.Raw(load_default=dict, allow_none=True)


class MessageResponse(Schema):
    delivered_to = fields.List(fields.String())


class ErrorBody(Schema):
    code = fields.String()
    message = fields.String()
    details = fields.Raw(allow_none=True)


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody)


class ExtendRequest(Strict):
    due_at = Deadline(required=True, format="iso")
    reason = Text(required=True, validate=validate.Length(min=1, max=2000))


class ChaseRequest(Strict):
    message = Text(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    task_id = fields.String(allow_none=True)
    instance_id = fields.String(allow_none=True)
    subject = fields.String()
    body = fields.String()
    created_at = fields.DateTime(format="iso")
    read_at = fields.DateTime(format="iso", allow_none=True)


# --- retention, legal hold, disposal and the access report (web/api/retention.py) ---------------------------

class HoldRequest(Strict):
    reason = Text(required=True, validate=validate.Length(min=1, max=2000))
    kind = fields.String(load_default="other",
                         validate=validate.OneOf(["inquest", "criminal_proceedings", "inquiry", "other"]))


class ReleaseHoldRequest(Strict):
    reason = Text(required=True, validate=validate.Length(min=1, max=2000))


class HoldSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    kind_name = fields.String()
    reason = fields.String(allow_none=True)
    placed_by = fields.String()
    placed_at = fields.DateTime(format="iso")
    released_by = fields.String(allow_none=True)
    released_at = fields.DateTime(format="iso", allow_none=True)
    release_reason = fields.String(allow_none=True)


class RetentionSchema(Schema):
    period = fields.String(allow_none=True)
    counted_from = fields.String(data_key="from", allow_none=True)
    period_in_words = fields.String(allow_none=True)
    retention_date = fields.DateTime(format="iso", allow_none=True)
    disposed_at = fields.DateTime(format="iso", allow_none=True)


class HeldInstanceSchema(InstanceSchema):
    hold = fields.Nested(HoldSchema, allow_none=True)
    retention = fields.Nested(RetentionSchema)


class DisposeRequest(Strict):
    business_key = Line(required=True, validate=validate.Length(min=1, max=64))


class DisposalSchema(Schema):
    instance_id = fields.String()
    business_key = fields.String()
    process_key = fields.String()
    version = fields.Integer()
    disposed_at = fields.DateTime(format="iso")
    outcomes = fields.Dict()
    erased = fields.Dict(keys=fields.String(), values=fields.Integer())


class DueCaseSchema(Schema):
    instance_id = fields.String()
    business_key = fields.String()
    process_key = fields.String()
    process_name = fields.String()
    version = fields.Integer()
    status = fields.String()
    retention_date = fields.DateTime(format="iso")
    held = fields.Boolean()
    hold = fields.Nested(HoldSchema, allow_none=True)


class AccessEntrySchema(Schema):
    at = fields.DateTime(format="iso")
    username = fields.String(allow_none=True)
    name = fields.String()
    agency = fields.String(allow_none=True)
    action = fields.String()
    what = fields.String()
    task_id = fields.String(allow_none=True)
    task_title = fields.String(allow_none=True)
    document_id = fields.String(allow_none=True)


class AccessReportSchema(Schema):
    instance_id = fields.String()
    business_key = fields.String()
    process_name = fields.String()
    items = fields.List(fields.Nested(AccessEntrySchema), attribute="entries")
    total = fields.Function(lambda report: len(report.entries))
    cut_short = fields.Boolean()


class AccessReportArgs(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))
