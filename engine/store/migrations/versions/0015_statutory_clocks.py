"""The law's clock on each task, for the compliance report (issue 14): ``human_task.clock_started_at`` (when the
deadline started counting: the ``dueFrom`` date, or the task's creation), ``statutory_due_at`` (the deadline a
resumed pause moves on but an extension does not: the law counts a paused clock in the partnership's favour and
an extension against it) and ``paused_days`` (the working days pauses moved it by); indexes for the report's
queries.

Tasks made before this revision get their own deadline as the statutory one (an extension made before it cannot
be told apart) and their clock start from their ``dueFrom`` date when their view holds it, else their creation.

Revision ID: 0015_statutory_clocks
Revises: 0014_learning_registers
Created: 2026-12-07 17:30:00
"""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import engine.store.db

revision = '0015_statutory_clocks'
down_revision = '0014_learning_registers'
branch_labels = None
depends_on = None

LONDON = ZoneInfo("Europe/London")


def upgrade() -> None:
    with op.batch_alter_table('human_task') as batch:
        batch.add_column(sa.Column('clock_started_at', engine.store.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('statutory_due_at', engine.store.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('paused_days', sa.Integer(), nullable=True))
    op.create_index('ix_human_task_process_name_clock', 'human_task',
                    ['process_key', 'name', 'clock_started_at'])
    op.create_index('ix_plan_action_raised', 'plan_action', ['raised_at', 'status', 'agency', 'plan_id', 'due_date',
                                                             'replans', 'original_due_date'])
    _backfill()


def _backfill() -> None:
    tasks = sa.table('human_task', sa.column('id', sa.String), sa.column('properties', sa.JSON),
                     sa.column('data', sa.JSON), sa.column('created_at', engine.store.db.UTCDateTime()),
                     sa.column('due_at', engine.store.db.UTCDateTime()),
                     sa.column('clock_started_at', engine.store.db.UTCDateTime()),
                     sa.column('statutory_due_at', engine.store.db.UTCDateTime()))
    bind = op.get_bind()
    rows = bind.execute(sa.select(tasks.c.id, tasks.c.properties, tasks.c.data, tasks.c.created_at,
                                  tasks.c.due_at)).all()
    updates = [{"task_id": row.id, "clock": _clock_start(row.properties, row.data, row.created_at),
                "due": row.due_at} for row in rows]
    if updates:
        bind.execute(tasks.update().where(tasks.c.id == sa.bindparam("task_id"))
                     .values(clock_started_at=sa.bindparam("clock"), statutory_due_at=sa.bindparam("due")), updates)


def _clock_start(properties: Any, data: Any, created_at: datetime) -> datetime:
    properties = json.loads(properties) if isinstance(properties, str) else (properties or {})
    data = json.loads(data) if isinstance(data, str) else (data or {})
    value = data.get(properties.get("dueFrom") or "") if isinstance(data, dict) else None
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return created_at
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=LONDON)).astimezone(UTC)
    return created_at


def downgrade() -> None:
    op.drop_index('ix_plan_action_raised', 'plan_action')
    op.drop_index('ix_human_task_process_name_clock', 'human_task')
    with op.batch_alter_table('human_task') as batch:
        batch.drop_column('paused_days')
        batch.drop_column('statutory_due_at')
        batch.drop_column('clock_started_at')
