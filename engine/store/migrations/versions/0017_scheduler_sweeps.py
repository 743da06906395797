"""The scheduler's record (issue 16): ``scheduler_sweep`` holds one row per finished sweep (when it swept, which
worker, how long it took, how many of each thing it did), so ``/readyz`` and ``/metrics`` can tell how long ago the
scheduler last swept. Rows older than a week are pruned as new ones are written.

Revision ID: 0017_scheduler_sweeps
Revises: 0016_process_drafts
Created: 2026-12-07 23:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.db

revision = '0017_scheduler_sweeps'
down_revision = '0016_process_drafts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'scheduler_sweep',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('swept_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('worker', sa.String(length=120), nullable=False),
        sa.Column('duration_ms', sa.Integer(), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('scheduler_sweep') as batch_op:
        batch_op.create_index('ix_scheduler_sweep_swept_at', ['swept_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('scheduler_sweep') as batch_op:
        batch_op.drop_index('ix_scheduler_sweep_swept_at')
    op.drop_table('scheduler_sweep')
