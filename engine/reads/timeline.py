"""An instance's timeline for its page: the audit trail without the page views and draft saves (which are
audited, but are not steps of the case), newest last. People who are not coordinators or chairs see the
case-level events and the events of tasks they may see, with only the details in ``PARTICIPANT_DETAILS`` (whom
a task went to, deadlines), never an engine message (a failing script can quote the data it failed on). The
words of a reason or a chaser live on the case's own ``case_note`` rows (the audit holds their ids); an entry
shows them while the case keeps them: a coordinator's words to the people of the case."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..records import Actor
from ..store import audit
from ..store.models import AuditEvent, HumanTask
from . import access

HIDDEN = ("instance.viewed", "task.viewed", "task.draft_saved", "definition.downloaded")
COORDINATORS_ONLY = ("hold.placed", "hold.released")  # a legal hold is not the reviewers' business
PARTICIPANT_DETAILS = frozenset({"assignee", "previous", "returned_to", "due_at", "working_days_paused"})


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str | None
    action: str
    task_id: str | None
    task_title: str | None
    details: dict[str, Any]
    note: str | None = None  # the reason or message typed with it, unless erased with the case


def timeline(session: Session, instance_id: str, actor: Actor, *, limit: int = 500) -> list[TimelineEntry]:
    access.require_case_reader(actor)
    audit.write_pending(session)
    query = select(AuditEvent).where(AuditEvent.instance_id == instance_id, AuditEvent.action.not_in(HIDDEN))
    whole = actor.sees_everything
    if not whole:
        query = query.where(AuditEvent.action.not_in(COORDINATORS_ONLY))
        mine = select(HumanTask.id).where(HumanTask.instance_id == instance_id, access.visible_task(actor))
        query = query.where(or_(AuditEvent.task_id.is_(None), AuditEvent.task_id.in_(mine)))
    rows = list(session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))
    titles = dict(session.execute(select(HumanTask.id, HumanTask.title).where(
        HumanTask.instance_id == instance_id)).all())
    notes = audit.notes(session, ((r.details or {}).get("note_id") for r in rows))
    return [TimelineEntry(at=r.at, actor=r.actor, action=r.action, task_id=r.task_id,
                          task_title=titles.get(r.task_id) if r.task_id else None,
                          details=(r.details or {}) if whole else
                          {k: v for k, v in (r.details or {}).items() if k in PARTICIPANT_DETAILS},
                          note=notes.get((r.details or {}).get("note_id") or ""))
            for r in reversed(rows)]
