"""How big a value is once written out as JSON, without writing it: every reference counted again, as JSON
would copy it. ``[s] * 3000`` is one string in memory and 3,000 in the case's stored state; pickle and the
in-memory size see the first, the server's JSON sees the second."""
from __future__ import annotations

from typing import Any

_NODE = 8  # what each value costs besides its text (a number, a boolean, a null, a date; a list's brackets)


def fits(values: Any, budget: int) -> bool:
    """True when ``values`` (one value, or the items of a list or tuple) would take at most ``budget``
    characters of JSON; stops reading as soon as the budget is spent, so a huge value costs little to refuse."""
    remaining = budget
    stack = [values]
    while stack:
        value = stack.pop()
        remaining -= _NODE  # so a million empty lists weigh what a million values cost the server to copy
        if isinstance(value, (str, bytes)):
            remaining -= len(value)
        elif isinstance(value, (dict, list, tuple, set, frozenset)):
            if len(value) * _NODE > remaining:  # refused before its items are even looked at
                return False
            if isinstance(value, dict):
                stack.extend(value.keys())
                stack.extend(value.values())
            else:
                stack.extend(value)
        if remaining < 0:
            return False
    return True
