"""Documents at the web boundary, for the API and the pages alike.

Receiving: an upload is read up to one byte past the limit (so a larger one is refused without reading it all),
checked in a reading unit of work, scanned outside any transaction (a slow scan holds up no one's writes, not even
on SQLite) and stored in a unit of work of its own.

Sending: always as an attachment (never shown inline, where a crafted file could run as a page of this site),
under the type its content proved to be, with ``nosniff`` so no browser guesses another, and a content security
policy that allows nothing at all. The file's name is given twice (RFC 6266): a plain ASCII fallback, and the
real name in UTF-8 (RFC 5987)."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from flask import Flask, Response, request
from werkzeug.datastructures import FileStorage

from engine import clock
from engine.documents import uploads
from engine.documents.records import DocumentFile, DocumentInfo
from engine.documents.settings import document_settings
from engine.records import Actor

from .context import lif

_UNSAFE = re.compile(r"[^A-Za-z0-9._ ()-]+")
NOTHING_ALLOWED = "default-src 'none'; sandbox"
UPLOAD_ENDPOINTS = frozenset({"api.upload_file", "tasks.submit_task"})  # where a document may be posted


def install_upload_limit(app: Flask) -> None:
    """A document upload (multipart, to an endpoint that takes documents) may send up to the document limit and
    the rest of its form; every other request keeps the app's smaller ``MAX_CONTENT_LENGTH``. Past either, the
    body is refused (413) before it is read, answered as the API's error or the pages' error page."""
    limit = lif(app).config.max_upload_request_bytes

    @app.before_request
    def _allow_documents() -> None:
        if request.endpoint in UPLOAD_ENDPOINTS and request.mimetype == "multipart/form-data":
            request.max_content_length = limit


def receive_upload(task_id: str, field: str, sent: FileStorage, *, actor: Actor) -> DocumentInfo:
    """Check, scan and store one uploaded file as the next version of the document in ``field`` of the task."""
    with lif().reading() as session:
        data = sent.stream.read(document_settings(session).max_bytes + 1)
        checked = uploads.check_upload(session, task_id, field, name=sent.filename or "",
                                       content_type=sent.mimetype, data=data, actor=actor)
    uploads.scan_upload(checked)
    with lif().unit_of_work() as session:
        return uploads.store_upload(session, checked, actor=actor, now=clock.now())


def attachment_response(found: DocumentFile) -> Response:
    response = Response(found.content, mimetype=found.version.content_type)
    response.headers["Content-Disposition"] = content_disposition(found.version.name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = NOTHING_ALLOWED
    response.headers["Cache-Control"] = "no-store"
    return response


def content_disposition(name: str) -> str:
    """``attachment; filename="..."; filename*=UTF-8''...``: the ASCII fallback holds letters, digits and
    ``._ ()-`` only (no quote, backslash, semicolon or line break can end the header early)."""
    stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
    fallback = (_ascii(stem).strip(" ._") or "document") + (dot + _ascii(extension) if _ascii(extension) else "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _ascii(text: str) -> str:
    letters = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _UNSAFE.sub("_", letters)


def size_in_words(size: int) -> str:
    """``221 bytes``, ``12 KB``, ``1.2 MB``: a file's size as people read it."""
    if size < 1024:
        return f"{size} byte{'s' if size != 1 else ''}"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
