"""Golden serialized states (written once by tests/fixtures/golden/make_golden.py with the SpiffWorkflow version
the project pins) still restore and run. After a library upgrade, a failure here is a migration to write."""
from __future__ import annotations

import json

import pytest
from SpiffWorkflow.util.task import TaskState

from engine.bundles.parsing import parse_bundle, read_bundle_dir
from engine.spiff.adapter import Workflow
from engine.spiff.state import SpecCache
from tests.conftest import VERIFIED

from .engine_kit import BUNDLES, FIXTURES

GOLDEN = FIXTURES / "golden"


def _golden(name: str) -> dict:
    return json.loads(GOLDEN.joinpath(name).read_text(encoding="utf-8"))


def _stored_specs(golden: dict):
    """The specs as the database held them when the golden state was written."""
    return SpecCache().get((0, golden["bundle"]), lambda: json.dumps(golden["specs"]))


def _fresh_specs(golden: dict):
    """The specs parsed again from the fixture bundle by today's code."""
    bundle = parse_bundle(golden["bundle"], read_bundle_dir(BUNDLES / golden["bundle"]))
    return SpecCache().get((0, bundle.content_hash), lambda: bundle.spec_json)


def _restore(golden: dict, specs) -> Workflow:
    return Workflow.restore(specs, golden["process_id"], json.dumps(golden["state"]), VERIFIED)


def _ready(flow: Workflow) -> dict[str, object]:
    return {t.task_spec.bpmn_id: t for t in flow._all_tasks() if t.state == TaskState.READY and t.task_spec.manual}


@pytest.mark.parametrize("load_specs", [_stored_specs, _fresh_specs], ids=["stored-specs", "reparsed-specs"])
def test_golden_state_after_a_step_restores_and_completes(load_specs):
    golden = _golden("simple_review_after_submit.json")
    flow = _restore(golden, load_specs(golden))
    ready = _ready(flow)
    assert list(ready) == ["approve"]
    data = ready["approve"].data
    assert (data["case_ref"], data["summary"], data["case_title"]) == (
        "GOLD-1", "Golden summary", "Review of Golden summary")
    facts = flow.complete(str(ready["approve"].id), {"approved": True})
    assert facts.error is None and facts.completed
    assert facts.data["approved"] is True


def test_golden_state_survives_a_second_round_trip():
    golden = _golden("simple_review_after_submit.json")
    specs = _stored_specs(golden)
    again = Workflow.restore(specs, golden["process_id"], _restore(golden, specs).dump(), VERIFIED)
    assert list(_ready(again)) == ["approve"]


@pytest.mark.parametrize("load_specs", [_stored_specs, _fresh_specs], ids=["stored-specs", "reparsed-specs"])
def test_golden_state_inside_a_call_activity_restores_and_returns(load_specs):
    golden = _golden("call_activity_in_child.json")
    flow = _restore(golden, load_specs(golden))
    ready = _ready(flow)
    assert list(ready) == ["child_review"]
    assert ready["child_review"].data["doubled"] == 42
    facts = flow.complete(str(ready["child_review"].id), {"child_note": "seen"})
    assert [t.name for t in facts.ready] == ["after_call"]
    assert facts.ready[0].data["child_note"] == "seen"


def test_golden_files_record_the_library_that_wrote_them():
    for name in ("simple_review_after_submit.json", "call_activity_in_child.json"):
        golden = _golden(name)
        assert golden["written_by"].startswith("SpiffWorkflow 3.2.0")
        assert golden["state"]["serializer_version"] == "1.5"
