"""The form editor: a user task's JSON schema and UI schema in a process's draft, as a list of fields with a live
preview drawn by the task page's own renderer (``web.forms_render`` and ``forms/fields.html``), and a raw JSON tab
for what the list cannot say. The field list's rules are ``engine.designer.forms_edit``; the page's script sends
the list and the documents, and this view writes, draws and saves them. A schema that is a Jinja template is drawn
with the sample context deploys use. Saving writes both files into the draft (a stale revision is a 409)."""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request
from markupsafe import Markup
from sqlalchemy.orm import Session

from engine.bundles import forms
from engine.designer import drafts, forms_edit, forms_template, validating
from engine.errors import BadRequest, Conflict, InvalidData, LifError, NotFound
from engine.people import directory

from .. import forms_render
from ..context import lif
from ..errors import status_for
from .common import current_actor, now, requires
from .errors import error_page
from .filters import london_datetime

bp = Blueprint("designer_forms", __name__, url_prefix="/processes")
SCHEMA_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,150}-schema\.json$")
SCHEMA_SUFFIX, UI_SUFFIX = "-schema.json", "-uischema.json"


@bp.errorhandler(LifError)
def _error(exc: LifError) -> Any:
    """The script's calls get the API's error shape; the page itself gets the error page."""
    status = status_for(exc)
    if request.method in ("GET", "HEAD"):
        return error_page(status, None if status in (403, 404, 503) else exc.message)
    details = _conflict_details(exc.details) if isinstance(exc, Conflict) else exc.details
    return jsonify({"error": {"code": exc.code, "message": exc.message, "details": details}}), status


@bp.get("/<key>/forms/<schema_file>")
@requires("designer", "admin")
def form_editor(key: str, schema_file: str) -> str:
    ui_file = _ui_file(schema_file)
    with lif().reading() as db:
        draft = drafts.open_draft(db, key)
        saved_by = _full_name(db, draft.updated_by)
    exists = schema_file in draft.files
    if exists:
        schema: Any = _document(draft.files[schema_file])
        ui: Any = _document(draft.files.get(ui_file) or "{}")
    else:
        schema, ui = forms_edit.new_form(schema_file[:-len(SCHEMA_SUFFIX)].replace("-", " ").capitalize())
    editable = isinstance(schema, dict) and isinstance(ui, dict)
    fields = [f.as_dict() for f in forms_edit.read_fields(schema, ui)] if editable else []
    state = {"key": key, "schema_file": schema_file, "ui_file": ui_file, "revision": draft.revision,
             "exists": exists, "schema": schema, "ui_schema": ui, "fields": fields if editable else None,
             "types": forms_edit.TYPES, "fixed_types": list(forms_edit.FIXED)}
    preview = _preview_html(schema, ui) if editable or exists else ""
    return render_template("designer/form_editor.html", state=Markup(_ordered_json(state)), key=key,
                           schema_file=schema_file, ui_file=ui_file, exists=exists, fields=fields, editable=editable,
                           types=forms_edit.TYPES, preview=preview, draft=draft, saved_by=saved_by,
                           schema_text=_text(schema), ui_text=_text(ui))


@bp.post("/<key>/forms/preview")
@requires("designer", "admin")
def preview(key: str) -> Response:
    schema, ui, fields = _posted()
    if fields is not None:
        schema, ui = _written(schema, ui, fields)
    listed = [f.as_dict() for f in forms_edit.read_fields(schema, ui)] \
        if isinstance(schema, dict) and isinstance(ui, dict) else None
    return _json({"html": _preview_html(schema, ui), "schema": schema, "ui_schema": ui, "fields": listed})


@bp.put("/<key>/forms/<schema_file>")
@requires("designer", "admin")
def save_form(key: str, schema_file: str) -> Response:
    ui_file = _ui_file(schema_file)
    schema, ui, fields = _posted()
    revision = request.get_json(silent=True).get("revision")  # type: ignore[union-attr]
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 0:
        raise BadRequest("revision must be a whole number")
    if fields is not None:
        schema, ui = _written(schema, ui, fields)
    texts = {schema_file: _text(schema), ui_file: _text(ui)}
    problems = _form_problems(texts[schema_file], texts[ui_file])
    if problems:
        raise InvalidData("the form cannot be saved", problems)
    actor = current_actor().username
    with lif().unit_of_work() as db:
        current = drafts.open_draft(db, key)
        saved = drafts.save_draft(db, key, {**current.files, **texts}, revision=revision, actor=actor, now=now())
        found = validating.bundle_problems(db, key, saved.files)
    return _json({"revision": saved.revision, "schema": schema, "ui_schema": ui,
                  "problems": [p for p in found if p.get("file") in (schema_file, ui_file, "")]})


