"""A task keeps what its doer submitted (``answers``) apart from the part of the case its view showed
(``data``), so that a completed task can show its answers and a participant's view of a case is built from
the tasks they took part in, never from the whole case.

Revision ID: 0006_task_answers
Revises: 0005_sign_in_scope
Created: 2026-12-07 08:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006_task_answers'
down_revision = '0005_sign_in_scope'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('human_task') as batch:
        batch.add_column(sa.Column('answers', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('human_task') as batch:
        batch.drop_column('answers')
