"""Building the form tree from a task's JSON schema, its rjsf-style UI schema and the current values.

Every construct the shipped forms use is covered: strings, long text (``ui:widget: textarea``), integers and
numbers, dates (``format: date``), enums as radios or selects (``x-enumNames`` or ``oneOf`` titles), multi-select
(an array of enums, as checkboxes), booleans (a checkbox, or Yes/No radios), nested objects, arrays of objects
or of strings (repeating groups with add and remove buttons), ``readOnly`` values, required fields and
conditional ones (``if``/``then``, ``anyOf`` of ``required``): revealed under the answer that asks for them, or
shown with a hint saying when they are needed (``conditions``); the engine validates them. A schema's ``default``
fills in a typed answer (a sample size) but never chooses an option: GOV.UK advises against pre-selected radios,
and an answer nobody gave must not read as one. A file field (``format: lif-file``) is GOV.UK's file upload; its
value is the id of the document uploaded to it."""
from __future__ import annotations

from typing import Any

from engine.documents.fields import FILE_FORMAT

from .conditions import conditional_hints, reveals
from .model import Choice, Field, join_path, sub_object

RADIO_LIMIT = 6  # enums with more options than this become a select unless the UI schema says otherwise
CHOOSING = ("radios", "yesno", "select", "checkbox", "checkboxes")  # kinds a default never answers


def build_tree(schema: dict[str, Any], ui: dict[str, Any] | None, values: Any, *, defaults: bool = True) -> Field:
    """The form's tree; with ``defaults`` (a form to fill in) the schema's defaults fill empty typed answers."""
    return _object("", schema, ui or {}, values if isinstance(values, dict) else {}, label=schema.get("title") or "",
                   required=True, hint=None, depth=0, defaults=defaults)


def _build(path: str, schema: dict[str, Any], ui: dict[str, Any], value: Any, *, label: str, required: bool,
           hint: str | None, depth: int, defaults: bool) -> Field:
    hint = ui.get("ui:help") or schema.get("description") or hint
    kind = _kind(schema, ui)
    if value is None and defaults and "default" in schema and kind not in CHOOSING and not schema.get("readOnly"):
        value = schema["default"]
    if kind == "object":
        return _object(path, schema, ui, value if isinstance(value, dict) else {}, label=label, required=required,
                       hint=hint, depth=depth, defaults=defaults)
    if kind == "rows":
        return _rows(path, schema, ui, value if isinstance(value, list) else [], label=label, required=required,
                     hint=hint, depth=depth, defaults=defaults)
    if kind == "readonly" and value is None and "const" in schema:
        value = schema["const"]
    source = schema.get("items", {}) if kind == "checkboxes" else schema
    return Field(path=path, kind=kind, label=label, hint=hint, required=required, value=value,
                 choices=_choices(source, kind), schema=schema, depth=depth)


def _kind(schema: dict[str, Any], ui: dict[str, Any]) -> str:
    widget = ui.get("ui:widget")
    kind = _type(schema)
    if schema.get("format") == FILE_FORMAT:
        return "file"
    if schema.get("readOnly"):
        return "readonly"
    if kind == "object" or "properties" in schema:
        return "object"
    if kind == "array":
        items = schema.get("items") or {}
        return "checkboxes" if widget == "checkboxes" or _choices(items, "") else "rows"
    if kind == "boolean":
        return "yesno" if widget in ("radio", "select") else "checkbox"
    if _choices(schema, ""):
        if widget in ("radio", "select"):
            return "radios" if widget == "radio" else "select"
        return "radios" if len(_choices(schema, "")) <= RADIO_LIMIT else "select"
    if kind in ("integer", "number"):
        return kind
    if schema.get("format") == "date" or widget == "date":
        return "date"
    return "textarea" if widget == "textarea" else "text"


def _type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind


