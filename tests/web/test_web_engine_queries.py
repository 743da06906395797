"""The engine query modules written for the pages: inbox, timeline and catalogue."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.errors import Forbidden
from engine.reads import access, catalogue, inbox, timeline
from engine.records import Actor
from engine.store.db import transaction
from engine.store.models import HumanTask
from engine.work import tasks

from .web_kit import WORKFLOWS, deploy


def test_inbox_offers_exactly_the_tasks_access_allows(factory, partnership, cdop, now):
    extra = Actor("pip", frozenset({"reviewer", "coordinator"}), "csc")
    with transaction(factory) as s:
        tasks.assign_task(s, cdop.reports["police"], "sam", actor=partnership["coordinator"], now=now)
    actors = [*partnership.values(), extra]
    with transaction(factory) as s:
        ready = list(s.scalars(select(HumanTask).where(HumanTask.state == "ready")))
        for actor in actors:
            if not actor.reads_cases:  # an administrator or a designer: no inbox, and no task they may do
                assert not any(access.may_do(actor, t) for t in ready)
                with pytest.raises(Forbidden):
                    inbox.inbox_for(s, actor, now)
                continue
            got = {item.task.id for item in inbox.inbox_for(s, actor, now, limit=100).items}
            assert got == {t.id for t in ready if access.may_do(actor, t)}, actor
    assert cdop.reports["police"] in {i.task.id for i in _inbox(factory, partnership["csc"], now)}


def _inbox(factory, actor, now, **kwargs):
    with transaction(factory) as s:
        return inbox.inbox_for(s, actor, now, **kwargs).items


def test_inbox_counts_pages_and_overdue(factory, partnership, cdop, now):
    with transaction(factory) as s:
        s.get(HumanTask, cdop.reports["police"]).due_at = now - timedelta(days=1)
        page = inbox.inbox_for(s, partnership["coordinator"], now, limit=1)
        late = inbox.inbox_for(s, partnership["police"], now, overdue=True)
        on_time = inbox.inbox_for(s, partnership["police"], now, overdue=False)
    assert page.total == 1 and len(page.items) == 1 and page.items[0].task.name == "family_views"
    assert [i.task.id for i in late.items] == [cdop.reports["police"]] and late.items[0].days_left == -1
    assert on_time.total == 0


def test_timeline_hides_views_and_other_agencies_tasks(factory, partnership, cdop, now, as_user):
    as_user("pat").get(f"/tasks/{cdop.reports['police']}")
    with transaction(factory) as s:
        tasks.add_comment(s, cdop.reports["csc"], "csc note", actor=partnership["csc"], now=now)
        everything = timeline.timeline(s, cdop.instance_id, partnership["coordinator"])
        police = timeline.timeline(s, cdop.instance_id, partnership["police"])
    assert "task.viewed" not in {e.action for e in everything}
    assert any(e.task_id == cdop.reports["csc"] for e in everything)
    assert not any(e.task_id == cdop.reports["csc"] for e in police)
    assert everything[0].action == "instance.started"


def test_catalogue_follows_start_roles(factory, partnership, now):
    deploy(factory, WORKFLOWS / "cdop", now)
    deploy(factory, WORKFLOWS / "scr", now)
    with transaction(factory) as s:
        assert {d.key for d in catalogue.startable_for(s, partnership["coordinator"])} == {"cdop", "scr"}
        assert {d.key for d in catalogue.startable_for(s, partnership["police"])} == {"scr"}
        for who in ("admin", "designer"):  # they start no case: starting is a case action
            with pytest.raises(Forbidden):
                catalogue.startable_for(s, partnership[who])
