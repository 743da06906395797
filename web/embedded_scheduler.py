"""The one scheduler a ``lif serve`` runs beside its web workers: ``lif scheduler`` as a child process of gunicorn's
arbiter, started when the arbiter is ready, started again if it dies, and stopped (its sweep in flight finished)
when the arbiter exits. A child process, never a thread: the arbiter forks its workers, and a fork copies a
thread's locks mid-use. The child stops by itself if the arbiter is killed (``lif scheduler --parent-pid``)."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

log = logging.getLogger(__name__)
RESTART_AFTER_S = 5.0  # a scheduler that keeps dying is started again at most this often


class EmbeddedScheduler:
    def __init__(self, stop_timeout_s: float = 30.0) -> None:
        self.stop_timeout_s = stop_timeout_s
        self._process: subprocess.Popen[bytes] | None = None
        self._started_at = 0.0

    def command(self) -> list[str]:
        return [sys.executable, "-c", "from web.cli import main; main(prog_name='lif')", "scheduler",
                "--parent-pid", str(os.getpid())]

    def start(self) -> None:
        # stdin from /dev/null; stdout and stderr are the arbiter's, so its lines join the server's log
        self._process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL)
        self._started_at = time.monotonic()
        log.info("scheduler started (pid %s)", self._process.pid)

    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def keep_running(self) -> None:
        """Start it again if it has died (the arbiter calls this about once a second)."""
        if self._process is None or self._process.poll() is None:
            return
        if time.monotonic() - self._started_at < RESTART_AFTER_S:
            return
        # the arbiter's own waitpid(-1) may have collected it first, and then its exit status is lost (0)
        log.error("the scheduler (pid %s) stopped unexpectedly; starting it again", self._process.pid)
        self.start()

    def stop(self) -> None:
        """TERM, then wait for the sweep in flight to finish (at most ``stop_timeout_s``), then KILL."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=self.stop_timeout_s)
        except subprocess.TimeoutExpired:
            log.error("the scheduler (pid %s) did not stop within %g s; killing it", process.pid,
                      self.stop_timeout_s)
            process.kill()
            process.wait()
