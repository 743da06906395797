"""Retention, legal hold and disposal: ``case_note`` keeps the words people type about a case outside its forms
(reasons, chaser messages) on a row the case owns, so the append-only audit trail holds only their ids;
``legal_hold`` records holds placed and lifted; ``case_statistics`` is what a disposed case leaves behind.

Revision ID: 0009_retention
Revises: 0006_task_answers
Created: 2026-12-08 09:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.db

revision = '0009_retention'
down_revision = '0006_task_answers'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_note',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=True),
    sa.Column('created_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_note_instance_id'), ['instance_id'], unique=False)

    op.create_table('legal_hold',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('note_id', sa.String(length=36), nullable=True),
    sa.Column('placed_by', sa.String(length=64), nullable=False),
    sa.Column('placed_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('released_by', sa.String(length=64), nullable=True),
    sa.Column('released_at', engine.store.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('release_note_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('legal_hold', schema=None) as batch_op:
        batch_op.create_index('ix_legal_hold_open', ['instance_id', 'released_at'], unique=False)

    op.create_table('case_statistics',
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('process_key', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', engine.store.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcomes', sa.JSON(), nullable=False),
    sa.Column('disposed_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('disposed_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.PrimaryKeyConstraint('instance_id')
    )
    with op.batch_alter_table('case_statistics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_statistics_process_key'), ['process_key'], unique=False)
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.create_index('ix_process_instance_definition_completed', ['definition_id', 'completed_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_index('ix_process_instance_definition_completed')
    with op.batch_alter_table('case_statistics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_statistics_process_key'))
    op.drop_table('case_statistics')
    with op.batch_alter_table('legal_hold', schema=None) as batch_op:
        batch_op.drop_index('ix_legal_hold_open')
    op.drop_table('legal_hold')
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_note_instance_id'))
    op.drop_table('case_note')
