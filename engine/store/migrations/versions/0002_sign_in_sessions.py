"""Sign-in throttles and server-side sessions: ``sign_in_throttle`` (failed sign-ins per address and per
username at an address) replaces ``login_failure``, whose per-account lockout let anyone lock anyone out; the
pages' sessions get rows of their own (``user_session``) so sign-out and timeouts end them on the server.

Revision ID: 0002_sign_in_sessions
Revises: 0001
Created: 2026-12-07 02:13:36.777175
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.db

revision = '0002_sign_in_sessions'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_throttle',
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('first_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('blocked_until', engine.store.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('address', 'username')
    )
    with op.batch_alter_table('sign_in_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_throttle_last_at'), ['last_at'], unique=False)

    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', engine.store.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('id_hash')
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failure_username'))

    op.drop_table('login_failure')


def downgrade() -> None:
    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failure_username'), ['username'], unique=False)

    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))

    op.drop_table('user_session')
    with op.batch_alter_table('sign_in_throttle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_throttle_last_at'))

    op.drop_table('sign_in_throttle')
