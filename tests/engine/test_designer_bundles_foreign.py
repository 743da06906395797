"""Other tools' exports (tests/fixtures/foreign: Camunda 7 and 8, Signavio, Bizagi): validation, deploy and import
give a reason for each thing LIF cannot run, naming the element and what to do instead, and never fail otherwise;
metadata they keep beside the model is no reason (Signavio's file marked executable deploys)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.bundles import definitions
from engine.designer import validating, zips
from engine.errors import InvalidData
from tests.conftest import NOW

FOREIGN = Path(__file__).resolve().parents[1] / "fixtures" / "foreign"
REASONS = {
    "camunda7.bpmn": [
        ("approve", "task 'Approve' uses Camunda's assignee, which LIF does not read: put the task in a lane named "
                    "for the role"),
        ("approve", "task 'Approve' uses Camunda's candidate groups"),
        ("approve", "task 'Approve' uses Camunda's form key"),
        ("approve", "task 'Approve' uses Camunda's input/output mapping"),
        ("book", "task 'Book the leave' uses Camunda's external task topic"),
        ("yes", "expression '${approved}' is JUEL (Camunda 7), not Python"),
        ("leave_request", "uses Camunda's history time to live"),
    ],
    "zeebe.bpmn": [
        ("review_invoice", "task 'Review the invoice' uses Camunda 8's assignment"),
        ("review_invoice", "uses Camunda 8's form"),
        ("review_invoice", "uses Camunda 8's input/output mapping"),
        ("pay", "task 'Pay the invoice' uses Camunda 8's job worker"),
        ("pay_flow", "FEEL expression '=approved and total < 1000' is not Python"),
    ],
    "signavio.bpmn": [("sid-process", "process 'Strategy meeting' is not executable")],
    "bizagi.bpmn": [("Id_proc", "process 'Complaint handling' is not executable")],
}


def files_of(name: str) -> dict[str, str]:
    return {name: (FOREIGN / name).read_text(encoding="utf-8"),
            "process_model.json": json.dumps({"display_name": name, "primary_file_name": name})}


@pytest.mark.parametrize("name", sorted(REASONS))
def test_validation_lists_what_another_tool_asks_for(session, name):
    problems = validating.bundle_problems(session, "foreign", files_of(name))
    for element, words in REASONS[name]:
        assert any(p["element"] == element and words in p["message"] and p["file"] == name for p in problems), \
            (element, words, problems)


@pytest.mark.parametrize("name", sorted(REASONS))
def test_deploy_and_zip_import_refuse_with_the_same_reasons_and_write_nothing(session, name):
    with pytest.raises(InvalidData) as deployed:
        definitions.deploy_bundle(session, "foreign", files_of(name), actor="dee", now=NOW)
    data = zips.bundle_zip("foreign", files_of(name))
    with pytest.raises(InvalidData) as imported:
        zips.import_zip(session, data, None, actor="dee", now=NOW)
    assert deployed.value.details == imported.value.details
    assert definitions.list_latest(session) == []


def test_metadata_other_tools_keep_is_no_reason(session):
    info, created = definitions.deploy_bundle(session, "strategy", files_of("signavio_executable.bpmn"),
                                              actor="dee", now=NOW)
    assert created and info.version == 1
    stored = definitions.get_version(session, "strategy", 1).files
    assert stored["signavio_executable.bpmn"] == files_of("signavio_executable.bpmn")["signavio_executable.bpmn"]
