"""Data views: the parts of a case's data a task shows, written in a bundle as a ``spiffworkflow:property``
named ``shows``: a comma-separated list of variable names and dotted paths, ``*`` standing for every item of
a list or map (``imrs.*.summary``). What a view does not name, it does not show.

A view is applied by ``project``: it copies the named parts of the data out, keeping their shape (a list stays
a list, a map a map), and leaves everything else behind. A path that goes deeper than the data does (a field
of a number, a named key of a list) shows nothing. Several views of one case are joined with ``merge``.

An agency-bound task never shows another agency's answers to a multi-instance task: for the variables named
in ``own_agency_only`` (the bundle's multi-instance outputs), ``project`` keeps only the items that belong to
the task's agency (an item ``{"agency": "police", ...}``, or the key ``police`` of a map) unless the view
names the other item by its key (``returns.csc``): sharing is declared, never assumed.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

Path = tuple[str, ...]
WILDCARD: Final = "*"
MAX_PATHS = 200
MAX_DEPTH = 8
_SEGMENT = re.compile(r"^(\*|[A-Za-z0-9_][A-Za-z0-9_-]{0,63})$", re.ASCII)
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$", re.ASCII)


class ViewError(ValueError):
    """A ``shows`` value that is not a list of paths; the message says what is wrong, for the designer."""


_WHOLE: Final = "whole"  # a trie leaf: the value there is shown whole
Trie = dict[str, Any]  # segment -> Trie, or _WHOLE


def parse_shows(text: str | None) -> tuple[Path, ...]:
    """The paths of a ``shows`` value, in order, without repeats; ``()`` for none. ``ViewError`` if malformed."""
    paths: list[Path] = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        segments = tuple(s.strip() for s in part.split("."))
        if not _VARIABLE.match(segments[0]):
            raise ViewError(f"{part!r} must begin with a variable name (letters, digits and _)")
        bad = next((s for s in segments[1:] if not _SEGMENT.match(s)), None)
        if bad is not None:
            raise ViewError(f"{part!r}: {bad!r} is not a key, an index or *")
        if len(segments) > MAX_DEPTH:
            raise ViewError(f"{part!r} is more than {MAX_DEPTH} levels deep")
        if segments not in paths:
            paths.append(segments)
    if len(paths) > MAX_PATHS:
        raise ViewError(f"a view names at most {MAX_PATHS} paths")
    return tuple(paths)


def format_paths(paths: Iterable[Path]) -> str:
    return ", ".join(".".join(p) for p in paths)


def trie(paths: Iterable[Path]) -> Trie:
    """The paths as a tree of segments: a shorter path that covers a longer one wins."""
    root: Trie = {}
    for path in paths:
        node = root
        for depth, segment in enumerate(path):
            child = node.get(segment)
            if child == _WHOLE:
                break
            if depth == len(path) - 1:
                node[segment] = _WHOLE
                break
            node = node.setdefault(segment, {})
    return root


def project(data: Mapping[str, Any], paths: Iterable[Path] | Trie, *, agency: str | None = None,
            own_agency_only: Iterable[str] = ()) -> dict[str, Any]:
    """The parts of ``data`` the paths name, in their shape. With ``agency``, the variables of
    ``own_agency_only`` keep only that agency's items (and items named by key)."""
    root = paths if isinstance(paths, dict) else trie(paths)
    narrowed = frozenset(own_agency_only) if agency is not None else frozenset()
    out: dict[str, Any] = {}
    for name, node in root.items():
        if name == WILDCARD or name not in data:
            continue
        value = data[name]
        if name in narrowed:
            value = _own_items(value, node, agency)
        picked = _pick(value, node)
        if picked is not _NOTHING:
            out[name] = picked
    return out


_NOTHING: Final = object()


def _pick(value: Any, node: Trie | str) -> Any:
    if node == _WHOLE:
        return value
    assert isinstance(node, dict)
    star = node.get(WILDCARD)
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            sub = _union(node.get(str(key)), star)
            if sub is not None:
                picked = _pick(item, sub)
                if picked is not _NOTHING:
                    out[key] = picked
        return out
    if isinstance(value, list):
        out_list = []
        for index, item in enumerate(value):
            sub = _union(node.get(str(index)), star)
            if sub is not None:
                picked = _pick(item, sub)
                if picked is not _NOTHING:
                    out_list.append(picked)
        return out_list
    return _NOTHING


def _union(a: Trie | str | None, b: Trie | str | None) -> Trie | str | None:
    if a is None:
        return b
    if b is None:
        return a
    if a == _WHOLE or b == _WHOLE:
        return _WHOLE
    assert isinstance(a, dict) and isinstance(b, dict)
    merged: Trie = dict(a)
    for key, child in b.items():
        merged[key] = _union(merged.get(key), child)
    return merged


def _own_items(value: Any, node: Trie | str, agency: str | None) -> Any:
    named = set(node) - {WILDCARD} if isinstance(node, dict) else set()
    if isinstance(value, Mapping):
        return {k: v for k, v in value.items() if k in named or k == agency or agency_of(v) == agency}
    if isinstance(value, list):
        return [v for v in value if agency_of(v) == agency]
    return value


def agency_of(item: Any) -> str | None:
    """The agency an item of a multi-instance output belongs to: its ``agency`` (a key, or ``{"key": ...}``)."""
    if not isinstance(item, Mapping):
        return None
    found = item.get("agency")
    if isinstance(found, Mapping):
        found = found.get("key")
    return found if isinstance(found, str) else None


def merge(into: dict[str, Any], more: Mapping[str, Any]) -> dict[str, Any]:
    """Join two views of one case: maps merge key by key; otherwise the later value stands."""
    for key, value in more.items():
        mine = into.get(key)
        if isinstance(mine, dict) and isinstance(value, Mapping):
            into[key] = merge(dict(mine), value)
        else:
            into[key] = value
    return into
