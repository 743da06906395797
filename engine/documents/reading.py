"""Who may download a document, following the data views: coordinators, chairs (and the scrutineer) for any
case; anyone else only when the document's id is in what they may see of its case (``participant_view``: the
tasks they took part in, their agency's, their own answers), or it is on a ready task they may do. For everyone
else it does not exist (404, never 403: another agency's document is not theirs to know of). Admins and
designers see no case data, so never a document. Every download is audited with the document's id, the field
and the version, never the file's name."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..reads import queries
from ..reads.access import may_do
from ..records import Actor
from ..states import TaskState
from ..store import audit
from ..store.models import Document, HumanTask, ProcessInstance
from .records import DocumentFile, DocumentInfo
from .settings import document_settings
from .versions import document_info, version_of, with_versions

MAX_DEPTH = 32


def open_document(session: Session, document_id: str, *, actor: Actor, now: datetime,
                  version: int | None = None) -> DocumentFile:
    """A version of a document (the newest by default) with its bytes, for ``actor``; ``NotFound`` when it does
    not exist or is not theirs to see."""
    document = session.get(Document, document_id)
    if document is None or not may_download(session, document, actor):
        raise NotFound(f"no document {document_id!r}")
    row = version_of(session, document, version)
    if row is None:
        raise NotFound(f"no version {version} of document {document_id!r}")
    content = document_settings(session).store.get(session, row.blob_key)
    audit.record(session, "document.downloaded", actor=actor.username, now=now, instance_id=document.instance_id,
                 task_id=document.task_id, document_id=document.id, field=document.field, version=row.version)
    info = document_info(document, row)
    return DocumentFile(document=info, version=info.latest, content=content)


def task_documents(session: Session, task_id: str, *, actor: Actor) -> list[DocumentInfo]:
    """The documents of a task ``actor`` may see (404 otherwise) that they may download, each with every
    version, newest first, in the order they were first uploaded."""
    row = queries.visible_task_row(session, actor, task_id)
    documents = list(session.scalars(select(Document).where(Document.task_id == row.id)
                                     .order_by(Document.created_at, Document.field)))
    if documents and not actor.sees_everything and not _may_do_ready(row, actor):
        seen = _ids_seen(session, documents[0].instance_id, actor)
        documents = [d for d in documents if d.id in seen]
    return with_versions(session, documents)


def may_download(session: Session, document: Document, actor: Actor) -> bool:
    if actor.sees_everything:
        return True
    task = session.get(HumanTask, document.task_id)
    if task is not None and _may_do_ready(task, actor):
        return True
    return document.id in _ids_seen(session, document.instance_id, actor)


def _may_do_ready(task: HumanTask, actor: Actor) -> bool:
    return task.state == TaskState.READY and may_do(actor, task)


def _ids_seen(session: Session, instance_id: str, actor: Actor) -> set[str]:
    """Every string in what ``actor`` may see of the case: the ids of the documents in their view among them."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        return set()
    return set(_strings(queries.participant_view(session, instance, actor)))


def _strings(value: Any, depth: int = 0) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif depth < MAX_DEPTH and isinstance(value, dict):
        for item in value.values():
            yield from _strings(item, depth + 1)
    elif depth < MAX_DEPTH and isinstance(value, list):
        for item in value:
            yield from _strings(item, depth + 1)
