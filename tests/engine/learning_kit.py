"""The learning log's test partnership: four lessons in three cases of two processes (fixture bundles whose start
data holds the lessons, each case with a task for one agency's reviewers), recorded on three days, and who may read
which (the need-to-know rule: every lesson for coordinators, chairs and the scrutineer; for anyone else the
lessons naming their agency or from a case they take part in)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from engine.bundles import definitions
from engine.bundles.parsing import read_bundle_dir
from engine.cases import instances
from engine.store.db import transaction
from engine.store.models import Lesson
from tests.conftest import FIXTURES, NOW

# business key: (process, agency whose reviewers have its task, when recorded, lessons)
CASES: dict[str, tuple[str, str, datetime, list[dict[str, Any]]]] = {
    "LL-POLICE": ("lesson_log", "police", datetime(2026, 3, 10, 11, 0, tzinfo=UTC), [
        {"theme": "neglect", "lesson": "Chronic neglect was missed across agencies.",
         "good_practice": "The health visitor kept a clear chronology.", "agencies": ["csc"]}]),
    "LL-CSC": ("lesson_log", "csc", datetime(2026, 6, 14, 23, 30, tzinfo=UTC), [  # 15 June in London
        {"theme": "domestic_abuse", "lesson": "Police call-outs were not shared with the school.",
         "good_practice": "", "agencies": ["health"]},
        {"theme": "safe_sleep", "lesson": "Advice was not repeated after the family moved.",
         "good_practice": "Midwives recorded the advice at every visit (100% of contacts).",
         "agencies": ["police", "health"]}]),
    "LL-HEALTH": ("lesson_audit", "health", datetime(2026, 11, 30, 9, 0, tzinfo=UTC), [
        {"theme": "voice_of_child", "lesson": "The child's own words were not recorded.",
         "good_practice": "None identified", "agencies": ["health"]}]),
}
LESSON_OF = {"neglect": "L1", "domestic_abuse": "L2", "safe_sleep": "L3", "voice_of_child": "L4"}
EVERY = {"L1", "L2", "L3", "L4"}
# who reads which (by the partnership fixture's usernames)
SEES = {"cora": EVERY, "chad": EVERY, "scot": EVERY,
        # the reviewers' tasks do not show the lessons, so taking part in a case is not enough (SPEC §1)
        "pat": {"L3"},  # L3 names the police; L1, from the police's case, names only csc
        "sam": {"L1"},  # L1 names csc; L2 and L3, from the csc's case, do not
        "hana": {"L2", "L3", "L4"},  # each names health
        "lena": {"L1"}, "ivy": {"L2", "L3", "L4"}, "paul": {"L3"}}  # partners take no part in reviewers' tasks
NO_CASE_DATA = ("adam", "dee")
PSEUDONYM = "Child Quentin"  # each case's: never in the log, its exports or a briefing


@dataclass(frozen=True)
class Seeded:
    ids: dict[str, int]  # L1..L4: the lesson's id
    cases: dict[str, str]  # business key: instance id

    def names(self, ids: Any) -> set[str]:
        by_id = {v: k for k, v in self.ids.items()}
        return {by_id[i] for i in ids}


def seed_lessons(factory: Any, actors: dict[str, Any]) -> Seeded:
    """Deploy both fixture bundles and start the three cases (their lessons projected at the start)."""
    with transaction(factory) as s:
        for key in ("lesson_log", "lesson_audit"):
            definitions.deploy_bundle(s, key, read_bundle_dir(FIXTURES / key), actor="dee", now=NOW)
    cases = {}
    for business_key, (process, agency, recorded, lessons) in CASES.items():
        with transaction(factory) as s:
            cases[business_key] = instances.start_instance(
                s, process, data={"lead_agency": agency, "pseudonym": PSEUDONYM, "learning_log": lessons},
                business_key=business_key, actor=actors["coordinator"], now=recorded).id
    with transaction(factory) as s:
        rows = s.scalars(select(Lesson)).all()
        ids = {LESSON_OF[row.theme]: row.id for row in rows}
    return Seeded(ids=ids, cases=cases)


def actor(username: str) -> Any:
    """The test partnership's user as an ``Actor`` (as the ``partnership`` fixture makes them)."""
    from engine.records import Actor
    from tests.conftest import USERS
    role, agency = next((r, a) for u, r, a in USERS if u == username)
    return Actor(username, frozenset({role}), agency)


# A case of the fixture bundle whose reviewers' task shows the lessons (``shows`` names ``learning_log.*.lesson``):
# its lesson names only csc, so the police's reviewers read it by taking part, and no other police reader does.
SHOWN_SEES = {"cora": True, "chad": True, "scot": True, "pat": True, "sam": True, "hana": False,
              "lena": True, "ivy": False, "paul": False}  # paul: the police's partner takes no part in the task


def seed_shown_lesson(factory: Any, actors: dict[str, Any]) -> int:
    """Deploy ``lesson_shown`` and start a police case recording one lesson naming csc; the lesson's id."""
    with transaction(factory) as s:
        definitions.deploy_bundle(s, "lesson_shown", read_bundle_dir(FIXTURES / "lesson_shown"), actor="dee", now=NOW)
    with transaction(factory) as s:
        instance_id = instances.start_instance(
            s, "lesson_shown", business_key="LL-SHOWN", actor=actors["coordinator"], now=NOW,
            data={"lead_agency": "police", "pseudonym": PSEUDONYM, "learning_log": [
                {"theme": "neglect", "lesson": "Shared lesson read by the police's reviewers.", "good_practice": "",
                 "agencies": ["csc"]}]}).id
    with transaction(factory) as s:
        return s.scalars(select(Lesson.id).where(Lesson.instance_id == instance_id)).one()
