"""Which diagram expressions are bounded by their shape, and so may run in the server's own process.

Everything else runs in the worker pool (``pool.py``) under OS limits. An expression is bounded when, read on
its syntax tree alone, its time and memory are at most linear in the size of the case data it names:

- no loops of any kind (comprehensions, generator expressions, lambdas, ``:=``), no f-string format specs;
- calls only to an allowlist of built-ins and methods whose cost and result are at most linear in their
  arguments and that take no size argument (``len``, ``min``, ``d.get``, ``s.lower`` ...; never ``range``,
  ``str.ljust``, ``str.join``, ``round``, ``pow``, ``math.factorial``);
- no ``*``, ``**``, ``<<``, ``//`` or ``%`` (repetition, big powers, shifts, division of big numbers, whose
  cost grows with the square of their size, and ``'%9999999d'`` formatting), while ``+``
  only concatenates: each leaf of a tree is used once, so a result is at most the sum of its leaves;
- string and bytes literals of at most ``MAX_LITERAL`` characters and at most ``MAX_NODES`` nodes in all.

Linear in the data is only cheap while the data is small: ``s + s + ... + s`` copies ``s`` once per term. So the
server also checks, before it runs one here, that the values the expression names are small
(``SMALL_DATA_CHARS`` as JSON); an expression over bigger values goes to the pool like any other.

Gateway conditions, DMN cells, timer literals, payloads and correlation keys nearly always pass, so an ordinary
step pays no round trip. Scripts (``exec``) always go to the pool: a sequence of assignments can double a value
on every line.
"""
from __future__ import annotations

import ast
from functools import lru_cache

MAX_NODES = 200
MAX_LITERAL = 10_000
SMALL_DATA_CHARS = 64_000

SAFE_FUNCTIONS = frozenset({"len", "abs", "bool", "float", "int", "str", "min", "max", "isinstance", "any", "all",
                            "sorted", "list", "dict", "set", "tuple", "today", "now_iso"})
SAFE_METHODS = frozenset({"get", "keys", "values", "items", "lower", "upper", "strip", "lstrip", "rstrip",
                          "startswith", "endswith", "isoformat", "count", "index", "split", "casefold",
                          "isdigit", "isalpha", "isalnum", "isspace", "title", "capitalize"})

_NODES = (ast.Expression, ast.Constant, ast.Name, ast.Load, ast.Attribute, ast.Subscript, ast.Slice,
          ast.Compare, ast.BoolOp, ast.UnaryOp, ast.IfExp, ast.BinOp, ast.List, ast.Tuple, ast.Set, ast.Dict,
          ast.Call, ast.Starred, ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd, ast.Invert,
          ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn,
          ast.Add, ast.Sub, ast.Div, ast.BitAnd, ast.BitOr, ast.BitXor, ast.RShift,
          ast.JoinedStr, ast.FormattedValue)


def is_bounded(source: str) -> bool:
    """True when ``source`` is an expression (``eval`` mode) whose shape bounds its cost; see the module."""
    return names_if_bounded(source) is not None


@lru_cache(maxsize=8192)
def names_if_bounded(source: str) -> frozenset[str] | None:
    """The names a bounded expression reads (its cost is linear in their values' size), or None when its shape
    does not bound its cost."""
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES or not all(_node_is_bounded(node) for node in nodes):
        return None
    return frozenset(node.id for node in nodes if isinstance(node, ast.Name))


def _node_is_bounded(node: ast.AST) -> bool:
    if not isinstance(node, _NODES):
        return False
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        return len(node.value) <= MAX_LITERAL
    if isinstance(node, ast.FormattedValue):
        return node.format_spec is None
    if isinstance(node, ast.Call):
        return not node.keywords and _callee_is_safe(node.func)
    return True


def _callee_is_safe(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in SAFE_FUNCTIONS
    return isinstance(func, ast.Attribute) and func.attr in SAFE_METHODS
