"""Moving running cases to another version of their process: a preview of which can move safely and why the
others cannot, then the move of one case or of every case that can.

A case stays on the version it started with (SPEC §3) until a designer moves it here. The move uses
SpiffWorkflow's diff and migration (``engine/spiff/migration.py``) and then saves the case as every step does
(``runtime.save``), so its rows stay true: ready tasks the new version removes are withdrawn, those it adds are
created (their reminders follow from the same events), a ready task whose form, lane, name or instructions
changed gets them on its row, timers become due items and message waits subscriptions; the workflow cache
holds the moved workflow under the row's new revision, so no step can run on the old version's copy.

Moving a case to the version it already runs is refused with a conflict that says so (never a silent no-op):
a designer who asks for it has the wrong version in mind. Designers see no case data: the previews carry ids,
business keys, versions and step names only.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from .. import clock
from ..bundles import definitions, task_views
from ..cases import child_match, runtime, step
from ..errors import Conflict, Forbidden, NotFound
from ..records import Actor, RunningInstance
from ..registers import projection
from ..spiff import migration as spiff_migration
from ..spiff.adapter import ReadyTask
from ..states import InstanceStatus, TaskState
from ..store import audit, row_writes
from ..store.db import step_settings
from ..store.models import HumanTask, ProcessDefinition, ProcessInstance


@dataclass(frozen=True)
class MigrationPreview:
    """Whether one case can move to ``to_version``, and why not, in words naming the elements."""
    instance_id: str
    business_key: str
    status: str
    can_migrate: bool
    problems: tuple[str, ...]
    from_version: int
    to_version: int
    current_steps: tuple[str, ...]  # the names of the steps where the case stands


@dataclass(frozen=True)
class MigrationSummary:
    """What moving every case that can move did: the ids moved, and the previews of those left behind."""
    to_version: int
    moved: tuple[str, ...]
    skipped: tuple[MigrationPreview, ...]


def preview(session: Session, instance_id: str, version: int, *, actor: Actor) -> MigrationPreview:
    """Whether the case can move to ``version`` of its process (NotFound for an unknown case or version)."""
    _require_designer(actor)
    row = runtime.get_instance_row(session, instance_id)
    return _preview(session, row, definitions.get_version(session, row.process_key, version))


def preview_all(session: Session, key: str, version: int, *, actor: Actor) -> list[MigrationPreview]:
    """Every case of ``key`` not yet on ``version`` and not finished, oldest first, each with its answer."""
    _require_designer(actor)
    target = definitions.get_version(session, key, version)
    rows = session.scalars(
        select(ProcessInstance).join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessInstance.process_key == key, ProcessDefinition.version != version,
               ProcessInstance.status.in_((InstanceStatus.ACTIVE, InstanceStatus.ERROR)))
        .order_by(ProcessInstance.created_at, ProcessInstance.id))
    return [_preview(session, row, target) for row in rows]


def migrate(session: Session, instance_id: str, version: int, *, actor: Actor, now: datetime,
            key: str | None = None) -> RunningInstance:
    """Move the case to ``version``: Conflict with the problems when it cannot. Returns the case as a designer
    sees it, on its new version. ``key``: the process the designer chose (a case of another is NotFound)."""
    _require_designer(actor)
    row = runtime.get_instance_row(session, instance_id)
    if key is not None and row.process_key != key:
        raise NotFound(f"no case {instance_id!r} of process {key!r}")
    target = definitions.get_version(session, row.process_key, version)
    found = _preview(session, row, target)
    if not found.can_migrate:
        raise Conflict(f"the case {row.business_key} cannot move to version {version}: "
                       + "; ".join(found.problems), details=list(found.problems))
    _move(session, row, target, actor=actor.username, now=now)
    audit.record(session, "instance.migrated", actor=actor.username, now=now, instance_id=row.id,
                 from_version=found.from_version, to_version=version)
    runtime.flush_or_conflict(session)
    steps = session.scalars(select(HumanTask.name).where(HumanTask.instance_id == row.id,
                                                         HumanTask.state == TaskState.READY))
    return RunningInstance(row.id, row.process_key, target.version, row.business_key, row.status,
                           tuple(sorted(set(steps))))


def migrate_all_safe(session: Session, key: str, version: int, *, actor: Actor, now: datetime) -> MigrationSummary:
    """Move every case of ``key`` that can move to ``version``; the others are left as they are, with reasons."""
    moved, skipped = [], []
    for found in preview_all(session, key, version, actor=actor):
        if not found.can_migrate:
            skipped.append(found)
            continue
        migrate(session, found.instance_id, version, actor=actor, now=now, key=key)
        moved.append(found.instance_id)
    return MigrationSummary(version, tuple(moved), tuple(skipped))


def _require_designer(actor: Actor) -> None:
    if not actor.has("designer", "admin"):
        raise Forbidden("only designers move cases to another version of their process")


def _preview(session: Session, row: ProcessInstance, target: ProcessDefinition) -> MigrationPreview:
    source = row.definition
    problems = _status_problems(row, source, target)
    standing: tuple[str, ...] = ()
    if not problems or source.id == target.id:
        assessment = spiff_migration.assess(row.state, runtime.specs_for(session, source),
                                            runtime.specs_for(session, target), row.process_id,
                                            f"version {target.version}")
        problems = problems or list(assessment.problems)
        standing = assessment.standing
    return MigrationPreview(row.id, row.business_key, row.status, not problems, tuple(problems), source.version,
                            target.version, standing)


def _status_problems(row: ProcessInstance, source: ProcessDefinition, target: ProcessDefinition) -> list[str]:
    if row.status == InstanceStatus.ERROR:
        return ["the case is in error: a coordinator must retry it before it can move"]
    if row.status in (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED):
        return [f"the case is {row.status}: only a running case can move"]
    if source.id == target.id:
        return [f"the case already runs version {target.version}"]
    return []


def _move(session: Session, row: ProcessInstance, target: ProcessDefinition, *, actor: str, now: datetime) -> None:
    """The move itself: the migrated workflow saved under the row's revision, with every row it projects."""
    source_specs, target_specs = runtime.specs_for(session, row.definition), runtime.specs_for(session, target)
    runtime.WORKFLOWS.take(row.id, row.revision)  # the old version's copy must never serve a step again
    with clock.frozen_at(now):  # a timer the new version changed counts from the move
        flow, facts = spiff_migration.migrate(row.state, source_specs, target_specs, row.process_id,
                                              step_settings(session))
    before = {t.id: t for t in session.scalars(select(HumanTask).where(
        HumanTask.instance_id == row.id, HumanTask.state == TaskState.READY))}
    row.definition_id = target.id  # written with the state, under the revision check
    set_committed_value(row, "definition", target)
    runtime.save(session, row, flow, facts, actor=actor, now=now)
    views = task_views.views_of(session, target)
    for task in facts.ready:
        if task.id in before:
            _refresh_task_row(session, before[task.id], task, views)
    child_match.keep_keys(session, row, facts.data, flow.synced)
    projection.project(session, row, facts.data, flow.synced, actor=actor, now=now)
    step.route_thrown(session, row, facts.thrown, actor=actor, now=now)


