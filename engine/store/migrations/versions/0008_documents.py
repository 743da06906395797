"""Case documents: ``document`` (the file one file field of one task holds), ``document_version`` (each upload
of it, kept) and ``document_blob`` (their bytes, for the database document store, the default).

Revision ID: 0008_documents
Revises: 0007_message_owners
Created: 2026-12-08 09:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.db

revision = '0008_documents'
down_revision = '0007_message_owners'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('document',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('field', sa.String(length=200), nullable=False),
    sa.Column('latest_version', sa.Integer(), nullable=False),
    sa.Column('created_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('task_id', 'field')
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_task_id'), ['task_id'], unique=False)

    op.create_table('document_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('blob_key', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('blob_key'),
    sa.UniqueConstraint('document_id', 'version')
    )
    with op.batch_alter_table('document_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_version_document_id'), ['document_id'], unique=False)

    op.create_table('document_blob',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )


def downgrade() -> None:
    op.drop_table('document_blob')
    with op.batch_alter_table('document_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_version_document_id'))
    op.drop_table('document_version')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_task_id'))
        batch_op.drop_index(batch_op.f('ix_document_instance_id'))
    op.drop_table('document')
