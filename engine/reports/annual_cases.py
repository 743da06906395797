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

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ..states import InstanceStatus, TaskState
from ..store.models import CaseStatistics, HumanTask, ProcessDefinition, ProcessInstance

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
NOT_RECORDED = "Not decided by the end of the year"
PROPOSALS = ("rr_meeting", "review_proposal")
SCR_TASKS = ("chair_decision", *PROPOSALS, "partners_signoff", "national_review")


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


def case_types(session: Session, start_at: datetime, end_at: datetime) -> tuple[CaseType, ...]:
    """Every deployed process, in the order of their names, with its counts (zeros for a quiet year)."""
    names = _process_names(session)
    rows = session.execute(
        select(ProcessInstance.id, ProcessInstance.process_key, ProcessInstance.created_at,
               ProcessInstance.completed_at, ProcessInstance.status)
        .where(ProcessInstance.parent_id.is_(None), ProcessInstance.created_at < end_at,
               (ProcessInstance.completed_at.is_(None)) | (ProcessInstance.completed_at >= start_at))).all()
    by_key: dict[str, list[Any]] = {key: [] for key in names}
    for row in rows:
        by_key.setdefault(row.process_key, []).append(row)
    kept = _kept_outcomes(session, start_at, end_at)
    span = (start_at, end_at)
    outcomes = {"scr": {REVIEW_TYPE: _review_types(session, _started(rows, "scr", start_at), kept, span)},
                "cdop": _death_outcomes(session, _started(rows, "cdop", start_at), kept, span)}
    return tuple(_case_type(key, names.get(key) or key, by_key[key], start_at, end_at, outcomes.get(key, {}))
                 for key in sorted(by_key, key=lambda k: (names.get(k) or k).lower()))


def _process_names(session: Session) -> dict[str, str]:
    """Each process's display name, from its newest version."""
    newest = select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version")) \
        .group_by(ProcessDefinition.key).subquery()
    return dict(session.execute(select(ProcessDefinition.key, ProcessDefinition.name).join(
        newest, (newest.c.key == ProcessDefinition.key) & (newest.c.version == ProcessDefinition.version))).all())


def _case_type(key: str, name: str, rows: Sequence[Any], start_at: datetime, end_at: datetime,
               outcomes: dict[str, tuple[Count, ...]]) -> CaseType:
    def ended(row: Any, status: str) -> bool:
        return row.status == status and row.completed_at is not None and start_at <= row.completed_at < end_at
    return CaseType(
        process_key=key, name=name, started=sum(row.created_at >= start_at for row in rows),
        completed=sum(ended(row, InstanceStatus.COMPLETED) for row in rows),
        cancelled=sum(ended(row, InstanceStatus.CANCELLED) for row in rows),
        open_at_end=sum(row.completed_at is None or row.completed_at >= end_at for row in rows),
        outcomes={name: counts for name, counts in outcomes.items() if counts})


def _started(rows: Iterable[Any], key: str, start_at: datetime) -> list[str]:
    return [row.id for row in rows if row.process_key == key and row.created_at >= start_at]


def _year_cases(start_at: datetime, end_at: datetime, key: str | None = None) -> Select[Any]:
    """The ids of the cases started in the year, as a subquery (a year of thousands binds no long list)."""
    created = ProcessInstance.created_at
    found = select(ProcessInstance.id).where(ProcessInstance.parent_id.is_(None), created >= start_at,
                                             created < end_at)
    return found.where(ProcessInstance.process_key == key) if key else found


def _kept_outcomes(session: Session, start_at: datetime, end_at: datetime) -> dict[str, dict[str, Any]]:
    """The outcome codes kept of the year's cases that have been disposed of (their answers are erased)."""
    return {row.instance_id: row.outcomes or {} for row in session.execute(
        select(CaseStatistics.instance_id, CaseStatistics.outcomes)
        .where(CaseStatistics.instance_id.in_(_year_cases(start_at, end_at))))}


