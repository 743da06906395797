"""Bundles in and out over the API: the diff between versions (400 bad parameters, 404 unknown version), a version
as a zip in spiff-arena's layout and back (identical files, 200 unchanged), every kind of unsafe zip refused (413
or 422) with nothing written, other tools' exports refused with reasons, and 403 for everyone but designers."""
from __future__ import annotations

import io
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from engine.designer import zips
from engine.errors import InvalidData, TooLarge

from .api_kit import API, bundle_files, check_error, snapshot


def upload(client, headers, data, key=None):
    form = {"bundle": (io.BytesIO(data), "bundle.zip")}
    if key:
        form["key"] = key
    return client.post(f"{API}/process-definitions/import", data=form, headers=headers,
                       content_type="multipart/form-data")


def a_zip(entries, *, attrs=None):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if attrs and name in attrs:
                info.external_attr = attrs[name]
            archive.writestr(info, data)
    return out.getvalue()


def simple_entries(folder="simple_review"):
    return [(f"{folder}/{name}" if folder else name, text) for name, text in bundle_files("simple_review").items()]


def test_zip_round_trip_gives_identical_files_and_deploys_unchanged(api, client, auth):
    api.deploy("simple_review")
    r = client.get(f"{API}/process-definitions/simple_review/bundle.zip", headers=auth("dee"))
    assert r.status_code == 200 and r.mimetype == "application/zip"
    assert 'filename="simple_review-v1.zip"' in r.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(r.data)).namelist()
    assert names[0] == "simple_review/" and "simple_review/process_model.json" in names
    assert zips.read_zip(r.data).files == bundle_files("simple_review")
    again = upload(client, auth("dee"), r.data)
    assert again.status_code == 200 and again.json == {"key": "simple_review", "version": 1}
    assert client.get(f"{API}/process-definitions/simple_review/bundle.zip", headers=auth("dee"),
                      query_string={"version": 1}).data == r.data


@pytest.mark.parametrize("folder", ["simple_review", ""])
def test_a_spiff_arena_folder_or_flat_zip_deploys_as_a_new_process(client, auth, folder):
    r = upload(client, auth("dee"), a_zip(simple_entries(folder)), key=None if folder else "imported")
    assert r.status_code == 201, r.json
    assert r.json == {"key": "simple_review" if folder else "imported", "version": 1}


def test_the_key_field_wins_over_the_folder_and_a_taken_process_id_is_409(client, auth, db):
    r = upload(client, auth("dee"), a_zip(simple_entries()), key="another_name")
    assert r.status_code == 201 and r.json["key"] == "another_name"
    before = snapshot(db)
    check_error(upload(client, auth("dee"), a_zip(simple_entries())), 409)
    assert snapshot(db) == before


def lying(data: bytes) -> bytes:
    """The zip with its one file's declared size cut to 10 bytes in both headers."""
    patched = bytearray(data)
    local = patched.find(b"PK\x03\x04")
    struct.pack_into("<I", patched, local + 22, 10)
    central = patched.find(b"PK\x01\x02")
    struct.pack_into("<I", patched, central + 24, 10)
    return bytes(patched)


LINK = (stat.S_IFLNK | 0o777) << 16
UNSAFE = {  # kind: (a function making the zip, the status)
    "parent path": (lambda: a_zip([("../evil.bpmn", "x")] + simple_entries("")), 422),
    "nested parent path": (lambda: a_zip(simple_entries() + [("simple_review/../../x.json", "{}")]), 422),
    "absolute path": (lambda: a_zip([("/etc/x.json", "{}")] + simple_entries("")), 422),
    "backslash": (lambda: a_zip([("simple_review\\..\\x.json", "{}")] + simple_entries()), 422),
    "drive letter": (lambda: a_zip([("C:/x.json", "{}")] + simple_entries("")), 422),
    "symlink": (lambda: a_zip(simple_entries() + [("simple_review/link.json", "/etc/passwd")],
                      attrs={"simple_review/link.json": LINK}), 422),
    "device": (lambda: a_zip(simple_entries() + [("simple_review/dev.json", "")],
                     attrs={"simple_review/dev.json": (stat.S_IFCHR | 0o644) << 16}), 422),
    "folder entry with data": (lambda: a_zip(simple_entries() + [("simple_review/sub/", "data")]), 422),
    "file marked as folder": (lambda: a_zip(simple_entries() + [("simple_review/x.json", "{}")],
                                    attrs={"simple_review/x.json": (stat.S_IFDIR | 0o755) << 16 | 0x10}), 422),
    "duplicate name": (lambda: a_zip(simple_entries() + [("simple_review/process_model.json", "{}")]), 422),
    "sub-folder": (lambda: a_zip(simple_entries() + [("simple_review/sub/x.json", "{}")]), 422),
    "too many entries": (lambda: a_zip([(f"f{i}.md", "") for i in range(zips.MAX_ENTRIES + 1)]), 413),
    "declared expansion too big": (lambda: a_zip([("big.md", "0" * (zips.MAX_EXPANDED_BYTES + 1))]), 413),
    "lying size": (lambda: lying(a_zip([("big.md", "0" * 100_000)])), 422),
    "not a zip": (lambda: b"this is not a zip at all", 422),
    "empty upload": (lambda: b"", 422),
    "empty zip": (lambda: a_zip([]), 422),
    "only folders": (lambda: a_zip([("simple_review/", "")]), 422),
}


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_every_unsafe_zip_is_refused_and_nothing_is_written(client, auth, db):
    headers = auth("dee")
    before = snapshot(db)
    answers = {}
    for kind, (make, status) in sorted(UNSAFE.items()):
        r = upload(client, headers, make(), key="evil")
        answers[kind] = r.status_code
        if r.status_code == status:
            assert check_error(r, status)["message"], kind
    assert answers == {kind: status for kind, (_, status) in UNSAFE.items()}
    assert snapshot(db) == before


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("kind", sorted(UNSAFE))
def test_each_unsafe_zip_is_refused_before_any_file_is_read(kind):
    make, status = UNSAFE[kind]
    with pytest.raises(TooLarge if status == 413 else InvalidData):
        zips.read_zip(make())