def _refresh_task_row(session: Session, row: HumanTask, task: ReadyTask, views: task_views.BundleViews) -> None:
    """A ready task the case kept: what the new version says of it (name, lane, form, instructions, the case data
    its view shows). Its deadline, claim and assignee stay: the work was already given out."""
    props = task.properties
    shown = json.loads(json.dumps(views.project(task.name, task.data, agency=row.agency), default=_plain))
    values = {"data": shown, "name": task.name, "title": task.title, "role": (task.lane or "").strip().lower() or None,
              "form_file": props.get("formJsonSchemaFilename"), "ui_file": props.get("formUiSchemaFilename"),
              "instructions": task.instructions, "properties": props}
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    if changed:
        row_writes.update_task(session, row, changed)


def _plain(value: object) -> object:
    """Task data as the rows hold it (dates as ISO text), as ``runtime`` writes a new task's row."""
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else list(value) if isinstance(value, (set, tuple)) else str(value)


def cases_on_older_versions(session: Session, key: str, version: int) -> int:
    """How many running cases (active or in error) of ``key`` run a version before ``version``."""
    return session.scalar(select(func.count()).select_from(ProcessInstance).join(
        ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id).where(
        ProcessInstance.process_key == key, ProcessDefinition.version < version,
        ProcessInstance.status.in_((InstanceStatus.ACTIVE, InstanceStatus.ERROR)))) or 0
