"""Rendering messages from Jinja templates. Every message names the case by business key and pseudonym, never
by a child's name, and links straight to the task."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from engine import text, workdays
from engine.people import accounts
from engine.store.models import HumanTask, ProcessInstance

from .states import NotificationKind

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), undefined=StrictUndefined,
                   autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
SUBJECTS: dict[str, str] = {
    NotificationKind.NEW_TASK: "New task: {task_title} ({case})",
    NotificationKind.REMINDER: "Reminder: {task_title} ({case}) is due {days_left_text}",
    NotificationKind.OVERDUE: "Overdue: {task_title} ({case})",
    NotificationKind.ESCALATION: "Escalation: {task_title} ({case}) is {overdue_days} working day(s) overdue",
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
        "due_on": workdays.london_date(task.due_at).strftime("%A %-d %B %Y") if task.due_at else None,
        "days_left": days_left, "days_left_text": _days_left_text(days_left),
        "overdue_days": -days_left if days_left is not None and days_left < 0 else 0,
        "assignee": task.assignee, "link": f"{base_url}/tasks/{task.id}",
    }


def _days_left_text(days: int | None) -> str:
    if days is None:
        return "with no deadline"
    if days > 1:
        return f"in {days} working days"
    if days == 1:
        return "tomorrow (1 working day)"
    if days == 0:
        return "today"
    return f"{-days} working day{'s' if days != -1 else ''} ago"


def render(kind: str, context: dict[str, Any]) -> Rendered:
    subject = SUBJECTS[kind].format(**context) if kind in SUBJECTS else context.get("subject", "LIF")
    return Rendered(subject=text.one_line(subject)[:300], text=_ENV.get_template(f"{kind}.txt").render(**context),
                    html=_ENV.get_template(f"{kind}.html").render(**context))
