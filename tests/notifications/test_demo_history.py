"""``lif demo`` plays months of cases at their past times, and the notifications room writes what those steps
would have sent. At the first start that past is history, not news: no email of it goes out (there were 177),
every notice of it is read, and the ladder goes on from now: the reminders and escalations of the demo's open
tasks that fall due later go out when they do."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

import notifications
from demo import load_demo
from engine.bundles import definitions
from engine.config import REPO_ROOT
from engine.store.db import make_session_factory, transaction
from engine.store.models import DueItem, HumanTask, Notification
from notifications import sweep as sweep_module

from .conftest import START
from .notifications_kit import mail_config

pytestmark = pytest.mark.slow  # the whole demo is loaded (about 20 s)


def _count(factory, *where) -> int:
    with transaction(factory) as s:
        return s.scalar(select(func.count()).select_from(Notification).where(*where)) or 0


def test_the_demos_past_is_not_mailed_at_first_start(db, db_url, smtp, clock):
    config = mail_config(db_url, smtp.port)
    notifications.install(config)
    factory = make_session_factory(db)
    with transaction(factory) as s:  # lif init
        definitions.deploy_all(s, REPO_ROOT / "workflows", actor="lif init", now=START)
    load_demo(factory, now=START)

    assert _count(factory, Notification.channel == "email") > 100  # the demo's past did write its messages
    assert _count(factory, Notification.channel == "email", Notification.state != "sent") == 0
    assert _count(factory, Notification.channel == "inapp", Notification.read_at.is_(None)) == 0
    with transaction(factory) as s:
        open_rungs = list(s.scalars(select(DueItem).where(DueItem.kind == "ladder", DueItem.done_at.is_(None))))
        assert open_rungs and min(r.due_at for r in open_rungs) >= START  # the ladder goes on from now
        first = min(r.due_at for r in open_rungs)

    first_start = START + timedelta(minutes=1)
    clock.move_to(first_start)
    result = sweep_module.sweep(factory, config, first_start)
    assert (result["ladder"], result["digests"], result["sent"]) == (0, 0, 0)
    assert smtp.messages == []

    clock.move_to(first)
    result = sweep_module.sweep(factory, config, first)
    assert result["ladder"] >= 1 and result["sent"] >= 1  # a genuinely due rung of an open demo task goes out
    with transaction(factory) as s:
        fresh = list(s.scalars(select(Notification).where(Notification.created_at >= START)))
        assert fresh and {n.kind for n in fresh} <= {"reminder", "overdue", "escalation"}
        assert all(s.get_one(HumanTask, n.task_id).state == "ready" for n in fresh)
    assert len(smtp.messages) == result["sent"]
