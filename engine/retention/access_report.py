"""The access report of one case: who viewed or downloaded what of it, and when, read from the audit trail
(``instance.viewed``, ``task.viewed``, ``document.downloaded``), in words, for a subject access request or a
complaint. It outlives disposal, as the audit trail does. Reading it is itself audited."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..cases import runtime
from ..records import Actor
from ..store import audit
from ..store.models import Agency, AuditEvent, HumanTask, User
from . import holds

ACCESS_ACTIONS = ("instance.viewed", "task.viewed", "document.downloaded")
MAX_ENTRIES = 50_000  # about a view a day for a century; a report longer than this says it was cut short


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    username: str | None
    name: str  # the person's full name, or their username when the account has none
    agency: str | None  # their agency's name, as it is now
    action: str  # one of ACCESS_ACTIONS
    what: str  # "Viewed the case", "Viewed the task ‘Agency report’", "Downloaded a document from ..."
    task_id: str | None
    task_title: str | None
    document_id: str | None


@dataclass(frozen=True)
class AccessReport:
    instance_id: str
    business_key: str
    process_name: str
    entries: tuple[AccessEntry, ...]
    cut_short: bool


def access_report(session: Session, instance_id: str, *, actor: Actor, now: datetime) -> AccessReport:
    holds.require_coordinator(actor, "the access report")
    instance = runtime.get_instance_row(session, instance_id)
    audit.write_pending(session)
    rows = list(session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id,
                                                         AuditEvent.action.in_(ACCESS_ACTIONS))
                                .order_by(AuditEvent.at, AuditEvent.id).limit(MAX_ENTRIES + 1)))
    titles = dict(session.execute(select(HumanTask.id, HumanTask.title)
                                  .where(HumanTask.instance_id == instance.id)).all())
    people = _people(session, {r.actor for r in rows if r.actor})
    entries = tuple(_entry(r, titles, people) for r in rows[:MAX_ENTRIES])
    audit.record(session, "instance.access_reported", actor=actor.username, now=now, instance_id=instance.id,
                 entries=len(entries))
    return AccessReport(instance.id, instance.business_key, instance.definition.name, entries,
                        len(rows) > MAX_ENTRIES)


def _people(session: Session, usernames: set[str]) -> dict[str, tuple[str, str | None]]:
    """Full name and agency name of each username (as the accounts are now)."""
    if not usernames:
        return {}
    found = session.execute(select(User.username, User.full_name, Agency.name).outerjoin(Agency, User.agency)
                            .where(User.username.in_(usernames))).all()
    return {username: (full_name or username, agency) for username, full_name, agency in found}


def _entry(row: AuditEvent, titles: dict[str, str], people: dict[str, tuple[str, str | None]]) -> AccessEntry:
    details = row.details or {}
    title = titles.get(row.task_id) if row.task_id else None
    name, agency = people.get(row.actor or "", (row.actor or "someone unknown", None))
    document_id = details.get("document_id", details.get("file_id"))
    if row.action == "instance.viewed":
        what = "Viewed the case"
    elif row.action == "task.viewed":
        what = f"Viewed the task ‘{title}’" if title else "Viewed a task"
    else:
        what = f"Downloaded a document from the task ‘{title}’" if title else "Downloaded a document"
    return AccessEntry(row.at, row.actor, name, agency, row.action, what, row.task_id, title,
                       str(document_id) if document_id is not None else None)
