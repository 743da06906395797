"""Which processes a user may start by hand: the latest version of each whose bundle's ``start_roles``
(default: coordinator) include one of the user's case roles. Administrators and designers start none: starting a
case is a case action."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ..cases.instances import DEFAULT_START_ROLES
from ..records import Actor, DefinitionInfo
from ..store.models import ProcessDefinition
from . import access


def _latest(*columns: Any) -> Select[Any]:
    """The latest version of each deployed process."""
    newest = select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("v")) \
        .group_by(ProcessDefinition.key).subquery()
    return select(*columns).join(
        newest, (ProcessDefinition.key == newest.c.key) & (ProcessDefinition.version == newest.c.v))


def start_roles(session: Session) -> frozenset[str]:
    """Every case role that may start some process by hand: the navigation offers "Start a case" only to a
    user holding one (a partner or the scrutineer starts nothing). One small read of the latest versions' models."""
    return frozenset(role for model in session.scalars(_latest(ProcessDefinition.model))
                     for role in (model or {}).get("start_roles") or DEFAULT_START_ROLES)


def startable_for(session: Session, actor: Actor) -> list[DefinitionInfo]:
    access.require_case_reader(actor)
    rows = session.scalars(_latest(ProcessDefinition).order_by(ProcessDefinition.name))
    return [DefinitionInfo(key=r.key, name=r.name, version=r.version, deployed_at=r.deployed_at,
                           description=r.description, process_ids=tuple(r.process_ids))
            for r in rows if actor.case_roles.intersection(r.model.get("start_roles") or DEFAULT_START_ROLES)]
