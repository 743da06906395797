"""Business keys belong to one case: ``business_key_claim`` holds each claimed key once (its primary key settles a
race between two starts). Existing keys are claimed by their earliest case.

Revision ID: 0004_business_key_unique
Revises: 0003_task_binding
Created: 2026-12-07 02:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004_business_key_unique'
down_revision = '0003_task_binding'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('business_key_claim',
    sa.Column('business_key', sa.String(length=64), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('business_key')
    )
    # Each key goes to its earliest case by created_at (ids are random UUIDs, so the smallest says nothing),
    # the smaller id breaking a tie; written without window functions so that SQLite and PostgreSQL agree.
    op.execute("INSERT INTO business_key_claim (business_key, instance_id) "
               "SELECT p.business_key, p.id FROM process_instance p WHERE NOT EXISTS ("
               "SELECT 1 FROM process_instance q WHERE q.business_key = p.business_key AND "
               "(q.created_at < p.created_at OR (q.created_at = p.created_at AND q.id < p.id)))")


def downgrade() -> None:
    op.drop_table('business_key_claim')
