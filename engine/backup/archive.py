"""The backup file: a tar archive whose first member is the manifest (``lif-backup.json``), then the database copy
(``database.sqlite3`` or ``database.pgdump``), then one member per document file (``documents/<key>``) when the
documents live in a folder. The manifest lists every other member with its size and SHA-256, so a truncated or
damaged file is found before anything is restored."""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import InvalidData

MANIFEST = "lif-backup.json"
FORMAT = "lif-backup"
FORMAT_VERSION = 1
DOCUMENTS = "documents/"
_DOCUMENT = re.compile(r"^documents/[0-9a-f]{32}$")  # a document store key (engine.documents.stores.new_key)
_CHUNK = 1024 * 1024


def database_member(kind: str) -> str:
    return "database.sqlite3" if kind == "sqlite" else "database.pgdump"


@dataclass(frozen=True)
class Manifest:
    created_at: str
    database: str  # "sqlite" or "postgresql"
    schema_revision: str
    row_counts: dict[str, int]
    document_store: str  # "db" or "dir": where the documents' bytes were
    document_files: int
    members: dict[str, dict[str, Any]]  # name -> {"size", "sha256"}

    def to_json(self) -> bytes:
        body = {"format": FORMAT, "format_version": FORMAT_VERSION, "created_at": self.created_at,
                "database": self.database, "schema_revision": self.schema_revision, "row_counts": self.row_counts,
                "documents": {"store": self.document_store, "files": self.document_files}, "members": self.members}
        return json.dumps(body, indent=1, sort_keys=True).encode()


def digest(path: Path) -> dict[str, Any]:
    sha, size = hashlib.sha256(), 0
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return {"size": size, "sha256": sha.hexdigest()}


def write(target: Path, manifest: Manifest, files: dict[str, Path]) -> None:
    """The archive at ``target``, written beside it and moved into place only once complete and on disk, so a
    backup that fails never leaves a file that looks whole under the name asked for."""
    partial = target.with_name(f".{target.name}.partial")
    try:
        with open(partial, "wb") as out:
            with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
                _add_bytes(tar, MANIFEST, manifest.to_json())
                for name, path in files.items():
                    tar.add(str(path), arcname=name, recursive=False)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(partial, 0o600)  # it holds everything the service knows about children
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    tar.addfile(info, io.BytesIO(data))


@contextmanager
def opened(path: Path) -> Iterator[tuple[Manifest, tarfile.TarFile]]:
    """The archive at ``path`` with its manifest, once every member it lists is found whole; ``InvalidData`` with
    one line saying what is wrong otherwise."""
    if not path.is_file():
        raise InvalidData(f"no backup file at {path}")
    try:
        tar = tarfile.open(path, mode="r:")
    except (tarfile.TarError, OSError):
        raise InvalidData(f"{path} is not a LIF backup (it is not an archive)") from None
    with tar:
        manifest = _manifest(tar, path)
        _check_members(tar, manifest, path)
        yield manifest, tar


def _manifest(tar: tarfile.TarFile, path: Path) -> Manifest:
    try:
        member = tar.next()
    except (tarfile.TarError, OSError):
        raise InvalidData(f"{path} is not a LIF backup (it is not an archive)") from None
    if member is None or member.name != MANIFEST:
        raise InvalidData(f"{path} is not a LIF backup (it has no manifest)")
    try:
        body = json.loads(_read(tar, member))
        if body.get("format") != FORMAT:
            raise ValueError
        if int(body["format_version"]) > FORMAT_VERSION:
            raise InvalidData(f"{path} was made by a newer version of LIF (backup format "
                              f"{body['format_version']}; this version reads format {FORMAT_VERSION})")
        documents = body["documents"]
        return Manifest(created_at=str(body["created_at"]), database=str(body["database"]),
                        schema_revision=str(body["schema_revision"]), row_counts=dict(body["row_counts"]),
                        document_store=str(documents["store"]), document_files=int(documents["files"]),
                        members=dict(body["members"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InvalidData(f"{path} is not a LIF backup (its manifest cannot be read)") from None


def _check_members(tar: tarfile.TarFile, manifest: Manifest, path: Path) -> None:
    damaged = f"{path} is damaged or incomplete (was it cut short while copying?)"
    try:
        found = {m.name: m for m in tar.getmembers() if m.name != MANIFEST}
    except (tarfile.TarError, OSError):
        raise InvalidData(damaged) from None
    if set(found) != set(manifest.members):
        raise InvalidData(damaged)
    database = database_member(manifest.database)
    if database not in found or any(name != database and not _DOCUMENT.match(name) for name in found) or \
            not all(member.isreg() for member in found.values()):
        raise InvalidData(f"{path} is not a LIF backup (it holds files a LIF backup does not)")
    for name, expected in manifest.members.items():
        try:
            actual = _stream_digest(tar.extractfile(found[name]))
        except (tarfile.TarError, OSError):
            raise InvalidData(damaged) from None
        if actual != {"size": expected.get("size"), "sha256": expected.get("sha256")}:
            raise InvalidData(damaged)


def _stream_digest(source: IO[bytes] | None) -> dict[str, Any]:
    if source is None:
        raise tarfile.TarError("not a file")
    sha, size = hashlib.sha256(), 0
    while chunk := source.read(_CHUNK):
        sha.update(chunk)
        size += len(chunk)
    return {"size": size, "sha256": sha.hexdigest()}


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    source = tar.extractfile(member)
    if source is None:
        raise ValueError("not a file")
    return source.read()


def extract(tar: tarfile.TarFile, name: str, target: Path) -> None:
    """One member's bytes to ``target`` (never a path taken from the archive)."""
    source = tar.extractfile(tar.getmember(name))
    if source is None:
        raise InvalidData(f"the backup's {name} is not a file")
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        while chunk := source.read(_CHUNK):
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
