"""How big a value is once written out as JSON, without writing it: every reference counted again, as JSON
would copy it, strings at their escaped length and numbers by their digits. ``[s] * 3000`` is one string in
memory and 3,000 in the case's stored state; pickle and the in-memory size see the first, the server's JSON
sees the second. And whether the case's state can store it at all."""
from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from typing import Any

_NODE = 8  # what each value costs besides its text (a number, a boolean, a null, a date; a list's brackets)
MAX_INT_DIGITS = 4300  # Python's own limit for turning an int into text: JSON could not write a longer one
_STORED = (str, bool, int, float, type(None), list, tuple, dict, datetime, timedelta)


def fits(values: Any, budget: int) -> bool:
    """True when ``values`` (one value, or the items of a list or tuple) would take at most ``budget``
    characters of JSON; stops reading as soon as the budget is spent, so a huge value costs little to refuse."""
    return _walk(values, budget, strict=False) is None


def storage_problem(value: Any, budget: int) -> str | None:
    """Why the case's state could not store ``value`` (a type JSON has no form for, a number it cannot write,
    more than ``budget`` characters), or None."""
    return _walk(value, budget, strict=True)


def _walk(root: Any, budget: int, *, strict: bool) -> str | None:
    remaining = budget
    stack = [root]
    while stack:
        value = stack.pop()
        remaining -= _NODE
        if strict and not isinstance(value, _STORED):
            return f"a value of type {type(value).__name__} cannot be stored in a case"
        if isinstance(value, (str, bytes)):
            remaining -= _text_length(value, remaining)
        elif isinstance(value, int) and not isinstance(value, bool):
            digits = value.bit_length() * 30103 // 100_000 + 1  # log10(2) = 0.30103...
            if strict and digits > MAX_INT_DIGITS:
                return f"a number of more than {MAX_INT_DIGITS} digits cannot be stored in a case"
            remaining -= digits
        elif strict and isinstance(value, float) and not math.isfinite(value):
            return f"{value} cannot be stored in a case"
        elif isinstance(value, (dict, list, tuple, set, frozenset)):
            if len(value) * _NODE > remaining:  # refused before its items are even looked at
                return _too_big(budget)
            if isinstance(value, dict):
                if strict and not all(isinstance(k, str) for k in value):
                    return "a mapping whose keys are not all text cannot be stored in a case"
                stack.extend(value.keys())
                stack.extend(value.values())
            else:
                stack.extend(value)
        if remaining < 0:
            return _too_big(budget)
    return None


def _text_length(text: str | bytes, remaining: int) -> int:
    """Its length as JSON: escapes (a control character becomes six) counted once it could matter."""
    if len(text) > remaining or isinstance(text, bytes) or (text.isascii() and text.isprintable()):
        return len(text)
    return len(json.dumps(text))


def _too_big(budget: int) -> str:
    unit = "MB" if budget >= 1_000_000 else "characters"
    return f"the result would take more than {budget // 1_000_000 or budget} {unit} to store"
