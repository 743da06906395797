"""Keeping the registers' rows true to the case data, at every save of a case whose bundle declares them
(``declaration``). ``synced`` is the cached workflow's record of what its last save wrote, so a step that changes
neither the action nor the lessons reads and writes no row; a workflow restored from its stored state compares with
the rows once."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..store.models import Lesson, PlanAction, ProcessInstance
from .declaration import Declaration

_ACTION = "register.action"
_LESSONS = "register.lessons"
_TEXT_FIELDS = ("recommendation", "action", "measure", "expected_outcome", "latest_update", "evidence_of_completion",
                "evidence_of_impact", "withdrawn_reason")


def project(session: Session, instance: ProcessInstance, data: dict[str, Any], synced: dict[str, Any], *,
            actor: str | None, now: datetime) -> None:
    """Write the register rows ``instance``'s data gives, when they changed since its last save."""
    declared = Declaration.of(instance.definition.model)
    if declared.empty:
        return
    variable = declared.actions.get(instance.process_id)
    if variable is not None and isinstance(data.get(variable), dict):
        keep_action(session, instance, data[variable], data, synced, now=now)
    variable = declared.lessons.get(instance.process_id)
    if variable is not None and isinstance(data.get(variable), list):
        keep_lessons(session, instance, data[variable], synced, actor=actor, now=now)


def keep_action(session: Session, instance: ProcessInstance, action: dict[str, Any], data: dict[str, Any],
                synced: dict[str, Any], *, now: datetime) -> None:
    """The ``plan_action`` row of the action ``instance`` monitors, from its ``action`` dict (``action_key`` names
    the row; ``source_process`` and ``source_reference`` come from the dict or else the case data)."""
    key = action.get("action_key")
    if not isinstance(key, str) or not key:
        return
    values = action_columns(action, data)
    values.update(plan_id=instance.parent_id or instance.id, item_id=instance.id)
    if synced.get(_ACTION) == values:
        return
    row = session.scalar(select(PlanAction).where(PlanAction.action_key == key))
    if row is None:
        row = PlanAction(action_key=key, raised_at=now)
        session.add(row)
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    if changed:
        row.updated_at = now
    synced[_ACTION] = values


def action_columns(action: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The register's columns from an action dict as the action plan bundle keeps it."""
    values: dict[str, Any] = {name: _text(action.get(name)) for name in _TEXT_FIELDS}
    values.update(
        number=_int(action.get("number")),
        source_process=_text(action.get("source_process") or data.get("source_process")) or "manual",
        source_reference=_text(action.get("source_reference") or data.get("source_reference"))[:64],
        owner=_text(action.get("owner"))[:64] or None,
        agency=_text(action.get("agency"))[:64] or None,
        sign_off_by=_text(action.get("sign_off_by"))[:16] or "coordinator",
        due_date=_date(action.get("due_date")),
        original_due_date=_date(action.get("original_due_date")),
        replans=_int(action.get("replans")),
        status=_text(action.get("status"))[:24] or "open",
        rag=_text(action.get("rag"))[:8] or None,
        latest_update_date=_date(action.get("last_update_date")),
        updates_count=_int(action.get("updates_count")),
        escalations=_int(action.get("escalations", action.get("board_challenges"))),
        signed_off_at=_moment(action.get("signed_off_at")),
        closed_at=_moment(action.get("closed_at") or action.get("signed_off_at")),
    )
    return values


def close_open_actions(session: Session, plan_id: str, reason: str, *, now: datetime) -> int:
    """Mark the open actions of a cancelled plan withdrawn with ``reason``; how many there were."""
    rows = list(session.scalars(select(PlanAction).where(PlanAction.plan_id == plan_id,
                                                         PlanAction.status.not_in(("signed_off", "withdrawn")))))
    for row in rows:
        row.status, row.withdrawn_reason, row.closed_at, row.updated_at = "withdrawn", reason, now, now
    return len(rows)


def keep_lessons(session: Session, instance: ProcessInstance, lessons: list[Any], synced: dict[str, Any], *,
                 actor: str | None, now: datetime) -> None:
    """The ``lesson`` rows of ``instance``, one per entry of its list (by position); a lesson keeps when and by whom
    it was first recorded while its words change."""
    wanted = [_lesson_columns(item) for item in lessons if isinstance(item, dict)]
    wanted = [w for w in wanted if w["lesson"]]
    if synced.get(_LESSONS) == wanted:
        return
    stored = {row.position: row for row in session.scalars(select(Lesson).where(Lesson.instance_id == instance.id))}
    for position, values in enumerate(wanted):
        row = stored.get(position)
        if row is None:
            session.add(Lesson(instance_id=instance.id, position=position, process_key=instance.process_key,
                               business_key=instance.business_key, recorded_at=now, recorded_by=actor, **values))
            continue
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
    if len(stored) > len(wanted):
        session.execute(delete(Lesson).where(Lesson.instance_id == instance.id, Lesson.position >= len(wanted)),
                        execution_options={"synchronize_session": "fetch"})
    synced[_LESSONS] = wanted


def _lesson_columns(item: dict[str, Any]) -> dict[str, Any]:
    agencies = item.get("agencies")
    return {"theme": _text(item.get("theme"))[:64] or "other", "lesson": _text(item.get("lesson")),
            "good_practice": _text(item.get("good_practice")),
            "agencies": [str(a) for a in agencies] if isinstance(agencies, list) else []}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
