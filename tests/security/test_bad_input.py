"""Item 10: bad input answered 500.

Reproductions: a JSON body nested 1,000 levels deep (RecursionError); a lone surrogate ``"\\ud800"`` in comments,
business keys, chase messages, token requests, messages and bundle files (the database could not store it);
``?offset=2**63`` on lists; ``POST /notifications/9223372036854775808/read``; ``?version=2**63``; extending a
deadline to ``9999-12-31T23:59:59Z``. Each class is tried on every endpoint it can reach: 400 for a body the
parser refuses, 400 for query parameters out of range, 404 for ids no row can have, 422 for far dates.
"""
from __future__ import annotations

import pytest

from tests.api.api_kit import bundle_files, check_error
from web.api.openapi import ROUTES

API = "/api/v1"
BODY_ROUTES = [(path.replace("{key}", "k").replace("{id}", "00000000-0000-0000-0000-000000000000"), method)
               for path, method, _, request_schema, *_ in ROUTES if request_schema is not None]
# the routes only designers may call (their summaries say so): a designer sends the bad bodies there
DESIGNER_ROUTES = {path.replace("{key}", "k").replace("{id}", "00000000-0000-0000-0000-000000000000")
                   for path, _, summary, *_ in ROUTES if path == "/process-definitions" or "(designer" in summary}
LISTS = ["/tasks", "/process-instances", "/notifications", "/process-definitions",
         "/tasks/00000000-0000-0000-0000-000000000000/comments"]
HUGE = str(2**63)


def _post_raw(client, auth, path, raw, method="post"):
    headers = {**auth("dee" if path in DESIGNER_ROUTES else "cora"), "Content-Type": "application/json"}
    return client.open(API + path, method=method.upper(), data=raw, headers=headers)


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
def test_json_nested_too_deeply_is_400_on_every_endpoint(client, auth, depth):
    raw = '{"data": ' + "[" * depth + "]" * depth + "}"
    for path, method in BODY_ROUTES:
        error = check_error(_post_raw(client, auth, path, raw, method), 400, "bad_request")
        assert "nested more than 64 levels" in error["message"], path


@pytest.mark.parametrize("raw", ['{"body": "a\\ud800b", "reason": "\\udfff", "username": "\\ud800"}',
                                 '{"data": {"\\ud800": 1}}', '{"files": {"a.bpmn": "<x>\\udbff</x>"}}',
                                 '["\\ud800"]'])
def test_a_lone_surrogate_anywhere_in_a_body_is_400_on_every_endpoint(client, auth, raw):
    for path, method in BODY_ROUTES:
        error = check_error(_post_raw(client, auth, path, raw, method), 400, "bad_request")
        assert "lone UTF-16 surrogate" in error["message"], path


def test_nesting_within_the_limit_and_paired_surrogates_are_accepted(api):
    api.deploy("simple_review")
    nested = {"x": 1}
    for _ in range(60):
        nested = {"x": nested}
    instance = api.start("simple_review", {"deep": nested, "emoji": "\ud83d\ude00 fine"})
    task = instance["tasks"][0]["id"]
    r = api.client.post(f"{API}/tasks/{task}/comments", headers=api.headers("cora"),
                        data='{"body": "\\ud83d\\ude00 a smile"}', content_type="application/json")
    assert r.status_code == 201 and r.json["body"] == "\U0001F600 a smile"


@pytest.mark.parametrize("params", [{"offset": HUGE}, {"limit": HUGE}, {"offset": "-1"}, {"limit": "0"},
                                    {"offset": str(2**31)}, {"limit": "1e3"}, {"offset": "x"}])
def test_paging_out_of_range_is_400_on_every_list(api, params):
    for path in LISTS:
        error = check_error(api.get(path, "cora", **params), 400, "bad_request")
        assert {d["field"] for d in error["details"]} == set(params), path


@pytest.mark.parametrize("version", [HUGE, str(2**31), "-1", "1.5", "x"])
def test_a_version_out_of_range_is_400(api, version):
    api.deploy("simple_review")
    check_error(api.get("/process-definitions/simple_review/bpmn", "cora", version=version), 400, "bad_request")


@pytest.mark.parametrize("number", [HUGE, str(2**31), "9" * 400])
def test_ids_no_row_can_have_are_404(api, pages, number):
    api.deploy("simple_review")
    check_error(api.post(f"/notifications/{number}/read", "cora"), 404, "not_found")
    page = pages("dee")
    assert page.get("/processes/simple_review/1/diagram.bpmn").status_code == 200  # the route, with an id that fits
    assert page.post(f"/notifications/{number}/read").status_code == 404
    assert page.get(f"/processes/simple_review/{number}/diagram.bpmn").status_code == 404


