"""A task remembers whom it is bound to (``human_task.bound_to``), so that releasing a claim returns it there
instead of opening it to everyone with the lane's role.

Existing rows are filled in from what they show: a task assigned but never claimed (``claimed_at`` empty) was
assigned by ``assigneeFrom`` or by a coordinator, so it is bound to its assignee; an open task whose form names
its user through ``assigneeFrom`` is bound to that user, and if an earlier release left it unassigned (offered
to the whole role) it goes back to that user now.

Revision ID: 0003_task_binding
Revises: 0002_sign_in_sessions
Created: 2026-12-07 02:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003_task_binding'
down_revision = '0002_sign_in_sessions'
branch_labels = None
depends_on = None

_TASKS = sa.table('human_task', sa.column('id', sa.String), sa.column('state', sa.String),
                  sa.column('assignee', sa.String), sa.column('bound_to', sa.String),
                  sa.column('claimed_at', sa.String), sa.column('properties', sa.JSON), sa.column('data', sa.JSON))


def upgrade() -> None:
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bound_to', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    connection.execute(sa.update(_TASKS).where(_TASKS.c.assignee.is_not(None), _TASKS.c.claimed_at.is_(None))
                       .values(bound_to=_TASKS.c.assignee))
    open_unbound = sa.select(_TASKS.c.id, _TASKS.c.assignee, _TASKS.c.properties, _TASKS.c.data).where(
        _TASKS.c.state == 'ready', _TASKS.c.bound_to.is_(None))
    for task_id, assignee, properties, data in connection.execute(open_unbound).all():
        user = _named_user(properties, data)
        if user is not None:
            connection.execute(sa.update(_TASKS).where(_TASKS.c.id == task_id)
                               .values(bound_to=user, assignee=assignee or user))


def _named_user(properties: object, data: object) -> str | None:
    """The user ``assigneeFrom`` names in the task's data (as ``engine.runtime`` reads it when the row is made)."""
    variable = properties.get('assigneeFrom') if isinstance(properties, dict) else None
    value = data.get(variable) if variable and isinstance(data, dict) else None
    if isinstance(value, dict):
        value = value.get('username')
    return value[:64] if isinstance(value, str) and value else None


def downgrade() -> None:
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_column('bound_to')
