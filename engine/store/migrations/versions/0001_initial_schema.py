"""The initial schema: every table as the first release made them (``lif init`` before migrations existed).
The audit trail's append-only triggers are (re)made by ``engine.schema`` after every upgrade.

Revision ID: 0001
Revises:
Created: 2026-11-26 03:31:42.838870
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.db

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('senior_lead', sa.String(length=64), nullable=True),
    sa.Column('created_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=True),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_instance_id'), ['instance_id'], unique=False)

    op.create_table('business_key_sequence',
    sa.Column('prefix', sa.String(length=64), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix')
    )
    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failure_username'), ['username'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recipient', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=True),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('instance_id', sa.String(length=36), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', engine.store.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_owner', sa.String(length=64), nullable=True),
    sa.Column('lease_until', engine.store.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', engine.store.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('read_at', engine.store.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_pending', ['next_attempt_at'], unique=False, sqlite_where=sa.text("state = 'pending'"), postgresql_where=sa.text("state = 'pending'"))
        batch_op.create_index('ix_notification_recipient', ['recipient', 'channel', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_task_id'), ['task_id'], unique=False)

    op.create_table('process_definition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('primary_process_id', sa.String(length=128), nullable=False),
    sa.Column('primary_file_name', sa.String(length=200), nullable=False),
    sa.Column('process_ids', sa.JSON(), nullable=False),
    sa.Column('message_starts', sa.JSON(), nullable=False),
    sa.Column('model', sa.JSON(), nullable=False),
    sa.Column('files', sa.JSON(), nullable=True),
    sa.Column('spec_json', sa.Text(), nullable=True),
    sa.Column('deployed_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deployed_by', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key', 'version')
    )
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_definition_key'), ['key'], unique=False)

    op.create_table('process_instance',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=64), nullable=False),
    sa.Column('process_id', sa.String(length=128), nullable=False),
    sa.Column('business_key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('pseudonym', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.JSON(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.Column('state', sa.Text(), nullable=True),
    sa.Column('revision', sa.String(length=32), nullable=False),
    sa.Column('started_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', engine.store.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paused_at', engine.store.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definition.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_instance_business_key'), ['business_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_instance_definition_id'), ['definition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_instance_process_key'), ['process_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_instance_status'), ['status'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('daily_digest', sa.Boolean(), nullable=False),
    sa.Column('created_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', engine.store.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)

    op.create_table('comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comment_task_id'), ['task_id'], unique=False)

    op.create_table('due_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('due_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('done_at', engine.store.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_owner', sa.String(length=64), nullable=True),
    sa.Column('lease_until', engine.store.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('due_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_due_item_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_due_item_pending', ['due_at'], unique=False, sqlite_where=sa.text('done_at IS NULL'), postgresql_where=sa.text('done_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_due_item_task_id'), ['task_id'], unique=False)

    op.create_table('human_task',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('process_key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=True),
    sa.Column('agency', sa.String(length=64), nullable=True),
    sa.Column('assignee', sa.String(length=64), nullable=True),
    sa.Column('claimed_at', engine.store.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('due_at', engine.store.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('form_file', sa.String(length=200), nullable=True),
    sa.Column('ui_file', sa.String(length=200), nullable=True),
    sa.Column('instructions', sa.Text(), nullable=True),
    sa.Column('properties', sa.JSON(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.Column('draft', sa.JSON(), nullable=True),
    sa.Column('created_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', engine.store.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_human_task_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_human_task_state_agency', ['state', 'agency'], unique=False)
        batch_op.create_index('ix_human_task_state_agency_role_due', ['state', 'agency', 'role', 'due_at'], unique=False)
        batch_op.create_index('ix_human_task_state_assignee', ['state', 'assignee'], unique=False)
        batch_op.create_index('ix_human_task_state_due', ['state', 'due_at'], unique=False)
        batch_op.create_index('ix_human_task_state_role', ['state', 'role'], unique=False)

    op.create_table('message_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('message_name', sa.String(length=128), nullable=False),
    sa.Column('correlation', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('message_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_subscription_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_subscription_message_name'), ['message_name'], unique=False)

    op.create_table('user_role',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('user_id', 'role')
    )


def downgrade() -> None:
    op.drop_table('user_role')
    with op.batch_alter_table('message_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_subscription_message_name'))
        batch_op.drop_index(batch_op.f('ix_message_subscription_instance_id'))

    op.drop_table('message_subscription')
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_index('ix_human_task_state_role')
        batch_op.drop_index('ix_human_task_state_due')
        batch_op.drop_index('ix_human_task_state_assignee')
        batch_op.drop_index('ix_human_task_state_agency_role_due')
        batch_op.drop_index('ix_human_task_state_agency')
        batch_op.drop_index(batch_op.f('ix_human_task_instance_id'))

    op.drop_table('human_task')
    with op.batch_alter_table('due_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_due_item_task_id'))
        batch_op.drop_index('ix_due_item_pending', sqlite_where=sa.text('done_at IS NULL'), postgresql_where=sa.text('done_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_due_item_instance_id'))

    op.drop_table('due_item')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_task_id'))
        batch_op.drop_index(batch_op.f('ix_comment_instance_id'))

    op.drop_table('comment')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))

    op.drop_table('api_token')
    op.drop_table('user_account')
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_instance_status'))
        batch_op.drop_index(batch_op.f('ix_process_instance_process_key'))
        batch_op.drop_index(batch_op.f('ix_process_instance_definition_id'))
        batch_op.drop_index(batch_op.f('ix_process_instance_business_key'))

    op.drop_table('process_instance')
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_definition_key'))

    op.drop_table('process_definition')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_task_id'))
        batch_op.drop_index('ix_notification_recipient')
        batch_op.drop_index('ix_notification_pending', sqlite_where=sa.text("state = 'pending'"), postgresql_where=sa.text("state = 'pending'"))

    op.drop_table('notification')
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failure_username'))

    op.drop_table('login_failure')
    op.drop_table('business_key_sequence')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_instance_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))

    op.drop_table('audit_event')
    op.drop_table('agency')
