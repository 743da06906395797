"""The restricted environment for every expression a diagram holds: scripts, conditions, timers, DMN cells,
message payloads and correlation expressions.

Designers upload diagrams through the web, so nothing in them may import, open files, reach the network or use
dunder tricks. Code is compiled with RestrictedPython's ``compile_restricted`` and run with its guards, plus a
size guard on ``*``, ``**`` and ``<<`` so that ``'x' * 10**10`` is refused with a clear message before it is
allocated. This module runs code in the current process; time and memory limits come from where it runs:
``engine.sandbox`` sends everything whose shape does not bound its cost to a worker process under OS limits.
"""
from __future__ import annotations

import ast
import datetime as _dt
import importlib
import operator
import random
from collections.abc import Callable
from functools import lru_cache
from types import CodeType
from typing import Any, Literal

from RestrictedPython import (
    RestrictingNodeTransformer,
    compile_restricted,
    limited_builtins,
    safe_builtins,
    utility_builtins,
)
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, safer_getattr
from RestrictedPython.PrintCollector import PrintCollector

from .. import clock, workdays
from .sampling import stratified_sample

SCRIPT_FILENAME = "<string>"  # the name SpiffWorkflow looks for in a traceback to report the script's line
_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "|=": operator.ior,
    "&=": operator.iand, "^=": operator.ixor, "<<=": operator.ilshift, ">>=": operator.irshift,
}


class ScriptPolicyError(Exception):
    """Refused at compile time: a forbidden name, attribute or statement."""


class ScriptLimitExceeded(Exception):
    """Stopped at run time: too long or too large."""


class ScriptError(Exception):
    """Raised by diagram code in a sandbox worker, with a type that has no counterpart here."""


