"""Office documents are zip packages: DOCX and XLSX (Office Open XML: ``[Content_Types].xml`` names the main
part, ``word/document.xml`` or ``xl/workbook.xml``) and ODT and ODS (OpenDocument: a ``mimetype`` entry holds
the type). ``package_kind`` tells which one a zip is, reading it in memory only.

A zip can claim to expand a thousandfold (a "zip bomb"): whoever opens the document later, a reviewer's word
processor or an indexer, would pay for it. So the entries' declared sizes are checked before anything is read
(how many, how large in all, how far each expands), and only the two small entries that say what the package
is are decompressed, each up to a few bytes past its cap. An entry cannot expand past its declared size while
it is read: ``zipfile`` stops at that size and checks the CRC, so a size that lies is a broken zip.
"""
from __future__ import annotations

import io
import zipfile
import zlib

from ..bundles.bpmn_xml import XmlRefused, parse_xml

MAX_ENTRIES = 10_000
MAX_EXPANDED_BYTES = 256 * 1024 * 1024  # what all the entries may expand to, together
MAX_RATIO = 400  # how far one entry larger than RATIO_FLOOR may expand (XML compresses up to about 50-fold)
RATIO_FLOOR = 1024 * 1024
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
OOXML_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
OOXML_MAIN = {  # kind: (the main part, its content type)
    "docx": ("/word/document.xml",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xlsx": ("/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
}
ODF_TYPES = {"application/vnd.oasis.opendocument.text": "odt",
             "application/vnd.oasis.opendocument.spreadsheet": "ods"}


class UnsafePackage(Exception):
    """A zip that would expand too far to be opened safely; the message says how, for the person uploading."""


def package_kind(data: bytes) -> str | None:
    """``docx``, ``xlsx``, ``odt`` or ``ods`` for a package of that kind; None for any other zip or a broken one.
    ``UnsafePackage`` when it would expand too far."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            entries = package.infolist()
            check_expansion(entries)
            names = {entry.filename for entry in entries}
            if "mimetype" in names:
                return ODF_TYPES.get(_read(package, "mimetype", 200).decode("ascii", "replace").strip())
            if "[Content_Types].xml" in names:
                return _ooxml_kind(_read(package, "[Content_Types].xml", MAX_CONTENT_TYPES_BYTES), names)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError,
            ValueError, zlib.error):
        return None  # not a zip, encrypted, an unknown compression, a bad CRC: not a document we take
    return None


def check_expansion(entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > MAX_ENTRIES:
        raise UnsafePackage(f"it holds more than {MAX_ENTRIES:,} parts")
    if sum(entry.file_size for entry in entries) > MAX_EXPANDED_BYTES:
        raise UnsafePackage(f"it would expand to more than {MAX_EXPANDED_BYTES // (1024 * 1024)} MB")
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise ValueError("encrypted")
        if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise UnsafePackage(f"a part of it would expand more than {MAX_RATIO}-fold")


def _read(package: zipfile.ZipFile, name: str, cap: int) -> bytes:
    with package.open(name) as entry:
        content = entry.read(cap + 1)
    if len(content) > cap:
        raise ValueError(f"{name} is larger than {cap} bytes")
    return content


def _ooxml_kind(content_types: bytes, names: set[str]) -> str | None:
    """The kind whose main part ``[Content_Types].xml`` declares, with that part present. A macro-enabled
    document (``.docm``, ``.xlsm``) declares another type for it, and so is not taken."""
    try:
        root = parse_xml(content_types, "[Content_Types].xml")
    except XmlRefused:
        return None
    overrides = root.iter(f"{{{OOXML_TYPES}}}Override")
    declared = {(o.get("PartName") or "").lower(): o.get("ContentType") for o in overrides}
    for kind, (part, content_type) in OOXML_MAIN.items():
        if declared.get(part) == content_type and part.lstrip("/") in names:
            return kind
    return None
