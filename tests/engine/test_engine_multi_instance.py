"""Multi-instance over a list of agencies: one task per agency, bound to it, and the outputs collected."""
from __future__ import annotations

import pytest

from engine.errors import NotFound
from engine.reads import queries
from engine.store.db import transaction
from engine.work import tasks

from .engine_kit import NOW

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured

AGENCIES = ["police", "csc", "health"]


@pytest.fixture
def returns(deploy, cases, restore_every_step):
    deploy("multi_instance")
    return cases.start("multi_instance", data={"agencies": AGENCIES})


def _by_agency(cases, instance_id):
    return {t.agency: t for t in cases.tasks(instance_id) if t.name == "agency_return"}


def test_multi_instance_creates_one_task_per_agency(returns, cases):
    rows = _by_agency(cases, returns)
    assert sorted(rows) == sorted(AGENCIES)
    assert {t.role for t in rows.values()} == {"reviewer"}
    assert len({t.id for t in rows.values()}) == 3
    assert all("agencies" not in t.data for t in rows.values())  # each shows its view, not the case's list


def test_multi_instance_task_visible_only_to_its_agency_and_coordinators(returns, cases, factory):
    rows = _by_agency(cases, returns)
    with transaction(factory) as s:
        for agency in AGENCIES:
            offered = queries.tasks_for(s, cases.actor(agency), NOW)
            assert [(t.name, t.agency) for t in offered.items] == [("agency_return", agency)]
            for other in set(AGENCIES) - {agency}:
                with pytest.raises(NotFound):
                    tasks.task_detail(s, rows[other].id, actor=cases.actor(agency), now=NOW)
        assert queries.tasks_for(s, cases.actor("coordinator"), NOW).total == 3
        assert tasks.task_detail(s, rows["health"].id, actor=cases.actor("chair"), now=NOW).task.agency == "health"


def test_multi_instance_reviewer_cannot_complete_another_agencys_task(returns, cases):
    rows = _by_agency(cases, returns)
    with pytest.raises(NotFound):
        cases.complete(rows["police"].id, {"summary": "not ours"}, who="csc")
    assert sorted(_by_agency(cases, returns)) == sorted(AGENCIES)


def test_multi_instance_collects_every_output(returns, cases):
    rows = _by_agency(cases, returns)
    for agency, still_out in (("health", ["csc", "police"]), ("police", ["csc"])):
        cases.complete(rows[agency].id, {"summary": f"{agency} return"}, who=agency)
        assert sorted(_by_agency(cases, returns)) == still_out
        assert cases.ready_names(returns) == ["agency_return"] * len(still_out)
    cases.complete(rows["csc"].id, {"summary": "csc return"}, who="csc")
    assert cases.ready_names(returns) == ["collate"]
    reports = cases.instance(returns).data["reports"]
    assert sorted(reports, key=lambda r: r["agency"]) == [
        {"agency": "csc", "summary": "csc return"}, {"agency": "health", "summary": "health return"},
        {"agency": "police", "summary": "police return"}]
    assert "agency" not in cases.instance(returns).data  # per-instance variables do not leak into the case


def test_multi_instance_over_empty_list_skips_to_next_step(deploy, cases, restore_every_step):
    deploy("multi_instance")
    instance_id = cases.start("multi_instance", data={"agencies": []})
    assert cases.ready_names(instance_id) == ["collate"]
    assert cases.instance(instance_id).data["reports"] == []
