"""Who a task's messages go to: its assignee, else its agency's people in the task's role, else everyone in
the role; escalations go to the agency's senior lead and every coordinator. A user named for a task (its
assignee, an agency's senior lead) is told only while they hold a case role: a notice names the case, which is
not for an administrator or a designer."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session, aliased

from engine.records import NON_CASE_ROLES
from engine.store.models import Agency, HumanTask, User, UserRole


@dataclass(frozen=True)
class Recipient:
    username: str
    email: str | None
    daily_digest: bool


_FIELDS = (User.username, User.email, User.daily_digest, User.active)  # plain rows: no user entities to load


def _as_recipients(users: list[Any]) -> list[Recipient]:
    seen: dict[str, Recipient] = {}
    for user in users:
        if user.active and user.username not in seen:
            seen[user.username] = Recipient(user.username, user.email, user.daily_digest)
    return sorted(seen.values(), key=lambda r: r.username)


_HELD = aliased(UserRole)  # its own alias: the queries below join ``UserRole`` too, and must not correlate it
_TAKES_PART = exists(select(_HELD.user_id).where(_HELD.user_id == User.id, _HELD.role.not_in(sorted(NON_CASE_ROLES))))
_BY_USERNAME = select(*_FIELDS).where(User.username == bindparam("username"), _TAKES_PART)
_IN_ROLE = select(*_FIELDS).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == bindparam("role"))
_IN_AGENCY = select(*_FIELDS).join(Agency, User.agency_id == Agency.id).where(Agency.key == bindparam("agency"),
                                                                             _TAKES_PART)
_IN_AGENCY_ROLE = _IN_AGENCY.join(UserRole, UserRole.user_id == User.id).where(UserRole.role == bindparam("role"))


def for_task(session: Session, task: HumanTask) -> list[Recipient]:
    params: dict[str, str | None]
    if task.assignee:
        query, params = _BY_USERNAME, {"username": task.assignee}
    elif task.agency:
        query = _IN_AGENCY_ROLE if task.role else _IN_AGENCY
        params = {"agency": task.agency, "role": task.role}
    else:
        query, params = _IN_ROLE, {"role": task.role or "coordinator"}
    return _as_recipients(list(session.execute(query, params)))


def for_escalation(session: Session, task: HumanTask) -> list[Recipient]:
    users = list(session.execute(_IN_ROLE, {"role": "coordinator"}))
    if task.agency:
        lead = session.scalar(select(Agency.senior_lead).where(Agency.key == task.agency))
        if lead:
            users.extend(session.execute(_BY_USERNAME, {"username": lead}))
    return _as_recipients(users)


def coordinators(session: Session) -> list[Recipient]:
    """Every active coordinator: the partnership's business team, who answer the scrutineer's challenges."""
    return _as_recipients(list(session.execute(_IN_ROLE, {"role": "coordinator"})))
