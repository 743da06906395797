"""section11 across two cycles: the second cycle's returns start from each agency's previous return (and only its
own), the coordinator's standards for particular agencies are rated by those agencies alone and carried to the
next cycle, and the challenge event sees, per agency and per standard, the rating before and now in words."""
from __future__ import annotations

import pytest

from engine.reads import task_forms
from engine.store.db import transaction

from .scenarios_kit import at

AMBER_3 = ["green", "green", "amber", "green", "green", "green", "green", "green"]
RED_1_NA_6 = ["red", "green", "green", "green", "green", "na", "green", "green"]
ALL_GREEN = ["green"] * 8
OWN = [{"ref": "E1", "title": "Section 175: the governing body's annual safeguarding report", "agencies": ["csc"]},
       {"ref": "H1", "title": "Safeguarding supervision for every health visitor", "agencies": ["health"]}]


def _form(run, task):
    actor = run.people.actor_for(task.role, task.agency, task.assignee)
    with transaction(run.factory) as s:
        return task_forms.task_form(s, task.id, actor=actor)


def _first_cycle(run, *, own=OWN):
    """2027-29: police amber on 3, csc red on 1 (and E1 amber), health all green (H1 red), to the end."""
    run.move_to("2027-01-04")
    case = run.start("section11")
    run.do(case, "set_cycle", cycle_name="2027-29", return_deadline="2027-03-26", agency_standards=own)
    run.move_to(at("2027-03-01", 10))
    run.do_each(case, "self_evaluation", per_agency={"police": {"ratings": AMBER_3},
                                                     "csc": {"ratings": RED_1_NA_6, "own_ratings": {"E1": "amber"}},
                                                     "health": {"ratings": ALL_GREEN, "own_ratings": {"H1": "red"}}})
    run.run_to_end(case, plan={"challenge_event": {"agreed_actions": 0}})
    assert run.instance(case).status == "completed"
    return case


def test_the_first_cycle_has_nothing_to_compare_with(run):
    case = _first_cycle(run)
    data = run.instance(case).data
    assert data["previous_s11_returns"] is None and data["previous_cycle_name"] == ""
    assert {c["change"] for c in data["changes_since_last_cycle"]} == {"new"}
    assert data["change_counts"] == {"improved": 0, "same": 0, "worse": 0, "new": 26, "not comparable": 0}
    challenge = [t for t in run.completed_tasks(case) if t.name == "challenge_event"][0]
    assert "no earlier return to compare with" in _instructions(run, challenge)


def _instructions(run, task):
    from engine.work import tasks
    actor = run.people.actor_for(task.role, task.agency, task.assignee)
    with transaction(run.factory) as s:
        return tasks.task_detail(s, task.id, actor=actor, now=run.now).instructions or ""


def test_only_the_agencies_chosen_rate_a_standard_set_for_them(run):
    run.move_to("2027-01-04")
    case = run.start("section11")
    run.do(case, "set_cycle", cycle_name="2027-29", agency_standards=OWN)
    returns = {t.agency: t for t in run.ready(case, name="self_evaluation")}
    properties = {agency: _form(run, task).schema["properties"] for agency, task in returns.items()}
    assert "additional_standards" not in properties["police"]  # police got neither E1 nor H1
    assert list(properties["csc"]["additional_standards"]["properties"]) == ["E1"]
    assert list(properties["health"]["additional_standards"]["properties"]) == ["H1"]
    assert properties["csc"]["additional_standards"]["properties"]["E1"]["title"] == \
        "Standard E1: Section 175: the governing body's annual safeguarding report"
    assert [s["ref"] for s in run.shown(returns["csc"])["my_standards"]] == ["E1"]
    assert run.shown(returns["police"])["my_standards"] == []
    with pytest.raises(AssertionError, match="additional_standards"):  # csc must rate E1
        run.complete(returns["csc"], additional_standards={})
    run.do_each(case, "self_evaluation", per_agency={"csc": {"own_ratings": {"E1": "amber"}}})
    by_agency = {r["agency"]: r for r in run.instance(case).data["s11_returns"]}
    assert [s["standard"] for s in by_agency["csc"]["standards"]] == [1, 2, 3, 4, 5, 6, 7, 8, "E1"]
    assert [s["standard"] for s in by_agency["health"]["standards"]][-1] == "H1"
    assert len(by_agency["police"]["standards"]) == 8
    run.run_to_end(case, plan={"challenge_event": {"agreed_actions": 0}})
    (plan,) = run.instances("action_plan")  # E1's amber action joins the board plan under its own title
    assert any(a["recommendation"] == "Section 11 standard E1 rated amber: " + OWN[0]["title"]
               for a in plan.data["actions"])


