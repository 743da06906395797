"""A form's file fields (``{"type": "string", "format": "lif-file"}``), found by the same paths the engine names
fields by in its errors (``report``, ``imrs[0].file``), and the check a completed form must pass: each file
field names a document uploaded to this very task (an id from another task or case is refused, so a form
cannot make another agency's document part of this case)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..bundles.forms import FormProblem
from ..store.models import Document

FILE_FORMAT = "lif-file"
FILE_KEYWORD = "lif-file"  # the keyword of a problem with a file field's value
MAX_FIELD_LENGTH = 200
_TOKEN = re.compile(r"\[(\d+)\]|([^.\[\]]+)")
_PATH = re.compile(r"^[A-Za-z0-9_-]+(\[\d{1,4}\]|\.[A-Za-z0-9_-]+)*$")
_PARTS = ("allOf", "anyOf", "oneOf")
_BRANCHES = ("if", "then", "else")
MAX_DEPTH = 16


def is_file_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("format") == FILE_FORMAT


def split_path(path: str) -> list[str | int]:
    """``"a.b[0].c"`` as ``["a", "b", 0, "c"]``."""
    return [int(index) if index else name for index, name in _TOKEN.findall(path)]


def is_file_field(schema: dict[str, Any] | None, path: str) -> bool:
    """Whether ``path`` names a file field of the form ``schema``."""
    if not schema or len(path) > MAX_FIELD_LENGTH or not _PATH.match(path):
        return False
    nodes = [schema]
    for part in split_path(path):
        nodes = [child for node in nodes for child in _children(node, part)]
    return any(is_file_schema(node) for node in nodes)


def file_values(schema: dict[str, Any] | None, data: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Each file field answered in ``data``: its path and its value (a document id, if all is well)."""
    if not schema:
        return
    if isinstance(data, dict):
        items: list[tuple[str | int, Any]] = list(data.items())
    elif isinstance(data, list):
        items = list(enumerate(data))
    else:
        return
    for key, value in items:
        children = _children(schema, key)
        where = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else str(key))
        if any(is_file_schema(child) for child in children):
            if value is not None:
                yield where, value
            continue
        seen: set[str] = set()
        for child in children:
            for found in file_values(child, value, where):
                if found[0] not in seen:
                    seen.add(found[0])
                    yield found


def completion_problems(session: Session, task_id: str, schema: dict[str, Any] | None,
                        data: Any) -> list[FormProblem]:
    """A problem for each file field whose value is not a document uploaded to task ``task_id``."""
    answered = list(file_values(schema, data))
    if not answered:
        return []
    ids = {value for _, value in answered if isinstance(value, str)}
    known = set(session.scalars(select(Document.id).where(Document.task_id == task_id, Document.id.in_(ids))))
    return [{"field": where, "message": "must be a file uploaded to this task", "keyword": FILE_KEYWORD,
             "expected": None} for where, value in answered if value not in known]


def set_value(data: dict[str, Any], path: str, value: Any) -> bool:
    """Put ``value`` at ``path`` in ``data``, making the objects on the way where nothing is (not rows, which the
    form owns); False when the path runs through something else."""
    parts = split_path(path)
    node: Any = data
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return False
            if last:
                node[part] = value
                return True
            if node[part] in (None, "", {}):  # a row left empty
                node[part] = {}
            node = node[part]
            continue
        if not isinstance(node, dict):
            return False
        if last:
            node[part] = value
            return True
        if node.get(part) is None:
            node[part] = [] if isinstance(parts[position + 1], int) else {}
        node = node[part]
    return False


def _children(schema: Any, part: str | int, depth: int = 0) -> list[dict[str, Any]]:
    """The subschemas that may describe ``part`` of an instance of ``schema`` (a property name or an index),
    looking through ``allOf``, ``anyOf``, ``oneOf``, ``if``/``then``/``else`` and ``dependentSchemas``."""
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return []
    found: list[dict[str, Any]] = []
    if isinstance(part, int):
        items = schema.get("items")
        if isinstance(items, dict):
            found.append(items)
    else:
        properties = schema.get("properties")
        child = properties.get(part) if isinstance(properties, dict) else None
        if isinstance(child, dict):
            found.append(child)
    for sub in _subschemas(schema):
        found.extend(_children(sub, part, depth + 1))
    return found


def _subschemas(schema: dict[str, Any]) -> list[Any]:
    subs: list[Any] = [s for key in _PARTS if isinstance(schema.get(key), list) for s in schema[key]]
    subs += [schema[key] for key in _BRANCHES if key in schema]
    dependent = schema.get("dependentSchemas")
    if isinstance(dependent, dict):
        subs += list(dependent.values())
    return subs
