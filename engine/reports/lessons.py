"""The partnership's learning log: every lesson its reviews, child death reviews, audits and Section 11 cycles
recorded (``lesson`` rows, which ``engine.registers`` keeps true to the cases), searched and filtered in one SQL
statement, with the need-to-know rule (SPEC §1): coordinators, chairs and the scrutineer read every lesson; any other
case reader the lessons that name their agency, and those of a case where they took part in a task whose view shows
the lessons (its ``shows`` or its form names the process's lessons variable); administrators and designers none."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, String, Text, and_, cast, false, func, literal, or_, select, true
from sqlalchemy.orm import Session

from ..bundles import definitions
from ..errors import NotFound
from ..people import accounts
from ..reads import access
from ..records import Actor, Page
from ..registers.declaration import Declaration
from ..registers.records import LessonEntry
from ..store.models import HumanTask, LearningTheme, Lesson, ProcessDefinition, ProcessInstance
from ..workdays import LONDON
from . import themes

MAX_SEARCH = 200


@dataclass(frozen=True)
class LoggedLesson(LessonEntry):
    """A lesson as the log shows it: with its theme's name (a retired theme's too), never only its key."""
    theme_name: str = ""


@dataclass(frozen=True)
class LogChoices:
    """What the log may be filtered by, each by key with its name: every theme (retired ones too, since old lessons
    keep them), every agency, and the processes that record lessons."""
    themes: dict[str, str]
    retired_themes: frozenset[str]
    agencies: dict[str, str]
    processes: dict[str, str]
    process_names: dict[str, str]  # every deployed process's name, for lessons of one that no longer records them


def learning_log(session: Session, *, actor: Actor, now: datetime, q: str | None = None, theme: str | None = None,
                 agency: str | None = None, process_key: str | None = None, recorded_from: date | None = None,
                 recorded_to: date | None = None, limit: int, offset: int = 0) -> Page:
    """The lessons ``actor`` may read that match every filter given, newest first, with how many match in all:
    ``q`` searches the lesson, the good practice, the case's business key and the theme's name (any case of
    letters); ``agency`` keeps the lessons that name it; the dates are London days, both included."""
    access.require_case_reader(actor)  # ``now`` is unused: what a reader may see does not change with the time
    conditions = _filters(q=q, theme=theme, agency=agency, process_key=process_key, recorded_from=recorded_from,
                          recorded_to=recorded_to)
    # the count is a scalar subquery, worked out once, so the page itself can walk the recorded_at index and stop
    # at ``limit`` rows (a window count would make it read and sort every match)
    listed = _listed(actor, conditions, postgres=_on_postgres(session))
    total = select(func.count()).select_from(listed.subquery()).scalar_subquery()
    statement = listed.add_columns(total.label("total")) \
        .order_by(Lesson.recorded_at.desc(), Lesson.id.desc()).limit(limit).offset(offset)
    rows = session.execute(statement).all()
    if rows:
        return Page(tuple(_entry(row[0], row[1]) for row in rows), rows[0][2])
    # an empty page carries no count; only past the end is there anything to count
    found = session.scalar(select(func.count()).select_from(listed.subquery())) if offset else 0
    return Page((), found or 0)


def lesson(session: Session, lesson_id: int, *, actor: Actor) -> LoggedLesson:
    """One lesson ``actor`` may read; ``NotFound`` when there is none or they may not read it."""
    access.require_case_reader(actor)
    row = session.execute(_listed(actor, [Lesson.id == lesson_id], postgres=_on_postgres(session))).first()
    if row is None:
        raise NotFound("no such lesson")
    return _entry(row[0], row[1])


def choices(session: Session) -> LogChoices:
    """The filters' choices (and what a filter's value is checked against)."""
    every = themes.all_themes(session)
    return LogChoices(themes={t.key: t.name for t in every},
                      retired_themes=frozenset(t.key for t in every if t.retired),
                      agencies=accounts.agency_names(session), processes=recording_processes(session),
                      process_names={d.key: d.name for d in definitions.list_latest(session)})


def recording_processes(session: Session) -> dict[str, str]:
    """The deployed processes whose newest version records lessons (``registers.lessons``), by key with the name."""
    newest = select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("v")) \
        .group_by(ProcessDefinition.key).subquery()
    rows = session.scalars(select(ProcessDefinition).join(
        newest, and_(ProcessDefinition.key == newest.c.key, ProcessDefinition.version == newest.c.v))
        .order_by(ProcessDefinition.name))
    return {row.key: row.name for row in rows if Declaration.of(row.model).lessons}


def _listed(actor: Actor, conditions: list[ColumnElement[bool]], *, postgres: bool) -> Select:
    return select(Lesson, LearningTheme.name) \
        .outerjoin(LearningTheme, LearningTheme.key == Lesson.theme) \
        .where(_visible(actor, postgres=postgres), *conditions)


def _visible(actor: Actor, *, postgres: bool) -> ColumnElement[bool]:
    """SQL condition: ``actor`` may read the lesson (the module's need-to-know rule)."""
    if actor.sees_everything:
        return true()
    if not actor.reads_cases:
        return false()
    # the cases where they took part in a task showing the lessons, as one uncorrelated set the database works out
    # once (correlated per lesson, a reader's first page took seconds on PostgreSQL at 30,000 lessons)
    took_part = Lesson.instance_id.in_(
        select(HumanTask.instance_id)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(access.visible_task(actor), _shows_the_lessons(postgres)))
    if actor.agency is None:
        return took_part
    return or_(names_agency(actor.agency), took_part)


def _shows_the_lessons(postgres: bool) -> ColumnElement[bool]:
    """SQL condition on a task joined to its case and the case's definition: the task's ``shows`` property (a
    comma-separated list of paths, ``engine.views.paths``) names the variable its bundle declares for the case's
    lessons (``registers.lessons`` keyed by the case's process id), whole or a path into it, or every variable
    (``*``). A task's own form is not read here: the forms that write lessons are the coordinators'."""
    variable: ColumnElement[str]
    if postgres:
        variable = ProcessDefinition.model.op("->")(literal("registers")).op("->")(literal("lessons")) \
            .op("->>", return_type=String)(ProcessInstance.process_id)
    else:
        variable = func.json_extract(ProcessDefinition.model,
                                     literal('$.registers.lessons."') + ProcessInstance.process_id + literal('"'),
                                     type_=String)
    shows: ColumnElement[str] = func.coalesce(HumanTask.properties["shows"].as_string(), "")
    for blank in (" ", "\t", "\n", "\r"):
        shows = func.replace(shows, blank, "")
    listed = literal(",") + shows + literal(",")
    name = func.replace(func.replace(variable, "\\", "\\\\"), "_", "\\_")  # an identifier's ``_`` is LIKE's wildcard
    return or_(*(listed.like(literal("%,") + stem + literal(tail), escape="\\")
                 for stem in (name, literal("*")) for tail in (",%", ".%")))


def names_agency(agency: str) -> ColumnElement[bool]:
    """SQL condition: the lesson's ``agencies`` (a JSON list of keys) holds ``agency``. Agency keys are lower-case
    letters, digits, ``-`` and ``_`` (``accounts.add_agency``), so the quoted key found in the list's text is the
    key itself on SQLite and PostgreSQL alike (``_`` escaped: it is a wildcard to LIKE)."""
    quoted = '"' + agency.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + '"'
    return cast(Lesson.agencies, Text).like(f"%{quoted}%", escape="\\")


def _filters(*, q: str | None, theme: str | None, agency: str | None, process_key: str | None,
             recorded_from: date | None, recorded_to: date | None) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if theme:
        found.append(Lesson.theme == theme)
    if agency:
        found.append(names_agency(agency))
    if process_key:
        found.append(Lesson.process_key == process_key)
    if recorded_from is not None:
        found.append(Lesson.recorded_at >= _start_of(recorded_from))
    if recorded_to is not None:
        found.append(Lesson.recorded_at < _start_of(recorded_to + timedelta(days=1)))
    words = (q or "").strip()[:MAX_SEARCH]
    if words:  # ILIKE on PostgreSQL, lower() LIKE lower() on SQLite
        found.append(or_(*(column.icontains(words, autoescape=True) for column in
                           (Lesson.lesson, Lesson.good_practice, Lesson.business_key, LearningTheme.name))))
    return found


def _on_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _start_of(day: date) -> datetime:
    """The first moment of ``day`` in London, in UTC."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def _entry(row: Lesson, theme_name: str | None) -> LoggedLesson:
    values = {name: getattr(row, name) for name in LessonEntry.__dataclass_fields__}
    return LoggedLesson(**{**values, "agencies": tuple(row.agencies or ())},
                        theme_name=theme_name or row.theme.replace("_", " ").capitalize())
