"""Process definitions: list the latest versions, deploy (201 new, 200 unchanged, 403, 409, 413, 422), and read
a version's BPMN."""
from __future__ import annotations

import json

import pytest

from tests.conftest import NOW

from .api_kit import API, DEFINITION_FIELDS, INVALID, bundle_files, check_error, iso


def deploy(client, auth, key, files, who="dee"):
    return client.post(f"{API}/process-definitions", json={"key": key, "files": files}, headers=auth(who))


def described(files, text):
    """The same bundle with another description in process_model.json (a new version, same diagram)."""
    model = json.loads(files["process_model.json"])
    model["description"] = text
    return {**files, "process_model.json": json.dumps(model)}


def test_deploy_new_bundle_is_201_with_key_and_version(client, auth):
    r = deploy(client, auth, "simple_review", bundle_files("simple_review"))
    assert r.status_code == 201, r.json
    assert r.json == {"key": "simple_review", "version": 1}


def test_deploy_identical_bundle_is_200_with_same_version(api, client, auth):
    api.deploy("simple_review")
    before = api.snapshot()
    r = deploy(client, auth, "simple_review", bundle_files("simple_review"))
    assert r.status_code == 200, r.json
    assert r.json == {"key": "simple_review", "version": 1}
    assert api.snapshot() == before


def test_deploy_changed_bundle_is_next_version(api, client, auth):
    api.deploy("simple_review")
    r = deploy(client, auth, "simple_review", described(bundle_files("simple_review"), "Second version"))
    assert r.status_code == 201, r.json
    assert r.json == {"key": "simple_review", "version": 2}


def test_admin_may_deploy(client, auth):
    assert deploy(client, auth, "simple_review", bundle_files("simple_review"), who="adam").status_code == 201


def test_list_definitions_gives_latest_version_of_each(api, client, auth):
    api.deploy("simple_review")
    api.deploy("agency_task")
    deploy(client, auth, "simple_review", described(bundle_files("simple_review"), "Second version"))
    r = client.get(f"{API}/process-definitions", headers=auth("pat"))
    assert r.status_code == 200
    assert set(r.json) == {"items", "total"}
    assert r.json["total"] == 2
    items = {d["key"]: d for d in r.json["items"]}
    for item in items.values():
        assert DEFINITION_FIELDS <= set(item)
        assert abs((iso(item["deployed_at"]) - NOW).total_seconds()) < 60
    assert items["simple_review"]["version"] == 2
    assert items["simple_review"]["name"] == "Simple review"
    assert items["agency_task"] == {**items["agency_task"], "version": 1, "name": "Agency task"}


def test_list_definitions_empty(client, auth):
    r = client.get(f"{API}/process-definitions", headers=auth("cora"))
    assert r.json == {"items": [], "total": 0}


def test_bpmn_of_latest_and_of_each_version(api, client, auth):
    first = bundle_files("simple_review")
    api.deploy("simple_review", files=first)
    second = {**first, "simple_review.bpmn": first["simple_review.bpmn"].replace('name="Approve"',
                                                                                   'name="Approve the summary"')}
    assert deploy(client, auth, "simple_review", second).json["version"] == 2
    latest = client.get(f"{API}/process-definitions/simple_review/bpmn", headers=auth("cora"))
    assert latest.status_code == 200
    assert latest.mimetype == "application/xml"
    assert latest.get_data(as_text=True) == second["simple_review.bpmn"]
    v1 = client.get(f"{API}/process-definitions/simple_review/bpmn?version=1", headers=auth("cora"))
    assert v1.status_code == 200 and v1.mimetype == "application/xml"
    assert v1.get_data(as_text=True) == first["simple_review.bpmn"]
    v2 = client.get(f"{API}/process-definitions/simple_review/bpmn?version=2", headers=auth("cora"))
    assert v2.get_data(as_text=True) == second["simple_review.bpmn"]


def test_bpmn_of_unknown_definition_is_404(client, auth):
    check_error(client.get(f"{API}/process-definitions/nothing/bpmn", headers=auth("cora")), 404, "not_found")


