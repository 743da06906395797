"""Documents on the pages, without JavaScript: ``/files/<id>`` downloads one (the newest version, or
``?version=N``) for a signed-in user whose view of the case holds it, and the task form's file fields upload
through the form's own post (``store_chosen_files``, called by ``tasks.submit_task``)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, request
from werkzeug.wrappers import Response

from engine.documents import reading
from engine.documents.kinds import ALLOWED_IN_WORDS, EXTENSIONS
from engine.documents.records import DocumentInfo
from engine.errors import InvalidData, ServiceUnavailable, TooLarge

from .. import forms_render
from ..context import lif
from ..documents import attachment_response, receive_upload, size_in_words
from ..errors import status_for
from .common import back, bounded_int, current_actor, done, now, signed_in

bp = Blueprint("files", __name__)


@bp.get("/files/<document_id>")
@signed_in
def download(document_id: str) -> Response:
    version = bounded_int(request.args.get("version"), 1, 2**31 - 1)
    with lif().unit_of_work() as db:  # a download is audited
        found = reading.open_document(db, document_id, actor=current_actor(), now=now(), version=version)
    return attachment_response(found)


@bp.record_once
def _install(state: Any) -> None:
    """The words the file fields use, for every template (the form's macros are imported without context)."""
    app: Flask = state.app
    limit = lif(app).config.max_upload_bytes
    app.jinja_env.filters["file_size"] = size_in_words
    app.jinja_env.globals.update(upload_accept=",".join(EXTENSIONS),
                                 upload_hint=f"Upload {ALLOWED_IN_WORDS}, up to {size_in_words(limit)}")


def store_chosen_files(task_id: str, schema: dict[str, Any], files: Any) -> tuple[
        list[tuple[str, DocumentInfo]], list[dict[str, Any]], int]:
    """Store each file chosen in the task form's file inputs. Returns what was stored (each field's path and its
    document), the problems of the files refused (for the form's error summary, each on its field) and the
    status to answer with when there are any (413 too large, 422 refused, 503 the scanner unavailable)."""
    stored, problems, statuses = [], [], []
    for path, sent in forms_render.chosen_files(schema, files):
        try:
            stored.append((path, receive_upload(task_id, path, sent, actor=current_actor())))
        except (InvalidData, TooLarge, ServiceUnavailable) as exc:
            details = exc.details or [{"message": exc.message}]
            message = str(details[0].get("message") or exc.message)
            if isinstance(exc, ServiceUnavailable):
                message = "The file could not be checked for viruses just now, so it was not uploaded. Try again later"
            problems.append({"field": path, "message": message, "keyword": forms_render.UPLOAD_KEYWORD})
            statuses.append(status_for(exc))
    return stored, problems, (statuses[0] if statuses else 200)


def file_action_done(task_id: str, action: str, stored: list[tuple[str, DocumentInfo]],
                     page: dict[str, Any] | None = None) -> Response:
    """Back to the task's page after an "Upload" or "Remove" button (``page``: the endpoint and its arguments, for a
    long form's section; the task page by default), at the field, saying what happened."""
    where = page or {"endpoint": "tasks.task_page", "task_id": task_id}
    path = action.split(":", 1)[1]
    if action.startswith(forms_render.REMOVE_FILE):
        message = "The file has been removed from the form. Its earlier versions stay listed under Documents"
    elif stored:
        message = " and ".join(f"‘{document.latest.name}’" for _, document in stored) + \
            (" has" if len(stored) == 1 else " have") + " been uploaded"
    else:
        message = "Choose a file to upload"
        return back(message, **where, _anchor=forms_render.field_id(path))
    return done(message, **where, _anchor=forms_render.field_id(path))
