"""The action register's test data: a set of actions inserted as ``plan_action`` rows under real plan cases
(``seed``), covering every status, RAG rating, raising process, agency and due date around ``NOW``; the same set as
plain values (``SEED``) for the tests to compute what each filter should give; and a plan raised through the shipped
bundle (``raise_plan``), whose rows the projection writes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from engine.cases import instances
from engine.registers.records import CLOSED_STATUSES
from engine.store.db import transaction
from engine.store.models import PlanAction
from tests.conftest import NOW

TODAY = date(2026, 12, 1)  # NOW's day in London


@dataclass(frozen=True)
class Seeded:
    key: str
    plan: int  # which of the three plans
    source: str
    agency: str | None
    owner: str | None
    status: str
    rag: str | None
    due: date | None
    number: int
    words: str = ""

    def overdue(self, today: date = TODAY) -> bool:
        return self.status not in CLOSED_STATUSES and self.due is not None and self.due < today


SEED = (
    Seeded("A01", 0, "scr", "police", "pat", "open", None, date(2026, 11, 20), 1, "Audit of strategy meetings"),
    Seeded("A02", 0, "scr", "csc", "sam", "on_track", "green", date(2027, 1, 15), 2, "Neglect toolkit training"),
    Seeded("A03", 0, "scr", "health", "hana", "at_risk", "amber", date(2026, 11, 30), 3, "Was not brought policy"),
    Seeded("A04", 1, "cdop", "police", "paul", "not_started", "red", date(2027, 3, 1), 1, "Safe sleep campaign"),
    Seeded("A05", 1, "cdop", "csc", "sam", "completed", "green", date(2027, 2, 1), 2, "Escalation 100% policy"),
    Seeded("A06", 1, "cdop", "health", "ivy", "awaiting_evidence", "amber", date(2026, 12, 1), 3, "Bereavement card"),
    Seeded("A07", 2, "manual", "police", "pat", "signed_off", "green", date(2026, 10, 1), 1, "Custody referrals"),
    Seeded("A08", 2, "manual", None, "cora", "withdrawn", None, date(2026, 9, 1), 2, "Regional protocol"),
    Seeded("A09", 2, "section11", "csc", "hana", "on_track", "red", date(2026, 12, 2), 3, "Supervision audit"),
    Seeded("A10", 2, "case_audit", "health", None, "open", None, None, 4, "Re-audit of_neglect cases"),
)
PLAN_TITLES = ("Actions from the Child P review", "Actions from the child death review of Child Q",
               "Neglect strategy")


def start_plans(factory: Any, coordinator: Any, count: int = 3) -> list[str]:
    """``count`` action plan cases started by hand (the shipped bundle), their ids."""
    with transaction(factory) as s:
        return [instances.start_instance(s, "action_plan", actor=coordinator, now=NOW).id for _ in range(count)]


def seed(factory: Any, plan_ids: list[str], rows: tuple[Seeded, ...] = SEED) -> dict[str, int]:
    """Insert ``rows`` as ``plan_action`` rows under ``plan_ids``; the row id of each action key."""
    with transaction(factory) as s:
        added = [PlanAction(
            action_key=r.key, plan_id=plan_ids[r.plan], number=r.number, source_process=r.source,
            source_reference=f"REF-{r.plan}", recommendation=f"Recommendation for {r.words}", action=r.words,
            measure=f"Measure of {r.words}", owner=r.owner, agency=r.agency, due_date=r.due,
            original_due_date=r.due, status=r.status, rag=r.rag,
            latest_update=f"Update on {r.words}" if r.status != "open" else "",
            latest_update_date=date(2026, 11, 15) if r.status != "open" else None,
            evidence_of_impact="Re-audit shows change" if r.status in ("completed", "signed_off") else "",
            signed_off_at=datetime(2026, 11, 16, 10, tzinfo=UTC) if r.status == "signed_off" else None,
            closed_at=datetime(2026, 11, 16, 10, tzinfo=UTC) if r.status in CLOSED_STATUSES else None,
            withdrawn_reason="Superseded by the regional protocol" if r.status == "withdrawn" else "",
            raised_at=NOW, updated_at=NOW) for r in rows]
        s.add_all(added)
        s.flush()
        return {a.action_key: a.id for a in added}


def by_key(keys: list[str] | tuple[str, ...]) -> list[Seeded]:
    return [r for r in SEED if r.key in keys]


def register_order(rows: list[Seeded], today: date = TODAY) -> list[str]:
    """The register's order: overdue first, then by due date (none last), then the plan and the number."""
    return [r.key for r in sorted(rows, key=lambda r: (not r.overdue(today), r.due is None, r.due or TODAY,
                                                         r.plan, r.number))]


def raise_plan(factory: Any, traveller: Any) -> tuple[str, dict[str, str]]:
    """A plan raised by hand through the shipped bundle with three actions (police, csc, health), a month of
    monitoring (one at risk, one on track, one completed and signed off by the coordinator); the plan's id and each
    agency's action key. The rows are the projection's, from the action_item instances' data."""
    from tests.scenarios.scenarios_kit import Scenario
    run = Scenario(factory, traveller)
    plan = run.start("action_plan")
    run.do(plan, "plan_form", actions=3, plan_title="Neglect strategy: partnership priorities")
    run.later(days=28, minutes=1)
    assert run.sweep() == 3
    keys = {}
    for task in run.ready(process_key="action_plan", name="progress_update"):
        status = {"police": "at_risk", "csc": "on_track", "health": "completed"}[task.agency]
        keys[task.agency] = run.instance(task.instance_id).business_key
        run.complete(task, status=status)
    (sign_off,) = run.ready(process_key="action_plan", name="sign_off_coordinator")
    run.complete(sign_off, decision="signed_off")
    return plan, keys