def _conflict_details(details: Any) -> dict[str, Any]:
    """The 409's details with the name of who saved (``updated_by_name``)."""
    if not isinstance(details, dict) or not details.get("updated_by"):
        return details if isinstance(details, dict) else {}
    with lif().reading() as db:
        name = _full_name(db, details["updated_by"])
    when = london_datetime(datetime.fromisoformat(details["updated_at"])) if details.get("updated_at") else None
    return {**details, "updated_by_name": name, "updated_at_words": when}


def _full_name(db: Session, username: str | None) -> str | None:
    if not username:
        return None
    try:
        return directory.user_summary(db, username).full_name or username
    except NotFound:
        return username


def _ordered_json(value: Any) -> str:
    """JSON keeping the documents' key order (Flask's ``jsonify`` and ``tojson`` sort keys, which would reorder a
    form's properties, and so its questions), safe inside a ``<script>`` block."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _json(value: Any) -> Response:
    return Response(_ordered_json(value), mimetype="application/json")


def _ui_file(schema_file: str) -> str:
    if not SCHEMA_FILE.match(schema_file):
        raise NotFound("a form's schema file is named <name>-schema.json")
    return schema_file[:-len(SCHEMA_SUFFIX)] + UI_SUFFIX


def _document(text: str) -> Any:
    """A file as the editor holds it: JSON (with template expressions lifted), or its text when it cannot be."""
    lifted = forms_template.lift(text)
    return lifted if lifted is not None else text


def _text(document: Any) -> str:
    return forms_template.lower(document) if isinstance(document, dict) else str(document)


def _posted() -> tuple[Any, Any, list[forms_edit.FormField] | None]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("send a JSON object with schema and ui_schema")
    schema, ui, fields = body.get("schema"), body.get("ui_schema", {}), body.get("fields")
    if not isinstance(schema, (dict, str)) or not isinstance(ui, (dict, str)):
        raise BadRequest("schema and ui_schema must each be a JSON object (or a template's text)")
    if fields is not None and not (isinstance(fields, list) and all(isinstance(f, dict) for f in fields)):
        raise BadRequest("fields must be a list of fields")
    return schema, ui, [forms_edit.FormField.from_dict(f) for f in fields] if fields is not None else None


def _written(schema: Any, ui: Any, fields: list[forms_edit.FormField]) -> tuple[dict[str, Any], dict[str, Any]]:
    if not isinstance(schema, dict) or not isinstance(ui, dict):
        raise BadRequest("the field list edits only a form held as JSON")
    problems = forms_edit.field_problems(fields)
    if problems:
        raise InvalidData("the field list has problems", [{"field": "fields", "message": p} for p in problems])
    return forms_edit.write_fields(schema, ui, fields)


def _rendered(text: str, what: str) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    try:
        return forms.render_schema(text, forms.SAMPLE_CONTEXT), []
    except forms.FormError as exc:
        return None, [{"field": what, "message": f"The {_WORDS[what]} is {exc}"}]


_WORDS = {"schema": "schema", "ui_schema": "UI schema"}


def _form_problems(schema_text: str, ui_text: str) -> list[dict[str, str]]:
    schema, problems = _rendered(schema_text, "schema")
    ui, ui_problems = _rendered(ui_text, "ui_schema")
    problems += ui_problems
    reason = forms.check_schema(schema) if schema is not None else None
    if reason:
        problems.append({"field": "schema", "message": f"The schema is {reason}"})
    return problems


def _preview_html(schema: Any, ui: Any) -> str:
    rendered, problems = _rendered(_text(schema), "schema")
    rendered_ui, ui_problems = _rendered(_text(ui), "ui_schema")
    problems += ui_problems
    if rendered is not None and not problems:
        reason = forms.check_schema(rendered)
        problems += [{"field": "schema", "message": f"The schema is {reason}"}] if reason else []
    if problems or rendered is None:
        return render_template("designer/form_preview.html", form=None, problems=problems)
    form = forms_render.build_form(rendered, rendered_ui, {})
    return render_template("designer/form_preview.html", form=form, problems=[])
