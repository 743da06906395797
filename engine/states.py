"""The closed sets of words the engine stores and compares: a case's status, a task's state, a due item's kind.

They are ``StrEnum``s, so each member equals its word: the columns stay plain strings, rows read back compare
equal to the members, and JSON, templates and the database see the same words as before. A misspelt member is
an ``AttributeError`` at import, where a misspelt string literal was a comparison that was silently never true.
"""
from __future__ import annotations

from enum import StrEnum


class InstanceStatus(StrEnum):
    """A case's ``status``. A paused case stays ``active`` (its ``paused_at`` is set)."""

    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ERROR = "error"  # a script or the engine failed; a coordinator may retry


FINISHED_STATUSES = (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED)


class TaskState(StrEnum):
    """A human task's ``state``: only a ``ready`` task can be claimed, saved or completed."""

    READY = "ready"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class DueKind(StrEnum):
    """What a ``due_item`` row is for; the sweep hands each kind to its own firing function."""

    TIMER = "timer"  # a BPMN timer event of the case's workflow
    LADDER = "ladder"  # a rung of a task's reminder and escalation ladder (notifications)
    PROCESS_START = "process_start"  # the next cycle of a recurring process


class PairingReason(StrEnum):
    """Why a process may receive a message (``message_pairing.reason``)."""

    SHIPPED = "shipped"  # a pairing the shipped bundles need, there from the start
    ADMIN = "admin"  # an admin allowed it
    FIRST = "first"  # the process was the first to use the message: nobody else owned it
