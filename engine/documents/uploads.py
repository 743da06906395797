"""Uploading a document to a file field of a ready task, by someone who may do the task: a new document, or a
new version of the one the task's field already holds (every version is kept, with who sent it and when). The
field's id does not change between versions, and the task's draft holds it.

An upload is checked (who, which field, the name, the size, what the content is) in ``check_upload``, scanned
(``scan_upload``, when clamd is configured) and stored (``store_upload``), in that order: nothing is stored
until it has passed every check. A caller that can keep the database waiting through the scan uses
``upload_document``, all three in one unit of work; the web app checks in a reading unit of work and stores in
a second one, so a scan never holds SQLite's write lock. Uploads are audited with the document's id, the
field and the version number only, never the file's name (names can be personal)."""
from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InvalidData, TooLarge
from ..reads import queries, task_forms
from ..records import Actor
from ..store import audit
from ..store.models import Document, DocumentVersion, HumanTask, new_id
from ..text import problem as text_problem
from . import fields, kinds, scanning, stores
from .records import DocumentInfo
from .settings import DocumentSettings, document_settings
from .versions import document_info

MAX_NAME_LENGTH = 255


@dataclass(frozen=True)
class Upload:
    """An upload that passed every check but the scan: what ``store_upload`` stores."""
    task_id: str
    field: str
    name: str
    kind: kinds.Kind
    data: bytes
    sha256: str
    settings: DocumentSettings


def upload_document(session: Session, task_id: str, field: str, *, name: str, content_type: str | None,
                    data: bytes, actor: Actor, now: datetime) -> DocumentInfo:
    upload = check_upload(session, task_id, field, name=name, content_type=content_type, data=data, actor=actor)
    scan_upload(upload)
    return store_upload(session, upload, actor=actor, now=now)


def check_upload(session: Session, task_id: str, field: str, *, name: str, content_type: str | None,
                 data: bytes, actor: Actor) -> Upload:
    """The upload, checked: 404 for a task ``actor`` may not see, 409 unless it is ready, 403 unless they may
    do it; 422 for a field that is not a file field of its form or a file whose name, claimed type and content
    disagree or are not allowed; 413 for a file over the limit."""
    settings = document_settings(session)
    row, instance = queries.ready_task_to_do(session, actor, task_id)
    if not fields.is_file_field(task_forms.form_of(session, row, instance).schema, field):
        message = "is not a file field of this task's form"
        raise InvalidData(f"the field {message}", [{"field": "field", "message": message}])
    if len(data) > settings.max_bytes:
        limit = f"{settings.max_bytes / (1024 * 1024):g} MB"
        raise TooLarge(f"The selected file must be smaller than {limit}",
                       [{"field": "file", "message": f"The selected file must be smaller than {limit}"}])
    name = checked_name(name)
    kind = kinds.checked_kind(name, content_type, data)
    return Upload(task_id=row.id, field=field, name=name, kind=kind, data=data,
                  sha256=hashlib.sha256(data).hexdigest(), settings=settings)


def scan_upload(upload: Upload) -> None:
    """Refuse a file clamd finds a virus in (422, naming the signature); 503 when clamd cannot say."""
    if not upload.settings.clamd:
        return
    signature = scanning.scan(upload.settings.clamd, upload.data, timeout_s=upload.settings.scan_timeout_s)
    if signature is not None:
        message = f"The file contains a virus ({signature})"
        raise InvalidData(message, [{"field": "file", "message": message}])


def store_upload(session: Session, upload: Upload, *, actor: Actor, now: datetime) -> DocumentInfo:
    """Store a checked (and scanned) upload as the next version of its task's field's document. The task is
    locked and checked again first: it may have been completed or taken by someone else meanwhile."""
    row, instance = queries.ready_task_to_do(session, actor, upload.task_id)
    session.refresh(row, with_for_update=True)  # two uploads to one task queue here (PostgreSQL)
    row, instance = queries.ready_task_to_do(session, actor, upload.task_id)
    document = session.scalar(select(Document).where(Document.task_id == row.id, Document.field == upload.field))
    if document is None:
        document = Document(id=new_id(), instance_id=instance.id, task_id=row.id, field=upload.field,
                            latest_version=0, created_at=now)
        session.add(document)
    key = stores.new_key()
    upload.settings.store.put(session, key, upload.data)
    document.latest_version += 1
    version = DocumentVersion(document_id=document.id, version=document.latest_version, name=upload.name,
                              content_type=upload.kind.content_type, size=len(upload.data), sha256=upload.sha256,
                              blob_key=key, uploaded_by=actor.username, uploaded_at=now)
    session.add(version)
    _hold_in_draft(row, upload.field, document.id)
    audit.record(session, "document.uploaded", actor=actor.username, now=now, instance_id=instance.id,
                 task_id=row.id, document_id=document.id, field=upload.field, version=version.version)
    session.flush()
    return document_info(document, version)


def checked_name(name: str) -> str:
    """The file's own name, without the folders some browsers send (``C:\\fakepath\\imr.pdf``): one line, no
    control characters, at most 255 characters (keeping its extension)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    problem = text_problem(base)
    if not base or problem:
        message = "The file's name must be one line of text" if problem else "The selected file has no name"
        raise InvalidData(message, [{"field": "file", "message": message}])
    if len(base) > MAX_NAME_LENGTH:
        stem, dot, extension = base.rpartition(".")
        base = stem[: MAX_NAME_LENGTH - len(extension) - 1] + dot + extension if dot and len(extension) < 10 \
            else base[:MAX_NAME_LENGTH]
    return base


def _hold_in_draft(row: HumanTask, field: str, document_id: str) -> None:
    """The task's draft holds the document's id in its field (a draft is made from what the task shows)."""
    draft = copy.deepcopy(row.draft if row.draft is not None else (row.data or {}))
    if fields.set_value(draft, field, document_id):
        row.draft = draft
