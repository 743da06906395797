"""Users, their roles and agencies. Passwords are stored as argon2 hashes and follow ``engine.passwords``'
policy; setting one revokes the user's API tokens and ends their other sessions."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..errors import Conflict, InvalidData, NotFound
from ..records import NON_CASE_ROLES, Actor
from ..store import audit
from ..store.models import PARTNER_KINDS, ROLES, Agency, LearningTheme, User, UserRole
from . import passwords, tokens, user_sessions

_HASHER = PasswordHasher()
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
_DUMMY: dict[int, str] = {}  # id(hasher) -> a hash of nothing anyone can type, made with that hasher


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def _dummy_hash() -> str:
    hasher = _HASHER
    if id(hasher) not in _DUMMY:
        _DUMMY.clear()
        _DUMMY[id(hasher)] = hasher.hash("\x00 no account has this password")
    return _DUMMY[id(hasher)]


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; without a hash (no such user, or none set) the password is verified against
    a dummy hash, so the answer costs the same whether or not the account exists."""
    try:
        return _HASHER.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def add_agency(session: Session, key: str, name: str, *, actor: str | None, now: datetime) -> Agency:
    if not _KEY.match(key):
        raise InvalidData("invalid agency key",
                          [{"field": "key", "message": "use lower-case letters, digits, - and _"}])
    if not name.strip():
        raise InvalidData("invalid agency name", [{"field": "name", "message": "is required"}])
    if session.scalar(select(Agency).where(Agency.key == key)) is not None:
        raise Conflict(f"agency {key!r} already exists")
    agency = Agency(key=key, name=name.strip(), created_at=now)
    session.add(agency)
    audit.record(session, "agency.added", actor=actor, now=now, key=key, name=name)
    session.flush()
    return agency


def add_user(session: Session, username: str, *, roles: list[str], agency_key: str | None = None,
             email: str | None = None, password: str | None = None, full_name: str = "",
             actor: str | None, now: datetime) -> User:
    problems = []
    if not _USERNAME.match(username):
        problems.append({"field": "username", "message": "use letters, digits and . _ @ -"})
    unknown = [r for r in roles if r not in ROLES]
    if not roles or unknown:
        problems.append({"field": "roles", "message": f"give one or more of {', '.join(ROLES)}"})
    weak = passwords.problem(password, username=username) if password is not None else None
    if weak:
        problems.append({"field": "password", "message": weak})
    if problems:
        raise InvalidData("invalid user", problems)
    agency = None
    if agency_key:
        agency = session.scalar(select(Agency).where(Agency.key == agency_key))
        if agency is None:
            raise InvalidData("unknown agency", [{"field": "agency", "message": f"no agency {agency_key!r}"}])
    problem = partner_problem(roles, agency)
    if problem:
        raise InvalidData("invalid user", [problem])
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} already exists")
    user = User(username=username, full_name=full_name or username, email=email, agency=agency,
                password_hash=hash_password(password) if password else None, created_at=now,
                role_rows=[UserRole(role=r) for r in sorted(set(roles))])
    session.add(user)
    audit.record(session, "user.added", actor=actor, now=now, username=username, roles=sorted(set(roles)),
                 agency=agency_key)
    session.flush()
    return user


def partner_problem(roles: list[str] | set[str], agency: Agency | None) -> dict[str, str] | None:
    """A ``partner`` acts for one of the statutory partners, so their agency must be marked as one (SPEC §1)."""
    if "partner" not in roles or (agency is not None and agency.partner_kind):
        return None
    return {"field": "agency", "message": "a partner belongs to an agency marked as a statutory partner "
                                          "(lif agency partner KEY la|icb|police)"}


def set_password(session: Session, username: str, password: str, *, actor: str | None, now: datetime,
                 keep_session: str | None = None) -> None:
    """A new password (by the user, or reset by an admin): every API token of the user is revoked and every
    session of theirs ends, except ``keep_session`` (the raw id of the session that changed it)."""
    user = find_user(session, username)
    passwords.check(password, username=username)
    user.password_hash = hash_password(password)
    audit.record(session, "user.password_changed", actor=actor, now=now, username=username)
    tokens.revoke_all(session, user.id, actor=actor, now=now, reason="password_changed")
    user_sessions.end_all(session, user.id, now=now, reason="password_changed", keep=keep_session)
    session.flush()


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def actor_for(user: User) -> Actor:
    return Actor(user.username, user.roles, user.agency.key if user.agency else None)


def agency_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Agency.key, Agency.name).order_by(Agency.name)).all())


def full_names(session: Session) -> dict[str, str]:
    """Every user's full name by username (those who have left too: their names stay on old tasks)."""
    return {u: n or u for u, n in session.execute(select(User.username, User.full_name))}


@dataclass(frozen=True)
class Person:
    """An active user as a picker offers them: the name people read, the username a form keeps."""

    username: str
    full_name: str
    roles: frozenset[str]
    agency: str | None

    @property
    def does_tasks(self) -> bool:
        """Whether any task may be theirs: not an administrator's, a designer's or the scrutineer's (SPEC §1)."""
        return bool(self.roles - NON_CASE_ROLES - {"scrutineer"})


CASE_WORK_ROLES = tuple(r for r in ROLES if r not in NON_CASE_ROLES and r != "scrutineer")


