"""Marker strings for the leak tests: every free-text field of an agency's answer gets a string of its own, and a
page or answer that shows one can be traced back to the process, task, agency and field it came from.

A free-text field is a string without ``enum``, ``const``, ``format`` or ``pattern`` (and not read-only), at any
depth of a form's JSON schema: properties of objects, items of arrays, and the parts of ``allOf``/``anyOf``/
``oneOf``/``if``/``then``/``else``/``dependentSchemas`` (which may only add ``minLength`` to a field declared
elsewhere)."""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

Path = tuple[str, ...]  # property names, with "*" for every item of an array
CODES = {"police": "POL", "csc": "CSC", "health": "HEA"}
_TOKEN = re.compile(r"zq(pol|csc|hea)(\d{4})qz", re.IGNORECASE)
_PARTS = ("allOf", "anyOf", "oneOf")
_SINGLE_PARTS = ("if", "then", "else", "not")
_NOT_FREE = ("enum", "const", "format", "pattern")


@dataclass(frozen=True)
class FreeText:
    path: Path
    min_length: int = 0
    max_length: int | None = None


def free_text_fields(schema: Mapping[str, Any] | None) -> list[FreeText]:
    """Every free-text field of a (rendered) form schema, with the tightest length limits declared for it."""
    fragments: dict[Path, list[Mapping[str, Any]]] = {}
    _collect(schema or {}, (), fragments)
    found = []
    for path, parts in fragments.items():
        if not path or not any(_is_string(p) for p in parts):
            continue
        if any(key in p for p in parts for key in _NOT_FREE) or any(p.get("readOnly") for p in parts):
            continue
        maxima = [p["maxLength"] for p in parts if isinstance(p.get("maxLength"), int)]
        found.append(FreeText(path, max([p.get("minLength", 0) for p in parts] + [0]),
                              min(maxima) if maxima else None))
    return sorted(found, key=lambda f: f.path)


def _is_string(fragment: Mapping[str, Any]) -> bool:
    kind = fragment.get("type")
    return kind == "string" or (isinstance(kind, list) and "string" in kind)


def _collect(node: Any, path: Path, out: dict[Path, list[Mapping[str, Any]]]) -> None:
    if not isinstance(node, Mapping):
        return
    out.setdefault(path, []).append(node)
    for name, sub in (node.get("properties") or {}).items():
        _collect(sub, path + (str(name),), out)
    items = node.get("items")
    for item in items if isinstance(items, list) else [items]:
        _collect(item, path + ("*",), out)
    for key in _PARTS:
        for part in node.get(key) or []:
            _collect(part, path, out)
    for key in _SINGLE_PARTS[:3]:  # "not" describes what is refused: nothing to fill from it
        _collect(node.get(key), path, out)
    for part in (node.get("dependentSchemas") or {}).values():
        _collect(part, path, out)


@dataclass(frozen=True)
class Origin:
    process_key: str
    task_name: str
    agency: str
    field: str  # the filled place, with list indexes: report.chronology[2].event


@dataclass
class Markers:
    """Hands out marker strings and traces them back."""
    origins: dict[str, Origin] = field(default_factory=dict)

    def new(self, agency: str, origin: Origin, min_length: int = 0, max_length: int | None = None) -> str:
        token = f"Zq{CODES[agency]}{len(self.origins):04d}qZ"
        self.origins[token.lower()] = origin
        text = token + " marker text" * max(0, -(-(min_length - len(token)) // 12))
        return text[:max_length] if max_length is not None and max_length >= len(token) else text

    def of(self, agency: str) -> list[str]:
        return [t for t, o in self.origins.items() if o.agency == agency]

    def found(self, text: str, agencies: set[str]) -> set[str]:
        """The tokens of ``agencies``' markers in ``text``."""
        return {m.group(0).lower() for m in _TOKEN.finditer(text)
                if m.group(0).lower() in self.origins and self.origins[m.group(0).lower()].agency in agencies}


def fill(payload: dict[str, Any], schema: Mapping[str, Any] | None, markers: Markers, origin: Origin, *,
         add_missing: bool = True) -> list[str]:
    """Put a fresh marker in every free-text field of ``payload`` (in place), into each item of each array the
    payload holds; with ``add_missing``, also in optional fields the payload leaves out (within objects it has).
    Returns the places filled."""
    filled = []
    for text_field in free_text_fields(schema):
        for place, parent, key, present in _places(payload, text_field.path, ""):
            if present or add_missing:
                where = Origin(origin.process_key, origin.task_name, origin.agency, place)
                parent[key] = markers.new(origin.agency, where, text_field.min_length, text_field.max_length)
                filled.append(place)
    return filled


def _places(node: Any, path: Path, prefix: str) -> Iterator[tuple[str, Any, Any, bool]]:
    """(printable place, parent object or list, key or index, whether it holds a value) for each place ``path``
    names in ``node``."""
    head, rest = path[0], path[1:]
    if head == "*":
        for i, item in enumerate(node if isinstance(node, list) else []):
            if rest:
                yield from _places(item, rest, f"{prefix}[{i}]")
            else:
                yield f"{prefix}[{i}]", node, i, True
        return
    if not isinstance(node, dict):
        return
    place = f"{prefix}.{head}" if prefix else head
    if not rest:
        yield place, node, head, head in node
    elif head in node:
        yield from _places(node[head], rest, place)
