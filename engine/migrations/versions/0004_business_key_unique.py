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
    op.execute("INSERT INTO business_key_claim (business_key, instance_id) "
               "SELECT business_key, MIN(id) FROM process_instance GROUP BY business_key")


def downgrade() -> None:
    op.drop_table('business_key_claim')
