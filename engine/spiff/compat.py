"""Every read of SpiffWorkflow's private attributes, in one place, for the one release they were read from.

The library does not promise these (a leading underscore), so the installed version is checked when this
module is imported, and LIF refuses to start on any other release rather than misread a task tree. To move to a
new release: read each function below against the new library source, run the suite (also with
``LIF_SPIFF_FAST_PATHS=0``), then add the version to ``WRITTEN_FOR``.
"""
from __future__ import annotations

from datetime import datetime
from importlib.metadata import version
from typing import Any
from uuid import UUID

import SpiffWorkflow.bpmn.specs.event_definitions.timer as timer_module

WRITTEN_FOR = ("3.2.0",)


class UnsupportedSpiffWorkflow(RuntimeError):
    """The installed SpiffWorkflow is a release this package was not written for."""


def check_version(installed: str) -> None:
    """Refuse ``installed`` unless it is a release in ``WRITTEN_FOR``, saying what to do."""
    if installed not in WRITTEN_FOR:
        raise UnsupportedSpiffWorkflow(
            f"LIF was written for SpiffWorkflow {' or '.join(WRITTEN_FOR)}, but SpiffWorkflow {installed} is "
            f"installed. LIF reads private parts of the library (engine/spiff/compat.py) and will not run on "
            f"another release: install SpiffWorkflow=={WRITTEN_FOR[-1]}, or check compat.py against the new "
            f"release and add it to WRITTEN_FOR.")


check_version(version("SpiffWorkflow"))


def parent_id(task: Any) -> UUID | None:
    """The parent's id as the task stores it (``task.parent`` looks the task up in its workflow's map)."""
    return task._parent  # type: ignore[no-any-return]


def child_ids(task: Any) -> list[UUID]:
    """The children's ids as the task stores them (``task.children`` looks each one up)."""
    return task._children  # type: ignore[no-any-return]


def update_waiting(task: Any) -> None:
    """What the library's ``update_waiting_tasks`` walk does to each WAITING task it reaches."""
    task.task_spec._update(task)


def install_clock(datetime_class: type[datetime]) -> None:
    """Make the library's timer module ask ``datetime_class`` for the time: it calls ``datetime.now(timezone.utc)``
    on its module-level name, with no hook to pass a clock in. Idempotent."""
    timer_module.datetime = datetime_class
