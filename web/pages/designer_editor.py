"""The process designer's editor: the page that edits a process's draft in the browser (BPMN modeler with LIF's
properties panel, decision tables, the other files of the bundle), and the JSON calls its script makes to open,
save, discard, validate and deploy the draft. The work is ``engine.designer``; these views only translate. Errors
of the JSON calls are ``{"error": {"code", "message", "details"}}`` with the API's statuses."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from marshmallow import ValidationError, fields, validate

from engine.bundles import definitions
from engine.bundles.definitions import key_problem
from engine.bundles.parsing import MAX_BUNDLE_BYTES, MAX_FILES
from engine.designer import drafts, validating
from engine.errors import Conflict, InvalidData, LifError, NotFound, TooLarge
from engine.reads.names import full_names
from engine.text import key_in_words

from ..api.common import body
from ..api.designer import DraftSavedSchema, DraftSchema, ProblemsSchema, RevisionRequest
from ..api.errors import error_response, flatten
from ..api.schemas import Line, Strict
from ..context import lif
from ..errors import status_for
from .common import current_actor, now, requires
from .errors import error_page
from .filters import markdown

bp = Blueprint("designer_editor", __name__, url_prefix="/processes")
MAX_PREVIEW = 100_000

# No count limit here: a draft with too many files is the engine's 413, not a field error.
FILES = fields.Dict(keys=Line(validate=validate.Length(min=1, max=200)), values=fields.String(), required=True)


class FilesBody(Strict):
    files = FILES


class DraftBody(Strict):
    files = FILES
    revision = fields.Integer(required=True, validate=validate.Range(0, 2**31 - 1))
    base_version = fields.Integer(allow_none=True, validate=validate.Range(1, 2**31 - 1))


class PreviewBody(Strict):
    text = fields.String(required=True, validate=validate.Length(max=MAX_PREVIEW))


@bp.errorhandler(LifError)
def _engine_error(exc: LifError) -> Any:
    status = status_for(exc)
    if request.endpoint == "designer_editor.edit":
        return error_page(status, None if status in (403, 404, 503) else exc.message)
    return error_response(status, exc.code, exc.message, exc.details)


@bp.errorhandler(ValidationError)
def _invalid(exc: ValidationError) -> tuple[Response, int]:
    return error_response(422, "invalid", "the request has invalid fields", flatten(exc.messages))


def _files(loaded: dict[str, Any]) -> dict[str, str]:
    files: dict[str, str] = loaded["files"]
    if len(files) > MAX_FILES or sum(len(text.encode()) for text in files.values()) > MAX_BUNDLE_BYTES:
        raise TooLarge(f"a draft may hold at most {MAX_FILES} files and {MAX_BUNDLE_BYTES} bytes")
    return files


@bp.get("/new")
@requires("designer", "admin")
def new_process() -> Any:
    """The "New process" form of the processes page: a key, then the editor with a starter bundle."""
    key = request.args.get("key", "").strip()
    problem = key_problem(key) if key else "Enter a key for the new process"
    if problem:
        flash(f"The new process was not created: {problem}", "error")
        return redirect(url_for("designer.processes"))
    return redirect(url_for("designer_editor.edit", key=key))


@bp.get("/<key>/edit")
@requires("designer", "admin")
def edit(key: str) -> str:
    if key_problem(key):
        raise NotFound(f"no process {key!r}")
    with lif().reading() as session:
        draft = drafts.open_draft(session, key)
        saved_by = full_names(session, [draft.updated_by]).get(draft.updated_by or "", draft.updated_by)
        name = next((d.name for d in definitions.list_latest(session) if d.key == key), None)
    # The check and form editor pages belong to other blueprints, which may not be installed: paths, not url_for.
    base = f"{request.script_root}{bp.url_prefix}/{key}"
    return render_template("designer/editor.html", key=key, name=name or key_in_words(key), draft=draft,
                           saved_by=saved_by, check_url=f"{base}/draft/check", forms_url=f"{base}/forms")


@bp.get("/<key>/draft.json")
@requires("designer", "admin")
def get_draft(key: str) -> Response:
    with lif().reading() as session:
        draft = drafts.open_draft(session, key)
    return jsonify(DraftSchema().dump(draft))


@bp.put("/<key>/draft.json")
@requires("designer", "admin")
def save_draft(key: str) -> Response:
    loaded = body(DraftBody())
    files = _files(loaded)
    with lif().unit_of_work() as session:
        draft = drafts.save_draft(session, key, files, revision=loaded["revision"],
                                  actor=current_actor().username, now=now(),
                                  base_version=loaded.get("base_version", drafts.UNSAID))
        problems = validating.bundle_problems(session, key, draft.files)
    return jsonify(DraftSavedSchema(only=("revision", "updated_by", "updated_at", "problems"))
                   .dump({**draft.__dict__, "problems": problems}))


@bp.delete("/<key>/draft.json")
@requires("designer", "admin")
def discard_draft(key: str) -> tuple[str, int]:
    with lif().unit_of_work() as session:
        drafts.discard_draft(session, key, actor=current_actor().username, now=now())
    return "", 204


@bp.post("/<key>/draft/validate")
@requires("designer", "admin")
def validate_draft(key: str) -> Response:
    files = _files(body(FilesBody()))
    if key_problem(key):
        raise InvalidData("invalid process key", [{"field": "key", "message": key_problem(key)}])
    with lif().reading() as session:
        problems = validating.bundle_problems(session, key, files)
    return jsonify(ProblemsSchema().dump({"problems": problems}))


@bp.post("/<key>/draft/deploy")
@requires("designer", "admin")
def deploy_draft(key: str) -> tuple[Response, int]:
    revision = body(RevisionRequest())["revision"]
    with lif().unit_of_work() as session:
        info, created = drafts.deploy_draft(session, key, revision=revision, actor=current_actor().username,
                                            now=now())
    url = url_for("designer.process", key=info.key, version=info.version)
    return jsonify({"key": info.key, "version": info.version, "url": url}), 201 if created else 200


@bp.post("/<key>/instructions/preview")
@requires("designer", "admin")
def preview_instructions(key: str) -> Response:
    """A task's instructions drawn as the task page draws their Markdown (sanitised); Jinja stays as written."""
    return jsonify({"html": str(markdown(body(PreviewBody())["text"]))})


