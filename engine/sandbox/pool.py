"""A pool of pre-started worker processes that run diagram code and bundle templates under OS limits.

A job takes an idle worker (waiting at most its own time budget for one), sends the job down a pipe and
waits for the answer on the wall clock. The waiting thread holds no lock and releases the GIL, so requests
that evaluate nothing are never held up, and one runaway job costs one worker for its budget, nothing more.
A worker that overruns is killed and replaced; one that dies (the kernel's CPU limit, a crash) likewise.

Each worker is a fresh interpreter (``python -m engine.sandbox.worker``) talking over a socket pair: forking
the server would copy its threads' locks mid-use, and multiprocessing's own start methods re-run the server's
main script in every child. A replacement is started in the background, so the request that found an overrun
does not wait for it.
"""
from __future__ import annotations

import io
import logging
import os
import pickle
import queue
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .scripting import ScriptLimitExceeded

log = logging.getLogger(__name__)


class WorkerError(Exception):
    """The job raised inside the worker; ``kind`` is its exception's class name, ``line`` the script's line."""

    def __init__(self, kind: str, message: str, line: int | None) -> None:
        super().__init__(message)
        self.kind, self.message, self.line = kind, message, line


class _Worker:
    def __init__(self, process: Any, conn: Connection) -> None:
        self.process, self.conn = process, conn

    def send(self, payload: bytes) -> bool:
        try:
            self.conn.send_bytes(payload)
            return True
        except OSError:  # it died while idle
            return False

    def answer(self, wait_s: float, max_bytes: int) -> tuple[Any, ...] | None:
        """The reply, or None when none came within ``wait_s``, the worker died or sent more than ``max_bytes``."""
        try:
            if not self.conn.poll(max(wait_s, 0.0)):
                return None
            return _loads(self.conn.recv_bytes(max_bytes))
        except (EOFError, OSError):
            return None

    def alive(self) -> bool:
        return self.process.poll() is None

    def ready(self) -> bool:
        """Alive and quiet: an idle worker has nothing to say, so anything on its socket (the end of the
        stream, when it died) means it cannot take a job."""
        try:
            return self.alive() and not self.conn.poll(0)
        except OSError:
            return False

    def stop(self) -> None:
        if self.alive():
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # the kernel reaps it later; never fail the caller for it
            log.warning("sandbox worker %s did not exit after SIGKILL", self.process.pid)
        self.conn.close()


class SandboxPool:
    def __init__(self, *, workers: int = 2, memory_bytes: int = 256 * 1024 * 1024,
                 max_reply_bytes: int = 32 * 1024 * 1024) -> None:
        self.size, self.memory_bytes, self.max_reply_bytes = workers, memory_bytes, max_reply_bytes
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._missing = self._starting = 0  # workers lost and not yet replaced; replacements being started
        for _ in range(workers):
            self._idle.put(self._start())

    def run(self, job: tuple[Any, ...], timeout_s: float, *, what: str = "script") -> Any:
        """The job's value; ``WorkerError`` for what the code raised, ``ScriptLimitExceeded`` for an overrun."""
        deadline = time.monotonic() + timeout_s
        try:
            payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            raise WorkerError("TypeError", f"the case data cannot be passed to the {what}: {exc}", None) from None
        member = self._take(deadline, timeout_s, what)
        reply = None
        try:
            reply = member.answer(deadline - time.monotonic(), self.max_reply_bytes + 4096) \
                if member.send(payload) else None
        finally:
            if reply is None or reply[0] == "limit":
                self._replace(member)
            else:
                self._idle.put(member)
        if reply is None and time.monotonic() < deadline:  # it died under the job: the kernel's CPU limit, a crash
            raise ScriptLimitExceeded(f"{what} stopped its worker process (too much CPU or memory) and was stopped")
        if reply is None:
            raise ScriptLimitExceeded(f"{what} ran longer than {timeout_s:g} s and was stopped")
        if reply[0] == "limit":
            raise ScriptLimitExceeded(reply[1])
        if reply[0] == "error":
            raise WorkerError(reply[1], reply[2], reply[3])
        return reply[1]

    def _take(self, deadline: float, timeout_s: float, what: str) -> _Worker:
        """An idle worker that is alive, waiting at most until ``deadline``."""
        while True:
            if self._idle.empty():
                self._top_up()
            try:
                member = self._idle.get(timeout=max(deadline - time.monotonic(), 0.0))
            except queue.Empty:
                raise ScriptLimitExceeded(f"{what} waited {timeout_s:g} s for a free worker and was stopped") from None
            if member.ready():
                return member
            self._replace(member)

    def worker_pids(self) -> list[int]:
        """The process ids of the workers (for operations: health checks, metrics)."""
        with self._lock:
            return sorted(member.process.pid for member in self._all)

    def wait_until_full(self, timeout_s: float) -> bool:
        """True once every worker is started and idle (after replacements), False if ``timeout_s`` passes first."""
        deadline = time.monotonic() + timeout_s
        self._top_up()
        while self._idle.qsize() < self.size:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def close(self) -> None:
        with self._lock:
            self._closed = True
            members, self._all = list(self._all), set()
        for member in members:
            member.stop()

    def _start(self) -> _Worker:
        ours, theirs = socket.socketpair()
        # only what an interpreter needs: never the server's database address, secret key or mail password
        env = {name: os.environ[name] for name in _PASSED_ENV if name in os.environ}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_CODE_ROOT, os.environ.get("PYTHONPATH")]))
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "engine.sandbox.worker", str(theirs.fileno()), str(self.memory_bytes),
                 str(self.max_reply_bytes), str(os.getpid())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=env, cwd=_CODE_ROOT)
        finally:
            theirs.close()
        _yield_to_the_server(process.pid)
        member = _Worker(process, Connection(ours.detach()))
        with self._lock:
            self._all.add(member)
        return member

    def _replace(self, member: _Worker) -> None:
        with self._lock:
            self._all.discard(member)
            self._missing += 1
        member.stop()
        self._top_up()

    def _top_up(self) -> None:
        """Start a worker, in the background, for each one missing that is not already starting."""
        with self._lock:
            wanted = max(self._missing - self._starting, 0)
            self._starting += wanted
        for _ in range(wanted):
            threading.Thread(target=self._refill, name="lif-sandbox-refill", daemon=True).start()

    def _refill(self) -> None:
        try:
            member = self._start()
        except Exception:  # still missing: the next job that finds no idle worker tries again
            log.exception("could not start a sandbox worker")
            with self._lock:
                self._starting -= 1
            return
        with self._lock:
            self._starting -= 1
            self._missing -= 1
            closed = self._closed
        if closed:
            member.stop()
        else:
            self._idle.put(member)


