"""``GET /api/v1/openapi.json``: the OpenAPI 3 document, built from the same marshmallow schemas the views use."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Response, jsonify

from engine.documents.kinds import KINDS
from engine.reports.actions import PROCESS_KEYS as ACTION_PROCESSES
from engine.reports.actions import STATUS_FILTERS as ACTION_STATUSES
from engine.states import TaskState

from ..documents_out.briefing import DOCX_MIMETYPE
from ..xlsx_export import XLSX_MIMETYPE
from . import schemas as s
from .actions import ActionSchema
from .annual import AnnualReportSchema
from .blueprint import bp
from .design_migration import MigrateRequest, MigrationSchema
from .designer import DraftRequest, DraftSavedSchema, DraftSchema, FilesRequest, ProblemsSchema, RevisionRequest
from .files import DocumentSchema
from .learning import LessonSchema
from .plan_changes import AddActionsRequest, AddedActionsSchema, ReplannedActionSchema, ReplanRequest
from .reports import ComplianceSchema

# (path, method, summary, request schema, success status, response schema, error statuses)
ROUTES: list[tuple[str, str, str, Any, int, Any, tuple[int, ...]]] = [
    ("/auth/token", "post", "Get a bearer token", s.TokenRequest, 200, s.TokenResponse, (400, 401, 422, 429)),
    ("/auth/token/revoke", "post", "Revoke the caller's token", None, 204, None, (401,)),
    ("/process-definitions", "get", "Latest version of each process", None, 200, "DefinitionList", (401,)),
    ("/process-definitions", "post", "Deploy a bundle (201 new version, 200 unchanged)", s.DeployRequest, 201,
     s.DeployResponse, (400, 401, 403, 409, 413, 422)),
    ("/process-definitions/{key}/bpmn", "get", "A version's BPMN XML", None, 200, "xml", (401, 404)),
    ("/process-definitions/{key}/validate", "post", "Every problem a deploy of these files would meet, without "
     "deploying (designer)", FilesRequest, 200, ProblemsSchema, (400, 401, 403, 413)),
    ("/process-definitions/{key}/draft", "get", "The process's draft: saved, or the latest version's files with "
     "revision 0 (designer)", None, 200, DraftSchema, (401, 403, 422)),
    ("/process-definitions/{key}/draft", "put", "Save the draft, made from `revision` (designer; saved even when "
     "invalid, with its problems; 409 when someone saved since)", DraftRequest, 200, DraftSavedSchema,
     (400, 401, 403, 409, 413, 422)),
    ("/process-definitions/{key}/draft", "delete", "Discard the draft (designer)", None, 204, None, (401, 403, 404)),
    ("/process-definitions/{key}/draft/deploy", "post", "Deploy the saved draft as the next version (designer; "
     "422 with every problem; 409 when someone saved since)", RevisionRequest, 201, s.DeployResponse,
     (400, 401, 403, 404, 409, 422)),
    ("/process-instances", "post", "Start an instance", s.StartRequest, 201, s.InstanceSchema,
     (400, 401, 403, 404, 422)),
    ("/process-instances", "get", "Instances the caller may see (format=csv: the same rows as CSV; q: search the "
     "business key, title and pseudonym)", None, 200, "InstanceList", (400, 401, 403)),
    ("/process-instances/{id}", "get", "One instance, with the caller's view of its data", None, 200,
     s.InstanceSchema, (401, 403, 404)),
    ("/process-instances/{id}/tasks", "get", "Every task of an instance that the caller may see", None, 200,
     "TaskList", (400, 401, 403, 404)),
    ("/process-definitions/{key}/instances", "get", "A process's cases for a migration (designer, coordinator): "
     "ids, business keys, versions, open steps; no case data", None, 200, "RunningInstanceList", (400, 401, 403, 404)),
    ("/process-instances/{id}/migration", "get", "Whether the case can move to `version` of its process, and why "
     "not (designer)", None, 200, MigrationSchema, (400, 401, 403, 404)),
    ("/process-instances/{id}/migrate", "post", "Move the case to another version of its process (designer; 409 "
     "with the problems when it cannot move safely, or already runs that version)", MigrateRequest, 200,
     s.RunningInstanceSchema, (400, 401, 403, 404, 409, 422)),
    ("/process-instances/{id}/cancel", "post", "Cancel with a reason", s.ReasonRequest, 200, s.InstanceSchema,
     (400, 401, 403, 404, 409, 422)),
    ("/process-instances/{id}/retry", "post", "Retry an instance in error", None, 200, s.InstanceSchema,
     (401, 403, 404, 409)),
    ("/tasks", "get", "The caller's tasks", None, 200, "TaskList", (400, 401, 403)),
    ("/tasks/{id}", "get", "A task with its form", None, 200, s.TaskDetailSchema, (401, 403, 404)),
    ("/tasks/{id}/claim", "post", "Claim", None, 200, s.TaskSchema, (401, 403, 404, 409)),
    ("/tasks/{id}/unclaim", "post", "Release a claim", None, 200, s.TaskSchema, (401, 403, 404, 409)),
    ("/tasks/{id}/assign", "post", "Assign (coordinator)", s.AssignRequest, 200, s.TaskSchema,
     (400, 401, 403, 404, 409, 422)),
    ("/tasks/{id}/draft", "post", "Save a draft", s.DataRequest, 200, s.TaskSchema, (400, 401, 403, 404, 409, 413)),
    ("/tasks/{id}/complete", "post", "Complete", s.DataRequest, 200, s.CompleteResponse,
     (400, 401, 403, 404, 409, 413, 422)),
    ("/tasks/{id}/comments", "get", "Comments on a task", None, 200, "CommentList", (401, 403, 404)),
    ("/tasks/{id}/comments", "post", "Add a comment", s.CommentRequest, 201, s.CommentSchema,
     (400, 401, 403, 404, 422)),
    ("/messages", "post", "Deliver a message", s.MessageRequest, 202, s.MessageResponse, (400, 401, 403, 422)),
    ("/tasks/{id}/extend", "post", "Extend a deadline (coordinator)", s.ExtendRequest, 200, s.TaskSchema,
     (400, 401, 403, 404, 409, 422)),
    ("/tasks/{id}/chase", "post", "Send a chaser (coordinator)", s.ChaseRequest, 202, None, (400, 401, 403, 404, 409)),
    ("/process-instances/{id}/pause", "post", "Pause the statutory clocks", s.ReasonRequest, 200, s.InstanceSchema,
     (400, 401, 403, 404, 409, 422)),
    ("/process-instances/{id}/resume", "post", "Resume; deadlines move on by the working days paused",
     s.ReasonRequest, 200, s.InstanceSchema, (400, 401, 403, 404, 409, 422)),
    ("/notifications", "get", "The caller's in-app notifications", None, 200, "NotificationList", (400, 401)),
    ("/notifications/{id}/read", "post", "Mark a notification read", None, 204, None, (401, 404)),
    ("/tasks/{id}/files", "post", "Upload a document (or its next version) to a file field", None, 201,
     DocumentSchema, (400, 401, 403, 404, 409, 413, 422)),
    ("/files/{id}", "get", "Download a document (an attachment, of the type its content proved to be)", None, 200,
     "file", (400, 401, 404)),
    ("/process-instances/{id}/hold", "post", "Place a legal hold (coordinator)", s.HoldRequest, 200,
     s.HeldInstanceSchema, (400, 401, 403, 404, 409, 422)),
    ("/process-instances/{id}/release-hold", "post", "Lift the legal hold (coordinator)", s.ReleaseHoldRequest, 200,
     s.HeldInstanceSchema, (400, 401, 403, 404, 409, 422)),
    ("/retention/due", "get", "Cases past their retention date (coordinator)", None, 200, "DueCaseList",
     (401, 403)),
    ("/process-instances/{id}/dispose", "post", "Dispose of a case past its retention date (coordinator; confirm "
     "with its business key; 409 case_held with the hold when held)", s.DisposeRequest, 200, s.DisposalSchema,
     (400, 401, 403, 404, 409, 422)),
    ("/process-instances/{id}/access-report", "get", "Who viewed or downloaded what of the case, and when "
     "(coordinator; JSON or CSV)", None, 200, "access_report", (400, 401, 403, 404)),
    ("/learning-log", "get", "The learning log: the lessons the caller may read, filtered (format=csv or xlsx: the "
     "same rows in words; 400 names an unknown parameter or a bad value)", None, 200, "LessonList", (400, 401, 403)),
    ("/learning-log/{id}", "get", "One lesson", None, 200, LessonSchema, (401, 403, 404)),
    ("/learning-log/{id}/briefing.docx", "get", "A lesson's seven-minute briefing (Word)", None, 200, "docx",
     (401, 403, 404)),
    ("/process-instances/{id}/actions", "post", "Add actions to an open action plan (coordinator; 409 when the plan "
     "is closed, not yet agreed or waiting to be closed)", AddActionsRequest, 201, AddedActionsSchema,
     (400, 401, 403, 404, 409, 422)),
    ("/actions/{key}/replan", "post", "Give an open action a new target date, with the reason (coordinator; 409 "
     "when the action is closed)", ReplanRequest, 200, ReplannedActionSchema, (400, 401, 403, 404, 409, 422)),
    ("/actions", "get", "The action register: every action the caller may see (need to know), overdue first; "
     "format=csv or xlsx: the same rows as a file", None, 200, "ActionList", (400, 401, 403)),
    ("/reports/compliance", "get", "The compliance measures over a period (coordinators, chairs, the scrutineer, "
     "partners): numbers, cases counted, breakdowns and notes", None, 200, ComplianceSchema, (400, 401, 403)),
    ("/reports/annual", "get", "The annual report pack for a year (coordinators and chairs): its figures as JSON, or "
     "format=docx or xlsx for the Word document or the workbook", None, 200, "annual_report", (400, 401, 403)),
]
# multipart/form-data bodies (ROUTES' request schemas are JSON bodies)
MULTIPART = {("/tasks/{id}/files", "post"): {"type": "object", "required": ["file", "field"], "properties": {
    "file": {"type": "string", "format": "binary"},
    "field": {"type": "string", "description": "the file field's path in the task's form, e.g. report"}}}}
# Query parameters, as the views read them (``common.paging``, ``common.flag``, ``schemas.VersionArgs``)
_INT = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
_PAGING = {"limit": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}, "offset": {**_INT, "default": 0}}
QUERIES: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    ("/process-definitions", "get"): _PAGING,
    ("/process-definitions/{key}/bpmn", "get"): {"version": _INT},
    ("/process-instances", "get"): {**_PAGING, "process_key": {"type": "string"}, "status": {"type": "string"},
                                    "overdue": {"type": "boolean"}, "q": {"type": "string", "maxLength": 200},
                                    "format": {"type": "string", "enum": ["json", "csv"], "default": "json"}},
    ("/process-instances/{id}/tasks", "get"): {**_PAGING, "state": {"type": "string",
                                                                   "enum": [str(s) for s in TaskState]}},
    ("/process-definitions/{key}/instances", "get"): {**_PAGING, "version": _INT, "status": {"type": "string"}},
    ("/tasks", "get"): {**_PAGING, "state": {"type": "string", "enum": [str(s) for s in TaskState],
                                             "default": str(TaskState.READY)},
                        "overdue": {"type": "boolean"}, "process_key": {"type": "string"}},
    ("/tasks/{id}/comments", "get"): _PAGING,
    ("/notifications", "get"): {**_PAGING, "unread": {"type": "boolean"}},
    ("/files/{id}", "get"): {"version": {**_INT, "minimum": 1}},
    ("/process-instances/{id}/access-report", "get"): {"format": {"type": "string", "enum": ["json", "csv"],
                                                                  "default": "json"}},
    ("/actions", "get"): {"limit": {"type": "integer", "minimum": 1, "maximum": 10_000, "default": 50},
                          "offset": {**_INT, "default": 0}, "agency": {"type": "string", "maxLength": 64},
                          "process_key": {"type": "string", "enum": list(ACTION_PROCESSES)},
                          "status": {"type": "string", "enum": list(ACTION_STATUSES)},
                          "rag": {"type": "string", "enum": ["red", "amber", "green"]}, "overdue": {"type": "boolean"},
                          "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
                          "q": {"type": "string", "maxLength": 200},
                          "format": {"type": "string", "enum": ["json", "csv", "xlsx"], "default": "json"}},
    ("/learning-log", "get"): {**{name: {"type": "string"} for name in ("theme", "agency", "process_key")},
                               "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
                               "q": {"type": "string", "maxLength": 200},
                               "format": {"type": "string", "enum": ["json", "csv", "xlsx"], "default": "json"},
                               "limit": {"type": "integer", "minimum": 1, "maximum": 10000},
                               "offset": {**_INT, "default": 0}},
    ("/reports/compliance", "get"): {"from": {"type": "string", "format": "date"},
                                     "to": {"type": "string", "format": "date"}},
    ("/reports/annual", "get"): {"year": {"type": "integer", "minimum": 2000, "description": "this year when not "
                                          "given; at most next year"},
                                 "format": {"type": "string", "enum": ["json", "docx", "xlsx"], "default": "json"}},
}
INTEGER_IDS = {"/notifications/{id}/read", "/learning-log/{id}", "/learning-log/{id}/briefing.docx"}
# ``format=csv``: the same rows as a CSV file
CSV_TOO = {("/process-instances", "get"), ("/actions", "get"), ("/learning-log", "get")}
XLSX_TOO = {("/actions", "get"), ("/learning-log", "get")}  # ``format=xlsx``: the same rows as an Excel workbook
_LISTS = {"DefinitionList": "DefinitionSchema", "InstanceList": "InstanceSummarySchema", "TaskList": "TaskSchema",
          "CommentList": "CommentSchema", "NotificationList": "NotificationSchema", "DueCaseList": "DueCaseSchema",
          "RunningInstanceList": "RunningInstanceSchema", "ActionList": "ActionSchema", "LessonList": "LessonSchema"}


@lru_cache(maxsize=1)
def build_spec() -> dict[str, Any]:
    spec = APISpec(title="LIF API", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
                   servers=[{"url": "/api/v1"}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for schema in (s.ErrorSchema, s.DefinitionSchema, s.InstanceSummarySchema, s.TaskSchema, s.CommentSchema,
                   s.NotificationSchema, DocumentSchema, s.DueCaseSchema, s.RunningInstanceSchema, ActionSchema,
                   LessonSchema):
        spec.components.schema(schema.__name__, schema=schema)
    paths: dict[str, dict[str, Any]] = {}
    for path, method, summary, request_schema, status, response, errors in ROUTES:
        operation: dict[str, Any] = {"summary": summary, "responses": {}}
        if path != "/auth/token":
            operation["security"] = [{"bearer": []}]
        query = QUERIES.get((path, method), {})
        params = [{"name": p, "in": "path", "required": True,
                   "schema": {**_INT, "minimum": 1} if path in INTEGER_IDS and p == "id" else {"type": "string"}}
                  for p in ("key", "id") if "{" + p + "}" in path]
        params += [{"name": name, "in": "query", "required": False, "schema": schema} for name, schema in query.items()]
        if params:
            operation["parameters"] = params
        if (path, method) in MULTIPART:
            operation["requestBody"] = {"required": True,
                                        "content": {"multipart/form-data": {"schema": MULTIPART[path, method]}}}
        elif request_schema is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": request_schema}}}
        operation["responses"][str(status)] = _response(response)
        if (path, method) in CSV_TOO:
            operation["responses"][str(status)]["content"]["text/csv"] = {"schema": {"type": "string"}}
        if (path, method) in XLSX_TOO:
            operation["responses"][str(status)]["content"][XLSX_MIMETYPE] = {
                "schema": {"type": "string", "format": "binary"}}
        for code in sorted(_error_statuses(path, errors, request_schema is not None, bool(query))):
            operation["responses"][str(code)] = {"description": "error",
                                                 "content": {"application/json": {"schema": "ErrorSchema"}}}
            if code == 429:
                operation["responses"]["429"]["headers"] = {"Retry-After": {
                    "description": "seconds until the next try is allowed", "schema": {"type": "integer"}}}
        paths.setdefault(path, {})[method] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _error_statuses(path: str, listed: tuple[int, ...], has_body: bool, has_query: bool) -> set[int]:
    """The listed statuses, and those every operation of its kind can answer: 400, 413 and 422 for a body (not
    JSON the app accepts, too large, invalid fields), 400 for query parameters, 401 without a token, and 503 while
    the database cannot be reached."""
    found = set(listed) | {503}
    if has_body:
        found |= {400, 413, 422}
    if has_query:
        found.add(400)
    if path != "/auth/token":
        found.add(401)
    return found


def _response(response: Any) -> dict[str, Any]:
    if response is None:
        return {"description": "accepted"}
    if response == "file":
        binary = {"schema": {"type": "string", "format": "binary"}}
        return {"description": "the document, as an attachment",
                "content": {kind.content_type: binary for kind in KINDS.values()}}
    if response == "docx":
        return {"description": "a Word document", "content": {DOCX_MIMETYPE: {"schema": {"type": "string",
                                                                                       "format": "binary"}}}}
    if response == "xml":
        return {"description": "BPMN XML", "content": {"application/xml": {"schema": {"type": "string"}}}}
    if response == "access_report":
        return {"description": "the access report", "content": {
            "application/json": {"schema": s.AccessReportSchema}, "text/csv": {"schema": {"type": "string"}}}}
    if response == "annual_report":
        binary = {"schema": {"type": "string", "format": "binary"}}
        return {"description": "the annual report pack", "content": {
            "application/json": {"schema": AnnualReportSchema}, DOCX_MIMETYPE: binary, XLSX_MIMETYPE: binary}}
    if isinstance(response, str):
        item = {"$ref": f"#/components/schemas/{_LISTS[response]}"}
        listed = {"type": "object", "properties": {"items": {"type": "array", "items": item},
                                                   "total": {"type": "integer"}}}
        return {"description": "a list", "content": {"application/json": {"schema": listed}}}
    return {"description": "ok", "content": {"application/json": {"schema": response}}}


@bp.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(build_spec())
