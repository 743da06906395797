"""Bundles as zips in spiff-arena's process-model layout: one folder named for the model holding
``process_model.json``, the BPMN and DMN files and the form files side by side (spiff-arena keeps each process
model as such a folder, and imports a model as that folder). Exporting writes that folder; importing accepts it or
the same files at the top of the zip. An upload is checked whole before any file in it is read: its size, the number
of entries, every entry's path and type, and the total size it declares it expands to; then every file is read
through a bounded reader, so a header that lies about a size cannot make it expand further."""
from __future__ import annotations

import io
import json
import re
import stat
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..bundles import definitions
from ..bundles.bpmn_xml import Problem
from ..bundles.parsing import BUNDLE_SUFFIXES
from ..errors import InvalidData, TooLarge
from ..records import DefinitionInfo

MAX_ZIP_BYTES = 8 * 1024 * 1024  # the upload itself (the app refuses a larger body before reading it)
MAX_ENTRIES = 500
MAX_EXPANDED_BYTES = 50 * 1024 * 1024
_CHUNK = 64 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
_IGNORED = ("__MACOSX/",)  # what macOS's archiver adds beside the files
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same version always gives the same bytes


@dataclass(frozen=True)
class ZipBundle:
    key: str  # the key the zip names (its folder, else process_model.json's primary process), possibly ""
    files: dict[str, str]


def export_zip(session: Session, key: str, version: int | None) -> tuple[int, bytes]:
    """The version (latest when None) as a zip: ``(version, bytes)``."""
    row = definitions.get_version(session, key, version)
    return row.version, bundle_zip(key, row.files)


