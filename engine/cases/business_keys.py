"""Business keys: the reference a case is known by. A key given by hand, or generated, belongs to one case: it is
claimed in ``business_key_claim`` (its primary key settles a race between two starts on either database), and a
second case asking for it is a ``DuplicateBusinessKey`` (409). The one exception is a case started by a message
whose payload names the key: it continues the work of another (each period of an action plan's action is a new
instance under the action's key), so it shares the key and claims nothing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import DuplicateBusinessKey
from ..store.models import BusinessKeyClaim, BusinessKeySequence, ProcessInstance

MAX_LENGTH = 64


def refuse_taken(session: Session, key: str) -> None:
    """``DuplicateBusinessKey`` when a case already has ``key``."""
    if session.scalar(select(exists().where(ProcessInstance.business_key == key))):
        raise DuplicateBusinessKey(f"a case with the business key {key!r} already exists",
                                   [{"field": "business_key", "message": "is already in use"}])


def claim(session: Session, key: str, instance_id: str) -> None:
    """Claim ``key`` for the (flushed) instance; a concurrent start that claimed it first is a 409."""
    session.add(BusinessKeyClaim(business_key=key, instance_id=instance_id))
    try:
        session.flush()
    except IntegrityError:  # the unit of work is rolled back with the error
        raise DuplicateBusinessKey(f"a case with the business key {key!r} already exists",
                                   [{"field": "business_key", "message": "is already in use"}]) from None


def next_business_key(session: Session, process_key: str, now: datetime) -> str:
    """The next ``PROCESS-YEAR-NNNN`` number not already given by hand to another case."""
    prefix = f"{process_key.upper().replace('_', '-')}-{now.year}"[:MAX_LENGTH - 5]
    while True:
        bumped = session.execute(update(BusinessKeySequence).where(BusinessKeySequence.prefix == prefix)
                                 .values(last=BusinessKeySequence.last + 1).returning(BusinessKeySequence.last))
        number = bumped.scalar()
        if number is None:  # the year's first: make the row unless a concurrent start just did, then bump it
            insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
            session.execute(insert(BusinessKeySequence).values(prefix=prefix, last=0).on_conflict_do_nothing())
            continue
        key = f"{prefix}-{number:04d}"
        if not session.scalar(select(exists().where(ProcessInstance.business_key == key))):
            return key
