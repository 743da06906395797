"""Rendering messages from Jinja templates. Every message names the case by business key and pseudonym, never
by a child's name, names people by their full names and dates in words, and links straight to the task.

The plain-text templates are read as lines: the environment drops a line that holds only a block tag
(``{% if %}`` on its own line), so an optional line is written as a block around it, and an optional part of a
line as an inline expression (``{{ " for " ~ agency_name if agency_name else "" }}``). A block tag at the end of a
line of text would eat that line's newline and run two lines together, so none is written there
(tests/notifications/test_templates.py renders every template and compares it with the expected text)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import text, workdays
from engine.people import accounts
from engine.store.models import HumanTask, ProcessInstance, User

from .states import NotificationKind


def working_days(count: int) -> str:
    """A count of working days in words: "1 working day", "3 working days" (never "working day(s)")."""
    return f"{count} working day" if count == 1 else f"{count} working days"


def date_in_words(moment: datetime) -> str:
    """The London day of ``moment`` as GOV.UK writes dates: "Thursday 24 December 2026"."""
    return workdays.london_date(moment).strftime("%A %-d %B %Y")


_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), undefined=StrictUndefined,
                   autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
_ENV.filters["working_days"] = working_days
SUBJECTS: dict[str, str] = {
    NotificationKind.NEW_TASK: "New task: {task_title} ({case})",
    NotificationKind.REMINDER: "Reminder: {task_title} ({case}) is due {days_left_text}",
    NotificationKind.OVERDUE: "Overdue: {task_title} ({case})",
    NotificationKind.ESCALATION: "Escalation: {agency_task} ({case}) is {overdue_text}",
    NotificationKind.CHASER: "Chaser: {task_title} ({case})",
    NotificationKind.CHALLENGE: "Challenge from the independent scrutineer: {task_title} ({case})",
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def task_context(session: Session, task: HumanTask, base_url: str, now: datetime) -> dict[str, Any]:
    instance = session.get(ProcessInstance, task.instance_id)
    days_left = workdays.working_days_left(task.due_at, now) if task.due_at else None
    return {
        "task_title": task.title, "business_key": instance.business_key if instance else "",
        "pseudonym": instance.pseudonym if instance else None,
        "case": instance.business_key + (f", {instance.pseudonym}" if instance and instance.pseudonym else "")
        if instance else "",
        "agency_name": accounts.agency_names(session).get(task.agency) if task.agency else None,
        "due_on": date_in_words(task.due_at) if task.due_at else None,
        "days_left": days_left, "days_left_text": days_left_text(days_left),
        "overdue_days": -days_left if days_left is not None and days_left < 0 else 0,
        "assignee": task.assignee, "assignee_name": full_name(session, task.assignee),
        "link": f"{base_url}/tasks/{task.id}",
    }


def full_name(session: Session, username: str | None) -> str | None:
    """The person's full name (their username when they have none, or are unknown)."""
    if not username:
        return None
    return session.scalar(select(User.full_name).where(User.username == username)) or username


def days_left_text(days: int | None) -> str:
    if days is None:
        return "with no deadline"
    if days > 0:
        return f"in {working_days(days)}"
    return "today" if days == 0 else f"{working_days(-days)} ago"


def _derived(context: dict[str, Any]) -> dict[str, Any]:
    """What the templates say that follows from the rest: the task named with its agency, how late it is, and
    people's names (given by ``task_context``; a context without them names people by username)."""
    title, agency, late = context.get("task_title", ""), context.get("agency_name"), context.get("overdue_days", 0)
    named = agency and agency.casefold() not in str(title).casefold()
    return {"agency_task": f"{title} for {agency}" if named else title,
            "overdue_text": f"{working_days(late)} overdue" if late else "overdue",
            "assignee_name": context.get("assignee"), "sender_name": context.get("sender")}


def render(kind: str, context: dict[str, Any]) -> Rendered:
    context = _derived(context) | context
    subject = SUBJECTS[kind].format(**context) if kind in SUBJECTS else context.get("subject", "LIF")
    return Rendered(subject=text.one_line(subject)[:300], text=_ENV.get_template(f"{kind}.txt").render(**context),
                    html=_ENV.get_template(f"{kind}.html").render(**context))
