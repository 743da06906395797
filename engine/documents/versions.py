"""Documents and their versions as records, read in as few queries as a page needs."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.models import Document, DocumentVersion
from .records import DocumentInfo, VersionInfo


def version_info(row: DocumentVersion) -> VersionInfo:
    return VersionInfo(version=row.version, name=row.name, content_type=row.content_type, size=row.size,
                       sha256=row.sha256, uploaded_by=row.uploaded_by, uploaded_at=row.uploaded_at)


def document_info(document: Document, latest: DocumentVersion,
                  versions: Iterable[DocumentVersion] = ()) -> DocumentInfo:
    return DocumentInfo(id=document.id, instance_id=document.instance_id, task_id=document.task_id,
                        field=document.field, latest=version_info(latest),
                        versions=tuple(version_info(v) for v in versions))


def with_versions(session: Session, documents: list[Document]) -> list[DocumentInfo]:
    """Each document with every version, newest first (one query for all of them)."""
    if not documents:
        return []
    rows = session.scalars(select(DocumentVersion).where(DocumentVersion.document_id.in_([d.id for d in documents]))
                           .order_by(DocumentVersion.document_id, DocumentVersion.version.desc()))
    by_document: dict[str, list[DocumentVersion]] = {}
    for row in rows:
        by_document.setdefault(row.document_id, []).append(row)
    return [document_info(d, by_document[d.id][0], by_document[d.id]) for d in documents if by_document.get(d.id)]


def version_of(session: Session, document: Document, number: int | None) -> DocumentVersion | None:
    """Version ``number`` of ``document``, or its newest."""
    wanted = document.latest_version if number is None else number
    return session.scalar(select(DocumentVersion).where(DocumentVersion.document_id == document.id,
                                                        DocumentVersion.version == wanted))
