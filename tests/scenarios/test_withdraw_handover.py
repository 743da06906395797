"""A case started by a message (another case's hand-over) records as its starter whoever completed the step that
threw it; that person did not start it by hand and may not withdraw it (only a coordinator may cancel it)."""
from __future__ import annotations

import pytest

from engine.cases import instances
from engine.errors import Forbidden
from engine.store.db import transaction
from engine.store.models import ProcessInstance

from .test_section11 import _peer_reviewed, _returns_rated_by_good_friday


def test_the_chair_cannot_withdraw_the_board_plan_their_approval_handed_over(run, partnership):
    run.move_to("2027-01-04")
    case = run.start("section11")
    run.do(case, "set_cycle", return_deadline="2027-03-26", cycle_name="2027-29")
    _returns_rated_by_good_friday(run, case)
    _peer_reviewed(run, case)
    run.do(case, "challenge_event", agreed_actions=1, rating_changes=1)
    run.do(case, "approve_board_plan")  # by the chair: the hand-over starts the action plan case
    (plan,) = run.instances("action_plan")
    chair = partnership["chair"]
    with transaction(run.factory) as s:
        assert s.get(ProcessInstance, plan.id).started_by == chair.username
        with pytest.raises(Forbidden):  # fails: the chair may withdraw (cancel) the partnership's action plan
            instances.withdraw_instance(s, plan.id, actor=chair, now=run.now)
