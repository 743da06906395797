"""Documents the demo and the scenario tests attach to file fields (``{"format": "lif-file"}``): a builder puts
``placeholder("Child P overview report.pdf")`` where a person would choose a file, and ``upload_placeholders``
uploads a small real PDF of that name to the task, as the task page would, and puts the document's id in its
place."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.documents import uploads
from engine.records import Actor

PREFIX = "demo-document:"


def placeholder(name: str) -> str:
    return PREFIX + name


def upload_placeholders(session: Session, task_id: str, payload: dict[str, Any], *, actor: Actor,
                        now: datetime) -> dict[str, Any]:
    """``payload`` with each top-level placeholder replaced by the id of the document uploaded for it."""
    out = dict(payload)
    for field, value in payload.items():
        if isinstance(value, str) and value.startswith(PREFIX):
            name = value[len(PREFIX):]
            info = uploads.upload_document(session, task_id, field, name=name, content_type="application/pdf",
                                           data=sample_pdf(name), actor=actor, now=now)
            out[field] = info.id
    return out


def sample_pdf(title: str) -> bytes:
    """A one-page PDF whose page says ``title`` (enough for a reader to open; the demo's reports are invented)."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")[:80]
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
