"""What a file is, by its content: every allowed kind recognised, every impostor and unsafe package refused, and a
form's file fields found wherever the schema puts them."""
from __future__ import annotations

import io
import zipfile

import pytest

from engine.documents import fields, kinds, packages
from engine.errors import InvalidData

from .documents_kit import ALLOWED, _content_types, _zip, docx, odt, pdf, zip_bomb_docx


@pytest.mark.parametrize("kind", sorted(ALLOWED))
def test_each_allowed_kind_is_known_by_its_content(kind):
    name, data, content_type = ALLOWED[kind]
    assert kinds.identify(data).key == kind
    assert kinds.checked_kind(name.upper(), content_type, data).content_type == content_type  # .PDF as well


@pytest.mark.parametrize("data", [
    b"", b"%PDF", b"GIF89a....", b"\x7fELF\x02\x01", b"PK\x03\x04 truncated", docx()[:200],
    _zip([("[Content_Types].xml", _content_types("/word/document.xml", "x")), ("word/document.xml", b"<w/>")]),
    _zip([("[Content_Types].xml", _content_types(
        "/word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"))]),
    _zip([("[Content_Types].xml", b'<!DOCTYPE x [<!ENTITY e "e">]><Types/>'), ("word/document.xml", b"<w/>")]),
    _zip([("mimetype", b"application/epub+zip"), ("content.xml", b"<x/>")], stored_first=True),
], ids=["empty", "short pdf", "gif", "elf", "broken zip", "truncated docx", "wrong main type", "no main part",
        "a DOCTYPE", "epub"])
def test_anything_else_is_no_kind(data):
    assert kinds.identify(data) is None


def test_an_encrypted_package_is_no_kind():
    data = bytearray(odt())
    data[6] |= 0x1  # the first local header's "encrypted" flag
    central = data.rfind(b"PK\x01\x02")
    while central >= 0:  # and every central directory entry's
        data[central + 8] |= 0x1
        central = data.rfind(b"PK\x01\x02", 0, central)
    assert kinds.identify(bytes(data)) is None


def test_a_package_that_expands_too_far_is_unsafe():
    with pytest.raises(packages.UnsafePackage, match="400-fold"):
        kinds.identify(zip_bomb_docx())


def _entry(name: str, size: int, compressed: int) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name)
    entry.file_size, entry.compress_size = size, compressed
    return entry


def test_the_declared_sizes_are_checked_before_anything_is_read():
    mb = 1024 * 1024
    packages.check_expansion([_entry(f"p{i}", 10 * mb, mb) for i in range(25)])  # 250 MB in all, tenfold
    with pytest.raises(packages.UnsafePackage, match="256 MB"):
        packages.check_expansion([_entry(f"p{i}", 10 * mb, mb) for i in range(26)])
    with pytest.raises(packages.UnsafePackage, match="parts"):
        packages.check_expansion([_entry(f"p{i}", 1, 1) for i in range(packages.MAX_ENTRIES + 1)])
    packages.check_expansion([_entry("small", mb, 1)])  # a small part may compress as far as it likes
    with pytest.raises(packages.UnsafePackage, match="fold"):
        packages.check_expansion([_entry("big", 2 * mb, 2 * mb // 401)])


def test_a_package_lying_about_its_size_is_broken_not_read_past_it():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("mimetype", b"application/vnd.oasis.opendocument.text" + b" " * 100_000)
    data = bytearray(out.getvalue())
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (39).to_bytes(4, "little")  # claims 39 bytes
    data[22:26] = (39).to_bytes(4, "little")
    assert kinds.identify(bytes(data)) is None


@pytest.mark.parametrize("name, claimed, refused", [
    ("imr.pdf", "application/pdf", False), ("imr.pdf", "", False), ("imr.pdf", None, False),
    ("imr.pdf", "application/pdf; charset=binary", False), ("imr.PDF", "APPLICATION/PDF", False),
    ("imr.pdf", "text/html", True), ("imr.docx", "application/pdf", True), ("imr.pdf.exe", None, True),
    ("imr", None, True), ("imr.", None, True),
])
def test_the_name_and_the_claimed_type_must_agree_with_the_content(name, claimed, refused):
    if refused:
        with pytest.raises(InvalidData) as caught:
            kinds.checked_kind(name, claimed, pdf())
        assert [d["field"] for d in caught.value.details] == ["file"]
    else:
        assert kinds.checked_kind(name, claimed, pdf()).key == "pdf"


SCHEMA = {"type": "object", "properties": {
    "report": {"type": "string", "format": "lif-file"},
    "summary": {"type": "string"},
    "imrs": {"type": "array", "items": {"type": "object", "properties": {"file": {"format": "lif-file"}}}},
    "nested": {"type": "object", "properties": {"deep": {"type": "object", "properties": {
        "file": {"format": "lif-file"}}}}}},
    "allOf": [{"if": {"properties": {"summary": {"const": "x"}}},
               "then": {"properties": {"extra": {"type": "string", "format": "lif-file"}}}}]}


@pytest.mark.parametrize("path, is_file", [
    ("report", True), ("imrs[0].file", True), ("imrs[12].file", True), ("nested.deep.file", True), ("extra", True),
    ("summary", False), ("imrs", False), ("imrs[0]", False), ("imrs.file", False), ("nested.deep", False),
    ("report.x", False), ("", False), ("report ", False), ("../report", False), ("x" * 201, False),
])
def test_a_file_field_is_found_wherever_the_schema_puts_it(path, is_file):
    assert fields.is_file_field(SCHEMA, path) is is_file


def test_every_answered_file_field_is_found_in_the_data():
    data = {"report": "a", "summary": "s", "imrs": [{"file": "b"}, {}, {"file": "c"}],
            "nested": {"deep": {"file": "d"}}, "extra": "e", "other": {"file": "not a file field"}}
    assert sorted(fields.file_values(SCHEMA, data)) == [
        ("extra", "e"), ("imrs[0].file", "b"), ("imrs[2].file", "c"), ("nested.deep.file", "d"), ("report", "a")]


def test_a_value_is_put_at_a_path_making_the_objects_on_the_way():
    data: dict = {"imrs": [{}]}
    assert fields.set_value(data, "nested.deep.file", "x") and data["nested"] == {"deep": {"file": "x"}}
    assert fields.set_value(data, "imrs[0].file", "y") and data["imrs"] == [{"file": "y"}]
    assert not fields.set_value(data, "imrs[3].file", "z")  # rows belong to the form
    assert not fields.set_value({"report": "text"}, "report.x", "z")
