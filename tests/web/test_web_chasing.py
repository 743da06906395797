"""Chase all (issue 13, item 13): a coordinator chases every overdue agency of one case, or of every case, in one
action: a preview of who gets what, then one chaser per overdue task written to the outbox, audited."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.store.db import transaction
from engine.store.models import AuditEvent, HumanTask, Notification

from .web_kit import cdop_to_agency_reports, text


def _late(factory, task_id, now, days=3):
    with transaction(factory) as s:
        s.get(HumanTask, task_id).due_at = now - timedelta(days=days)


def _chasers(factory):
    with transaction(factory) as s:
        return sorted((n.recipient, n.task_id, n.channel) for n in s.scalars(
            select(Notification).where(Notification.kind == "chaser")))


@pytest.fixture
def overdue(factory, partnership, cdop, now):
    """Two cases: the police report of the first and the health report of the second are overdue; the csc report
    of the first is not."""
    other = cdop_to_agency_reports(factory, partnership["coordinator"], now, ("health",))
    _late(factory, cdop.reports["police"], now)
    _late(factory, other.reports["health"], now, days=10)
    return cdop, other


def test_preview_lists_who_gets_what(as_user, overdue):
    first, other = overdue
    page = text(as_user("cora").get("/cases/chase"))
    assert "2 overdue tasks in 2 agencies" in page
    table = page[page.index('id="chasers"'):]
    assert "Police" in table and "Health Trust" in table and "Children&#39;s Social Care" not in table
    assert ">pat<" in table and ">hana<" in table and "sam" not in table  # the people each chaser goes to
    assert first.business_key in table and other.business_key in table and "Working days overdue" in table
    assert table.count('name="task"') == 2


def test_send_all_writes_one_chaser_per_overdue_task_and_audits(as_user, overdue, factory):
    first, other = overdue
    cora = as_user("cora")
    response = cora.post("/cases/chase", data={"task": [first.reports["police"], other.reports["health"]],
                                               "message": "Please send your report this week"})
    assert response.status_code == 302 and response.location.endswith("/cases")
    assert "2 chasers sent to 2 people in 2 agencies" in text(cora.get(response.location))
    assert {(r, t) for r, t, _ in _chasers(factory)} == {("pat", first.reports["police"]),
                                                         ("hana", other.reports["health"])}
    with transaction(factory) as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "tasks.chased_all"))
        chased = s.scalars(select(AuditEvent.task_id).where(AuditEvent.action == "task.chased")).all()
    assert event.actor == "cora" and sorted(event.details["task_ids"]) == sorted(
        [first.reports["police"], other.reports["health"]]) and event.details["people"] == 2
    assert sorted(chased) == sorted(event.details["task_ids"])
    assert "Chaser" in text(as_user("pat").get("/notifications"))


def test_chase_one_case_only(as_user, overdue, factory):
    first, other = overdue
    cora = as_user("cora")
    page = text(cora.get(f"/cases/{first.instance_id}/chase"))
    assert "1 overdue task in 1 agency" in page and other.business_key not in page
    response = cora.post(f"/cases/{first.instance_id}/chase", data={"task": [first.reports["police"],
                                                                             other.reports["health"]]})
    assert response.location.endswith(f"/cases/{first.instance_id}")
    assert {t for _, t, _ in _chasers(factory)} == {first.reports["police"]}  # another case's task is not sent


def test_only_what_is_still_overdue_is_sent(as_user, overdue, factory, now):
    first, other = overdue
    with transaction(factory) as s:  # extended after the preview
        s.get(HumanTask, first.reports["police"]).due_at = now + timedelta(days=5)
    cora = as_user("cora")
    response = cora.post("/cases/chase", data={"task": [first.reports["police"]]})
    assert "No chasers were sent" in text(cora.get(response.location))
    assert _chasers(factory) == []


def test_nothing_overdue_says_so(as_user, cdop):
    page = text(as_user("cora").get("/cases/chase"))
    assert "No agency is overdue" in page and "<form" not in page[page.index("<main"):]


@pytest.mark.parametrize("who", ["pat", "chad", "scot", "adam"])
def test_only_coordinators_chase(as_user, overdue, factory, who):
    first, _ = overdue
    client = as_user(who)
    assert client.get("/cases/chase").status_code == 403
    assert client.get(f"/cases/{first.instance_id}/chase").status_code == 403
    assert client.post("/cases/chase", data={"task": [first.reports["police"]]}).status_code == 403
    assert _chasers(factory) == []


def test_the_dashboard_offers_chase_all_to_coordinators(as_user, cdop):
    assert 'href="/cases/chase"' in text(as_user("cora").get("/cases"))
    assert 'href="/cases/chase"' not in text(as_user("pat").get("/cases"))


def test_the_case_pages_link_offers_chase_all_to_coordinators(app, cdop):
    """The include the case page carries (dashboard/chase_link.html)."""
    from types import SimpleNamespace

    from flask import render_template
    case = SimpleNamespace(id=cdop.instance_id)
    with app.test_request_context():
        assert f'href="/cases/{cdop.instance_id}/chase"' in render_template(
            "dashboard/chase_link.html", case=case, coordinator=True)
        assert "href" not in render_template("dashboard/chase_link.html", case=case, coordinator=False)