def test_the_next_cycle_starts_from_each_agency_s_own_previous_return(run):
    first = _first_cycle(run)
    previous = {r["agency"]: r for r in run.instance(first).data["s11_returns"]}
    run.move_to("2029-01-04")
    case = run.start("section11")
    set_cycle = run.task(case, "set_cycle")
    assert run.shown(set_cycle)["agency_standards"] == OWN  # last cycle's, to keep or change
    run.complete(set_cycle, cycle_name="2029-31", return_deadline="2029-03-23")
    for task in run.ready(case, name="self_evaluation"):
        shown = run.shown(task)
        mine = previous[task.agency]
        assert shown["previous_cycle"] == "2027-29"
        for s in mine["standards"]:  # the form's starting values are the agency's previous answers
            answer = {k: v for k, v in s.items() if k not in ("standard", "title")}
            key = f"standard_{s['standard']}" if isinstance(s["standard"], int) else None
            assert (shown[key] if key else shown["additional_standards"][s["standard"]]) == answer
        assert shown["respondent_role"] == mine["respondent_role"]
        assert "previous_s11_returns" not in shown and "s11_returns" not in shown
        assert not any(f'"{a}"' in json_text(shown) for a in previous if a != task.agency)  # no other agency's
    run.move_to(at("2029-03-01", 10))
    run.do_each(case, "self_evaluation", per_agency={
        "police": {"changes": {3: "green"}},  # amber -> green: improved; the rest as before
        "csc": {"changes": {1: "amber", 2: "red"}},  # red -> amber improved, green -> red worse
        "health": {"own_ratings": {"H1": "green"}, "changes": {6: "na"}},  # H1 red -> green; 6 green -> n/a
    })
    data = run.instance(case).data
    changes = {(c["agency"], c["standard"]): c for c in data["changes_since_last_cycle"]}
    assert changes[("police", "3")]["words"] == "amber last cycle, green now: improved"
    assert changes[("police", "1")]["change"] == "same"
    assert changes[("csc", "1")]["words"] == "red last cycle, amber now: improved"
    assert changes[("csc", "2")]["words"] == "green last cycle, red now: worse"
    assert changes[("csc", "6")]["words"] == "not applicable last cycle, not applicable now: same"
    assert changes[("csc", "E1")]["words"] == "amber last cycle, amber now: same"
    assert changes[("health", "H1")]["words"] == "red last cycle, green now: improved"
    assert changes[("health", "6")]["words"] == "green last cycle, not applicable now: not comparable"
    assert data["change_counts"] == {"improved": 3, "same": 21, "worse": 1, "new": 0, "not comparable": 1}
    assert data["previous_cycle_name"] == "2027-29"
    run.do(case, "select_peer_review")
    run.do_each(case, "peer_review")
    challenge = run.task(case, "challenge_event")
    shown = run.shown(challenge)
    assert shown["changes_since_last_cycle"] == data["changes_since_last_cycle"]
    words = _instructions(run, challenge)
    assert "Compared with 2027-29: 3 ratings improved, 21 stayed" in words
    assert "| Children's Social Care | 2. A clear statement of the agency's responsibilities" in words
    assert "| Green | Red | Worse |" in words  # ratings and changes in words, not as stored


def test_an_agency_new_to_the_partnership_s_cycles_starts_blank(run):
    run.move_to("2027-01-04")
    first = run.start("section11")
    run.do(first, "set_cycle", agencies_taking_part=["police", "csc"])
    run.run_to_end(first, plan={"self_evaluation": {"ratings": AMBER_3}, "challenge_event": {"agreed_actions": 0}})
    run.move_to("2029-01-04")
    case = run.start("section11")
    run.do(case, "set_cycle", agencies_taking_part=["police", "csc", "health"])
    assert run.shown(run.task(case, "self_evaluation", agency="police"))["standard_3"]["rating"] == "amber"
    health = run.shown(run.task(case, "self_evaluation", agency="health"))
    assert health["previous_cycle"] == "" and "standard_1" not in health
    run.do_each(case, "self_evaluation", per_agency={"health": {"ratings": ALL_GREEN}})
    changes = run.instance(case).data["changes_since_last_cycle"]
    assert {c["change"] for c in changes if c["agency"] == "health"} == {"new"}
    assert {c["words"] for c in changes if c["agency"] == "health"} == {"not rated last cycle, green now"}


def json_text(value):
    import json
    return json.dumps(value, sort_keys=True)
