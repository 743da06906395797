"""Deploying bundles: versions, ownership of process ids, and every kind of invalid bundle refused with its
file, line and element, storing nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.bundles import definitions
from engine.bundles.parsing import parse_bundle, read_bundle_dir
from engine.errors import Conflict, InvalidData
from engine.store.db import transaction
from engine.store.models import AuditEvent, ProcessDefinition

from .engine_kit import BUNDLES, FIXTURES, NOW

INVALID = FIXTURES / "invalid"


def _definitions(factory) -> list[tuple[str, int]]:
    with transaction(factory) as s:
        return [(r.key, r.version) for r in s.scalars(select(ProcessDefinition)
                                                      .order_by(ProcessDefinition.key, ProcessDefinition.version))]


def _deploy_events(factory) -> int:
    with transaction(factory) as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action == "definition.deployed"))


def _line_of(path, marker: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [n for n, line in enumerate(lines, start=1) if marker in line]
    assert len(found) == 1, f"{marker!r} should be on exactly one line of {path.name}"
    return found[0]


def _problems(deploy, path) -> list[dict]:
    with pytest.raises(InvalidData) as raised:
        deploy(path)
    assert raised.value.details, "InvalidData must list the problems"
    return raised.value.details


# --- versions -----------------------------------------------------------------------------------------------

@pytest.mark.postgres
def test_deploy_first_bundle_is_version_one(deploy, factory):
    info = deploy("simple_review")
    assert (info.key, info.version, info.process_ids) == ("simple_review", 1, ("simple_review",))
    assert _definitions(factory) == [("simple_review", 1)]


@pytest.mark.postgres
def test_deploy_changed_files_creates_new_version(deploy, bundle_copy, factory):
    deploy("simple_review")
    changed = bundle_copy("simple_review", replace={'name="Approve"': 'name="Approve the summary"'})
    info = deploy(changed)
    assert info.version == 2
    assert _definitions(factory) == [("simple_review", 1), ("simple_review", 2)]
    assert _deploy_events(factory) == 2


def test_deploy_changed_form_file_alone_creates_new_version(deploy, bundle_copy):
    deploy("simple_review")
    changed = bundle_copy("simple_review", file="approve-schema.json",
                          replace={'"approved"]': '"approved"], "title": "Approval"'})
    assert deploy(changed).version == 2


@pytest.mark.postgres
def test_deploy_identical_files_is_noop(factory):
    files = read_bundle_dir(BUNDLES / "simple_review")
    with transaction(factory) as s:
        first, created_first = definitions.deploy_bundle(s, "simple_review", files, actor="dee", now=NOW)
    with transaction(factory) as s:
        again, created_again = definitions.deploy_bundle(s, "simple_review", dict(files), actor="dee", now=NOW)
    assert (created_first, created_again) == (True, False)
    assert again.version == first.version == 1
    assert _definitions(factory) == [("simple_review", 1)]
    assert _deploy_events(factory) == 1


@pytest.mark.postgres
def test_deploy_running_instance_stays_on_its_version(deploy, bundle_copy, cases, restore_every_step):
    deploy("simple_review")
    old = cases.start("simple_review")
    changed = bundle_copy("simple_review", replace={'<bpmn:userTask id="approve" name="Approve">':
                                                    '<bpmn:userTask id="sign_off" name="Sign off">',
                                                    'targetRef="approve"': 'targetRef="sign_off"',
                                                    'sourceRef="approve"': 'sourceRef="sign_off"',
                                                    '<bpmn:flowNodeRef>approve<': '<bpmn:flowNodeRef>sign_off<'})
    assert deploy(changed).version == 2
    new = cases.start("simple_review")
    for instance_id in (old, new):
        cases.complete(cases.task(instance_id, "submit").id, {"summary": "A summary", "agency": "police"},
                       who="police")
    assert (cases.instance(old).version, cases.ready_names(old)) == (1, ["approve"])
    assert (cases.instance(new).version, cases.ready_names(new)) == (2, ["sign_off"])
    cases.complete(cases.task(old, "approve").id, {"approved": True}, who="chair")
    assert cases.instance(old).status == "completed"


@pytest.mark.postgres
def test_deploy_process_id_owned_by_another_key_is_conflict(deploy, bundle_copy, factory):
    deploy("simple_review")
    same_ids = bundle_copy("simple_review", "another_review")
    with pytest.raises(Conflict) as raised:
        deploy(same_ids)
    assert raised.value.details == {"process_ids": ["simple_review"], "owner": "simple_review"}
    assert _definitions(factory) == [("simple_review", 1)]


def test_deploy_invalid_key_is_refused(factory):
    with transaction(factory) as s, pytest.raises(InvalidData):
        definitions.deploy_bundle(s, "Bad Key!", read_bundle_dir(BUNDLES / "simple_review"), actor="dee", now=NOW)


def test_deploy_plain_iso_timer_literals_accepted(deploy, bundle_copy, factory):
    assert deploy("intermediate_timer").version == 1  # <timeDuration>P2D</timeDuration>
    longer = bundle_copy("intermediate_timer", "three_weeks", replace={">P2D<": ">P21D<",
                                                                      'id="intermediate_timer"': 'id="three_weeks"'})
    longer.joinpath("process_model.json").write_text(
        '{"primary_file_name": "intermediate_timer.bpmn", "primary_process_id": "three_weeks"}')
    assert deploy(longer).version == 1
    assert deploy("date_timer").version == 1  # <timeDate>2026-12-24T12:00:00Z</timeDate>
    with transaction(factory) as s:
        spec_json = definitions.latest(s, "three_weeks").spec_json
    assert "'P21D'" in spec_json  # quoted once at deploy, so SpiffWorkflow evaluates a string, not a name


# --- refused bundles ----------------------------------------------------------------------------------------

# (bundle, file holding the fault, a marker on the line of the fault or None, element id, words in the message)
REFUSED = [
    ("malformed_xml", "malformed_xml.bpmn", "</bpmn:process>", None, "not well-formed"),
    ("xsd_error", "xsd_error.bpmn", "<bpmn:priority>", "step", "priority"),
    ("dangling_flow", "dangling_flow.bpmn", 'targetRef="nowhere"', "f2", "'nowhere' names no element"),
    ("bad_duration", "bad_duration.bpmn", "P2X", "step_timer", "'P2X' is not valid ISO 8601"),
    ("naive_date", "naive_date.bpmn", "2026-12-24T12:00:00", "step_timer", "no UTC offset"),
    ("missing_form", "missing_form.bpmn", "fill-in-schema.json", "step", "'fill-in-schema.json' is missing"),
    ("invalid_schema", "fill-in-schema.json", None, "step", "not a valid JSON Schema"),
    ("unparseable_dmn", "route.dmn", "</decision>", None, "not well-formed"),
    ("missing_called_process", "missing_called_process.bpmn", "calledElement", "step", "'no_such_process'"),
    ("script_import", "script_import.bpmn", "<bpmn:script>", "step", "import is not allowed"),
    ("script_subclasses", "script_subclasses.bpmn", "<bpmn:script>", "step", "__subclasses__"),
    ("doctype_entity", "doctype_entity.bpmn", "<!DOCTYPE", None, "DOCTYPE and entity declarations"),
]


@pytest.mark.parametrize("name,file,marker,element,words", REFUSED, ids=[r[0] for r in REFUSED])
def test_deploy_invalid_bundle_reports_file_line_element(deploy, factory, name, file, marker, element, words):
    problems = _problems(deploy, INVALID / name)
    assert len(problems) == 1, problems
    problem = problems[0]
    assert problem["file"] == file
    assert words in problem["message"]
    assert problem["element"] == element
    expected_line = _line_of(INVALID / name / file, marker) if marker else None
    assert problem["line"] == expected_line
    assert _definitions(factory) == []
    assert _deploy_events(factory) == 0


def test_deploy_invalid_schema_names_the_bad_keyword(deploy):
    (problem,) = _problems(deploy, INVALID / "invalid_schema")
    assert "properties.summary.type" in problem["message"]


def test_deploy_refused_entity_is_never_expanded():
    files = read_bundle_dir(INVALID / "doctype_entity")
    with pytest.raises(InvalidData) as raised:
        parse_bundle("doctype_entity", files)
    assert "boom" not in str(raised.value.details)


@pytest.mark.postgres
def test_deploy_invalid_new_version_keeps_the_old_one(deploy, bundle_copy, factory):
    deploy("simple_review")
    broken = bundle_copy("simple_review", replace={"</bpmn:scriptTask>": ""})
    problems = _problems(deploy, broken)
    assert problems[0]["file"] == "simple_review.bpmn" and problems[0]["line"]
    assert _definitions(factory) == [("simple_review", 1)]
    assert _deploy_events(factory) == 1


def test_deploy_lists_every_problem_at_once(deploy, bundle_copy):
    broken = bundle_copy("simple_review", replace={'value="5WD"': 'value="5 days"', 'value="P21D"': 'value="P2X"',
                                                   'case_title = "Review of "': 'import os\ncase_title = "R"'})
    problems = _problems(deploy, broken)
    elements = sorted(p["element"] for p in problems)
    assert elements == ["approve", "score_it", "submit"]
    assert all(p["file"] == "simple_review.bpmn" and isinstance(p["line"], int) for p in problems)


def test_deploy_unknown_form_json_is_refused_with_its_line(deploy, bundle_copy):
    broken = bundle_copy("simple_review", file="approve-schema.json", replace={'"required"': '"required" "x"'})
    (problem,) = _problems(deploy, broken)
    assert problem["file"] == "approve-schema.json"
    assert "not valid JSON" in problem["message"]
    assert problem["element"] == "approve"


def test_deploy_dmn_with_a_refused_cell_names_the_cell(deploy, bundle_copy):
    broken = bundle_copy("dmn_unique", file="grade.dmn", replace={'"low"': '__import__("os")'})
    (problem,) = _problems(deploy, broken)
    assert (problem["file"], problem["element"]) == ("grade.dmn", "r_low_o")
    assert problem["line"] == _line_of(broken / "grade.dmn", "__import__")


def test_deploy_business_rule_without_its_decision_names_the_task(deploy, bundle_copy):
    broken = bundle_copy("dmn_unique")
    broken.joinpath("grade.dmn").unlink()
    (problem,) = _problems(deploy, broken)
    assert (problem["file"], problem["element"]) == ("dmn_unique.bpmn", "grade_it")
    assert problem["line"] == _line_of(broken / "dmn_unique.bpmn", '<bpmn:businessRuleTask id="grade_it"')
    assert "grade_decision" in problem["message"]
