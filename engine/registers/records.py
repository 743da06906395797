"""The registers' frozen records, as services hand them across the boundary."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .. import workdays
from ..store.models import Lesson, PlanAction

# An action's status, as its monitoring instance's data gives it (``action.status``), with the words pages use.
STATUS_WORDS = {
    "open": "Not yet updated",
    "not_started": "Not started",
    "on_track": "On track",
    "at_risk": "At risk of delay",
    "completed": "Completed, waiting for sign-off",
    "awaiting_evidence": "More evidence asked for",
    "signed_off": "Signed off",
    "withdrawn": "Withdrawn",
}
CLOSED_STATUSES = frozenset({"signed_off", "withdrawn"})
RAG_WORDS = {"red": "Red", "amber": "Amber", "green": "Green"}


@dataclass(frozen=True)
class ActionEntry:
    """One action of the register (a ``plan_action`` row)."""
    id: int
    action_key: str
    plan_id: str
    item_id: str | None
    number: int
    source_process: str
    source_reference: str
    recommendation: str
    action: str
    measure: str
    expected_outcome: str
    owner: str | None
    agency: str | None
    sign_off_by: str
    due_date: date | None
    original_due_date: date | None
    replans: int
    status: str
    rag: str | None
    latest_update: str
    latest_update_date: date | None
    updates_count: int
    evidence_of_completion: str
    evidence_of_impact: str
    escalations: int
    signed_off_at: datetime | None
    withdrawn_reason: str
    closed_at: datetime | None
    raised_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: PlanAction) -> ActionEntry:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @property
    def due_at(self) -> datetime | None:
        """The end of the due date in England, as an aware UTC time (the API's ``due_at``)."""
        return workdays.end_of_working_day(self.due_date) if self.due_date is not None else None

    def overdue(self, now: datetime) -> bool:
        """Open after its due date (England's calendar day)."""
        return self.is_open and self.due_date is not None and self.due_date < workdays.london_date(now)

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.status, self.status.replace("_", " ").capitalize())


@dataclass(frozen=True)
class LessonEntry:
    """One lesson of the learning log (a ``lesson`` row)."""
    id: int
    instance_id: str
    position: int
    process_key: str
    business_key: str
    theme: str
    lesson: str
    good_practice: str
    agencies: tuple[str, ...]
    recorded_at: datetime
    recorded_by: str | None

    @classmethod
    def of(cls, row: Lesson) -> LessonEntry:
        values = {name: getattr(row, name) for name in cls.__dataclass_fields__}
        return cls(**{**values, "agencies": tuple(row.agencies or ())})