def _choices(schema: dict[str, Any], kind: str) -> list[Choice]:
    if kind == "yesno":
        return [Choice("true", "Yes"), Choice("false", "No")]
    if kind == "checkbox":
        return [Choice("true", "Yes")]
    if isinstance(schema.get("enum"), list):
        names = schema.get("x-enumNames") or schema.get("enumNames") or []
        return [Choice(_text(v), str(names[i]) if i < len(names) else _text(v)) for i, v in enumerate(schema["enum"])]
    options = schema.get("oneOf") or schema.get("anyOf")
    if isinstance(options, list) and options and all(isinstance(o, dict) and "const" in o for o in options):
        return [Choice(_text(o["const"]), str(o.get("title", o["const"]))) for o in options]
    return []


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _object(path: str, schema: dict[str, Any], ui: dict[str, Any], values: dict[str, Any], *, label: str,
            required: bool, hint: str | None, depth: int, defaults: bool) -> Field:
    properties: dict[str, Any] = schema.get("properties") or {}
    needed = set(schema.get("required") or [])
    kinds = {name: _kind(sub_object(properties, name), sub_object(ui, name)) for name in properties}
    conditional = conditional_hints(schema, properties, kinds)
    revealed = reveals(schema, kinds)
    children = []
    for name in _ordered(properties, ui.get("ui:order")):
        child_schema = sub_object(properties, name)
        child_label = child_schema.get("title") or name.replace("_", " ").capitalize()
        is_required = name in needed
        if not is_required and name not in conditional and "optional" not in child_label.lower() \
                and kinds[name] not in ("readonly", "checkbox", "object"):
            child_label += " (optional)"
        children.append(_build(join_path(path, name), child_schema, sub_object(ui, name), values.get(name),
                               label=child_label, required=is_required,
                               hint=None if name in revealed else conditional.get(name), depth=depth + 1,
                               defaults=defaults))
    _place_revealed(path, children, revealed)
    return Field(path=path, kind="object", label=label, hint=hint, required=required, children=children,
                 schema=schema, depth=depth)


def _place_revealed(path: str, children: list[Field], revealed: dict[str, tuple[str, str]]) -> None:
    """Hang each revealed field under the answer of the question that asks for it."""
    by_path = {child.path: child for child in children}
    for name, (controller_name, value) in revealed.items():
        child, controller = by_path[join_path(path, name)], by_path[join_path(path, controller_name)]
        child.revealed_by = controller.path
        chosen = next((c.label for c in controller.choices if c.value == value), value)
        child.reveal_note = "Answer this if you ticked the box above" if controller.kind == "checkbox" \
            else f"Answer this if you chose ‘{chosen.split(':')[0]}’ above"
        controller.reveals.setdefault(value, []).append(child)


def _ordered(properties: dict[str, Any], order: Any) -> list[str]:
    if not isinstance(order, list):
        return list(properties)
    names = [name for name in order if isinstance(name, str)]  # a UI schema may hold anything: names only
    listed = [name for name in names if name in properties]
    rest = [name for name in properties if name not in listed]
    if "*" in names:
        star = names.index("*")
        before = [n for n in names[:star] if n in properties]
        return before + rest + [n for n in listed if n not in before]
    return listed + rest


def _rows(path: str, schema: dict[str, Any], ui: dict[str, Any], values: list[Any], *, label: str, required: bool,
          hint: str | None, depth: int, defaults: bool) -> Field:
    items = sub_object(schema, "items")
    item_ui = sub_object(ui, "items")
    item_label = items.get("title") or "Item"
    children = []
    for index in range(max(len(values), 1)):
        value = values[index] if index < len(values) else None
        children.append(_build(join_path(path, index), items, item_ui, value, label=f"{item_label} {index + 1}",
                               required=False, hint=None, depth=depth + 1, defaults=defaults))
    return Field(path=path, kind="rows", label=label, hint=hint, required=required, children=children,
                 schema=schema, item_label=item_label.lower() if item_label[1:].islower() else item_label,
                 depth=depth)
