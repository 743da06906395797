"""The partnership's registers (issue 14): the action register (``plan_action``), the learning log (``lesson``) and
the coordinators' list of learning themes (``learning_theme``, seeded with ``models.DEFAULT_LEARNING_THEMES``); and
``process_instance.parent_id``, the case an instance is a part of (an action plan's monitored actions). The action
plan's own messages (``action_closed``, ``actions_added``) are shipped pairings.

Revision ID: 0014_learning_registers
Revises: 0013_executed_elements
Created: 2026-12-07 17:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.db

revision = '0014_learning_registers'
down_revision = '0013_executed_elements'
branch_labels = None
depends_on = None

THEMES = (
    ("neglect", "Neglect"), ("domestic_abuse", "Domestic abuse"), ("parental_mental_health", "Parental mental health"),
    ("substance_misuse", "Parental substance misuse"), ("information_sharing", "Information sharing"),
    ("voice_of_child", "Voice of the child"), ("professional_curiosity", "Professional curiosity"),
    ("escalation", "Escalation and professional challenge"), ("assessment_and_planning", "Assessment and planning"),
    ("safe_sleep", "Safe sleep"), ("exploitation", "Child exploitation"),
    ("self_harm_suicide", "Self-harm and suicide"), ("disability", "Disabled children"),
    ("inequalities", "Racism, inequalities and protected characteristics"),
    ("supervision", "Supervision and management oversight"), ("recording", "Recording"), ("other", "Other"),
)
PAIRINGS = [{"process_key": "action_plan", "message_name": "action_closed"},
            {"process_key": "action_plan", "message_name": "actions_added"}]


def upgrade() -> None:
    with op.batch_alter_table('process_instance') as batch:
        batch.add_column(sa.Column('parent_id', sa.String(36), nullable=True))
        batch.create_foreign_key('fk_process_instance_parent_id', 'process_instance', ['parent_id'], ['id'])
        batch.create_index('ix_process_instance_parent_id', ['parent_id'])
    op.create_table(
        'plan_action',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('action_key', sa.String(80), nullable=False, unique=True),
        sa.Column('plan_id', sa.String(36), sa.ForeignKey('process_instance.id'), nullable=False, index=True),
        sa.Column('item_id', sa.String(36), nullable=True, index=True),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('source_process', sa.String(64), nullable=False, index=True),
        sa.Column('source_reference', sa.String(64), nullable=False),
        sa.Column('recommendation', sa.Text(), nullable=False),
        sa.Column('action', sa.Text(), nullable=False),
        sa.Column('measure', sa.Text(), nullable=False),
        sa.Column('expected_outcome', sa.Text(), nullable=False),
        sa.Column('owner', sa.String(64), nullable=True),
        sa.Column('agency', sa.String(64), nullable=True),
        sa.Column('sign_off_by', sa.String(16), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=True),
        sa.Column('original_due_date', sa.Date(), nullable=True),
        sa.Column('replans', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(24), nullable=False),
        sa.Column('rag', sa.String(8), nullable=True),
        sa.Column('latest_update', sa.Text(), nullable=False),
        sa.Column('latest_update_date', sa.Date(), nullable=True),
        sa.Column('updates_count', sa.Integer(), nullable=False),
        sa.Column('evidence_of_completion', sa.Text(), nullable=False),
        sa.Column('evidence_of_impact', sa.Text(), nullable=False),
        sa.Column('escalations', sa.Integer(), nullable=False),
        sa.Column('signed_off_at', engine.store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('withdrawn_reason', sa.Text(), nullable=False),
        sa.Column('closed_at', engine.store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('raised_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', engine.store.db.UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_plan_action_status_due', 'plan_action', ['status', 'due_date'])
    op.create_index('ix_plan_action_agency_status', 'plan_action', ['agency', 'status'])
    op.create_index('ix_plan_action_register', 'plan_action', ['due_date', 'status', 'plan_id', 'number', 'agency', 'owner',
                                                               'rag', 'source_process'])
    op.create_table(
        'lesson',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('instance_id', sa.String(36), sa.ForeignKey('process_instance.id'), nullable=False, index=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('process_key', sa.String(64), nullable=False, index=True),
        sa.Column('business_key', sa.String(64), nullable=False),
        sa.Column('theme', sa.String(64), nullable=False),
        sa.Column('lesson', sa.Text(), nullable=False),
        sa.Column('good_practice', sa.Text(), nullable=False),
        sa.Column('agencies', sa.JSON(), nullable=False),
        sa.Column('recorded_at', engine.store.db.UTCDateTime(timezone=True), nullable=False, index=True),
        sa.Column('recorded_by', sa.String(64), nullable=True),
        sa.UniqueConstraint('instance_id', 'position'),
    )
    op.create_index('ix_lesson_theme_recorded', 'lesson', ['theme', 'recorded_at'])
    theme = op.create_table(
        'learning_theme',
        sa.Column('key', sa.String(64), primary_key=True),
        sa.Column('name', sa.String(120), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('retired_at', engine.store.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.bulk_insert(theme, [{"key": k, "name": n, "position": i} for i, (k, n) in enumerate(THEMES)])
    pairing = sa.table('message_pairing', sa.column('process_key', sa.String), sa.column('message_name', sa.String),
                       sa.column('reason', sa.String))
    for row in PAIRINGS:
        op.execute(pairing.delete().where(pairing.c.process_key == row["process_key"],
                                          pairing.c.message_name == row["message_name"]))
    op.bulk_insert(pairing, [{**row, "reason": "shipped"} for row in PAIRINGS])


def downgrade() -> None:
    pairing = sa.table('message_pairing', sa.column('process_key', sa.String), sa.column('message_name', sa.String))
    for row in PAIRINGS:
        op.execute(pairing.delete().where(pairing.c.process_key == row["process_key"],
                                          pairing.c.message_name == row["message_name"],
                                          sa.literal_column("reason") == "shipped"))
    op.drop_table('learning_theme')
    op.drop_index('ix_lesson_theme_recorded', 'lesson')
    op.drop_table('lesson')
    op.drop_index('ix_plan_action_register', 'plan_action')
    op.drop_index('ix_plan_action_agency_status', 'plan_action')
    op.drop_index('ix_plan_action_status_due', 'plan_action')
    op.drop_table('plan_action')
    with op.batch_alter_table('process_instance') as batch:
        batch.drop_index('ix_process_instance_parent_id')
        batch.drop_constraint('fk_process_instance_parent_id', type_='foreignkey')
        batch.drop_column('parent_id')
