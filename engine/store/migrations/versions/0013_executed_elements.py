"""A case keeps the BPMN ids of the elements it has run (tasks of every kind, gateways, events), so that its
diagram marks the path taken without reading the workflow's task tree, which need not keep completed tasks.
A set of ids, not a history; cases started before it have none, and their diagrams mark the people's steps.

Revision ID: 0013_executed_elements
Revises: 0012_audit_programme
Created: 2026-12-07 14:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013_executed_elements'
down_revision = '0012_audit_programme'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('process_instance') as batch:
        batch.add_column(sa.Column('executed_elements', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('process_instance') as batch:
        batch.drop_column('executed_elements')
