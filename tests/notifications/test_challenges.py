"""The independent scrutineer's challenge (SPEC §1: "adds challenge comments"): a scrutineer's comment on a step is
marked as a challenge and every coordinator is told, in the app and by e-mail, without the comment's words; anyone
else's comment is an ordinary comment and tells no one."""
from __future__ import annotations

from engine.store.db import transaction
from engine.work import tasks

from .conftest import START
from .notifications_kit import both

POLICE = {"lead_agency": "police"}


def _comment(room, factory, task_id, who, body):
    with transaction(factory) as s:
        return tasks.add_comment(s, task_id, body, actor=room.actor(who), now=START).challenge


def test_a_scrutineer_comment_is_a_challenge_the_coordinators_are_told_of(deploy, room, factory, smtp, partnership):
    deploy("notif_agency")
    room.set_user("scot", email="scot@lif.test")
    room.add_user("cleo", ["coordinator"], None, email="cleo@lif.test", now=START)
    instance_id = room.start("notif_agency", now=START, data=POLICE)
    task_id = room.task_id(instance_id)
    before = len(room.notes())
    assert _comment(room, factory, task_id, partnership["scrutineer"], "Was the school asked?") is True
    told = room.notes(kind="challenge")
    assert sorted(n.entry for n in told) == both(("challenge", "cleo"), ("challenge", "cora"))
    assert all("Was the school asked?" not in n.body and "independent scrutineer" in n.body for n in told)
    assert all(n.subject.startswith("Challenge from the independent scrutineer: ") for n in told)
    assert len(room.notes()) == before + len(told)
    room.sweep(START)
    assert sorted(str(m["To"]) for m in smtp.messages if "Challenge" in str(m["Subject"])) == [
        "cleo@lif.test", "cora@lif.test"]


def test_other_comments_are_not_challenges_and_tell_no_one(deploy, room, factory, partnership):
    deploy("notif_agency")
    instance_id = room.start("notif_agency", now=START, data=POLICE)
    task_id = room.task_id(instance_id)
    before = len(room.notes())
    for who in ("coordinator", "chair", "police"):
        assert _comment(room, factory, task_id, partnership[who], f"A note from {who}") is False
    both_roles = room.add_user("cody", ["coordinator", "scrutineer"], None, email="cody@lif.test", now=START)
    assert _comment(room, factory, task_id, both_roles, "As the coordinator") is False  # one who also coordinates
    assert len(room.notes()) == before
