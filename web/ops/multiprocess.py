"""prometheus-client's multi-process mode for ``lif serve``: each gunicorn worker writes its counters and histograms
to files in one folder, and ``/metrics`` (answered by whichever worker) adds them all up.

prometheus_client chooses its mode from ``PROMETHEUS_MULTIPROC_DIR`` when it is imported, so this module imports it
only inside functions: ``prepare`` runs in the arbiter before any worker is forked (and so before any worker imports
it), ``worker_exited`` from gunicorn's ``child_exit`` hook."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def prepare(env_dir: Path | str | None = None) -> Path:
    """A fresh, empty folder for the workers' metric files (``env_dir``, emptied, or a new temporary one), named in
    ``PROMETHEUS_MULTIPROC_DIR`` for this process and those it starts. Call it before gunicorn starts; remove the
    folder (``remove``) when the server has stopped."""
    if env_dir is None:
        folder = Path(tempfile.mkdtemp(prefix="lif-metrics-"))
    else:
        folder = Path(env_dir)
        if folder.exists():
            shutil.rmtree(folder)  # a previous run's files would add a dead server's counts to this one's
        folder.mkdir(parents=True)
    os.environ[VARIABLE] = str(folder)
    values = sys.modules.get("prometheus_client.values")
    if values is not None:  # imported already (a test, a library): the metrics made from now on are multi-process
        values.ValueClass = values.get_value_class()  # type: ignore[attr-defined]
    return folder


def worker_exited(pid: int) -> None:
    """gunicorn's ``child_exit`` hook: a worker has gone, so its live gauges stop counting (its counters and
    histograms stay in the sums, as Prometheus expects of a counter)."""
    folder = os.environ.get(VARIABLE)
    if not folder:
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid, folder)


def remove(folder: Path | str) -> None:
    """The folder ``prepare`` made, removed once the server has stopped."""
    shutil.rmtree(folder, ignore_errors=True)
    if os.environ.get(VARIABLE) == str(folder):
        del os.environ[VARIABLE]


def active() -> bool:
    """True in a process whose metrics are written to the shared folder (a ``lif serve`` worker)."""
    return bool(os.environ.get(VARIABLE))
