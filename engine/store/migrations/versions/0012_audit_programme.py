"""The messages of issue 12's shipped bundles, received whatever order the bundles are deployed in, as
``models.SHIPPED_MESSAGE_PAIRINGS`` says for new databases: ``case_audit`` receives ``case_audit_planned`` (thrown by
``case_audit_programme`` on the first working day of each planned audit's month); ``scr`` receives the Panel's
``panel_response`` (from outside) and ``scr_further_referral`` (a further referral for a child with an open case,
delivered by the engine's child matching).

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

PAIRINGS = [{"process_key": "case_audit", "message_name": "case_audit_planned"},
            {"process_key": "scr", "message_name": "panel_response"},
            {"process_key": "scr", "message_name": "scr_further_referral"}]


def upgrade() -> None:
    pairing = sa.table('message_pairing', sa.column('process_key', sa.String), sa.column('message_name', sa.String),
                       sa.column('reason', sa.String))
    for row in PAIRINGS:  # a pairing an earlier deploy recorded gives way to the shipped one
        op.execute(pairing.delete().where(pairing.c.process_key == row["process_key"],
                                          pairing.c.message_name == row["message_name"]))
    op.bulk_insert(pairing, [{**row, "reason": "shipped"} for row in PAIRINGS])


def downgrade() -> None:
    pairing = sa.table('message_pairing', sa.column('process_key', sa.String), sa.column('message_name', sa.String))
    for row in PAIRINGS:
        op.execute(pairing.delete().where(pairing.c.process_key == row["process_key"],
                                          pairing.c.message_name == row["message_name"],
                                          sa.literal_column("reason") == "shipped"))
