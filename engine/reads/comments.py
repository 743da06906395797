"""The comments of a case that a viewer may read. A comment on a step is seen by whoever may see that step (an
agency's comment on its own return stays within the agency, the coordinators and the chairs); a comment on the
case as a whole by coordinators, chairs and its author only, since it may speak about any part of the case."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ..records import Actor
from ..store.models import Comment, HumanTask
from . import access


@dataclass(frozen=True)
class CaseComment:
    id: int
    author: str
    body: str
    created_at: datetime
    task_id: str | None
    task_title: str | None  # the step's name from the diagram; None for a comment on the whole case
    challenge: bool = False  # the independent scrutineer's challenge


def case_comments(session: Session, instance_id: str, actor: Actor, *, limit: int = 500) -> list[CaseComment]:
    """The comments on case ``instance_id`` that ``actor`` may read, oldest first (the caller has checked that
    ``actor`` may see the case)."""
    access.require_case_reader(actor)
    on_case = Comment.task_id.is_(None) & (Comment.author == actor.username) if not actor.sees_everything \
        else Comment.task_id.is_(None)
    on_steps = and_(Comment.task_id.is_not(None), HumanTask.id.is_not(None), access.visible_task(actor))
    query = (select(Comment, HumanTask.title).outerjoin(HumanTask, HumanTask.id == Comment.task_id)
             .where(Comment.instance_id == instance_id, or_(on_case, on_steps))
             .order_by(Comment.created_at, Comment.id).limit(limit))
    return [CaseComment(id=c.id, author=c.author, body=c.body, created_at=c.created_at, task_id=c.task_id,
                        task_title=title, challenge=c.challenge) for c, title in session.execute(query)]
