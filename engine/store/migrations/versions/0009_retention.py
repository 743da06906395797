"""Retention, legal hold and disposal: ``case_note`` keeps the words people type about a case outside its forms
(reasons, chaser messages) on a row the case owns, so the append-only audit trail holds only their ids;
``legal_hold`` records holds placed and lifted; ``case_statistics`` is what a disposed case leaves behind.

The audit events written before this revision held such words in their details (a cancel, extension, pause or
resume ``reason``, a chaser's ``message``, a step error's ``message``, the values of a message's ``correlation``).
They never belonged there, and a disposal could not reach them: this revision moves each into a ``case_note`` of
its case (the event keeps the note's id, as new events do) or, outside a case, drops it (a correlation keeps its
keys). It is the one rewrite of the append-only trail, made inside the upgrade's transaction with the guarding
triggers lifted; ``upgrade_schema`` puts them back before it commits.

Revision ID: 0009_retention
Revises: 0008_documents
Created: 2026-12-08 09:00:00
"""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

import engine.store.db

revision = '0009_retention'
down_revision = '0008_documents'
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


    _move_typed_words_out_of_the_audit_trail(op.get_bind())


TYPED = {'instance.cancelled': 'reason', 'task.deadline_extended': 'reason', 'instance.paused': 'reason',
         'instance.resumed': 'reason', 'task.chased': 'message', 'instance.error': 'message'}
_AUDIT = sa.table('audit_event', sa.column('id', sa.Integer), sa.column('at', engine.store.db.UTCDateTime()),
                  sa.column('actor', sa.String), sa.column('action', sa.String), sa.column('instance_id', sa.String),
                  sa.column('task_id', sa.String), sa.column('details', sa.JSON))
_NOTES = sa.table('case_note', sa.column('id', sa.String), sa.column('instance_id', sa.String),
                  sa.column('task_id', sa.String), sa.column('action', sa.String), sa.column('body', sa.Text),
                  sa.column('author', sa.String), sa.column('created_at', engine.store.db.UTCDateTime()))


def _move_typed_words_out_of_the_audit_trail(connection: sa.Connection) -> None:
    rows = connection.execute(sa.select(_AUDIT).where(_AUDIT.c.action.in_([*TYPED, 'message.received']))).all()
    if not rows:
        return
    cases = set(connection.execute(sa.text('SELECT id FROM process_instance')).scalars())
    _lift_audit_triggers(connection)
    for row in rows:
        details = dict(row.details or {})
        words = details.pop(TYPED.get(row.action, ''), None)
        if row.action == 'message.received':
            details['correlation_keys'] = sorted(details.pop('correlation', None) or {})
        if isinstance(words, str) and words.strip() and row.instance_id in cases:
            details['note_id'] = note_id = str(uuid.uuid4())
            connection.execute(sa.insert(_NOTES).values(id=note_id, instance_id=row.instance_id, task_id=row.task_id,
                                                        action=row.action, body=words, author=row.actor,
                                                        created_at=row.at))
        connection.execute(sa.update(_AUDIT).where(_AUDIT.c.id == row.id).values(details=details))


def _lift_audit_triggers(connection: sa.Connection) -> None:
    """Drop the triggers that refuse updates of ``audit_event``; ``upgrade_schema`` makes them again."""
    if connection.dialect.name == 'sqlite':
        connection.exec_driver_sql('DROP TRIGGER IF EXISTS audit_event_no_update')
    else:
        connection.exec_driver_sql('DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event')


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
