"""Disposal's one call into documents: every document of a case, every version and every stored byte, erased.
The audit trail keeps that it happened (how many documents and versions), never what they were."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..errors import Forbidden
from ..records import Actor
from ..store import audit
from ..store.models import Document, DocumentVersion
from .settings import document_settings


def erase_case_documents(session: Session, instance_id: str, *, actor: Actor, now: datetime) -> int:
    """Erase every document of case ``instance_id`` with its versions and their bytes, in the caller's unit of
    work (a directory store removes its files once it commits); returns how many documents there were."""
    if not actor.has("coordinator"):
        raise Forbidden("erasing a case's documents needs the coordinator role")
    store = document_settings(session).store
    documents = list(session.scalars(select(Document.id).where(Document.instance_id == instance_id)))
    keys = list(session.scalars(select(DocumentVersion.blob_key)
                                .where(DocumentVersion.document_id.in_(documents)))) if documents else []
    for key in keys:
        store.delete(session, key)
    if documents:
        session.execute(delete(DocumentVersion).where(DocumentVersion.document_id.in_(documents)))
        session.execute(delete(Document).where(Document.instance_id == instance_id))
    audit.record(session, "documents.erased", actor=actor.username, now=now, instance_id=instance_id,
                 documents=len(documents), versions=len(keys))
    session.flush()
    return len(documents)
