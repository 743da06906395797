"""A form's regular expressions cannot freeze the server (ReDoS; issue 9, item 3).

Reproduction, before the fix: a designer's form field ``"pattern": "^(a+)+$"``; completing the task with 29 ``a``s
and a ``!`` took 25 s (Python's ``re`` backtracks, exponentially in the input, holding the interpreter), and every
other request waited. The class: every regular expression a bundle brings (``pattern``, ``patternProperties`` and
the keywords that consult it, ``propertyNames``, patterns reached by ``$ref``, the ``regex`` format) is matched in
time linear in the input (RE2), and one RE2 cannot compile (backreferences, lookaround) is refused at deploy, naming
the file and the field.
"""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from engine.bundles import form_regex, forms
from tests.api.api_kit import API, bundle_files, check_error
from tests.scenarios.conftest import SHIPPED, WORKFLOWS

from .binding_kit import PASSWORDS, api, app, auth, client, crowd, run, shipped, traveller  # noqa: F401

# A pattern that backtracks catastrophically in Python's ``re``, an input that sets it off (each takes Python
# from several seconds to minutes), and an input the pattern matches.
CATASTROPHIC = [
    (r"^(a+)+$", "a" * 28 + "!", "aaaa"),
    (r"^(a|a)*$", "a" * 27 + "!", "aaaa"),
    (r"^(a|aa)+$", "a" * 38 + "!", "aaaa"),
    (r"^(.*a){20}$", "a" * 30 + "!", "a" * 20),
    (r"^(\w+\s?)*$", "a" * 27 + "!", "abc def"),
    (r"^(\d+|\d+\.\d+)+$", "1" * 26 + "x", "12.5"),  # nested quantifiers with alternation
    (r"^(x+x+)+y$", "x" * 26, "xxy"),
]


def _in_pattern(p):
    return {"type": "object", "properties": {"v": {"type": "string", "pattern": p}}}, lambda s: {"v": s}


def _in_pattern_properties(p):
    return {"type": "object", "patternProperties": {p: {"type": "integer"}}, "additionalProperties": False}, \
        lambda s: {s: 1}


def _in_unevaluated(p):
    return {"type": "object", "patternProperties": {p: {"type": "integer"}}, "unevaluatedProperties": False}, \
        lambda s: {s: 1}


def _in_property_names(p):
    return {"type": "object", "propertyNames": {"pattern": p}}, lambda s: {s: 1}


def _by_ref_in_rows(p):
    return {"type": "object", "$defs": {"code": {"type": "string", "pattern": p}},
            "properties": {"rows": {"type": "array", "items": {"type": "object",
                                                               "properties": {"c": {"$ref": "#/$defs/code"}}}}}}, \
        lambda s: {"rows": [{"c": s}, {"c": s}]}


PLACES = [_in_pattern, _in_pattern_properties, _in_unevaluated, _in_property_names, _by_ref_in_rows]


def _timed(schema, data):
    started = time.perf_counter()
    problems = forms.submission_problems(schema, data)
    return problems, time.perf_counter() - started


TIMING = pytest.mark.timing  # measured on the wall clock: `make test` runs these alone, after the parallel suite


@TIMING
@pytest.mark.parametrize("place", PLACES, ids=lambda f: f.__name__[1:])
@pytest.mark.parametrize("pattern, evil, good", CATASTROPHIC, ids=[c[0] for c in CATASTROPHIC])
def test_catastrophic_patterns_answer_at_once_and_as_the_pattern_says(pattern, evil, good, place):
    schema, data = place(pattern)
    problems, seconds = _timed(schema, data(evil))
    assert problems and seconds < 0.1, (problems, seconds)
    problems, seconds = _timed(schema, data(good))
    assert problems == [] and seconds < 0.1, (problems, seconds)


def test_a_regex_format_value_is_judged_by_re2():
    schema = {"type": "object", "properties": {"r": {"type": "string", "format": "regex"}}}
    assert forms.submission_problems(schema, {"r": r"^(a+)+$"}) == []
    assert [p["field"] for p in forms.submission_problems(schema, {"r": r"(a)\1"})] == ["r"]


def test_a_schema_whose_rendering_holds_an_unusable_pattern_refuses_the_submission():
    """Patterns are refused at deploy, but a form's Jinja can make one at run time: it is never run by ``re``."""
    schema = forms.render_schema('{"type": "object", "properties": {"v": {"type": "string", '
                                 '"pattern": {{ made | tojson }}}}}', {"made": r"^(?=a)(a+)+$"})
    problems = forms.submission_problems(schema, {"v": "a" * 28 + "!"})
    assert len(problems) == 1 and "properties.v.pattern" in problems[0]["message"]


# --- deploy -----------------------------------------------------------------------------------------------------

def review_with(code_schema: dict) -> dict[str, str]:
    """The simple_review fixture bundle, its submit form holding a ``code`` field with ``code_schema``."""
    files = bundle_files("simple_review")
    schema = json.loads(files["submit-schema.json"].replace("{{ agency_keys | tojson }}", '["police", "csc"]'))
    schema["properties"]["code"] = code_schema
    return {**files, "submit-schema.json": json.dumps(schema)}


