"""The closed sets of words in the outbox (``notification`` rows): what a notification is about, the channel
it goes by, and where its delivery stands. ``StrEnum``s, as in ``engine.states``: each member equals its word,
so the stored rows, the idempotency keys, the template file names and the JSON answers keep the same words."""
from __future__ import annotations

from enum import StrEnum


class NotificationKind(StrEnum):
    """What a notification says; each kind has its ``templates/<kind>.txt`` and ``.html``."""

    NEW_TASK = "new_task"
    REMINDER = "reminder"  # a ladder rung before the due date
    OVERDUE = "overdue"  # the rung at the due date
    ESCALATION = "escalation"  # a rung after it, also to the agency's senior lead and the coordinators
    CHASER = "chaser"  # a coordinator's nudge
    CHALLENGE = "challenge"  # the independent scrutineer commented on a step: to the coordinators
    DIGEST = "digest"  # one email a day of what was held for a user


class Channel(StrEnum):
    INAPP = "inapp"  # delivered when written
    EMAIL = "email"  # delivered by the sweep


class NotificationState(StrEnum):
    """Where a row's delivery stands. ``pending`` is also named in the partial index on ``notification``."""

    PENDING = "pending"  # email waiting for the sweep (or for its next retry)
    SENT = "sent"
    FAILED = "failed"  # gave up after ``delivery.MAX_ATTEMPTS``
    HELD = "held"  # email kept for the recipient's daily digest
    DIGESTED = "digested"  # held, then listed in a digest that was written
