"""Child matching: ``child_match_key`` keeps, for each case of a process that declares ``child_match``, a keyed
hash of the child (one per basis: the NHS number, or initials, date of birth and local authority), so a further
referral for the same child reaches the open case instead of opening a duplicate. No identifier is stored.

Revision ID: 0011_child_match
Revises: 0010_agency_partners
Created: 2026-12-07 10:45:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011_child_match'
down_revision = '0010_agency_partners'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('child_match_key',
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('basis', sa.String(length=8), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.PrimaryKeyConstraint('instance_id', 'basis')
    )
    with op.batch_alter_table('child_match_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_match_key_key_hash'), ['key_hash'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('child_match_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_match_key_key_hash'))
    op.drop_table('child_match_key')