def test_a_zip_with_a_file_lif_does_not_keep_lists_it(client, auth):
    r = upload(client, auth("dee"), a_zip(simple_entries() + [("simple_review/picture.png", "x")]))
    error = check_error(r, 422)
    assert [d["file"] for d in error["details"]] == ["picture.png"]


def test_an_upload_without_the_bundle_field_is_400(client, auth):
    r = client.post(f"{API}/process-definitions/import", data={"key": "x"}, headers=auth("dee"),
                    content_type="multipart/form-data")
    check_error(r, 400)


def test_diff_between_versions_and_its_bad_parameters(api, client, auth):
    files = bundle_files("simple_review")
    api.deploy("simple_review")
    bpmn = next(n for n in files if n.endswith(".bpmn"))
    api.deploy("simple_review", files={**files, bpmn: files[bpmn].replace('name="', 'name="Renamed ', 1)})
    url = f"{API}/process-definitions/simple_review/diff"
    r = client.get(url, headers=auth("dee"), query_string={"from": 1, "to": 2})
    assert r.status_code == 200 and set(r.json) == {"added", "removed", "changed", "forms"}
    assert r.json["added"] == r.json["removed"] == [] and len(r.json["changed"]) == 1
    for params, status in (({"from": 1}, 400), ({"from": "x", "to": 2}, 400), ({"from": 0, "to": 2}, 400),
                           ({"from": 1, "to": 3}, 404)):
        check_error(client.get(url, headers=auth("dee"), query_string=params), status)
    check_error(client.get(f"{API}/process-definitions/nothing/diff", headers=auth("dee"),
                           query_string={"from": 1, "to": 2}), 404)


def test_everyone_but_designers_and_admins_is_refused(api, client, auth, db):
    api.deploy("simple_review")
    for who in ("cora", "chad", "pat", "paul"):
        auth(who)
        before = snapshot(db)
        check_error(client.get(f"{API}/process-definitions/simple_review/diff", headers=auth(who),
                               query_string={"from": 1, "to": 1}), 403)
        check_error(client.get(f"{API}/process-definitions/simple_review/bundle.zip", headers=auth(who)), 403)
        check_error(upload(client, auth(who), a_zip(simple_entries()), key="other"), 403)
        assert snapshot(db) == before
    assert client.get(f"{API}/process-definitions/simple_review/bundle.zip", headers=auth("adam")).status_code == 200


SPIFF_ARENA = Path(__file__).resolve().parents[1] / "fixtures" / "spiff_arena"


@pytest.mark.parametrize("folder, key", [("1-1-content", "p_1_1_content"),
                                         ("exclusive-gateway-based-on-user-task",
                                          "exclusive_gateway_based_on_user_task")])
def test_a_spiff_arena_model_folder_zipped_as_it_is_deploys_unchanged(client, auth, folder, key):
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted((SPIFF_ARENA / folder).iterdir())}
    r = upload(client, auth("dee"), a_zip([(f"{folder}/{name}", text) for name, text in files.items()]))
    assert r.status_code == 201, r.json
    assert r.json == {"key": key, "version": 1}
    back = client.get(f"{API}/process-definitions/{key}/bundle.zip", headers=auth("dee"))
    assert zips.read_zip(back.data).files == files
