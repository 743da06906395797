"""Reading a posted form back into typed JSON for the engine: numbers, booleans, dates, arrays and nested
objects. Empty answers are left out (so the schema's ``required`` speaks for them), and what cannot be read
(``12x`` for a whole number, 31 February) is passed on as typed, for the engine's validation to report.

The "Add another" and "Remove" buttons work without JavaScript: they post the whole form with an action
such as ``add:actions`` or ``remove:actions[1]``, which ``apply_row_action`` applies to the parsed draft."""
from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from .build import _kind
from .model import join_path, split_path, sub_object

ROWS_SUFFIX = "-rows"


def parse_form(schema: dict[str, Any], ui: dict[str, Any] | None, form: MultiDict, *,
               keep_empty_rows: bool) -> dict[str, Any]:
    """The posted values as JSON. With ``keep_empty_rows`` (a draft) blank rows of repeating groups stay, so
    a row just added is shown again; on completion they are dropped."""
    parsed = _object("", schema, ui or {}, form, keep_empty_rows)
    return parsed or {}


def _value(path: str, schema: dict[str, Any], ui: dict[str, Any], form: MultiDict, keep: bool) -> Any:
    kind = _kind(schema, ui)
    if kind == "readonly" or (kind == "file" and schema.get("readOnly")):
        return None
    if kind == "object":
        return _object(path, schema, ui, form, keep)
    if kind == "rows":
        return _rows(path, schema, ui, form, keep)
    if kind == "checkboxes":
        chosen = [_typed(v, schema.get("items") or {}) for v in form.getlist(path) if v != ""]
        return chosen or None
    if kind == "checkbox":
        return "true" in form.getlist(path)
    if kind == "date":
        return _date(path, form)
    raw = form.get(path, "")
    text = raw.strip() if kind != "textarea" else raw.strip("\r\n ").replace("\r\n", "\n")
    if text == "":
        return None
    if kind == "yesno":
        return {"true": True, "false": False}.get(text, text)
    return _typed(text, schema)


def _typed(text: str, schema: dict[str, Any]) -> Any:
    enum = schema.get("enum")
    if isinstance(enum, list):
        for option in enum:
            if _as_text(option) == text:
                return option
        return text
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(text.replace(",", ""))
        if kind == "number":
            number = float(text.replace(",", ""))
            return int(number) if number.is_integer() and "." not in text else number
    except ValueError:
        return text
    return text


def _as_text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _date(path: str, form: MultiDict) -> str | None:
    day, month, year = (form.get(f"{path}-{part}", "").strip() for part in ("day", "month", "year"))
    if not (day or month or year):
        return None
    if day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4:
        return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    return f"{year}-{month}-{day}"


def _object(path: str, schema: dict[str, Any], ui: dict[str, Any], form: MultiDict, keep: bool
            ) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    answered = False
    for name, child in (schema.get("properties") or {}).items():
        child = child if isinstance(child, dict) else {}
        child_ui = sub_object(ui, name)
        value = _value(join_path(path, name), child, child_ui, form, keep)
        if value is not None:
            out[name] = value
            answered = answered or not (value is False and _kind(child, child_ui) == "checkbox")
    if not path:
        return out
    return out if answered else None  # an object with nothing but unticked checkboxes was not filled in


def _rows(path: str, schema: dict[str, Any], ui: dict[str, Any], form: MultiDict, keep: bool) -> list[Any] | None:
    items = sub_object(schema, "items")
    item_ui = sub_object(ui, "items")
    try:
        count = min(int(form.get(path + ROWS_SUFFIX, "0")), 500)
    except ValueError:
        count = 0
    rows = []
    for index in range(count):
        value = _value(join_path(path, index), items, item_ui, form, keep)
        if value is not None:
            rows.append(value)
        elif keep:
            rows.append({} if _kind(items, item_ui) == "object" else "")
    return rows if rows and (keep or any(r not in ({}, "") for r in rows)) else None


def apply_row_action(data: dict[str, Any], schema: dict[str, Any], action: str) -> str | None:
    """Apply ``add:<path>`` or ``remove:<path>[i]`` to a parsed draft. Returns the path of the row to move
    focus to (the new row, or the group after a removal), or None when the action names nothing."""
    verb, _, path = action.partition(":")
    parts = split_path(path)
    if verb == "add" and parts:
        items = _schema_at(schema, parts).get("items") or {}
        rows = _container(data, parts, create=True)
        if rows is None or len(rows) >= 500:
            return None
        rows.append({} if _type_of(items) == "object" else "")
        return join_path(path, len(rows) - 1)
    if verb == "remove" and len(parts) >= 2 and isinstance(parts[-1], int):
        rows = _container(data, parts[:-1], create=False)
        if rows is None or not 0 <= parts[-1] < len(rows):
            return None
        del rows[parts[-1]]
        return path.rsplit("[", 1)[0]
    return None


def _type_of(schema: dict[str, Any]) -> str | None:
    return "object" if "properties" in schema else schema.get("type")


def _schema_at(schema: dict[str, Any], parts: list[str | int]) -> dict[str, Any]:
    node = schema
    for part in parts:
        node = (node.get("items") if isinstance(part, int) else (node.get("properties") or {}).get(part)) or {}
    return node


def _container(data: Any, parts: list[str | int], *, create: bool) -> list[Any] | None:
    node = data
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return None
            if not isinstance(node[part], (dict, list)):
                return None
            node = node[part]
            continue
        if not isinstance(node, dict):
            return None
        if part not in node or not isinstance(node[part], (dict, list)):
            if not create:
                return None
            node[part] = [] if last else {}
        node = node[part]
    return node if isinstance(node, list) else None
