"""Documents sent to a browser or client, by the API and the pages alike: always as an attachment (never shown
inline, where a crafted file could run as a page of this site), under the type its content proved to be, with
``nosniff`` so no browser guesses another, and a content security policy that allows nothing at all. The
file's name is given twice (RFC 6266): a plain ASCII fallback, and the real name in UTF-8 (RFC 5987)."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from flask import Response

from engine.documents.records import DocumentFile

_UNSAFE = re.compile(r"[^A-Za-z0-9._ ()-]+")
NOTHING_ALLOWED = "default-src 'none'; sandbox"


def attachment_response(found: DocumentFile) -> Response:
    response = Response(found.content, mimetype=found.version.content_type)
    response.headers["Content-Disposition"] = content_disposition(found.version.name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = NOTHING_ALLOWED
    response.headers["Cache-Control"] = "no-store"
    return response


def content_disposition(name: str) -> str:
    """``attachment; filename="..."; filename*=UTF-8''...``: the ASCII fallback holds letters, digits and
    ``._ ()-`` only (no quote, backslash, semicolon or line break can end the header early)."""
    stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
    fallback = (_ascii(stem).strip(" ._") or "document") + (dot + _ascii(extension) if _ascii(extension) else "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _ascii(text: str) -> str:
    letters = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _UNSAFE.sub("_", letters)
