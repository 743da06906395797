"""The words the lists use for what the engine keeps as keys: a case's status, whom a step waits for. The pages
and their CSV files say the same."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

STATUS_WORDS = {"active": "In progress", "completed": "Completed", "cancelled": "Cancelled",
                "error": "Stopped by an error"}
ROLE_WORDS = {"coordinator": "Coordinators", "chair": "Chairs", "reviewer": "Reviewers",
              "partner": "Safeguarding partners"}


def status_words(status: str) -> str:
    return STATUS_WORDS.get(status, status.replace("_", " ").capitalize())


def case_status(row: Any) -> str:
    """A dashboard row's status: a plan that is agreed while its actions run is not finished work."""
    if row.status == "completed" and getattr(row, "group", None):
        return "Actions open"
    return status_words(row.status) + (", paused" if getattr(row, "paused", False) else "")


def waits_for(step: Any, agencies: Mapping[str, str], people: Mapping[str, str]) -> str:
    """Who a step waits for: the person it is assigned to, else its agency, else its role (everyone in it)."""
    if step.assignee:
        return str(people.get(step.assignee, step.assignee))
    if step.agency:
        return agencies.get(step.agency, step.agency)
    if step.role:
        return ROLE_WORDS.get(step.role, str(step.role).replace("_", " ").capitalize())
    return ROLE_WORDS["coordinator"]


def group_words(group: Any) -> str:
    """An action plan's open actions: "3 actions, 1 overdue"."""
    text = f"{group.open} action{'' if group.open == 1 else 's'}"
    return text + (f", {group.overdue} overdue" if group.overdue else "")
