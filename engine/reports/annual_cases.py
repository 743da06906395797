"""The annual pack's cases: for each process, the cases started, completed and cancelled in the year and those open
at its end, with the outcomes the partnership reports on (the review type the partners or the chair decided, the
child death review panel's category of death and modifiable factors). Outcomes are read from the rows that hold
them: a completed task's answers while the case is kept, ``case_statistics`` once it is disposed of. A part of a case
(an action plan's monitored action) is not a case of its own."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from ..states import InstanceStatus, TaskState
from ..store.models import CaseStatistics, HumanTask, ProcessDefinition, ProcessInstance
from .annual_registers import count_where

# The review types of workflows/scr (its ``review_labels``), as a yearly report names them.
REVIEW_TYPES = {
    "CSPR": "Local child safeguarding practice review (CSPR)", "SCR": "Serious case review (SCR)",
    "MAR": "Multi-agency review", "PR": "Partnership review", "LLR": "Learning lessons review",
    "AAR": "After action review", "NATIONAL": "National review by the Panel", "NONE": "No review",
}
# The national categories of child death (the CDOP analysis form, workflows/cdop panel-review-schema.json).
DEATH_CATEGORIES = {
    "deliberately_inflicted": "1. Deliberately inflicted injury, abuse or neglect",
    "suicide_self_harm": "2. Suicide or deliberate self-inflicted harm",
    "trauma_external": "3. Trauma and other external factors",
    "malignancy": "4. Malignancy", "acute_medical_surgical": "5. Acute medical or surgical condition",
    "chronic_medical": "6. Chronic medical condition",
    "chromosomal_genetic_congenital": "7. Chromosomal, genetic and congenital anomalies",
    "perinatal_neonatal": "8. Perinatal/neonatal event", "infection": "9. Infection",
    "sudden_unexpected_unexplained": "10. Sudden unexpected, unexplained death",
}
MODIFIABLE_FACTORS = {"identified": "Modifiable factors identified", "not_identified": "No modifiable factors",
                      "insufficient_information": "Insufficient information"}
REVIEW_TYPE = "Review type decided"
DEATH_CATEGORY = "Category of death"
FACTORS = "Modifiable factors"
UNDECIDED = "not_decided"
NOT_RECORDED = {True: "Not decided by the end of the year", False: "Not decided yet"}  # by whether the year is over
PROPOSALS = ("rr_meeting", "review_proposal")
SCR_TASKS = ("chair_decision", *PROPOSALS, "partners_signoff", "national_review")
DOMAIN_SCORES = tuple(f"domain_{domain}_score" for domain in "abcd")


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class CaseType:
    """One process's cases in the year. ``outcomes`` count the year's new cases by what was decided by the year's
    end (``{"Review type decided": (Count, ...)}``), a "not decided" row last."""
    process_key: str
    name: str
    started: int
    completed: int
    cancelled: int
    open_at_end: int
    outcomes: dict[str, tuple[Count, ...]] = field(default_factory=dict)


def case_types(session: Session, start_at: datetime, end_at: datetime, *, year_over: bool = True
               ) -> tuple[CaseType, ...]:
    """Every deployed process, in the order of their names, with its counts (zeros for a quiet year)."""
    names, counted = _process_names(session), _counted(session, start_at, end_at)
    kept, span = _kept_outcomes(session, start_at, end_at), (start_at, end_at)

    def started(key: str) -> int:
        return counted.get(key, (0,))[0]
    outcomes = {"scr": {REVIEW_TYPE: _review_types(session, started("scr"), kept.get("scr", {}), span)},
                "cdop": _death_outcomes(session, started("cdop"), kept.get("cdop", {}), span)}
    outcomes = {key: {name: _undecided_words(found, year_over) for name, found in by_name.items()}
                for key, by_name in outcomes.items()}
    return tuple(_case_type(key, names.get(key) or key, counted.get(key, (0, 0, 0, 0)), outcomes.get(key, {}))
                 for key in sorted(set(names) | set(counted), key=lambda k: (names.get(k) or k).lower()))


def _counted(session: Session, start_at: datetime, end_at: datetime) -> dict[str, tuple[int, int, int, int]]:
    """Each process's cases started, completed and cancelled in the year and open at its end, counted by the
    database in one grouped query."""
    created, ended, status = ProcessInstance.created_at, ProcessInstance.completed_at, ProcessInstance.status
    in_year = and_(ended >= start_at, ended < end_at)
    rows = session.execute(
        select(ProcessInstance.process_key, count_where(created >= start_at),
               count_where(and_(status == InstanceStatus.COMPLETED, in_year)),
               count_where(and_(status == InstanceStatus.CANCELLED, in_year)),
               count_where(or_(ended.is_(None), ended >= end_at)))
        .where(ProcessInstance.parent_id.is_(None), created < end_at, or_(ended.is_(None), ended >= start_at))
        .group_by(ProcessInstance.process_key))
    return {key: (int(started), int(completed), int(cancelled), int(still_open))
            for key, started, completed, cancelled, still_open in rows}


def _process_names(session: Session) -> dict[str, str]:
    """Each process's display name, from its newest version."""
    newest = select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version")) \
        .group_by(ProcessDefinition.key).subquery()
    return dict(session.execute(select(ProcessDefinition.key, ProcessDefinition.name).join(
        newest, (newest.c.key == ProcessDefinition.key) & (newest.c.version == ProcessDefinition.version))).all())


