"""The partnership's directory for administrators: listing users and agencies, and changing a user's roles,
agency, name, e-mail and whether the account is active. Adding users and agencies and setting passwords
stay in ``accounts``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import Forbidden, InvalidData
from ..records import Actor
from ..store import audit
from ..store.models import ROLES, Agency, User, UserRole
from .accounts import find_user, partner_problem


@dataclass(frozen=True)
class UserSummary:
    username: str
    full_name: str
    email: str | None
    roles: tuple[str, ...]
    agency: str | None
    agency_name: str | None
    active: bool


@dataclass(frozen=True)
class AgencySummary:
    key: str
    name: str
    senior_lead: str | None
    users: int
    partner_kind: str | None = None  # la, icb or police for a statutory partner


def _summary(user: User) -> UserSummary:
    return UserSummary(username=user.username, full_name=user.full_name, email=user.email,
                       roles=tuple(sorted(user.roles)), agency=user.agency.key if user.agency else None,
                       agency_name=user.agency.name if user.agency else None, active=user.active)


def users(session: Session) -> list[UserSummary]:
    return [_summary(u) for u in session.scalars(select(User).order_by(User.username))]


def user_summary(session: Session, username: str) -> UserSummary:
    return _summary(find_user(session, username))


def agencies(session: Session) -> list[AgencySummary]:
    counts = dict(session.execute(select(User.agency_id, func.count()).group_by(User.agency_id)).all())
    return [AgencySummary(key=a.key, name=a.name, senior_lead=a.senior_lead, users=counts.get(a.id, 0),
                          partner_kind=a.partner_kind)
            for a in session.scalars(select(Agency).order_by(Agency.name))]


def update_user(session: Session, username: str, *, roles: list[str], agency_key: str | None, active: bool,
                full_name: str, email: str | None, actor: Actor, now: datetime) -> UserSummary:
    if not actor.has("admin"):
        raise Forbidden("changing users needs the admin role")
    user = find_user(session, username)
    problems = []
    if not roles or any(r not in ROLES for r in roles):
        problems.append({"field": "roles", "message": f"give one or more of {', '.join(ROLES)}"})
    agency = session.scalar(select(Agency).where(Agency.key == agency_key)) if agency_key else None
    if agency_key and agency is None:
        problems.append({"field": "agency", "message": f"no agency {agency_key!r}"})
    partner = partner_problem(roles, agency)
    if partner and not (agency_key and agency is None):
        problems.append(partner)
    if username == actor.username and ("admin" not in roles or not active):
        problems.append({"field": "roles", "message": "you cannot remove your own admin role or deactivate yourself"})
    if problems:
        raise InvalidData("invalid user", problems)
    wanted = set(roles)
    user.role_rows = [r for r in user.role_rows if r.role in wanted] + \
        [UserRole(role=r) for r in sorted(wanted - user.roles)]
    user.agency, user.active = agency, active
    user.full_name, user.email = full_name.strip() or user.username, (email or "").strip() or None
    audit.record(session, "user.updated", actor=actor.username, now=now, username=username, roles=sorted(set(roles)),
                 agency=agency_key, active=active)
    session.flush()
    return _summary(user)
