"""The designer's drafts (issue 15): ``process_draft`` holds one unfinished change per process, every file of the
bundle, with a revision counter that refuses a save made from an older revision.

Revision ID: 0016_process_drafts
Revises: 0015_statutory_clocks
Created: 2026-12-07 20:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.db

revision = '0016_process_drafts'
down_revision = '0015_statutory_clocks'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'process_draft',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('files', sa.JSON(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('base_version', sa.Integer(), nullable=True),
        sa.Column('created_by', sa.String(length=64), nullable=True),
        sa.Column('created_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=True),
        sa.Column('updated_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )


def downgrade() -> None:
    op.drop_table('process_draft')
