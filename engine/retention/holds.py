"""Legal holds. The IICSA moratorium showed that an inquiry can need records a schedule would destroy (DOMAIN.md
§E), so a coordinator can hold a case, for an inquest, criminal proceedings, an inquiry or another stated
reason; while a hold is open the case is never disposed, whatever its date. Lifting it needs a reason too.

The kind of hold is a code and goes into the audit trail; the words the coordinator wrote are case data and go
into ``case_note`` rows (``audit.record(note=...)``), erased if the case is later disposed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, Forbidden, InvalidData, NotFound
from ..records import Actor
from ..store import audit
from ..store.models import LegalHold, ProcessInstance


class HoldKind(StrEnum):
    INQUEST = "inquest"
    CRIMINAL_PROCEEDINGS = "criminal_proceedings"
    INQUIRY = "inquiry"
    OTHER = "other"


KIND_NAMES: dict[str, str] = {HoldKind.INQUEST: "Inquest", HoldKind.CRIMINAL_PROCEEDINGS: "Criminal proceedings",
              HoldKind.INQUIRY: "Inquiry", HoldKind.OTHER: "Other"}
MAX_REASON = 2000


@dataclass(frozen=True)
class HoldInfo:
    id: int
    instance_id: str
    kind: str  # a HoldKind
    reason: str | None  # the words written when it was placed (None once erased with the case)
    placed_by: str
    placed_at: datetime
    released_by: str | None = None
    released_at: datetime | None = None
    release_reason: str | None = None

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)

    def in_words(self) -> str:
        """``a legal hold for an inquest ("Coroner's inquest opened"), placed by cora``."""
        said = f' ("{self.reason}")' if self.reason and self.reason != self.kind_name else ""
        return f"a legal hold ({self.kind_name.lower()}{said}), placed by {self.placed_by}"


class CaseHeld(Conflict):
    """The case is under a legal hold, so it cannot be disposed; ``details`` describes the hold."""

    code = "case_held"


def require_coordinator(actor: Actor, what: str) -> None:
    if not actor.has("coordinator"):
        raise Forbidden(f"{what} needs the coordinator role")


def place_hold(session: Session, instance_id: str, reason: str, *, kind: str = HoldKind.OTHER, actor: Actor,
               now: datetime) -> HoldInfo:
    """Hold the case; 409 if it is already held."""
    require_coordinator(actor, "placing a legal hold")
    reason = _required_reason(reason)
    if kind not in KIND_NAMES:
        raise InvalidData("unknown kind of hold", [{"field": "kind", "message": "must be one of "
                                                    + ", ".join(HoldKind)}])
    instance = lock_instance(session, instance_id)
    found = open_hold(session, instance.id)
    if found is not None:
        raise Conflict(f"the case is already under {found.in_words()}")
    hold = LegalHold(instance_id=instance.id, kind=str(kind), placed_by=actor.username, placed_at=now)
    session.add(hold)
    session.flush()
    hold.note_id = audit.record(session, "hold.placed", actor=actor.username, now=now, instance_id=instance.id,
                                hold_id=hold.id, hold_reason=str(kind), note=reason)
    session.flush()
    return _info(session, hold)


def release_hold(session: Session, instance_id: str, reason: str, *, actor: Actor, now: datetime) -> HoldInfo:
    """Lift the case's open hold; 409 if it has none."""
    require_coordinator(actor, "lifting a legal hold")
    reason = _required_reason(reason)
    instance = lock_instance(session, instance_id)
    hold = session.scalars(select(LegalHold).where(LegalHold.instance_id == instance.id,
                                                   LegalHold.released_at.is_(None))).first()
    if hold is None:
        raise Conflict("the case is not under a legal hold")
    hold.released_by, hold.released_at = actor.username, now
    hold.release_note_id = audit.record(session, "hold.released", actor=actor.username, now=now,
                                        instance_id=instance.id, hold_id=hold.id, note=reason)
    session.flush()
    return _info(session, hold)


def open_hold(session: Session, instance_id: str) -> HoldInfo | None:
    """The case's hold, while one is open."""
    hold = session.scalars(select(LegalHold).where(LegalHold.instance_id == instance_id,
                                                   LegalHold.released_at.is_(None))).first()
    return _info(session, hold) if hold is not None else None


def holds_of(session: Session, instance_id: str) -> list[HoldInfo]:
    """Every hold the case has had, oldest first."""
    rows = session.scalars(select(LegalHold).where(LegalHold.instance_id == instance_id).order_by(LegalHold.id))
    return [_info(session, hold) for hold in rows]


def held_instance_ids(session: Session, instance_ids: list[str]) -> set[str]:
    if not instance_ids:
        return set()
    return set(session.scalars(select(LegalHold.instance_id).where(LegalHold.instance_id.in_(instance_ids),
                                                                   LegalHold.released_at.is_(None))))


def lock_instance(session: Session, instance_id: str) -> ProcessInstance:
    """The case's row, locked on PostgreSQL, so that a hold and a disposal of one case take turns."""
    instance = session.scalars(select(ProcessInstance).where(ProcessInstance.id == instance_id)
                               .with_for_update(of=ProcessInstance)).first()
    if instance is None:
        raise NotFound(f"no process instance {instance_id!r}")
    return instance


def _required_reason(reason: str | None) -> str:
    stripped = (reason or "").strip()
    if not stripped:
        raise InvalidData("a reason is required", [{"field": "reason", "message": "is required"}])
    if len(stripped) > MAX_REASON:
        raise InvalidData("the reason is too long", [{"field": "reason",
                                                      "message": f"at most {MAX_REASON} characters"}])
    return stripped


def _info(session: Session, hold: LegalHold) -> HoldInfo:
    words = audit.notes(session, (hold.note_id, hold.release_note_id))
    return HoldInfo(hold.id, hold.instance_id, hold.kind, words.get(hold.note_id or ""), hold.placed_by,
                    hold.placed_at, hold.released_by, hold.released_at, words.get(hold.release_note_id or ""))