@pytest.mark.parametrize("version", ["3", "0", "99999"])
def test_bpmn_of_unknown_version_is_404(api, client, auth, version):
    api.deploy("simple_review")
    r = client.get(f"{API}/process-definitions/simple_review/bpmn?version={version}", headers=auth("cora"))
    check_error(r, 404, "not_found")


@pytest.mark.parametrize("version", ["one", "-1", "1.5", "1e3"])
def test_bpmn_with_malformed_version_is_400(api, client, auth, version):
    api.deploy("simple_review")
    r = client.get(f"{API}/process-definitions/simple_review/bpmn?version={version}", headers=auth("cora"))
    check_error(r, 400, "bad_request")


@pytest.mark.parametrize("who", ["pat", "cora", "chad"])
def test_deploy_without_designer_role_is_403_and_deploys_nothing(api, client, auth, who):
    before = api.snapshot()
    check_error(deploy(client, auth, "simple_review", bundle_files("simple_review"), who=who), 403, "forbidden")
    assert api.snapshot() == before
    assert client.get(f"{API}/process-definitions", headers=auth("cora")).json["total"] == 0


def test_deploy_process_id_owned_by_another_key_is_409(api, client, auth):
    api.deploy("simple_review")
    before = api.snapshot()
    error = check_error(deploy(client, auth, "other_review", bundle_files("simple_review")), 409, "conflict")
    assert error["details"] == {"process_ids": ["simple_review"], "owner": "simple_review"}
    assert api.snapshot() == before
    check_error(client.get(f"{API}/process-definitions/other_review/bpmn", headers=auth("cora")), 404)


def broken_bundle():
    """One bundle, three faults: a bad timer and a missing form file in one diagram, malformed XML in another."""
    good = bundle_files("bad_duration", INVALID)["bad_duration.bpmn"]
    with_form = good.replace(
        '<bpmn:endEvent id="end">',
        '<bpmn:userTask id="fill_in" name="Fill in"><bpmn:extensionElements><spiffworkflow:properties>'
        '<spiffworkflow:property name="formJsonSchemaFilename" value="fill-in-schema.json"/>'
        '</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>\n    <bpmn:endEvent id="end">')
    malformed = bundle_files("malformed_xml", INVALID)["malformed_xml.bpmn"]
    model = {"display_name": "Broken", "primary_file_name": "broken.bpmn", "primary_process_id": "bad_duration"}
    return {"process_model.json": json.dumps(model), "broken.bpmn": with_form, "other.bpmn": malformed}


def line_of(text, needle):
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_deploy_broken_bundle_is_422_listing_every_problem_and_deploys_nothing(api, client, auth):
    files = broken_bundle()
    before = api.snapshot()
    error = check_error(deploy(client, auth, "broken", files), 422, "invalid")
    assert api.snapshot() == before
    details = error["details"]
    for detail in details:
        assert {"file", "line", "element", "message"} <= set(detail), detail
    by_file = {}
    for detail in details:
        by_file.setdefault(detail["file"], []).append(detail)
    timer = [d for d in by_file["broken.bpmn"] if "P2X" in d["message"]]
    assert len(timer) == 1
    assert timer[0]["element"] in ("step", "step_timer")  # the event or its timer definition
    assert timer[0]["line"] == line_of(files["broken.bpmn"], "P2X")
    form = [d for d in by_file["broken.bpmn"] if "fill-in-schema.json" in d["message"]]
    assert len(form) == 1
    assert form[0]["element"] == "fill_in"
    assert form[0]["line"] == line_of(files["broken.bpmn"], "formJsonSchemaFilename")
    xml = by_file["other.bpmn"]
    assert len(xml) == 1
    assert isinstance(xml[0]["line"], int) and xml[0]["line"] > 1
    check_error(client.get(f"{API}/process-definitions/broken/bpmn", headers=auth("cora")), 404)
    assert client.get(f"{API}/process-definitions", headers=auth("cora")).json["total"] == 0


