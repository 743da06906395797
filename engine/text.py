"""What text people send may hold. A single-line value (a name, a key, a title, a pseudonym) holds no control
character at all: a CR or LF in one ends up in an e-mail header or a log line. A multi-line value (a comment, a
reason, a textarea) may hold line breaks and tabs, and no other control character. Neither may hold a lone UTF-16
surrogate, which no database or encoder accepts."""
from __future__ import annotations

import re
from typing import Any

# C0 and C1 controls, DEL, the Unicode line and paragraph separators, and lone surrogates
_SINGLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_MULTI_LINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")  # keeps \t \n \r
_SURROGATE = re.compile("[\ud800-\udfff]")

SINGLE_LINE_PROBLEM = "must be one line, without control characters"
MULTI_LINE_PROBLEM = "must not contain control characters other than line breaks and tabs"


def problem(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` is not acceptable text, or None."""
    if value.isascii() and value.isprintable():
        return None
    if multiline:
        return MULTI_LINE_PROBLEM if _MULTI_LINE.search(value) else None
    return SINGLE_LINE_PROBLEM if _SINGLE_LINE.search(value) else None


def has_lone_surrogate(value: str) -> bool:
    return not value.isascii() and _SURROGATE.search(value) is not None


def one_line(value: str) -> str:
    """``value`` with each control character (and lone surrogate) replaced by a space, runs of spaces made one,
    and trimmed: for values that reach a header or a one-line column whatever their source."""
    if value.isascii() and value.isprintable():
        return value.strip()
    return " ".join(_SINGLE_LINE.sub(" ", value).split())


def json_problem(value: Any, max_depth: int | None = None) -> str | None:
    """Why a parsed JSON value cannot be kept, or None: a lone surrogate or a NUL in a key or a string (no database
    stores either in text), or nesting deeper than ``max_depth``. An iterative walk: no recursion to exhaust."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if has_lone_surrogate(item):
                return "a string holds a lone UTF-16 surrogate"
            if "\x00" in item:
                return "a string holds a NUL character"
        elif isinstance(item, (dict, list)):
            if max_depth is not None and depth > max_depth:
                return f"nested more than {max_depth} levels deep"
            if isinstance(item, dict):
                stack.extend((key, depth) for key in item)
                stack.extend((v, depth + 1) for v in item.values())
            else:
                stack.extend((v, depth + 1) for v in item)
    return None


def shorten(value: str, limit: int, *, mark: str = "…") -> str:
    """``value`` in at most ``limit`` characters, cut at a space (never inside a word) with ``mark`` at the end; a
    single word longer than the limit is cut at the limit. Titles and names go into fixed-size columns and lists."""
    if len(value) <= limit:
        return value
    room = max(limit - len(mark), 0)
    head = value[:room]
    whole_words = value[room:room + 1].isspace() or not any(c.isspace() for c in head.strip())
    cut = head if whole_words else head.rsplit(None, 1)[0]
    return cut.rstrip(" ,;:.-–") + mark


def key_in_words(key: str) -> str:
    """A key in words, where nothing names it better: ``neighbourhood_review`` is "Neighbourhood review"."""
    return key.replace("_", " ").capitalize()
