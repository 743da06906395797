"""The register's query (``engine.reports.actions``): every filter alone and together, every status and RAG value,
need to know for every role, overdue across a day's end in England, and its order; on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date
from itertools import product

import pytest

from engine.cases import instances
from engine.errors import BadRequest, Forbidden
from engine.registers.records import CLOSED_STATUSES, RAG_WORDS, STATUS_WORDS
from engine.reports import actions
from engine.store.db import transaction
from tests.conftest import NOW
from tests.scenarios.scenarios_kit import at as at_london

from .actions_kit import SEED, register_order

WHOLE = ("coordinator", "chair", "scrutineer")


def listed(factory, actor, now=NOW, **filters):
    with transaction(factory) as s:
        page = actions.action_register(s, actor=actor, now=now, limit=200, offset=0, **filters)
    keys = [a.entry.action_key for a in page.items]
    assert page.total == len(keys)
    return keys


# "open" is every action not yet closed (the status "open", not yet updated, among them)
STATUS_OF = {**{s: (lambda r, s=s: r.status == s) for s in STATUS_WORDS},
             "open": lambda r: r.status not in CLOSED_STATUSES, "closed": lambda r: r.status in CLOSED_STATUSES}
FILTERS = {  # each filter's values and what it keeps
    "agency": {a: (lambda r, a=a: r.agency == a) for a in ("police", "csc", "health")},
    "process_key": {p: (lambda r, p=p: r.source == p) for p in actions.PROCESS_KEYS},
    "status": STATUS_OF,
    "rag": {g: (lambda r, g=g: r.rag == g) for g in RAG_WORDS},
    "overdue": {True: lambda r: r.overdue(), False: lambda r: not r.overdue()},
    "due_from": {date(2026, 12, 1): lambda r: r.due is not None and r.due >= date(2026, 12, 1)},
    "due_to": {date(2026, 12, 1): lambda r: r.due is not None and r.due <= date(2026, 12, 1)},
    "q": {"NEGLECT": lambda r: "neglect" in r.words.lower(), "of_neglect": lambda r: "of_neglect" in r.words,
          "100%": lambda r: "100%" in r.words},
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_every_filter_alone_keeps_exactly_its_actions(factory, partnership, plans, name):
    for value, keeps in FILTERS[name].items():
        expected = register_order([r for r in SEED if keeps(r)])
        assert listed(factory, partnership["coordinator"], **{name: value}) == expected, (name, value)


def test_every_status_and_rag_value_is_listed_somewhere(factory, partnership, plans):
    for status in STATUS_WORDS:
        assert listed(factory, partnership["chair"], status=status), status
    for rag in RAG_WORDS:
        assert listed(factory, partnership["chair"], rag=rag), rag


def test_filters_together_keep_what_each_keeps(factory, partnership, plans):
    pairs = [("agency", "process_key"), ("status", "rag"), ("agency", "overdue"), ("rag", "due_from"),
             ("status", "q"), ("process_key", "due_to")]
    for first, second in pairs:
        for (v1, k1), (v2, k2) in product(FILTERS[first].items(), FILTERS[second].items()):
            expected = register_order([r for r in SEED if k1(r) and k2(r)])
            assert listed(factory, partnership["coordinator"], **{first: v1, second: v2}) == expected
    everything = dict(agency="csc", process_key="section11", status="open", rag="red", overdue=False,
                      due_from=date(2026, 12, 2), due_to=date(2026, 12, 2), q="supervision")
    assert listed(factory, partnership["scrutineer"], **everything) == ["A09"]


def test_one_plans_actions(factory, partnership, plans):
    plan_ids, _ = plans
    for index, plan_id in enumerate(plan_ids):
        expected = register_order([r for r in SEED if r.plan == index])
        assert listed(factory, partnership["coordinator"], plan_id=plan_id) == expected


@pytest.mark.parametrize("role", WHOLE)
def test_coordinators_chairs_and_the_scrutineer_see_every_action_overdue_first(factory, partnership, plans, role):
    assert listed(factory, partnership[role]) == register_order(list(SEED))
    assert register_order(list(SEED))[:2] == ["A01", "A03"]  # the overdue ones, oldest due first


@pytest.mark.parametrize("role", ["police", "csc", "health", "partner:police", "partner:csc", "partner:health"])
def test_reviewers_and_partners_see_their_agencys_actions_and_those_they_own(factory, partnership, plans, role):
    actor = partnership[role]
    expected = register_order([r for r in SEED if r.agency == actor.agency or r.owner == actor.username])
    assert listed(factory, actor) == expected
    assert listed(factory, actor, agency="police") == [k for k in expected
                                                       if next(r for r in SEED if r.key == k).agency == "police"]


def test_a_lead_who_owns_another_agencys_action_sees_it(factory, partnership, plans):
    assert "A09" in listed(factory, partnership["health"])  # hana owns csc's action A09


@pytest.mark.parametrize("role", ["designer", "admin"])
def test_administrators_and_designers_are_refused(factory, partnership, plans, role):
    with transaction(factory) as s, pytest.raises(Forbidden):
        actions.action_register(s, actor=partnership[role], now=NOW, limit=10, offset=0)


@pytest.mark.parametrize("parameter,values", [
    ("process_key", {"process_key": "action_plan"}), ("status", {"status": "late"}), ("rag", {"rag": "purple"}),
    ("q", {"q": "x" * 201}), ("to", {"due_from": date(2027, 1, 2), "due_to": date(2027, 1, 1)}),
    ("agency", {"agency": "p" * 65})])
def test_a_value_no_action_could_have_is_refused_naming_its_parameter(factory, partnership, plans, parameter,
                                                                      values):
    with transaction(factory) as s, pytest.raises(BadRequest) as refused:
        actions.action_register(s, actor=partnership["coordinator"], now=NOW, limit=10, offset=0, **values)
    assert refused.value.details == {"parameter": parameter}


def test_overdue_turns_at_the_end_of_the_due_day_in_england(factory, partnership, plans):
    coordinator = partnership["coordinator"]  # A09 is due on 2 December 2026
    for moment, late in ((at_london("2026-12-02", 23, 59), False), (at_london("2026-12-03", 0, 1), True)):
        assert ("A09" in listed(factory, coordinator, now=moment, overdue=True)) is late, moment
        assert ("A09" in listed(factory, coordinator, now=moment, overdue=False)) is not late, moment



def test_names_come_with_each_action(factory, partnership, plans):
    with transaction(factory) as s:
        page = actions.action_register(s, actor=partnership["coordinator"], now=NOW, limit=200, offset=0)
    found = {a.entry.action_key: a for a in page.items}
    assert found["A01"].agency_name == "Police" and found["A02"].agency_name == "Children's Social Care"
    assert found["A08"].agency_name is None and found["A10"].owner_name is None
    assert found["A02"].owner_name == "sam" or found["A02"].owner_name  # the partnership's users have no full name
    assert all(a.plan_business_key and a.plan_title for a in page.items)
    assert {a.plan_status for a in page.items} == {"active"}
    assert found["A01"].overdue and not found["A07"].overdue  # signed off: never overdue


def test_pages_do_not_overlap_and_the_total_counts_every_match(factory, partnership, plans):
    coordinator, seen = partnership["coordinator"], []
    with transaction(factory) as s:
        for offset in range(0, 12, 3):
            page = actions.action_register(s, actor=coordinator, now=NOW, limit=3, offset=offset)
            assert page.total == len(SEED)
            seen += [a.entry.action_key for a in page.items]
        beyond = actions.action_register(s, actor=coordinator, now=NOW, limit=3, offset=30)
    assert seen == register_order(list(SEED))
    assert beyond.items == () and beyond.total == len(SEED)


def test_a_plans_actions_with_their_counts(factory, partnership, plans):
    plan_ids, _ = plans
    with transaction(factory) as s:
        plan = actions.plan_actions(s, plan_ids[2], actor=partnership["coordinator"], now=NOW)
        fresh = instances.start_instance(s, "action_plan", actor=partnership["coordinator"], now=NOW).id
        empty = actions.plan_actions(s, fresh, actor=partnership["chair"], now=NOW)
        police = actions.plan_actions(s, plan_ids[2], actor=partnership["police"], now=NOW)
    assert [a.entry.action_key for a in plan.actions] == ["A07", "A08", "A09", "A10"]  # by number
    assert plan.by_status == {"signed_off": 1, "withdrawn": 1, "on_track": 1, "open": 1}
    assert plan.by_rag == {"red": 1} and plan.open == 2 and plan.overdue == 0
    assert empty is not None and empty.actions == ()  # a plan with no actions yet is still a plan
    assert [a.entry.action_key for a in police.actions] == ["A07"]  # need to know on the plan too


def test_a_case_that_is_no_plan_has_no_actions(factory, partnership, deploy):
    deploy("simple_review")
    with transaction(factory) as s:
        case = instances.start_instance(s, "simple_review", actor=partnership["coordinator"], now=NOW).id
        assert actions.plan_actions(s, case, actor=partnership["chair"], now=NOW) is None
