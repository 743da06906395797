"""The script environment SpiffWorkflow runs every diagram expression through.

An expression whose shape bounds its cost (``bounded.py``: nearly every gateway condition, DMN cell, timer,
payload and correlation key) runs here, in the server's process, with RestrictedPython's guards. Everything
else, every script task among it, runs in a sandbox worker (``pool.py``) under the time limit and the OS's
memory and CPU limits, and its result comes back as data.
"""
from __future__ import annotations

import builtins
from typing import Any, NoReturn

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from .. import clock
from ..sandbox import bounded, pool, scripting, sizes
from ..sandbox.pool import SandboxPool, WorkerError

_OURS: dict[str, type[Exception]] = {"ScriptLimitExceeded": scripting.ScriptLimitExceeded,
                                     "ScriptPolicyError": scripting.ScriptPolicyError}


class RestrictedEnvironment(TaskDataEnvironment):  # type: ignore[misc]
    def __init__(self, timeout_s: float = 5.0, max_size: int = 10_000_000, sandbox: SandboxPool | None = None) -> None:
        super().__init__({})
        self.timeout_s = timeout_s
        self.max_size = max_size
        self._sandbox = sandbox  # None: the process's shared pool

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        names = bounded.names_if_bounded(expression)
        if names is not None and self._small(names, context, external_context):
            return scripting.evaluate_here(expression, context, self.max_size, external_context)
        scripting.compile_expression(expression, "eval")  # a refused expression needs no round trip
        scope = {**(external_context or {}), **context}
        return self._run(("eval", self.timeout_s, clock.now(), expression, scope, self.max_size))

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> bool:
        scripting.compile_expression(script, "exec")
        after = self._run(("exec", self.timeout_s, clock.now(), script, context, external_context or {},
                           self.max_size))
        context.clear()
        context.update(after)
        return True

    @staticmethod
    def _small(names: frozenset[str], context: dict[str, Any], external: dict[str, Any] | None) -> bool:
        values = [context[n] if n in context else (external or {}).get(n) for n in names]
        return sizes.fits(values, bounded.SMALL_DATA_CHARS)

    def _run(self, job: tuple[Any, ...]) -> Any:
        try:
            return (self._sandbox or pool.shared_pool()).run(job, self.timeout_s)
        except WorkerError as exc:
            reraise(exc)


def reraise(exc: WorkerError) -> NoReturn:
    """Raise what the code raised in the worker, as if here: the same built-in type where there is one, with a
    traceback frame at the script's line, where SpiffWorkflow looks for it to report the line."""
    error = _rebuilt(exc.kind, exc.message)
    if exc.line:
        code = compile("\n" * (exc.line - 1) + "raise _error_", scripting.SCRIPT_FILENAME, "exec")
        exec(code, {"_error_": error, "__builtins__": {}})
    raise error


def _rebuilt(kind: str, message: str) -> Exception:
    cls = _OURS.get(kind) or getattr(builtins, kind, None)
    if isinstance(cls, type) and issubclass(cls, Exception) and not issubclass(cls, OSError):
        try:
            return cls(message)
        except Exception:  # a built-in whose constructor wants other arguments (UnicodeDecodeError ...)
            pass
    return scripting.ScriptError(f"{kind}: {message}")


def make_script_engine(timeout_s: float = 5.0, max_size: int = 10_000_000) -> PythonScriptEngine:
    return PythonScriptEngine(environment=RestrictedEnvironment(timeout_s=timeout_s, max_size=max_size))
