"""The rows every step writes, written through SQLAlchemy Core.

Each step updates its instance (under the optimistic lock), closes the task just done and inserts the tasks
that became ready. Through the ORM unit of work that bookkeeping costs about a millisecond a step, several
times the statements themselves (``bench/engine_steps.py``). These functions issue the statements directly
on the session's connection, in its transaction, and leave the session's objects agreeing with the
database (``set_committed_value``), so nothing is written twice and later reads see the new values.
"""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import bindparam, insert, inspect, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..errors import Conflict
from .models import HumanTask, ProcessInstance

_INSTANCES = ProcessInstance.__table__
_TASKS = HumanTask.__table__
# Built once: the SET clause comes from each call's parameters, and a statement object keeps its cache key.
_UPDATE_INSTANCE = update(_INSTANCES).where(_INSTANCES.c.id == bindparam("where_id"),
                                            _INSTANCES.c.revision == bindparam("where_revision"))
_UPDATE_TASK = update(_TASKS).where(_TASKS.c.id == bindparam("where_id"))
_INSERT_TASK = insert(_TASKS)


def update_instance(session: Session, instance: ProcessInstance, values: dict[str, Any]) -> None:
    """Write ``values`` (and any change still pending on the object) under the optimistic lock: the row
    must still carry the revision this unit of work read, and gets a new one. Otherwise ``Conflict``."""
    state = inspect(instance)
    pending = {key: state.dict[key] for key in state.committed_state if key in state.dict and key != "revision"}
    values = {**pending, **values, "revision": uuid.uuid4().hex}
    result = session.connection().execute(
        _UPDATE_INSTANCE, {**values, "where_id": instance.id, "where_revision": instance.revision})
    if result.rowcount != 1:
        raise Conflict("the case changed while this step ran; reload and try again")
    _mark_committed(instance, values)


def update_task(session: Session, row: HumanTask, values: dict[str, Any]) -> None:
    session.connection().execute(_UPDATE_TASK, {**values, "where_id": row.id})
    _mark_committed(row, values)


def insert_tasks(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.connection().execute(_INSERT_TASK, rows)


def _mark_committed(obj: Any, values: dict[str, Any]) -> None:
    for key, value in values.items():
        set_committed_value(obj, key, value)