def _case_type(key: str, name: str, numbers: tuple[int, int, int, int],
               outcomes: dict[str, tuple[Count, ...]]) -> CaseType:
    started, completed, cancelled, open_at_end = numbers
    return CaseType(key, name, started, completed, cancelled, open_at_end,
                    outcomes={name: found for name, found in outcomes.items() if found})


def _year_cases(start_at: datetime, end_at: datetime, key: str | None = None) -> Select[Any]:
    """The ids of the cases started in the year, as a subquery (a year of thousands binds no long list)."""
    created = ProcessInstance.created_at
    found = select(ProcessInstance.id).where(ProcessInstance.parent_id.is_(None), created >= start_at,
                                             created < end_at)
    return found.where(ProcessInstance.process_key == key) if key else found


def _kept_outcomes(session: Session, start_at: datetime, end_at: datetime) -> dict[str, dict[str, dict[str, Any]]]:
    """The outcome codes kept of the year's cases that have been disposed of (their answers are erased), by process
    and case."""
    kept: dict[str, dict[str, dict[str, Any]]] = {}
    for row in session.execute(select(CaseStatistics.process_key, CaseStatistics.instance_id, CaseStatistics.outcomes)
                               .where(CaseStatistics.instance_id.in_(_year_cases(start_at, end_at)))):
        kept.setdefault(row.process_key, {})[row.instance_id] = row.outcomes or {}
    return kept


def _tasks(session: Session, key: str, names: Sequence[str], answers: Sequence[str], start_at: datetime,
           end_at: datetime) -> list[Any]:
    """The decision tasks of the year's cases of process ``key`` (one query), in the order they were created, with
    the ``answers`` named (as text, each a column of that name) taken out of their answers by the database, not the
    whole of what was typed."""
    return list(session.execute(
        select(HumanTask.instance_id, HumanTask.name, HumanTask.state, HumanTask.created_at, HumanTask.completed_at,
               *(HumanTask.answers[name].as_string().label(name) for name in answers))
        .where(HumanTask.instance_id.in_(_year_cases(start_at, end_at, key)), HumanTask.name.in_(names),
               HumanTask.created_at < end_at)
        .order_by(HumanTask.instance_id, HumanTask.created_at, HumanTask.id)).all())


def _done(task: Any, end_at: datetime) -> bool:
    return task.state == TaskState.COMPLETED and task.completed_at is not None and task.completed_at < end_at


def _review_types(session: Session, started: int, kept: dict[str, dict[str, Any]],
                  span: tuple[datetime, datetime]) -> tuple[Count, ...]:
    """The review type decided by the year's end: the chair's decision (2013 rules); under Working Together 2023
    the proposal every safeguarding partner signed off (a "no" sends it back for a new proposal), or a national
    review when the Panel took the case."""
    if not started:
        return ()
    by_case: dict[str, list[Any]] = {}
    for task in _tasks(session, "scr", SCR_TASKS, ("review_type", "proposed_review_type", "agreed"), *span):
        by_case.setdefault(task.instance_id, []).append(task)
    decided = {case: _decided(tasks, span[1]) for case, tasks in by_case.items()}
    decided.update({case: codes.get("review_type") for case, codes in kept.items()})
    return _counts(decided.values(), started, REVIEW_TYPES)


