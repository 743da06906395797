"""Every row of scr_review_type.dmn, both regimes: the rows are read from the file, so a row added without a case
here fails ``test_every_row_has_a_case``; each case is a referral that must land on its own row (its outputs, as
the file gives them) and on no earlier one."""
from __future__ import annotations

import pytest
from lxml import etree

from engine.store.db import transaction
from engine.work import tasks as task_service

from .conftest import WORKFLOWS

DMN = "{https://www.omg.org/spec/DMN/20191111/MODEL/}"
NOT_SERIOUS = dict(abuse_or_neglect="not_suspected", child_outcome="other")

# rule id -> the referral that should hit it (criteria beyond the scenario defaults: abuse suspected, seriously
# harmed, concern about agencies working together, no special circumstances, whole-case focus, three agencies)
CASES = {
    "rule_lscb_1": dict(abuse_or_neglect="not_suspected", child_outcome="died",
                        special_circumstances="custody_or_detained"),
    "rule_lscb_2": dict(child_outcome="died", concern_agency_working=False),
    "rule_lscb_3": dict(abuse_or_neglect="known"),
    "rule_lscb_4": dict(concern_agency_working=False),
    "rule_lscb_5": dict(NOT_SERIOUS, special_circumstances="looked_after_death", concern_agency_working=False),
    "rule_lscb_6": dict(NOT_SERIOUS, learning_focus="period", agencies_involved=["police", "csc"]),
    "rule_lscb_7": dict(NOT_SERIOUS, learning_focus="single_event"),
    "rule_lscb_8": dict(NOT_SERIOUS, learning_focus="period", agencies_involved=["health"]),
    "rule_lscb_9": dict(NOT_SERIOUS, concern_agency_working=False),
    "rule_wt_1": dict(child_outcome="died", special_circumstances="care_leaver_death"),
    "rule_wt_2": dict(NOT_SERIOUS, special_circumstances="custody_or_detained"),
    "rule_wt_3": dict(child_outcome="died", national_importance=True, concern_agency_working=False),
    "rule_wt_4": dict(abuse_or_neglect="known"),
    "rule_wt_5": dict(child_outcome="died", concern_agency_working=False),
    "rule_wt_6": dict(NOT_SERIOUS, special_circumstances="looked_after_death", concern_agency_working=False),
    "rule_wt_7": dict(NOT_SERIOUS, learning_focus="period", agencies_involved=["police", "csc"]),
    "rule_wt_8": dict(NOT_SERIOUS, learning_focus="single_event"),
    "rule_wt_9": dict(NOT_SERIOUS, learning_focus="period", agencies_involved=["health"]),
    "rule_wt_10": dict(NOT_SERIOUS, concern_agency_working=False),
}


def dmn_rows() -> dict[str, dict[str, str]]:
    """Each rule of the table: its regime cell and its outputs, as written in the file."""
    root = etree.parse(str(WORKFLOWS / "scr" / "scr_review_type.dmn")).getroot()
    table = root.find(f".//{DMN}decisionTable")
    inputs = [i.find(f"{DMN}inputExpression/{DMN}text").text for i in table.findall(f"{DMN}input")]
    outputs = [o.get("name") for o in table.findall(f"{DMN}output")]
    rows = {}
    for rule in table.findall(f"{DMN}rule"):
        cells = [e.find(f"{DMN}text").text or "" for e in rule.findall(f"{DMN}inputEntry")]
        values = [e.find(f"{DMN}text").text for e in rule.findall(f"{DMN}outputEntry")]
        rows[rule.get("id")] = {"regime": cells[inputs.index("regime")].strip('"'),
                                **{name: value.strip('"') for name, value in zip(outputs, values, strict=True)}}
    return rows


def test_every_row_has_a_case():
    rows = dmn_rows()
    assert set(rows) == set(CASES)
    assert {r["regime"] for r in rows.values()} == {"lscb2013", "wt2023"}  # no row outside a regime
    bases = [r["recommendation_basis"] for r in rows.values()]
    assert len(set(bases)) == len(bases)  # so landing on a row's outputs means landing on that row


@pytest.mark.parametrize("rule", list(dmn_rows()))
def test_each_row_decides_its_case(run, rule):
    row = dmn_rows()[rule]
    run.move_to("2027-01-11")
    case = run.start("scr", data={"regime": row["regime"]}, who="pat")
    run.do(case, "referral", **CASES[rule])
    screening = run.task(case, "screening" if row["regime"] == "lscb2013" else "screening_wt")
    with transaction(run.factory) as s:
        data = task_service.task_detail(s, screening.id, actor=run.coordinator, now=run.now).data
    assert (data["recommended_review_type"], data["recommendation_basis"]) == \
        (row["recommended_review_type"], row["recommendation_basis"])