_CODE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder that holds the engine package
WORKER_NICENESS = 10  # how much nicer than the server a worker runs (niceness tops out at 19)
_PASSED_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE")
_SAFE_GLOBALS = {("datetime", "datetime"), ("datetime", "date"), ("datetime", "time"), ("datetime", "timedelta"),
                 ("datetime", "timezone"), ("decimal", "Decimal"), ("builtins", "complex"), ("builtins", "set"),
                 ("builtins", "frozenset"), ("zoneinfo", "ZoneInfo")}


class _ReplyUnpickler(pickle.Unpickler):
    """Replies carry data, never code: only plain values and a few date and number types may be rebuilt."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _SAFE_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"a script's result may not hold a {module}.{name}")


def _loads(data: bytes) -> tuple[Any, ...]:
    try:
        reply: tuple[Any, ...] = _ReplyUnpickler(io.BytesIO(data)).load()
        return reply
    except Exception as exc:  # UnpicklingError, or what a crafted reply's constructor raises
        return ("error", "TypeError", f"the result cannot be stored: {exc}", None)


# The one pool of this process. Its workers are OS processes, a resource of the process rather than of a request
# or a session, so the pool is held here, started on first use, and sized only by ``configure`` (called by the
# composition root, ``web.boot``, from ``Config``). Steps find their time and size limits in their session.
_DEFAULTS = {"workers": 2, "memory_bytes": 256 * 1024 * 1024}  # as SandboxPool's (and Config's) defaults
_SHARED: dict[str, Any] = {"pool": None, "pid": None, "settings": _DEFAULTS}
_SHARED_LOCK = threading.Lock()


def configure(*, workers: int | None = None, memory_mb: int | None = None) -> None:
    """The size of the process's pool and its workers' memory limit; a pool already started with other settings
    is closed, and the next job starts one with these."""
    with _SHARED_LOCK:
        given = {"workers": workers, "memory_bytes": memory_mb and memory_mb * 1024 * 1024}
        settings = {**_DEFAULTS, **{k: v for k, v in given.items() if v}}
        if settings != _SHARED["settings"]:
            _SHARED["settings"] = settings
            old, _SHARED["pool"] = _SHARED["pool"], None
            if old is not None and _SHARED["pid"] == os.getpid():
                old.close()


def shared_pool() -> SandboxPool:
    """This process's pool, started on first use (and again in a forked child, which cannot use its parent's)."""
    with _SHARED_LOCK:
        if _SHARED["pool"] is None or _SHARED["pid"] != os.getpid():
            _SHARED["pool"] = SandboxPool(**_SHARED["settings"])
            _SHARED["pid"] = os.getpid()
        started: SandboxPool = _SHARED["pool"]
        return started


def _yield_to_the_server(pid: int) -> None:
    """Run a worker below the server's priority: on a machine whose cores are all busy with runaway code, the
    kernel still gives the server's requests (and the workers' own restarts) the CPU first."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, min(os.getpriority(os.PRIO_PROCESS, 0) + WORKER_NICENESS, 19))
    except OSError:  # the worker already exited; the pool sees that on its first job
        pass
