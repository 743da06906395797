"""The case file audit programme: ``case_audit`` may receive ``case_audit_planned`` (thrown by
``case_audit_programme`` on the first working day of each planned audit's month) whatever order the shipped bundles
are deployed in, as ``models.SHIPPED_MESSAGE_PAIRINGS`` says for new databases.

Revision ID: 0012_audit_programme
Revises: 0011_child_match
Created: 2026-12-07 11:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012_audit_programme'
down_revision = '0011_child_match'
branch_labels = None
depends_on = None

PAIRING = {"process_key": "case_audit", "message_name": "case_audit_planned"}


def upgrade() -> None:
    pairing = sa.table('message_pairing', sa.column('process_key', sa.String), sa.column('message_name', sa.String),
                       sa.column('reason', sa.String))
    op.execute(pairing.delete().where(pairing.c.process_key == PAIRING["process_key"],
                                      pairing.c.message_name == PAIRING["message_name"]))
    op.bulk_insert(pairing, [{**PAIRING, "reason": "shipped"}])


def downgrade() -> None:
    pairing = sa.table('message_pairing', sa.column('process_key', sa.String), sa.column('message_name', sa.String))
    op.execute(pairing.delete().where(pairing.c.process_key == PAIRING["process_key"],
                                      pairing.c.message_name == PAIRING["message_name"],
                                      sa.literal_column("reason") == "shipped"))
