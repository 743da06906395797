"""Form files that are Jinja templates, as JSON the form editor can hold. A schema whose only Jinja outside its
strings is expressions in the place of values (``"enum": {{ agency_keys | tojson }}``) is *lifted*: each such
expression becomes the JSON string ``"{{ agency_keys | tojson }}"``, and *lowering* writes it back unquoted. Jinja
inside strings (a title naming ``{{ range.min }}``) stays where it is. A file with statements (``{% for %}``) or
comments outside its strings, or with a string that is wholly an expression (which lowering could not tell from a
lifted one), cannot be lifted: the editor then keeps it as text."""
from __future__ import annotations

import json
import re
from typing import Any

_ENDS = {"{{": "}}", "{%": "%}", "{#": "#}"}
# a JSON string token of ``json.dumps`` output that is wholly an expression, where a value stands (not a key)
_LIFTED = re.compile(r'"\{\{(?:[^"\\]|\\.)*\}\}"(?!\s*:)')


def is_expression(value: Any) -> bool:
    """Whether ``value`` is a lifted expression (written back unquoted)."""
    return isinstance(value, str) and value.startswith("{{") and value.endswith("}}")


def lift(text: str) -> dict[str, Any] | None:
    """The file as a JSON object with its expressions as strings, or None when it cannot be lifted (or is not a
    JSON object once lifted)."""
    out: list[str] = []
    i, start = 0, 0
    while i < len(text):
        if text[i] == '"':
            end = _string_end(text, i)
            if end < 0 or is_expression(_decoded(text[i:end + 1])):
                return None
            i = end + 1
            continue
        mark = text[i:i + 2]
        if mark in _ENDS:
            close = text.find(_ENDS[mark], i + 2)
            if mark != "{{" or close < 0:
                return None
            out += [text[start:i], json.dumps(text[i:close + 2], ensure_ascii=False)]
            i = start = close + 2
            continue
        i += 1
    try:
        value = json.loads("".join(out) + text[start:])
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def lower(document: dict[str, Any]) -> str:
    """The file's text: JSON indented by two spaces (as the shipped files are), lifted expressions unquoted."""
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return _LIFTED.sub(lambda m: str(json.loads(m.group(0))), text)


def _string_end(text: str, start: int) -> int:
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    return -1


def _decoded(token: str) -> str:
    try:
        value = json.loads(token)
    except json.JSONDecodeError:
        return ""
    return value if isinstance(value, str) else ""
