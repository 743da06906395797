"""What the engine measures about its own work, for whoever listens: each step of a case, timed. The engine
imports no metrics library; the composition root connects an observer (``web.ops.metrics`` counts them for
``/metrics``), and without one a step pays only two clock reads."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StepTimed:
    process_key: str
    kind: str  # "start" (a case created and run to its first wait) or "step" (anything after)
    outcome: str  # "ok", "error" (the case went to error) or "refused" (raised: nothing of it was kept)
    seconds: float


Observer = Callable[[StepTimed], None]
_observers: list[Observer] = []


def observe_steps(observer: Observer) -> None:
    """Call ``observer`` after every step; connecting the same one again changes nothing."""
    if observer not in _observers:
        _observers.append(observer)


def stop_observing(observer: Observer) -> None:
    if observer in _observers:
        _observers.remove(observer)


class _Outcome:
    value = "ok"


@contextmanager
def timed_step(process_key: str, kind: str) -> Iterator[_Outcome]:
    """Time the block as one step of a ``process_key`` case; the block may set ``.value`` to ``"error"``; an
    exception leaving it is ``"refused"``."""
    outcome, started = _Outcome(), time.perf_counter()
    try:
        yield outcome
    except BaseException:
        outcome.value = "refused"
        raise
    finally:
        _tell(StepTimed(process_key, kind, outcome.value, time.perf_counter() - started))


def _tell(timed: StepTimed) -> None:
    for observer in list(_observers):
        try:
            observer(timed)
        except Exception:  # a broken observer must never fail the step it measured
            log.exception("step observer %r failed", observer)
