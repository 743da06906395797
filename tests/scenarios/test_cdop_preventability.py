"""cdop: modifiable factors and preventability are derived from the panel's domain scores (A-D), never asked a
second time. Every one of the 625 combinations of scores runs the shipped script (``derive_preventability`` in
cdop.bpmn) in the restricted environment the engine uses; one case per outcome runs it through the engine."""
from __future__ import annotations

import itertools

import pytest
from lxml import etree

from engine.sandbox.scripting import execute_here

from .conftest import WORKFLOWS

SCORES = ("0", "1", "1*", "2", "3")
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _script(task_id: str) -> str:
    root = etree.parse(str(WORKFLOWS / "cdop" / "cdop.bpmn")).getroot()
    (task,) = [t for t in root.iter(BPMN + "scriptTask") if t.get("id") == task_id]
    return task.find(BPMN + "script").text


def expected(scores: tuple[str, ...]) -> tuple[str, str]:
    """The rule, written independently of the script: a domain with factors that may have contributed (2) or that
    explain the death (3) means modifiable factors were identified; otherwise a domain without information (0)
    means there was not enough to judge; otherwise (1, 1*) none were."""
    if any(s in ("2", "3") for s in scores):
        return "identified", "preventable"
    if "0" in scores:
        return "insufficient_information", "cannot_determine"
    return "not_identified", "not_preventable"


def test_every_combination_of_domain_scores_derives_modifiable_factors_and_preventability():
    source = _script("derive_preventability")
    outcomes = set()
    for scores in itertools.product(SCORES, repeat=4):
        data = dict(zip(("domain_a_score", "domain_b_score", "domain_c_score", "domain_d_score"), scores, strict=True))
        execute_here(source, data, {}, 10_000)
        assert (data["modifiable_factors"], data["preventability"]) == expected(scores), scores
        outcomes.add(data["modifiable_factors"])
    assert len(outcomes) == 3


@pytest.mark.parametrize(("scores", "modifiable", "preventability"), [
    (("1", "2", "1*", "1"), "identified", "preventable"),
    (("3", "0", "1", "1"), "identified", "preventable"),
    (("0", "1*", "1", "1"), "insufficient_information", "cannot_determine"),
    (("1", "1*", "1*", "1"), "not_identified", "not_preventable"),
])
def test_the_panel_gives_scores_and_the_case_keeps_what_they_mean(run, scores, modifiable, preventability):
    case = run.start("cdop")
    run.do(case, "notification", expected_death="expected")
    run.run_to_end(case, skip={"panel_review"})
    run.do(case, "panel_review", scores=scores, recommendations=0)
    data = run.instance(case).data
    assert (data["modifiable_factors"], data["preventability"]) == (modifiable, preventability)
    assert run.shown(run.task(case, "ncmd_submission"))["preventability"] == preventability


def test_a_contributing_domain_needs_a_summary_of_the_factors(run):
    case = run.start("cdop")
    run.do(case, "notification", expected_death="expected")
    run.run_to_end(case, skip={"panel_review"})
    with pytest.raises(AssertionError, match="modifiable_factors_summary"):
        run.do(case, "panel_review", scores=("1", "1", "3", "1"), modifiable_factors_summary=None, recommendations=0)
    run.do(case, "panel_review", scores=("1", "1", "1*", "0"), recommendations=0)  # none contributed: none needed
    assert "modifiable_factors_summary" not in run.instance(case).data