def active_people(session: Session, *, also: Iterable[str | None] = ()) -> list[Person]:
    """Every active user, by full name; and the users named in ``also`` whether or not they are still active
    (whoever holds or completed a task keeps their name on it after they leave)."""
    named = sorted({name for name in also if name})
    wanted = or_(User.active.is_(True), User.username.in_(named)) if named else User.active.is_(True)
    return [Person(u.username, u.full_name, u.roles, u.agency.key if u.agency else None)
            for u in session.scalars(select(User).where(wanted).order_by(User.full_name, User.username))]


def form_context(session: Session, people: list[Person] | None = None) -> dict[str, object]:
    """What form schemas may use in their Jinja: the partnership's own agencies and users. A picker of people offers
    the people who can be meant (issue 13): ``case_workers`` (everyone who does case tasks: no administrator,
    designer or scrutineer), ``agency_staff`` (case workers who belong to an agency), ``role_usernames[role]``;
    each with its parallel list of full names (``case_worker_names``, ...), and the active learning themes
    (``learning_themes``, ``learning_theme_names``). ``task_forms`` adds the task's own.
    ``people`` are the ``active_people`` when the caller has read them already."""
    agencies = [{"key": k, "name": n} for k, n in agency_names(session).items()]
    people = active_people(session) if people is None else people
    users = [{"username": p.username, "full_name": p.full_name, "roles": sorted(p.roles), "agency": p.agency}
             for p in people]
    workers = [p for p in people if p.does_tasks]
    staff = [p for p in workers if p.agency]
    in_role = {role: [p for p in workers if role in p.roles] for role in CASE_WORK_ROLES}
    return {"agencies": agencies, "agency_keys": [a["key"] for a in agencies],
            "agency_names": [a["name"] for a in agencies], "users": users,
            "usernames": [u["username"] for u in users], "user_names": [u["full_name"] for u in users],
            **picker("case_workers", "case_worker_names", workers),
            **picker("agency_staff", "agency_staff_names", staff),
            "role_usernames": {r: [p.username for p in found] for r, found in in_role.items()},
            "role_user_names": {r: [p.full_name for p in found] for r, found in in_role.items()},
            **learning_themes(session)}


def learning_themes(session: Session) -> dict[str, list[str]]:
    """The themes a lesson may be filed under (the coordinators' list, ``engine.reports.themes``): the active ones,
    in order, as ``learning_themes`` (keys) and ``learning_theme_names``. Read here, not through the reports room,
    which comes after this one."""
    rows = session.execute(select(LearningTheme.key, LearningTheme.name).where(LearningTheme.retired_at.is_(None))
                           .order_by(LearningTheme.position, LearningTheme.key)).all()
    return {"learning_themes": [key for key, _ in rows], "learning_theme_names": [name for _, name in rows]}


def picker(usernames: str, names: str, people: list[Person]) -> dict[str, list[str]]:
    """A picker's two parallel lists under their context names: the usernames a form keeps, the names it shows."""
    return {usernames: [p.username for p in people], names: [p.full_name for p in people]}


def set_daily_digest(session: Session, username: str, enabled: bool, *, actor: str | None, now: datetime) -> None:
    """One daily e-mail instead of single messages (in-app notifications are never held)."""
    user = find_user(session, username)
    user.daily_digest = bool(enabled)
    audit.record(session, "user.digest_changed", actor=actor, now=now, username=username, daily_digest=bool(enabled))
    session.flush()


def set_senior_lead(session: Session, agency_key: str, username: str | None, *, actor: str | None,
                    now: datetime) -> None:
    """The person in an agency that escalations of its overdue returns go to (with the coordinators)."""
    agency = session.scalar(select(Agency).where(Agency.key == agency_key))
    if agency is None:
        raise NotFound(f"no agency {agency_key!r}")
    if username:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or user.agency_id != agency.id:
            raise InvalidData("not a member of this agency",
                              [{"field": "senior_lead", "message": f"{username!r} does not belong to {agency.name}"}])
    agency.senior_lead = username or None
    audit.record(session, "agency.senior_lead_set", actor=actor, now=now, key=agency_key, senior_lead=username or None)
    session.flush()


def set_partner_kind(session: Session, agency_key: str, kind: str | None, *, actor: str | None,
                     now: datetime) -> None:
    """Mark an agency as a statutory safeguarding partner (``la``, ``icb`` or ``police``), or clear the mark
    (``None``). Clearing is refused while the agency has people in the ``partner`` role: their sign-offs would
    have no one to go to."""
    agency = session.scalar(select(Agency).where(Agency.key == agency_key))
    if agency is None:
        raise NotFound(f"no agency {agency_key!r}")
    if kind is not None and kind not in PARTNER_KINDS:
        raise InvalidData("invalid partner", [{"field": "kind", "message": f"give one of {', '.join(PARTNER_KINDS)}"}])
    if kind is None:
        partners = sorted(u.username for u in session.scalars(select(User).where(User.agency_id == agency.id))
                          if "partner" in u.roles)
        if partners:
            raise Conflict(f"{agency.name} has people in the partner role ({', '.join(partners)}): "
                           "remove that role first")
    agency.partner_kind = kind
    audit.record(session, "agency.partner_set", actor=actor, now=now, key=agency_key, partner_kind=kind)
    session.flush()