def _tasks(session: Session, key: str, names: Sequence[str], start_at: datetime, end_at: datetime) -> list[Any]:
    """The decision tasks of the year's cases of process ``key`` (one query), in the order they were created."""
    return list(session.execute(
        select(HumanTask.instance_id, HumanTask.name, HumanTask.state, HumanTask.created_at, HumanTask.completed_at,
               HumanTask.answers)
        .where(HumanTask.instance_id.in_(_year_cases(start_at, end_at, key)), HumanTask.name.in_(names),
               HumanTask.created_at < end_at)
        .order_by(HumanTask.instance_id, HumanTask.created_at, HumanTask.id)).all())


def _done(task: Any, end_at: datetime) -> bool:
    return task.state == TaskState.COMPLETED and task.completed_at is not None and task.completed_at < end_at


def _review_types(session: Session, ids: list[str], kept: dict[str, dict[str, Any]],
                  span: tuple[datetime, datetime]) -> tuple[Count, ...]:
    """The review type decided by the year's end: the chair's decision (2013 rules); under Working Together 2023
    the proposal every safeguarding partner signed off (a "no" sends it back for a new proposal), or a national
    review when the Panel took the case."""
    if not ids:
        return ()
    end_at = span[1]
    by_case: dict[str, list[Any]] = {case: [] for case in ids}
    for task in _tasks(session, "scr", SCR_TASKS, *span):
        by_case[task.instance_id].append(task)
    decided = {case: kept[case].get("review_type") if case in kept else _decided(tasks, end_at)
               for case, tasks in by_case.items()}
    return _counts(decided.values(), REVIEW_TYPES)


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
    agreed = bool(signoffs) and all(_done(task, end_at) and _answer(task, "agreed") is True for task in signoffs)
    return _code(latest, "proposed_review_type") if agreed else None


def _answer(task: Any, name: str) -> Any:
    return (task.answers or {}).get(name)


def _code(task: Any, name: str) -> str | None:
    value = _answer(task, name)
    return value if isinstance(value, str) else None


def _death_outcomes(session: Session, ids: list[str], kept: dict[str, dict[str, Any]],
                    span: tuple[datetime, datetime]) -> dict[str, tuple[Count, ...]]:
    """The CDOP panel's category of death and whether modifiable factors were found (from its domain scores, as
    the bundle derives them), for the year's child death reviews."""
    if not ids:
        return {}
    end_at = span[1]
    recorded: dict[str, dict[str, Any]] = {case: {} for case in ids}
    for task in _tasks(session, "cdop", ("panel_review",), *span):
        if _done(task, end_at):
            answers = task.answers or {}
            recorded[task.instance_id] = {"category_of_death": answers.get("category_of_death"),
                                          "modifiable_factors": _modifiable(answers)}
    recorded.update({case: codes for case, codes in kept.items() if case in recorded})
    return {DEATH_CATEGORY: _counts((r.get("category_of_death") for r in recorded.values()), DEATH_CATEGORIES),
            FACTORS: _counts((r.get("modifiable_factors") for r in recorded.values()), MODIFIABLE_FACTORS)}


def _modifiable(answers: dict[str, Any]) -> str | None:
    scores = {answers.get(f"domain_{d}_score") for d in "abcd"}
    if None in scores:
        return None
    if scores & {"2", "3"}:
        return "identified"
    return "insufficient_information" if "0" in scores else "not_identified"


def _counts(values: Iterable[Any], words: dict[str, str]) -> tuple[Count, ...]:
    """Counts in the order of ``words`` (codes it lacks after them), the undecided last; nothing for no cases."""
    tally = Counter(value if isinstance(value, str) and value else UNDECIDED for value in values)
    order = [key for key in words if key in tally] + sorted(set(tally) - set(words) - {UNDECIDED})
    found = [Count(key, words.get(key, key.replace("_", " ").capitalize()), tally[key]) for key in order]
    if tally[UNDECIDED]:
        found.append(Count(UNDECIDED, NOT_RECORDED, tally[UNDECIDED]))
    return tuple(found)