@pytest.mark.parametrize("due_at", ["9999-12-31T23:59:59Z", "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00Z",
                                    "2040-01-01T09:00:00Z"])
def test_a_deadline_far_in_the_future_is_422(api, due_at):
    api.deploy("simple_review")
    task = api.start("simple_review")["tasks"][0]["id"]
    error = check_error(api.post(f"/tasks/{task}/extend", "cora", {"due_at": due_at, "reason": "r"}), 422)
    assert [d["field"] for d in error["details"]] == ["due_at"]


@pytest.mark.parametrize("year", ["9999", str(2**63), "2040"])
def test_a_far_deadline_typed_on_the_case_page_is_refused_not_a_500(api, pages, year):
    api.deploy("simple_review")
    instance = api.start("simple_review")
    task = instance["tasks"][0]["id"]
    r = pages("cora").post(f"/tasks/{task}/extend", data={"due-day": "31", "due-month": "12", "due-year": year,
                                                           "reason": "r", "instance_id": instance["id"]})
    assert r.status_code == 302
    assert api.task(task)["due_at"] == instance["tasks"][0]["due_at"]


def test_nul_characters_anywhere_are_never_a_500(api):
    """PostgreSQL's text columns and query parameters refuse NUL (``\\x00``): no request may carry one there."""
    api.deploy("simple_review")
    instance = api.start("simple_review")
    task = instance["tasks"][0]["id"]
    nul = "a\x00b"
    answers = [api.get(f"/tasks/{nul}", "cora"), api.get(f"/process-instances/{nul}", "cora"),
               api.get(f"/process-definitions/{nul}/bpmn", "cora"), api.get("/tasks", "cora", process_key=nul),
               api.get("/process-instances", "cora", process_key=nul, status=nul),
               api.post("/messages", "cora", {"name": "m", "correlation": {"k": nul}, "payload": {"x": nul}}),
               api.post("/process-instances", "cora", {"process_key": "simple_review", "data": {"x": nul, nul: 1}}),
               api.post(f"/tasks/{task}/draft", "pat", {"data": {"summary": nul}}),
               api.post(f"/tasks/{task}/complete", "pat", {"data": {"summary": nul, "agency": "police"}}),
               api.client.post("/api/v1/auth/token", json={"username": "cora", "password": nul})]
    assert all(r.status_code < 500 for r in answers), [(r.status_code, r.get_data(as_text=True)[:200]) for r in answers]


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\u0000"])
def test_a_bundle_whose_json_files_escape_a_lone_surrogate_or_nul_is_refused_at_deploy(api, escape):
    """The request may be clean while a file in it, once parsed, is not: ``"title": "\\ud800"`` in a form schema
    made that task's page a 500 (its HTML could not be encoded)."""
    files = bundle_files("simple_review")
    for name, old in (("submit-schema.json", '"Summary"'), ("process_model.json", '"Simple review"')):
        bad = {**files, name: files[name].replace(old, f'"Sum{escape}mary"')}
        error = check_error(api.post("/process-definitions", "dee", {"key": "simple_review", "files": bad}), 422)
        assert [d["file"] for d in error["details"]] == [name], error


@pytest.mark.parametrize("number", [HUGE, "9" * 5000, "\u00b2", "\u0663", "-1", " 7 "])
def test_numbers_in_page_queries_are_never_a_500(api, pages, number):
    """``int()`` takes non-ASCII digits (``isdigit`` says yes to ``"²"``, ``int`` says no) and refuses 4,301 digits;
    an integer past the database's is an overflow."""
    api.deploy("simple_review")
    coordinator, designer = pages("cora"), pages("dee")
    answers = [coordinator.get("/cases", query_string={"within": number}),
               coordinator.get("/cases", query_string={"page": number}),
               coordinator.get("/tasks", query_string={"page": number}),
               designer.get("/processes/simple_review", query_string={"version": number})]
    assert all(r.status_code in (200, 404) for r in answers), [r.status_code for r in answers]


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e999"])
def test_numbers_no_json_column_stores_are_400_on_every_endpoint(client, auth, number):
    """Python's parser reads ``NaN``, ``Infinity`` and ``1e400`` (as infinity); PostgreSQL's JSON refuses them."""
    raw = f'{{"data": {{"x": {number}}}, "payload": [{number}], "body": {number}}}'
    for path, method in BODY_ROUTES:
        check_error(_post_raw(client, auth, path, raw, method), 400, "bad_request")
