"""An instance's timeline for its page: the audit trail without the page views and draft saves (which are
audited, but are not steps of the case), newest last, each entry in words (``WORDS``).

People who are not coordinators or chairs see the case-level events and the events of tasks they may see, with
only the details in ``PARTICIPANT_DETAILS`` (whom a task went to, deadlines), never an engine message (a failing
script can quote the data it failed on). The words of a reason or a chaser live on the case's own ``case_note``
rows (the audit holds their ids); an entry shows them while the case keeps them: a coordinator's words to the
people of the case.

What the engine did of itself (a task became ready, a case ended, a message went out) is credited to no one: its
audit row names whoever took the step that led to it, who did the step, not the readiness."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..records import Actor
from ..store import audit
from ..store.models import AuditEvent, HumanTask
from . import access, names

HIDDEN = ("instance.viewed", "task.viewed", "task.draft_saved", "definition.downloaded", "lesson.viewed")
COORDINATORS_ONLY = ("hold.placed", "hold.released")  # a legal hold is not the reviewers' business
PARTICIPANT_DETAILS = frozenset({"assignee", "previous", "returned_to", "due_at", "working_days_paused"})

# Each action the timeline can show, in words: ``{task}`` is the step's title, ``{who}`` whom the step is for
# (an agency's name, a person's full name, or the role's people), ``{assignee}`` the person it went to.
WORDS = {
    "instance.started": "Case started",
    "instance.completed": "Case completed",
    "instance.cancelled": "Case cancelled",
    "instance.error": "The case stopped with an error",
    "instance.retried": "Case restarted after an error",
    "instance.paused": "Case paused: the clock stopped",
    "instance.resumed": "Case resumed: the clock started again",
    "instance.access_reported": "Access report made",
    "instance.disposed": "Case disposed of",
    "instance.migrated": "Case moved to a new version of its process",
    "task.ready": "{task} ready for {who}",
    "task.completed": "{task} completed",
    "task.withdrawn": "{task} withdrawn",
    "task.claimed": "{task} picked up",
    "task.unclaimed": "{task} handed back",
    "task.assigned": "{task} assigned to {assignee}",
    "task.deadline_extended": "Deadline extended for {task}",
    "task.chased": "Reminder sent about {task}",
    "tasks.chased_all": "Every overdue agency chased in one go",
    "comment.added": "Comment added to {task}",
    "document.uploaded": "Document added to {task}",
    "document.downloaded": "Document downloaded from {task}",
    "documents.erased": "The case's documents were erased",
    "hold.placed": "Legal hold placed",
    "hold.released": "Legal hold released",
    "message.thrown": "Information sent to another case",
    "referral.linked": "A further referral for the same child was added to this case",
    "referral.not_linked": "Started as a new case: the open case for the same child could not take this referral",
    "cycle.scheduled": "Next cycle planned",
    "plan.actions_added": "Actions added to the plan",
    "action.replanned": "Target date of the action changed",
}
# What the engine does of itself, whoever's step led to it: shown without a person.
ENGINE_ACTIONS = frozenset({"task.ready", "task.withdrawn", "instance.completed", "instance.error", "message.thrown",
                            "referral.linked", "referral.not_linked", "cycle.scheduled"})
ROLE_WORDS = {"coordinator": "the coordinators", "chair": "the chair", "reviewer": "a reviewer",
              "partner": "the safeguarding partner", "scrutineer": "the independent scrutineer"}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str | None
    action: str
    task_id: str | None
    task_title: str | None
    details: dict[str, Any]
    note: str | None = None  # the reason or message typed with it, unless erased with the case
    headline: str = ""  # what happened, in words
    actor_name: str | None = None  # the full name of the person who did it; None for what the engine did


@dataclass(frozen=True)
class _Step:
    title: str
    who: str


def timeline(session: Session, instance_id: str, actor: Actor, *, limit: int = 500) -> list[TimelineEntry]:
    access.require_case_reader(actor)
    audit.write_pending(session)
    query = select(AuditEvent).where(AuditEvent.instance_id == instance_id, AuditEvent.action.not_in(HIDDEN))
    whole = actor.sees_everything
    if not whole:
        query = query.where(AuditEvent.action.not_in(COORDINATORS_ONLY))
        mine = select(HumanTask.id).where(HumanTask.instance_id == instance_id, access.visible_task(actor))
        query = query.where(or_(AuditEvent.task_id.is_(None), AuditEvent.task_id.in_(mine)))
    rows = list(session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))[::-1]
    people = names.full_names(session, [r.actor for r in rows] + [_detail(r, "assignee") for r in rows])
    steps = _steps(session, instance_id, people)
    notes = audit.notes(session, ((r.details or {}).get("note_id") for r in rows))
    return [TimelineEntry(at=r.at, actor=r.actor, action=r.action, task_id=r.task_id,
                          task_title=steps[r.task_id].title if r.task_id in steps else None,
                          details=(r.details or {}) if whole else
                          {k: v for k, v in (r.details or {}).items() if k in PARTICIPANT_DETAILS},
                          note=notes.get((r.details or {}).get("note_id") or ""),
                          headline=headline(r.action, steps.get(r.task_id or ""),
                                            _person(people, _detail(r, "assignee"))),
                          actor_name=None if r.action in ENGINE_ACTIONS else people.get(r.actor or ""))
            for r in rows]


def headline(action: str, step: _Step | None, assignee: str | None = None) -> str:
    """``action`` in words, for ``step`` (its title and whom it is for) when the event is about one."""
    words = WORDS.get(action)
    if words is None:  # an action added after this table: its name, readable
        subject, _, verb = action.partition(".")
        return f"{subject.replace('_', ' ')} {verb.replace('_', ' ')}".strip().capitalize()
    if "{task}" in words and step is None:
        words = words.replace(" to {task}", "").replace(" about {task}", "").replace(" for {task}", "") \
            .replace(" from {task}", "").replace("{task}", "A step")
    text = words.format(task=step.title if step else "", who=step.who if step else "its people",
                        assignee=assignee or "someone else")
    return text[0].upper() + text[1:]


def _steps(session: Session, instance_id: str, people: dict[str, str]) -> dict[str, _Step]:
    """Each task of the case: its title and whom it is for in words (agency, person bound to it, role)."""
    rows = session.execute(select(HumanTask.id, HumanTask.title, HumanTask.agency, HumanTask.bound_to,
                                  HumanTask.role).where(HumanTask.instance_id == instance_id)).all()
    agencies = names.agency_names(session) if any(r.agency for r in rows) else {}
    bound = names.full_names(session, [r.bound_to for r in rows if r.bound_to and r.bound_to not in people])
    return {r.id: _Step(r.title, agencies.get(r.agency, r.agency) if r.agency else
                        {**people, **bound}.get(r.bound_to, r.bound_to) if r.bound_to else
                        ROLE_WORDS.get(r.role or "coordinator", f"the {r.role} lane"))
            for r in rows}


def _person(people: dict[str, str], username: str | None) -> str | None:
    return people.get(username, username) if username else None


def _detail(row: AuditEvent, key: str) -> str | None:
    value = (row.details or {}).get(key)
    return value if isinstance(value, str) else None
