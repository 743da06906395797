"""Messages have owners: each deployed version records the messages it throws and catches
(``process_definition.messages``; left empty for versions deployed before, which are read again from their
files when needed), and ``message_pairing`` holds the processes allowed to receive each message, seeded with
the pairings the shipped bundles need, so that they deploy in any order.

Revision ID: 0007_message_owners
Revises: 0006_task_answers
Created: 2026-12-07 09:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.db

revision = '0007_message_owners'
down_revision = '0006_task_answers'
branch_labels = None
depends_on = None

SHIPPED = (("scr", "scr_referral"), ("action_plan", "action_plan_handover"), ("action_plan", "action_raised"),
           ("action_plan", "action_continue"))


def upgrade() -> None:
    with op.batch_alter_table('process_definition') as batch:
        batch.add_column(sa.Column('messages', sa.JSON(), nullable=True))
    pairing = op.create_table(
        'message_pairing',
        sa.Column('process_key', sa.String(64), primary_key=True),
        sa.Column('message_name', sa.String(128), primary_key=True),
        sa.Column('reason', sa.String(16), nullable=False),
        sa.Column('allowed_by', sa.String(64), nullable=True),
        sa.Column('allowed_at', engine.store.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_message_pairing_message_name', 'message_pairing', ['message_name'])
    op.bulk_insert(pairing, [{"process_key": key, "message_name": name, "reason": "shipped"} for key, name in SHIPPED])


def downgrade() -> None:
    op.drop_index('ix_message_pairing_message_name', 'message_pairing')
    op.drop_table('message_pairing')
    with op.batch_alter_table('process_definition') as batch:
        batch.drop_column('messages')
