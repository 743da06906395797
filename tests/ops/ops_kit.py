"""Helpers for the operations tests: ``lif serve`` (or ``lif scheduler``) in its own process group on a free
loopback port, with an instance of its own, and a check that stopping it leaves no process behind."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO

LIF = (sys.executable, "-c", "from web.cli import main; main()")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def instance_env(tmp_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a LIF process with its own instance folder, secret and database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIF_", "PROMETHEUS_"))}
    env.update(LIF_DATABASE_URL=database_url, LIF_SECRET_KEY="ops-test-secret-" + "x" * 32,
               LIF_INSTANCE_DIR=str(tmp_path / "instance"), LIF_MAIL_BACKEND="file",
               LIF_MAIL_FILE_DIR=str(tmp_path / "mail"), LIF_WORKFLOWS_DIR=str(REPO / "workflows"))
    env.update(extra)
    return env


def run_lif(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LIF, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)


@dataclass
class Served:
    base: str
    process: subprocess.Popen[str]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def wait_until_answering(base: str, process: subprocess.Popen[str], log_path: Path, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"lif serve exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(base + "/sign-in", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"lif serve did not answer within {timeout_s} s:\n{log_path.read_text()}")


def group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs (an ended one its parent has not yet collected does not count:
    orphans of a killed server are collected by the system's init, in its own time)."""
    return bool(group_processes(pgid))


@contextmanager
def lif_serve(env: dict[str, str], *args: str, log_path: Path, timeout_s: float = 60) -> Iterator[Served]:
    """``lif serve --port P *args`` in a new process group; stopped with TERM on leaving, after which no process
    of its group may be left (an orphaned worker, scheduler or sandbox process fails the test)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        process = subprocess.Popen([*LIF, "serve", "--host", "127.0.0.1", "--port", str(port), *args], cwd=REPO,
                                   env=env, stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        wait_until_answering(base, process, log_path, timeout_s)
        yield Served(base, process, log_path)
    finally:
        stop_group(process)


def stop_group(process: subprocess.Popen[str], timeout_s: float = 40) -> None:
    """TERM the process and wait; then its whole group must be gone (KILL what is left, and fail)."""
    pgid = process.pid  # start_new_session: the group's id is the leader's pid
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            process.wait()
            raise AssertionError("lif serve did not stop within its graceful timeout") from None
    deadline = time.monotonic() + 10
    while group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if group_alive(pgid):
        os.killpg(pgid, signal.SIGKILL)
        raise AssertionError("processes of lif serve were left behind after it stopped")


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    state: str  # "Z" for a zombie (ended, not yet collected)
    command: str

    @property
    def kind(self) -> str:
        """What the process is in a ``lif serve``: scheduler, sandbox, or server (the arbiter or a web worker)."""
        if "engine.sandbox.worker" in self.command:
            return "sandbox"
        return "scheduler" if " scheduler" in self.command else "server"


def group_processes(pgid: int) -> list[Proc]:
    """The living processes of a process group, read from /proc (zombies left out)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # it ended while being read
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (name) ": state ppid pgrp ...
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(Proc(int(entry.name), int(fields[1]), fields[0], command))
    return found


def web_workers(served: Served) -> list[Proc]:
    """gunicorn's worker processes: the arbiter's children that are not its scheduler."""
    return [p for p in group_processes(served.process.pid)
            if p.ppid == served.process.pid and p.kind == "server"]


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll ``condition`` (bounded) until it holds; fail saying ``what`` did not happen."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout_s} s")
        time.sleep(0.05)
