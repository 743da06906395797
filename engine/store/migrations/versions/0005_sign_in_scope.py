"""Sign-in throttles by address group and per account: ``sign_in_known`` remembers the address groups (an IPv4
address, an IPv6 /64) that have signed in to each account, so that when a spread attack delays an account's
tries from new addresses its owner at a usual one is not delayed. Throttle rows keyed by a whole IPv6 address
are left to be forgotten (a day without failures).

Revision ID: 0005_sign_in_scope
Revises: 0004_business_key_unique
Created: 2026-12-07 03:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.db

revision = '0005_sign_in_scope'
down_revision = '0004_business_key_unique'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_known',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('first_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('user_id', 'address')
    )


def downgrade() -> None:
    op.drop_table('sign_in_known')