INVALID_BUNDLES = ["bad_duration", "dangling_flow", "doctype_entity", "invalid_schema", "malformed_xml",
                   "missing_called_process", "missing_form", "naive_date", "script_import", "script_subclasses",
                   "unparseable_dmn", "xsd_error"]


@pytest.mark.parametrize("name", INVALID_BUNDLES)
def test_deploy_invalid_bundle_is_422_with_file_and_line(api, client, auth, name):
    files = bundle_files(name, INVALID)
    before = api.snapshot()
    error = check_error(deploy(client, auth, name, files), 422, "invalid")
    assert api.snapshot() == before
    assert error["details"], error
    for detail in error["details"]:
        assert {"file", "line", "element", "message"} <= set(detail), detail
        assert detail["file"] in files, detail
        assert detail["message"]
        # each problem is located: a line in the file, or at least the element it belongs to
        assert (isinstance(detail["line"], int) and detail["line"] >= 1) or detail["element"], detail


def test_deploy_into_existing_key_with_broken_files_keeps_the_old_version(api, client, auth):
    api.deploy("simple_review")
    files = bundle_files("simple_review")
    files["simple_review.bpmn"] = files["simple_review.bpmn"].replace("</bpmn:process>", "</bpmn:proc>")
    before = api.snapshot()
    check_error(deploy(client, auth, "simple_review", files), 422, "invalid")
    assert api.snapshot() == before
    items = client.get(f"{API}/process-definitions", headers=auth("cora")).json["items"]
    assert [(d["key"], d["version"]) for d in items] == [("simple_review", 1)]


@pytest.mark.parametrize("key", ["Simple", "1review", "simple-review", "a" * 65, "simple review"])
def test_deploy_with_invalid_key_is_422(api, client, auth, key):
    error = check_error(deploy(client, auth, key, bundle_files("simple_review")), 422, "invalid")
    assert [d["field"] for d in error["details"]] == ["key"]
    assert client.get(f"{API}/process-definitions", headers=auth("cora")).json["total"] == 0


@pytest.mark.parametrize("body,fields", [
    ({"key": "simple_review"}, ["files"]),
    ({"files": {"a.bpmn": "x"}}, ["key"]),
    ({"key": "simple_review", "files": "not an object"}, ["files"]),
    ({"key": "simple_review", "files": {}}, ["files"]),
    ({"key": "simple_review", "files": {"a.bpmn": 5}}, ["files.a.bpmn.value"]),
    ({"key": "simple_review", "files": {"a.bpmn": "x"}, "version": 3}, ["version"]),
])
def test_deploy_request_failing_schema_is_422_with_field_paths(api, client, auth, body, fields):
    r = client.post(f"{API}/process-definitions", json=body, headers=auth("dee"))
    error = check_error(r, 422, "invalid")
    assert sorted(d["field"] for d in error["details"]) == fields
    assert client.get(f"{API}/process-definitions", headers=auth("cora")).json["total"] == 0


def test_deploy_body_not_json_is_400(client, auth):
    r = client.post(f"{API}/process-definitions", data="<xml/>", content_type="application/xml", headers=auth("dee"))
    check_error(r, 400, "bad_request")


def test_deploy_oversized_body_is_413_and_deploys_nothing(api, client, auth):
    files = bundle_files("simple_review")
    files["padding.md"] = "x" * (9 * 1024 * 1024)
    before = api.snapshot()
    check_error(deploy(client, auth, "simple_review", files), 413, "too_large")
    assert api.snapshot() == before


def test_list_definitions_honours_limit_and_offset(api, client, auth):
    for name in ("simple_review", "agency_task", "deadlines"):
        api.deploy(name)
    every = client.get(f"{API}/process-definitions", headers=auth("cora")).json
    assert [d["key"] for d in every["items"]] == ["agency_task", "deadlines", "simple_review"]
    page = client.get(f"{API}/process-definitions?limit=2&offset=1", headers=auth("cora")).json
    assert page["total"] == 3
    assert [d["key"] for d in page["items"]] == ["deadlines", "simple_review"]
    check_error(client.get(f"{API}/process-definitions?limit=0", headers=auth("cora")), 400, "bad_request")