def bundle_zip(key: str, files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(f"{key}/", _ZIP_TIME), b"")
        for name in sorted(files):
            entry = zipfile.ZipInfo(f"{key}/{name}", _ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(entry, files[name].encode("utf-8"))
    return out.getvalue()


def import_zip(session: Session, data: bytes, key: str | None, *, actor: str | None,
               now: datetime) -> tuple[DefinitionInfo, bool]:
    """Deploy the bundle in the zip ``data`` as ``key`` (else the key the zip names), as ``deploy_bundle`` does:
    ``TooLarge`` or ``InvalidData`` (every problem) and nothing written when it cannot."""
    bundle = read_zip(data)
    chosen = (key or "").strip() or bundle.key
    if not chosen:
        raise InvalidData("the zip does not say which process it is",
                          [Problem("", "give the process key: the zip has no folder named for it").as_dict()])
    return definitions.deploy_bundle(session, chosen, bundle.files, actor=actor, now=now)


def read_zip(data: bytes) -> ZipBundle:
    """The files of a bundle zip, checked as the module says. ``TooLarge`` (413) or ``InvalidData`` (422)."""
    if len(data) > MAX_ZIP_BYTES:
        raise TooLarge(f"a bundle zip may be at most {MAX_ZIP_BYTES // (1024 * 1024)} MB")
    if not data:
        raise InvalidData("the upload is empty", [Problem("", "the file is empty: upload a zip").as_dict()])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise InvalidData("not a zip", [Problem("", "the file is not a zip").as_dict()]) from None
    with archive:
        _check_entries(entries)
        texts = _read_entries(archive, [e for e in entries if not e.is_dir() and not e.filename.startswith(_IGNORED)])
    return _layout(texts)


def _check_entries(entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > MAX_ENTRIES:
        raise TooLarge(f"a bundle zip may hold at most {MAX_ENTRIES} entries (this one has {len(entries)})")
    problems = [p for entry in entries if (p := entry_problem(entry))]
    names = [e.filename.rstrip("/") for e in entries]
    problems += [Problem(n, "appears more than once in the zip") for n in sorted({n for n in names
                                                                                  if names.count(n) > 1})]
    if problems:
        raise InvalidData("the zip has unsafe entries", [p.as_dict() for p in problems])
    if not [e for e in entries if not e.is_dir()]:
        raise InvalidData("the zip is empty", [Problem("", "the zip holds no files").as_dict()])
    declared = sum(e.file_size for e in entries)
    if declared > MAX_EXPANDED_BYTES:
        raise TooLarge(f"a bundle zip may expand to at most {MAX_EXPANDED_BYTES // (1024 * 1024)} MB")


def entry_problem(entry: zipfile.ZipInfo) -> Problem | None:
    """Why this entry may not be unpacked, or None."""
    name = entry.filename
    shown = name.encode("unicode_escape").decode("ascii")[:200]
    mode = entry.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if not name or any(ord(c) < 32 for c in name):
        return Problem(shown, "the entry's name is empty or holds control characters")
    if "\\" in name:
        return Problem(shown, "the path uses backslashes")
    if name.startswith("/") or _DRIVE.match(name):
        return Problem(shown, "the path is absolute")
    parts = name.rstrip("/").split("/")
    if any(part in ("..", ".", "") for part in parts):
        return Problem(shown, "the path leaves its folder or has an empty part")
    if kind == stat.S_IFLNK:
        return Problem(shown, "the entry is a link: only files and folders are allowed")
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return Problem(shown, "the entry is not a regular file or folder")
    marked_folder = kind == stat.S_IFDIR or bool(entry.external_attr & 0x10)
    if name.endswith("/") and kind == stat.S_IFREG or not name.endswith("/") and marked_folder:
        return Problem(shown, "the entry's type and name disagree (a folder must end with /)")
    if name.endswith("/") and (entry.file_size or entry.compress_size):
        return Problem(shown, "a folder entry holds data")
    if entry.flag_bits & 0x1:
        return Problem(shown, "the entry is encrypted")
    return None


def _read_entries(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> dict[str, bytes]:
    """Each file's bytes, read at most to its declared size and the zip's whole budget."""
    budget = MAX_EXPANDED_BYTES
    found: dict[str, bytes] = {}
    problems: list[Problem] = []
    for entry in entries:
        try:
            data = _bounded_read(archive, entry, budget)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError, ValueError) as exc:
            problems.append(Problem(entry.filename, f"cannot be read from the zip ({_reason(exc)})"))
            continue
        budget -= len(data)
        found[entry.filename] = data
    if problems:
        raise InvalidData("the zip cannot be read", [p.as_dict() for p in problems])
    return found


def _bounded_read(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, budget: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    with archive.open(entry) as stream:
        while chunk := stream.read(_CHUNK):
            total += len(chunk)
            if total > budget:
                raise TooLarge(f"a bundle zip may expand to at most {MAX_EXPANDED_BYTES // (1024 * 1024)} MB")
            if total > entry.file_size:
                raise ValueError("it expands to more than it declares")
            chunks.append(chunk)
    return b"".join(chunks)


def _reason(exc: Exception) -> str:
    text = str(exc)
    if "CRC" in text or "Bad CRC" in text:
        return "its contents do not match its checksum"
    if "compression" in text.lower():
        return "it uses a compression LIF does not read"
    return text[:200] or "it is damaged"


def _layout(entries: dict[str, bytes]) -> ZipBundle:
    """The files by name, unwrapping one top folder; a key from that folder or process_model.json."""
    names = list(entries)
    tops = {n.split("/", 1)[0] for n in names}
    folder = ""
    if len(tops) == 1 and all("/" in n for n in names):
        folder = tops.pop()
    problems: list[Problem] = []
    files: dict[str, str] = {}
    for name, data in entries.items():
        inner = name[len(folder) + 1:] if folder else name
        if "/" in inner:
            problems.append(Problem(name, "is in a sub-folder: a process model's files sit side by side in one "
                                          "folder (export one process model at a time)"))
        elif inner.startswith(".") or inner in ("Thumbs.db",):
            continue
        elif not inner.endswith(BUNDLE_SUFFIXES):
            problems.append(Problem(inner, "LIF keeps only BPMN, DMN, JSON and Markdown files in a bundle"))
        else:
            try:
                files[inner] = data.decode("utf-8")
            except UnicodeDecodeError:
                problems.append(Problem(inner, "is not UTF-8 text"))
    if problems:
        raise InvalidData(f"the zip has {len(problems)} problem(s)", [p.as_dict() for p in problems])
    return ZipBundle(_key_from(folder, files), files)


def _key_from(folder: str, files: dict[str, str]) -> str:
    candidates = [folder.rsplit(":", 1)[-1]] if folder else []
    candidates.append(_primary_process_id(files))
    for candidate in candidates:
        key = re.sub(r"[^a-z0-9_]+", "_", candidate.strip().lower()).strip("_")
        if key and not key[0].isalpha():
            key = "p_" + key
        if key and definitions.key_problem(key) is None:
            return key
    return ""


def _primary_process_id(files: dict[str, str]) -> str:
    try:
        model: Any = json.loads(files.get("process_model.json") or "{}")
    except ValueError:
        return ""
    value = model.get("primary_process_id") if isinstance(model, dict) else None
    return value if isinstance(value, str) else ""
