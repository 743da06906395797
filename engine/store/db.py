"""Database plumbing: the declarative base, an aware-UTC datetime type, and engine/session factories.

On SQLite every transaction starts with ``BEGIN IMMEDIATE`` so writers queue on the database lock instead of
failing half-way with ``database is locked``; WAL keeps readers outside transactions unblocked. PostgreSQL
uses its default READ COMMITTED, and the instance's version column catches concurrent steps.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import chain
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import DateTime, Engine, Table, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import TypeDecorator

from ..config import StepSettings
from ..errors import Conflict, DatabaseUnavailable


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always gives them back aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    if TYPE_CHECKING:  # every model maps one Table (SQLAlchemy types it FromClause, which insert() refuses)
        __table__: ClassVar[Table]


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" hook issue BEGIN itself
        cursor = dbapi_connection.cursor()
        if ":memory:" not in str(engine.url):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # a reading transaction starts deferred, so it never queues behind (or holds up) writers
        connection.exec_driver_sql("BEGIN" if connection.get_execution_options().get(_READING) else "BEGIN IMMEDIATE")


def unreachable(exc: BaseException) -> bool:
    """True when ``exc`` says the database cannot be reached or opened (refused, down, a missing file), as
    opposed to a statement it refused; ``DatabaseUnavailable`` is the engine's word for it."""
    if isinstance(exc, DatabaseUnavailable):
        return True
    if not isinstance(exc, (OperationalError, InterfaceError)) or getattr(exc.orig, "sqlstate", None) in _RETRYABLE:
        return False
    # SQLite reports a schema older than the code ("no such table", run ``lif init``) as an OperationalError too
    return not str(exc.orig).startswith(_SCHEMA_ERRORS)


_SCHEMA_ERRORS = ("no such table", "no such column", "table ", "near ")


def unreachable_reason(url: str, exc: BaseException) -> str:
    """One line for people: ``cannot reach the database at URL (reason)``, the URL's password masked."""
    if isinstance(exc, DatabaseUnavailable) and exc.__cause__ is not None:
        exc = exc.__cause__
    first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    reason = first.rsplit(": ", 1)[-1].strip() or first
    return f"cannot reach the database at {masked_url(url)} ({reason[:1].lower()}{reason[1:]})"


def masked_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can read: show no part of it that might hold a password
        return url.rsplit("@", 1)[-1]


_STEP_SETTINGS = "lif.step_settings"


def make_session_factory(engine: Engine, settings: StepSettings | None = None) -> sessionmaker[Session]:
    """Sessions that carry ``settings`` in ``session.info``: a step finds its limits in the session it is given,
    never in a module global, so every entry point runs steps under the limits it was configured with."""
    return sessionmaker(bind=engine, expire_on_commit=False, info={_STEP_SETTINGS: settings or StepSettings()})


def step_settings(session: Session) -> StepSettings:
    """The settings of the factory that made ``session`` (the defaults for a session made some other way)."""
    found = session.info.get(_STEP_SETTINGS)
    return found if isinstance(found, StepSettings) else StepSettings()


def use_step_settings(factory: sessionmaker[Session], settings: StepSettings) -> None:
    """Sessions ``factory`` makes from now on carry ``settings`` (a test lowering or raising a limit mid-way)."""
    factory.configure(info={**factory.kw.get("info", {}), _STEP_SETTINGS: settings})


UNAVAILABLE = "the database cannot be reached just now; try again shortly"
_RETRYABLE = {"40P01", "40001"}  # deadlock detected, serialization failure: the whole step was rolled back


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error. A concurrent change caught by an
    optimistic version check, wherever it surfaces (a flush, an autoflush, the commit), is a ``Conflict``."""
    session = factory()
    try:
        yield session
        session.commit()
    except StaleDataError:
        session.rollback()
        raise Conflict("the case changed while this step ran; reload and try again") from None
    except DBAPIError as exc:
        session.rollback()
        if getattr(exc.orig, "sqlstate", None) in _RETRYABLE:  # PostgreSQL chose this step as a deadlock's victim
            raise Conflict("the case changed while this step ran; reload and try again") from None
        if unreachable(exc):
            raise DatabaseUnavailable(UNAVAILABLE) from exc
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


_READING = "lif_reading"


@contextmanager
def reading(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work that only reads: it takes no write lock on SQLite and is rolled back at the end, so
    nothing written in it is kept."""
    session = factory()
    try:
        try:
            session.connection(execution_options={_READING: True})
        except DBAPIError as exc:
            if unreachable(exc):
                raise DatabaseUnavailable(UNAVAILABLE) from exc
            raise
        yield session
    finally:
        session.rollback()
        session.close()


def bulk_execute(session: Session, statement: Any, params: dict[str, Any]) -> Any:
    """Run a prebuilt bulk UPDATE or DELETE of one entity. When the session holds objects of that entity, through
    the ORM, after a flush (as an autoflush would, even inside ``no_autoflush``), so those objects stay in step;
    otherwise straight on the session's connection, in its transaction, at a fifth of the cost."""
    entity = statement.entity_description["entity"]
    if any(isinstance(obj, entity) for obj in chain(session.identity_map.values(), session.new, session.deleted)):
        session.flush()
        # "fetch": the default ("evaluate") silently matches no object when the criteria use bound parameters
        return session.execute(statement, params, execution_options={"synchronize_session": "fetch"})
    return session.connection().execute(statement, params)
