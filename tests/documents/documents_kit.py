"""Helpers for the document tests: real files of every allowed kind (and impostors), made in memory with the
standard library, and a case of the ``case_documents`` fixture bundle at its agency reports."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.bundles.parsing import read_bundle_dir

BUNDLE = Path(__file__).resolve().parent / "bundles" / "case_documents"
API = "/api/v1"
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT_TYPE = "application/vnd.oasis.opendocument.text"
ODS_TYPE = "application/vnd.oasis.opendocument.spreadsheet"


def pdf(marker: str = "report") -> bytes:
    body = f"BT /F1 12 Tf 72 712 Td ({marker}) Tj ET".encode()
    return (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
            b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
            b"3 0 obj <</Length " + str(len(body)).encode() + b">> stream\n" + body + b"\nendstream endobj\n"
            b"trailer <</Root 1 0 R>>\n%%EOF\n")


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data))
    header = struct.pack("!IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + \
        chunk(b"IEND", b"")


def jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"


def _zip(entries: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    """The same bytes every time for the same entries (a fixed date on each, not the clock's)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for index, (name, data) in enumerate(entries):
            entry = zipfile.ZipInfo(name, date_time=(2026, 12, 1, 9, 0, 0))
            entry.compress_type = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            package.writestr(entry, data)
    return out.getvalue()


def _content_types(part: str, content_type: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="{part}" ContentType="{content_type}"/></Types>').encode()


def docx(text: str = "IMR", *, body: bytes | None = None) -> bytes:
    document = body if body is not None else f"<w:document><w:body><w:p>{text}</w:p></w:body></w:document>".encode()
    return _zip([("[Content_Types].xml", _content_types(
        "/word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")),
        ("word/document.xml", document)])


def docm() -> bytes:
    """A macro-enabled Word document: its main part declares another type."""
    return _zip([("[Content_Types].xml", _content_types(
        "/word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml")),
        ("word/document.xml", b"<w:document/>"), ("word/vbaProject.bin", b"\x00" * 64)])


def xlsx() -> bytes:
    return _zip([("[Content_Types].xml", _content_types(
        "/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")),
        ("xl/workbook.xml", b"<workbook/>")])


def odt() -> bytes:
    return _zip([("mimetype", ODT_TYPE.encode()), ("content.xml", b"<office:document-content/>")], stored_first=True)


def ods() -> bytes:
    return _zip([("mimetype", ODS_TYPE.encode()), ("content.xml", b"<office:document-content/>")], stored_first=True)


def zip_bomb_docx() -> bytes:
    """A DOCX whose document part expands a thousandfold: 64 MB of zeros in about 64 KB."""
    return docx(body=b"\x00" * (64 * 1024 * 1024))


def plain_zip() -> bytes:
    return _zip([("notes.txt", b"not a document")])


def exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


def html() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


# every allowed kind: (file name, bytes, the type it is stored and sent as)
ALLOWED = {
    "pdf": ("imr.pdf", pdf(), "application/pdf"),
    "docx": ("imr.docx", docx(), DOCX_TYPE),
    "xlsx": ("chronology.xlsx", xlsx(), XLSX_TYPE),
    "odt": ("imr.odt", odt(), ODT_TYPE),
    "ods": ("chronology.ods", ods(), ODS_TYPE),
    "png": ("genogram.png", png(), "image/png"),
    "jpeg": ("genogram.jpg", jpeg(), "image/jpeg"),
}


@dataclass(frozen=True)
class Case:
    instance_id: str
    reports: dict[str, str]  # agency -> its agency report task id


def start_case(api: Any, agencies: tuple[str, ...] = ("police", "csc"), reader: str = "hana", *,
               changed: dict[str, str] | None = None) -> Case:
    """The fixture bundle (with the ``changed`` files) deployed and a case started: one agency report ready per
    agency."""
    api.deploy("case_documents", files={**read_bundle_dir(BUNDLE), **(changed or {})})
    instance = api.start("case_documents", {"agencies": list(agencies), "reader": reader})
    reports = {t["agency"]: t["id"] for t in api.ready(instance, "agency_report")}
    assert set(reports) == set(agencies), instance["tasks"]
    return Case(instance["id"], reports)


def upload(api: Any, task_id: str, who: str, *, field: str = "report", name: str = "imr.pdf",
           data: bytes | None = None, content_type: str | None = None) -> Any:
    """``POST /tasks/<id>/files`` as ``who``; the response."""
    file = (io.BytesIO(pdf() if data is None else data), name) if content_type is None else \
        (io.BytesIO(pdf() if data is None else data), name, content_type)
    return api.client.post(f"{API}/tasks/{task_id}/files", headers=api.headers(who),
                           data={"file": file, "field": field}, content_type="multipart/form-data")


def download(api: Any, document_id: str, who: str, **params: Any) -> Any:
    return api.client.get(f"{API}/files/{document_id}", headers=api.headers(who), query_string=params)
