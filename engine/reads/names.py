"""People and agencies in words, for pages that name them: a user's full name for their username (the username
itself for an account without one, or one since removed), an agency's name for its key."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.models import Agency, User


def full_names(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    """Username -> full name, for those of the usernames given that name a user (one query): the engine's own
    actors (``scheduler``, ``system``) are not people, and are left out."""
    wanted = sorted({u for u in usernames if u})
    if not wanted:
        return {}
    found = dict(session.execute(select(User.username, User.full_name).where(User.username.in_(wanted))).all())
    return {u: name or u for u, name in found.items()}


def agency_names(session: Session) -> dict[str, str]:
    """Agency key -> name."""
    return dict(session.execute(select(Agency.key, Agency.name)).all())