class _SizeGuardingTransformer(RestrictingNodeTransformer):
    _GUARDED = {ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<"}

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = self.node_contents_visit(node)
        symbol = self._GUARDED.get(type(node.op))
        if symbol is None:
            return node
        call = ast.Call(func=ast.Name("_binop_", ast.Load()),
                        args=[ast.Constant(symbol), node.left, node.right], keywords=[])
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_Import(self, node: ast.Import) -> Any:
        self.error(node, "import is not allowed in diagram scripts")
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> Any:
        self.error(node, "import is not allowed in diagram scripts")
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> Any:
        self.error(node, "class statements are not allowed in diagram scripts")
        return node


CompileMode = Literal["eval", "exec"]


@lru_cache(maxsize=8192)
def compile_expression(source: str, mode: CompileMode) -> CodeType:
    """Compile restricted code (``mode`` is ``eval`` or ``exec``); raises ``ScriptPolicyError``."""
    try:
        return compile_restricted(source, SCRIPT_FILENAME, mode, policy=_SizeGuardingTransformer)
    except SyntaxError as exc:
        reasons = exc.args[0] if exc.args and isinstance(exc.args[0], tuple) else (str(exc),)
        raise ScriptPolicyError("; ".join(reasons)) from None
    except (RecursionError, MemoryError):
        raise ScriptPolicyError("the expression is nested too deeply or is too large to compile") from None
    except ValueError as exc:  # a NUL byte, for one
        raise ScriptPolicyError(f"the expression cannot be compiled: {exc}") from None


def check_source(source: str, mode: CompileMode) -> str | None:
    """The reason ``source`` is refused, or None when it compiles."""
    try:
        compile_expression(source, mode)
    except ScriptPolicyError as exc:
        return str(exc)
    return None


def _is_sequence(value: Any) -> bool:
    return isinstance(value, (str, bytes, bytearray, list, tuple))


def restricted_globals(max_size: int) -> dict[str, Any]:
    """The globals every diagram expression runs with: RestrictedPython's guards, a short list of built-ins,
    the size guard and LIF's helpers. Built once per size limit and copied for each run."""
    return dict(_globals(max_size))


@lru_cache(maxsize=4)
def _globals(max_size: int) -> tuple[tuple[str, Any], ...]:
    builtins = dict(safe_builtins)
    builtins.update(limited_builtins)
    builtins.update(utility_builtins)
    builtins.update(dict=dict, list=list, sum=sum, min=min, max=max, any=any, all=all, sorted=sorted,
                    enumerate=enumerate, zip=zip, map=map, filter=filter, reversed=reversed, set=set)
    for name in ("setattr", "delattr", "__build_class__", "__import__"):
        builtins.pop(name, None)
    builtins["__import__"] = _internal_import  # scripts cannot name it (leading _); C code such as strftime can
    guard = _SizeGuard(max_size)
    env: dict[str, Any] = {
        "__builtins__": builtins,
        "_getattr_": safer_getattr, "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter, "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_write_": full_write_guard, "_print_": PrintCollector,
        "_inplacevar_": guard.inplace, "_binop_": guard.binop,
        "_apply_": lambda f, *a, **k: f(*a, **k),
        "datetime": _dt.datetime, "timedelta": _dt.timedelta, "date": _dt.date,
        "add_working_days": _add_working_days, "today": _today, "now_iso": _now_iso,
        "random_seed": _random_seed, "sample_cases": stratified_sample,
    }
    return tuple(env.items())


class _SizeGuard:
    """Refuses ``*``, ``**`` and ``<<`` whose result would be huge before it is allocated, so the usual
    mistakes get a clear message; the worker's memory limit stops whatever else grows."""

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size

    def binop(self, symbol: str, left: Any, right: Any) -> Any:
        # repetition only: a number times a number is arithmetic, however large the product
        if symbol == "*" and isinstance(right, int) and _is_sequence(left) and right * len(left) > self.max_size:
            raise ScriptLimitExceeded(f"result of * would exceed {self.max_size} elements")
        if symbol == "*" and isinstance(left, int) and _is_sequence(right) and left * len(right) > self.max_size:
            raise ScriptLimitExceeded(f"result of * would exceed {self.max_size} elements")
        if symbol == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 \
                and abs(left) > 1 and right * abs(left).bit_length() > 64_000:
            raise ScriptLimitExceeded("result of ** is too large")
        if symbol == "<<" and isinstance(right, int) and right > 64_000:
            raise ScriptLimitExceeded("result of << is too large")
        return {"*": operator.mul, "**": operator.pow, "<<": operator.lshift}[symbol](left, right)

    def inplace(self, op: str, left: Any, right: Any) -> Any:
        if op in ("*=", "**=", "<<="):
            return self.binop(op[:-1], left, right)
        return _INPLACE[op](left, right)


def evaluate_here(source: str, context: dict[str, Any], max_size: int,
                  external_context: dict[str, Any] | None = None) -> Any:
    """Evaluate an expression in this process. Only for expressions whose shape bounds their cost (see
    ``sandbox.bounded``) or inside a sandbox worker."""
    scope = restricted_globals(max_size)
    scope.update(external_context or {})
    scope.update(context)
    return eval(compile_expression(source, "eval"), scope)


def execute_here(source: str, context: dict[str, Any], external_context: dict[str, Any], max_size: int) -> None:
    """Run a script against ``context`` (task data, changed in place) as SpiffWorkflow's task-data environment
    does: the globals and any function the script defined are removed afterwards. Inside a sandbox worker only."""
    env = restricted_globals(max_size)
    overwrites = (set(env) | set(external_context)) & set(context)
    if overwrites:
        raise ValueError("task data overwrites a predefined function; rename these variables or fields: "
                         + ", ".join(sorted(overwrites)))
    context.update(env)
    context.update(external_context)
    try:
        exec(compile_expression(source, "exec"), context)
    finally:
        for key in list(context):
            if key.startswith("_") or key in env or key in external_context or callable(context[key]):
                context.pop(key)


_INTERNAL_IMPORTS = frozenset({"time", "_strptime"})


def _internal_import(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
    """The ``__import__`` C code looks up in a script's builtins: ``datetime.strftime`` imports ``time`` and
    ``strptime`` imports ``_strptime``. Nothing else; a script itself can neither import nor name this."""
    if level == 0 and name in _INTERNAL_IMPORTS:
        return importlib.import_module(name)
    raise ImportError(f"import of {name!r} is not allowed in diagram scripts")


def _add_working_days(start: Any, count: int) -> str:
    if isinstance(start, str):
        start = _dt.date.fromisoformat(start[:10])
    elif isinstance(start, _dt.datetime):
        start = workdays.london_date(start)
    return workdays.add_working_days(start, int(count)).isoformat()


def _today() -> str:
    return workdays.london_date(clock.now()).isoformat()


def _now_iso() -> str:
    return clock.now().isoformat()


def _random_seed() -> int:
    return random.SystemRandom().randrange(1, 2**31)
