"""Frozen records of documents, for ``web``: never ORM rows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class VersionInfo:
    version: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True)
class DocumentInfo:
    """A document and its newest version; ``versions`` lists every version, newest first, where asked for."""
    id: str
    instance_id: str
    task_id: str
    field: str
    latest: VersionInfo
    versions: tuple[VersionInfo, ...] = ()


@dataclass(frozen=True)
class DocumentFile:
    """A version of a document with its bytes, for a download."""
    document: DocumentInfo
    version: VersionInfo
    content: bytes
