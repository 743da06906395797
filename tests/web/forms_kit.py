"""Helpers for the long-form page tests: a Section 11 cycle at its agency returns, and the posts that fill in the
return's pages as a person would."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.cases import instances
from engine.records import Actor
from engine.store.db import transaction

from .web_kit import WORKFLOWS, _complete, deploy, ready_task

CYCLE = {"cycle_name": "2026-28", "cycle_period": "P2Y", "period_from": "2024-12-01", "period_to": "2026-11-30",
         "return_deadline": "2027-01-29", "agencies_taking_part": ["police", "csc", "health"]}
ABOUT = {"respondent": "pat", "respondent_role": "Head of safeguarding", "date_returned-day": "1",
         "date_returned-month": "12", "date_returned-year": "2026"}


def section11_returns(factory: Any, coordinator: Actor, now: datetime) -> str:
    """A Section 11 cycle started and set up: one return per agency taking part is ready. Returns the case."""
    deploy(factory, WORKFLOWS / "section11", now)
    with transaction(factory) as s:
        instance_id = instances.start_instance(s, "section11", actor=coordinator, now=now).id
    _complete(factory, instance_id, "set_cycle", CYCLE, coordinator, now)
    return instance_id


def police_return(factory: Any, instance_id: str) -> str:
    from sqlalchemy import select

    from engine.store.models import HumanTask
    with transaction(factory) as s:
        return s.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.agency == "police",
                                                   HumanTask.name == "self_evaluation", HumanTask.state == "ready"))


def standard(number: int, rating: str = "green", **extra: str) -> dict[str, str]:
    """The post of a standard's page: a rating with evidence (or a reason for not applicable)."""
    prefix = f"standard_{number}"
    answers = {f"{prefix}.rating": rating, f"{prefix}.actions-rows": "1"}
    if rating == "na":
        answers[f"{prefix}.na_reason"] = "We do not recruit staff directly."
    else:
        answers[f"{prefix}.evidence"] = f"Policy, training records and audit for standard {number}."
    return {**answers, **{f"{prefix}.{k}": v for k, v in extra.items()}, "_section": str(number + 1),
            "_action": "continue"}


__all__ = ["ABOUT", "CYCLE", "police_return", "ready_task", "section11_returns", "standard"]
