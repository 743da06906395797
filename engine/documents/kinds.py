"""The kinds of file a case document may be, told apart by their content (magic bytes, and for office documents
what their zip package declares), never by their name. A file's name must end with one of its kind's extensions
and the type it was sent as must be its kind's (or none, as browsers send for types they do not know): a PNG
named ``report.pdf`` or an executable named ``imr.docx`` is refused, not stored under a false name."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidData
from .packages import UnsafePackage, package_kind


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # for people: "a PDF", "a Word document (DOCX)"
    content_type: str  # what it is stored and sent as
    extensions: tuple[str, ...]
    also_claimed: tuple[str, ...] = ()  # other types browsers send for it


KINDS = {kind.key: kind for kind in (
    Kind("pdf", "a PDF", "application/pdf", (".pdf",), ("application/x-pdf",)),
    Kind("docx", "a Word document (DOCX)",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    Kind("xlsx", "an Excel spreadsheet (XLSX)",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    Kind("odt", "an OpenDocument text (ODT)", "application/vnd.oasis.opendocument.text", (".odt",)),
    Kind("ods", "an OpenDocument spreadsheet (ODS)", "application/vnd.oasis.opendocument.spreadsheet", (".ods",)),
    Kind("png", "a PNG image", "image/png", (".png",)),
    Kind("jpeg", "a JPEG image", "image/jpeg", (".jpg", ".jpeg"), ("image/jpg", "image/pjpeg")),
)}
EXTENSIONS = tuple(ext for kind in KINDS.values() for ext in kind.extensions)
ALLOWED_IN_WORDS = "a PDF, Word (DOCX), Excel (XLSX), OpenDocument (ODT or ODS), PNG or JPEG file"
# what browsers and clients send when they do not know a file's type: no claim, so nothing to disagree with
UNCLAIMED = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/x-download"})
_MAGIC = ((b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"))
_ZIP = b"PK\x03\x04"


def identify(data: bytes) -> Kind | None:
    """The kind ``data`` is, by its content; None for anything else. ``UnsafePackage`` for a zip that would
    expand too far to open."""
    for magic, key in _MAGIC:
        if data.startswith(magic):
            return KINDS[key]
    if data.startswith(_ZIP):
        package = package_kind(data)
        return KINDS[package] if package else None
    return None


def checked_kind(name: str, claimed_type: str | None, data: bytes) -> Kind:
    """The kind of an upload whose name, claimed type and content agree; ``InvalidData`` on the ``file`` field
    saying what is wrong otherwise (in words for the person who chose the file)."""
    if not data:
        raise _refused("The selected file is empty")
    try:
        kind = identify(data)
    except UnsafePackage as exc:
        raise _refused(f"The file cannot be accepted safely: {exc}") from None
    if kind is None:
        raise _refused(f"The selected file must be {ALLOWED_IN_WORDS}")
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in kind.extensions:
        named = f"ends in {extension}" if extension else "has no extension"
        raise _refused(f"The file's name {named} but it is {kind.label}: rename it to end in {kind.extensions[0]}")
    claimed = (claimed_type or "").split(";")[0].strip().lower()
    if claimed not in UNCLAIMED and claimed not in (kind.content_type, *kind.also_claimed):
        raise _refused(f"The file was sent as {claimed[:100]} but it is {kind.label}")
    return kind


def _refused(message: str) -> InvalidData:
    return InvalidData(message, [{"field": "file", "message": message}])
