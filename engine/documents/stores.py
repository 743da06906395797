"""Where documents' bytes live, behind one small interface: ``put``, ``get`` and ``delete`` by key, inside the
caller's unit of work. Two stores: the database (``DatabaseStore``, the default: a ``document_blob`` row, on SQLite
and PostgreSQL alike) and a directory (``DirectoryStore``, ``LIF_DOCUMENT_STORE=dir:/path``).

A directory is not transactional, so the directory store follows the session's transaction: a file written in a
unit of work that rolls back is removed again, and a file deleted in one is removed only once it commits (a
disposal that fails half-way leaves every file where it was). An S3-compatible store can follow behind the same
interface, tested against a real server."""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Protocol

from sqlalchemy import delete, event, insert, select
from sqlalchemy.orm import Session, SessionTransaction

from ..errors import NotFound
from ..store.models import DocumentBlob

_KEY = re.compile(r"^[0-9a-f]{32}$")
_WRITTEN = "lif.documents.written"  # files put in this transaction: removed if it rolls back
_DOOMED = "lif.documents.doomed"  # files deleted in this transaction: removed once it commits


class BlobStore(Protocol):
    def put(self, session: Session, key: str, data: bytes) -> None: ...

    def get(self, session: Session, key: str) -> bytes: ...

    def delete(self, session: Session, key: str) -> None: ...


def new_key() -> str:
    return uuid.uuid4().hex


def store_from(spec: str) -> BlobStore:
    """The store ``LIF_DOCUMENT_STORE`` names: ``db`` or ``dir:/path``."""
    if spec in ("", "db"):
        return DatabaseStore()
    if spec.startswith("dir:") and spec[4:].strip():
        return DirectoryStore(Path(spec[4:].strip()))
    raise ValueError(f"LIF_DOCUMENT_STORE must be 'db' or 'dir:/path', not {spec!r}")


class DatabaseStore:
    """Bytes in the ``document_blob`` table, in the caller's transaction."""

    def put(self, session: Session, key: str, data: bytes) -> None:
        session.execute(insert(DocumentBlob).values(key=_checked(key), content=data))

    def get(self, session: Session, key: str) -> bytes:
        content = session.scalar(select(DocumentBlob.content).where(DocumentBlob.key == _checked(key)))
        if content is None:
            raise NotFound("the document's content is missing from the store")
        return bytes(content)

    def delete(self, session: Session, key: str) -> None:
        session.execute(delete(DocumentBlob).where(DocumentBlob.key == _checked(key)))

    def __repr__(self) -> str:
        return "DatabaseStore()"


class DirectoryStore:
    """Bytes in files under ``root`` (``ab/abcdef...``), readable by the server's user only."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, key: str) -> Path:
        key = _checked(key)
        return self.root / key[:2] / key

    def put(self, session: Session, key: str, data: bytes) -> None:
        path = self.path_of(key)
        session.connection()  # in a transaction, so that its end removes the file unless it commits
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
        session.info.setdefault(_WRITTEN, []).append(path)

    def get(self, session: Session, key: str) -> bytes:
        try:
            return self.path_of(key).read_bytes()
        except FileNotFoundError:
            raise NotFound("the document's content is missing from the store") from None

    def delete(self, session: Session, key: str) -> None:
        path = self.path_of(key)
        session.connection()  # in a transaction, whose commit removes the file
        session.info.setdefault(_DOOMED, []).append(path)

    def __repr__(self) -> str:
        return f"DirectoryStore({str(self.root)!r})"


def _checked(key: str) -> str:
    if not _KEY.match(key):  # a key is ours (new_key), never a path someone could steer
        raise ValueError(f"not a document store key: {key[:40]!r}")
    return key


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _on_commit(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    _remove(session.info.pop(_DOOMED, []))


@event.listens_for(Session, "after_transaction_end")
def _on_end(session: Session, transaction: SessionTransaction) -> None:
    """The transaction ended without a commit (rolled back, or its session closed): what it wrote goes, what
    it deleted stays. After a commit, ``_on_commit`` has already taken both lists."""
    if transaction.parent is None:
        session.info.pop(_DOOMED, None)
        _remove(session.info.pop(_WRITTEN, []))
