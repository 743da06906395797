"""One sandbox worker process: runs diagram code and bundle templates sent by the pool, under OS limits.

The worker sets its own address-space limit once (its size at start plus the configured allowance) and, before
each job, a CPU-seconds limit just past the job's time budget, so even a built-in written in C that never
returns to Python (``math.factorial(10**6)``, ``pow(3, 10**9)``) is ended by the kernel. The pool kills it on
the wall clock anyway; the CPU limit is the backstop for a pool that is no longer listening.

Jobs and replies are pickled tuples on a socket; each job starts with its kind, its time budget and the
server's ``now`` (the worker runs it as if at that moment):
- ``("eval", budget, now, source, scope, max_size)`` -> the expression's value;
- ``("exec", budget, now, source, context, external, max_size)`` -> the script's context afterwards;
- ``("template", budget, now, source, context, strict)`` -> the rendered text.
A reply is ``("ok", value)``, ``("error", class name, message, line)`` or ``("limit", message)``; after a
``limit`` reply the worker exits and the pool starts another, so no heap bloated by a refused job is reused.
"""
from __future__ import annotations

import math
import os
import pickle
import resource
import sys
import threading
import time
import traceback
from multiprocessing.connection import Connection
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from .. import clock
from . import scripting, sizes

MAX_RESULT_CHARS = 16_000_000  # a script's case data (or a value) as JSON, every shared reference copied
MAX_TEMPLATE_CHARS = 1_000_000
_TEMPLATES = {True: SandboxedEnvironment(autoescape=False, undefined=StrictUndefined),
              False: SandboxedEnvironment(autoescape=False)}


def serve(conn: Connection, memory_bytes: int, max_reply_bytes: int) -> None:
    """The worker's loop: one job at a time until the pipe closes or a job hits a limit."""
    _limit_memory(memory_bytes)
    while True:
        try:
            job = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        reply = _checked(job[0], _run(job, memory_bytes))
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            reply = ("limit", _memory_message(memory_bytes))
            data = pickle.dumps(reply)
        except Exception as exc:  # a value pickle cannot carry (a generator, a module ...)
            data = pickle.dumps(("error", "TypeError", f"the result cannot be stored: {exc}", None))
        if len(data) > max_reply_bytes:
            reply = ("limit", f"the result is larger than {max_reply_bytes // 1_000_000} MB and was refused")
            data = pickle.dumps(reply)
        conn.send_bytes(data)
        if reply[0] == "limit":
            return


def _checked(kind: str, reply: tuple[Any, ...]) -> tuple[Any, ...]:
    """The reply, unless its value is one the server should not take: too large once stored as JSON, or, for
    code, a value the case's state cannot store (a set, ``inf``, a 5,000-digit number)."""
    if reply[0] != "ok":
        return reply
    if kind == "template":
        problem = None if sizes.fits(reply[1], MAX_RESULT_CHARS) else "the result is too large"
    else:  # a script's case data, or a value (a DMN output, a payload) that may be stored in it
        problem = sizes.storage_problem(reply[1], MAX_RESULT_CHARS)
    if problem is None:
        return reply
    if "large" in problem or "to store" in problem:
        return ("limit", f"the result would take more than {MAX_RESULT_CHARS // 1_000_000} MB to store "
                         "and was refused")
    return ("error", "TypeError", problem, None)


def _run(job: tuple[Any, ...], memory_bytes: int) -> tuple[Any, ...]:
    kind, timeout_s, moment, args = job[0], job[1], job[2], job[3:]
    _limit_cpu(timeout_s)
    try:
        with clock.frozen_at(moment):  # the server's now (a sweep's ``--now``, a test's clock), not this process's
            if kind == "eval":
                return ("ok", _evaluate(*args))
            if kind == "exec":
                return ("ok", _execute(*args))
            if kind == "template":
                return ("ok", _render(*args))
        return ("error", "ValueError", f"unknown job {kind!r}", None)
    except MemoryError:
        return ("limit", _memory_message(memory_bytes))
    except RecursionError as exc:
        return ("error", "RecursionError", "the code recursed too deeply", _script_line(exc))
    except scripting.ScriptLimitExceeded as exc:  # the size guard refused before allocating: the heap is clean
        return ("error", "ScriptLimitExceeded", str(exc), _script_line(exc))
    except BaseException as exc:  # SystemExit and KeyboardInterrupt too: a script may raise them by name
        return ("error", type(exc).__name__, _message(exc), _script_line(exc))


def _evaluate(source: str, scope: dict[str, Any], max_size: int) -> Any:
    return scripting.evaluate_here(source, scope, max_size)


def _execute(source: str, context: dict[str, Any], external: dict[str, Any], max_size: int) -> dict[str, Any]:
    scripting.execute_here(source, context, external, max_size)
    return context


def _render(source: str, context: dict[str, Any], strict: bool) -> str:
    text = _TEMPLATES[strict].from_string(source).render(**context)
    if len(text) > MAX_TEMPLATE_CHARS:  # a form schema or instructions, never a book: the server parses it
        raise scripting.ScriptLimitExceeded(f"the template made more than {MAX_TEMPLATE_CHARS:,} characters")
    return text


def _message(exc: BaseException) -> str:
    return " ".join(str(a) for a in exc.args) if exc.args else ""


def _script_line(exc: Any) -> int | None:
    """The line of the diagram's code where ``exc`` was raised (its frame's file is ``<string>``)."""
    tb = getattr(exc, "__traceback__", None)
    line = None
    for frame in traceback.extract_tb(tb) if tb is not None else []:
        if frame.filename == scripting.SCRIPT_FILENAME:
            line = frame.lineno
    return line


def _memory_message(allowance: int) -> str:
    return f"script used more than {allowance // (1024 * 1024)} MB of memory and was stopped"


def _limit_memory(memory_bytes: int) -> None:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        pages = int(statm.read().split()[0])
    limit = pages * resource.getpagesize() + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main(argv: list[str]) -> None:
    fd, memory_bytes, max_reply_bytes, parent_pid = (int(a) for a in argv)
    _exit_with(parent_pid)  # before the memory limit, which counts the watcher's stack in the worker's size at start
    serve(Connection(fd), memory_bytes, max_reply_bytes)


def _exit_with(parent_pid: int, check_s: float = 0.2) -> None:
    """End this worker as soon as the server process that started it has gone, even in the middle of a job: the
    end of its socket stops an idle worker, but a busy one would run on to its CPU limit (a server process killed
    by SIGKILL, its watchdog or the kernel's OOM killer must leave nothing behind)."""
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(check_s)
        os._exit(0)

    threading.Thread(target=watch, name="lif-parent-watch", daemon=True).start()


def _limit_cpu(timeout_s: float) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + timeout_s + 1)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


if __name__ == "__main__":
    main(sys.argv[1:])
