"""The statutory safeguarding partners: ``agency.partner_kind`` marks an agency as the local authority (``la``),
the integrated care board (``icb``) or the police (``police``), so that the decisions the law gives to the three
partners can be bound to their agencies; and ``comment.challenge`` marks the independent scrutineer's comments,
which challenge the partnership's work and are sent to the coordinators.

Revision ID: 0010_agency_partners
Revises: 0009_retention
Created: 2026-12-07 10:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010_agency_partners'
down_revision = '0009_retention'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agency') as batch:
        batch.add_column(sa.Column('partner_kind', sa.String(16), nullable=True))
    with op.batch_alter_table('comment') as batch:
        batch.add_column(sa.Column('challenge', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('comment') as batch:
        batch.drop_column('challenge')
    with op.batch_alter_table('agency') as batch:
        batch.drop_column('partner_kind')