@bp.post("/open")
@requires("designer", "admin")
def open_files() -> Any:
    """"Open files in the editor" on the processes page: another tool's export (or any bundle files) put into the
    draft of the key given, then the editor. Nothing is deployed; what cannot run here is for Validate to list."""
    key = request.form.get("key", "").strip()
    problem = key_problem(key) if key else "Enter a key for the process"
    if problem:
        flash(f"The files were not opened: {problem}", "error")
        return redirect(url_for("designer.processes"))
    return _add_uploads(key, back=url_for("designer.processes"))


@bp.post("/<key>/draft/files")
@requires("designer", "admin")
def add_files(key: str) -> Any:
    """"Add files to this draft" on the editor page."""
    if key_problem(key):
        raise NotFound(f"no process {key!r}")
    return _add_uploads(key, back=url_for("designer_editor.edit", key=key))


def _add_uploads(key: str, *, back: str) -> Any:
    uploads = [u for u in request.files.getlist("files") if u.filename][:MAX_FILES + 1]
    if not uploads:
        flash("The files were not opened: choose one or more files", "error")
        return redirect(back)
    try:
        files = {(u.filename or "").replace("\\", "/").rsplit("/", 1)[-1]: u.read().decode("utf-8") for u in uploads}
    except UnicodeDecodeError:
        flash("The files were not opened: every file must be text in UTF-8 (BPMN, DMN, JSON or Markdown)", "error")
        return redirect(back)
    try:
        with lif().unit_of_work() as session:
            drafts.add_files(session, key, files, actor=current_actor().username, now=now())
    except (InvalidData, TooLarge, Conflict) as exc:
        reasons = "; ".join(str(d.get("message")) for d in exc.details if isinstance(d, dict)) \
            if isinstance(exc.details, list) else ""
        flash(f"The files were not opened: {exc.message}{': ' + reasons if reasons else ''}", "error")
        return redirect(back)
    names = ", ".join(sorted(files))
    flash(f"{names} {'is' if len(files) == 1 else 'are'} in the draft. Validate lists what cannot run here.",
          "success")
    return redirect(url_for("designer_editor.edit", key=key))