@pytest.mark.parametrize("code_schema, field", [
    ({"type": "string", "pattern": r"^(a)\1$"}, "properties.code.pattern"),
    ({"type": "string", "pattern": r"^(?=[A-Z])\w+$"}, "properties.code.pattern"),
    ({"type": "string", "pattern": r"^\w+(?<!x)$"}, "properties.code.pattern"),
    ({"type": "object", "patternProperties": {r"^(?!tmp)": {}}}, r"properties.code.patternProperties.^(?!tmp)"),
    ({"type": "array", "items": {"allOf": [{"pattern": r"(\w)\1"}]}}, "properties.code.items.allOf[0].pattern"),
])
def test_a_pattern_re2_cannot_compile_is_refused_at_deploy_naming_file_and_field(api, client, auth, code_schema,
                                                                                 field):
    before = api.snapshot()
    r = client.post(f"{API}/process-definitions", headers=auth("dee"),
                    json={"key": "simple_review", "files": review_with(code_schema)})
    check_error(r, 422)
    (problem,) = r.json["error"]["details"]
    assert (problem["file"], problem["field"], problem["element"]) == ("submit-schema.json", field, "submit")
    assert field in problem["message"] and "RE2" in problem["message"]
    assert api.snapshot() == before


def shipped_patterns() -> list[tuple[str, str, str]]:
    found = []
    for key in SHIPPED:
        for path in sorted(Path(WORKFLOWS / key).glob("*.json")):
            schema = forms.render_schema(path.read_text(), forms.SAMPLE_CONTEXT)
            found += [(path.name, where, p) for where, p in _patterns(schema, "")]
    return found


def _patterns(node, path):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield f"{path}.{key}", value
            if key == "patternProperties" and isinstance(value, dict):
                yield from ((f"{path}.{key}", p) for p in value)
            yield from _patterns(value, f"{path}.{key}")
    elif isinstance(node, list):
        for item in node:
            yield from _patterns(item, path)


def test_every_pattern_in_the_shipped_workflows_compiles_under_re2():
    found = shipped_patterns()
    assert len(found) >= 2, found  # scr's referral and case_audit's set-up carry initials patterns
    for name, where, pattern in found:
        assert form_regex.problem(pattern) is None, (name, where)
        if "initials" in where:  # cdop's NHS number pattern (issue 12) is digits
            assert form_regex.search(pattern, "AB") and not form_regex.search(pattern, "ab"), (name, where)


# --- through the API, and on the real server while others are served -------------------------------------------

EVIL = "a" * 29 + "!"


@pytest.fixture
def evil_task(api):
    """A case of simple_review whose ``submit`` form has ``"code": {"pattern": "^(a+)+$"}``, ready for pat."""
    api.deploy("simple_review", files=review_with({"type": "string", "pattern": "^(a+)+$"}))
    case = api.start("simple_review")
    (task,) = api.ready(case, "submit")
    return task["id"]


@TIMING
def test_the_issues_example_answers_422_at_once_and_a_matching_code_is_accepted(api, evil_task):
    started = time.perf_counter()
    r = api.post(f"/tasks/{evil_task}/complete", "pat", {"data": {"summary": "abc", "agency": "police",
                                                                  "code": EVIL}})
    assert time.perf_counter() - started < 0.5
    check_error(r, 422)
    assert [d["field"] for d in r.json["error"]["details"]] == ["code"]
    r = api.post(f"/tasks/{evil_task}/complete", "pat", {"data": {"summary": "abc", "agency": "police",
                                                                  "code": "aaaa"}})
    assert r.status_code == 200, r.json


@pytest.fixture
def server(app):
    """The app on a real threaded HTTP server, on a free port of 127.0.0.1."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()


def _call(url, *, data=None, headers=None, timeout=60):
    request = urllib.request.Request(url, data=json.dumps(data).encode() if data is not None else None,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


@TIMING
def test_no_request_waits_while_one_completes_a_task_with_the_evil_input(server, api, auth, evil_task):
    _call(f"{server}{API}/openapi.json")  # built once; every ping after is cheap
    done = threading.Event()
    answer: dict[str, float | int] = {}

    def complete():
        started = time.perf_counter()
        answer["status"] = _call(f"{server}{API}/tasks/{evil_task}/complete", headers=auth("pat"),
                                 data={"data": {"summary": "abc", "agency": "police", "code": EVIL}})
        answer["seconds"] = time.perf_counter() - started
        done.set()

    waits = []
    worker = threading.Thread(target=complete)
    worker.start()
    started = time.perf_counter()
    while not done.is_set() or time.perf_counter() - started < 0.5:  # ping through the request and a while after
        sent = time.perf_counter()
        assert _call(f"{server}{API}/openapi.json", timeout=10) == 200
        waits.append(time.perf_counter() - sent)
    worker.join()
    assert answer["status"] == 422 and answer["seconds"] < 1, answer
    assert len(waits) >= 5 and max(waits) < 0.25, waits