def _decided(tasks: Sequence[Any], end_at: datetime) -> str | None:
    """One case's decision from its decision tasks. A proposal still being made (the first, or another after a
    partner said no) is no decision; the signed-off proposal is the latest one, signed off by every partner asked
    after it was made."""
    if any(task.name == "national_review" for task in tasks):
        return "NATIONAL"
    chair = [task for task in tasks if task.name == "chair_decision" and _done(task, end_at)]
    if chair:
        return _code(max(chair, key=lambda task: task.completed_at), "review_type")
    proposals = [task for task in tasks if task.name in PROPOSALS]
    if not proposals or not all(_done(task, end_at) for task in proposals):
        return None
    latest = max(proposals, key=lambda task: task.completed_at)
    signoffs = [task for task in tasks if task.name == "partners_signoff" and task.created_at >= latest.completed_at]
    agreed = bool(signoffs) and all(_done(task, end_at) and _agreed(task.agreed) for task in signoffs)
    return _code(latest, "proposed_review_type") if agreed else None


def _code(task: Any, name: str) -> str | None:
    value = getattr(task, name)
    return value if isinstance(value, str) and value else None


def _agreed(value: Any) -> bool:
    """A partner's yes, however the database gives a JSON true as text (SQLite 1, PostgreSQL true)."""
    return str(value).lower() in ("true", "1")


def _death_outcomes(session: Session, started: int, kept: dict[str, dict[str, Any]],
                    span: tuple[datetime, datetime]) -> dict[str, tuple[Count, ...]]:
    """The CDOP panel's category of death and whether modifiable factors were found (from its domain scores, as
    the bundle derives them), for the year's child death reviews."""
    if not started:
        return {}
    recorded: dict[str, dict[str, Any]] = {}
    for task in _tasks(session, "cdop", ("panel_review",), ("category_of_death", *DOMAIN_SCORES), *span):
        if _done(task, span[1]):
            recorded[task.instance_id] = {"category_of_death": _code(task, "category_of_death"),
                                          "modifiable_factors": _modifiable(task)}
    recorded.update(kept)
    return {DEATH_CATEGORY: _counts((r.get("category_of_death") for r in recorded.values()), started,
                                    DEATH_CATEGORIES),
            FACTORS: _counts((r.get("modifiable_factors") for r in recorded.values()), started, MODIFIABLE_FACTORS)}


def _modifiable(task: Any) -> str | None:
    """As the cdop bundle derives it: a domain scored 2 or 3 identifies modifiable factors; else one scored 0 means
    there was too little information; else none were found."""
    scores = {getattr(task, name) for name in DOMAIN_SCORES}
    if None in scores:
        return None
    if scores & {"2", "3"}:
        return "identified"
    return "insufficient_information" if "0" in scores else "not_identified"


def _counts(values: Iterable[Any], cases: int, words: dict[str, str]) -> tuple[Count, ...]:
    """Counts of the codes recorded for some of ``cases`` cases, in the order of ``words`` (codes it lacks after
    them); the cases with none, "not decided", last."""
    tally = Counter(value for value in values if isinstance(value, str) and value)
    tally[UNDECIDED] = cases - sum(tally.values())
    order = [key for key in words if key in tally] + sorted(set(tally) - set(words) - {UNDECIDED})
    found = [Count(key, words.get(key, key.replace("_", " ").capitalize()), tally[key]) for key in order]
    if tally[UNDECIDED]:
        found.append(Count(UNDECIDED, NOT_RECORDED[True], tally[UNDECIDED]))
    return tuple(found)


def _undecided_words(found: tuple[Count, ...], year_over: bool) -> tuple[Count, ...]:
    """"Not decided yet" while the year runs."""
    return tuple(Count(c.key, NOT_RECORDED[year_over], c.count) if c.key == UNDECIDED else c for c in found)
