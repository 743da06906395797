"""A task form as the form editor's field list, read from its JSON schema and rjsf-style UI schema and written
back. Each top-level question is a ``FormField``: its name, type, label (``title``), hint (``ui:help`` or
``description``), whether it is required, its choices (``enum`` with ``x-enumNames``) and a condition ("ask only
when <field> is <value>": an ``allOf`` clause ``if`` that answer ``then`` required, which the task page reveals
under the answer). Writing changes only what the list changed: a field read and written unchanged leaves its schema
and UI schema exactly as they were, so everything the list cannot say (lengths, patterns, nested groups, other
conditions) is kept. The rules of reading follow the task page's renderer (``web/forms_render``)."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .forms_template import is_expression

FILE_FORMAT = "lif-file"  # engine.documents.fields.FILE_FORMAT (the designer may not import documents' fields)
TYPES = {  # type -> its name for designers, in the order the editor offers them
    "text": "Text", "textarea": "Long text", "number": "Number", "integer": "Whole number", "yesno": "Yes or no",
    "checkbox": "Tick box", "date": "Date", "email": "Email address", "choice": "One choice (radios)",
    "select": "One choice (drop-down)", "choices": "Several choices (checkboxes)", "file": "File",
    "list": "List of items", "group": "Group of questions", "rows": "Repeating group of questions",
    "readonly": "Shown, not asked", "other": "Other (edit in raw JSON)",
}
CHOOSING = ("choice", "select", "choices")
FIXED = ("group", "rows", "readonly", "other")  # types the list shows but cannot make: their schema is kept as it is
RADIO_LIMIT = 6  # web.forms_render.build: more options than this and an enum without a widget is a drop-down
_TYPE_KEYS = ("type", "format", "enum", "x-enumNames", "enumNames", "items", "uniqueItems", "oneOf", "anyOf",
              "const", "properties", "readOnly")


@dataclass(frozen=True)
class FormField:
    name: str
    type: str = "text"
    label: str = ""
    hint: str = ""
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    condition: tuple[str, str] | None = None  # (the field it depends on, the answer's value as posted)
    dynamic_choices: bool = False  # the choices come from the case (a template expression): the list keeps them
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "label": self.label, "hint": self.hint,
                "required": self.required, "choices": [{"value": v, "label": lb} for v, lb in self.choices],
                "condition": {"field": self.condition[0], "value": self.condition[1]} if self.condition else None,
                "dynamic_choices": self.dynamic_choices}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FormField:
        condition = data.get("condition") or None
        return cls(name=str(data.get("name") or ""), type=str(data.get("type") or "text"),
                   label=str(data.get("label") or ""), hint=str(data.get("hint") or ""),
                   required=bool(data.get("required")),
                   choices=tuple((str(c.get("value", "")), str(c.get("label", "")))
                                 for c in _list(data.get("choices")) if isinstance(c, dict)),
                   condition=(str(condition.get("field", "")), str(condition.get("value", "")))
                   if isinstance(condition, dict) and condition.get("field") else None,
                   dynamic_choices=bool(data.get("dynamic_choices")))


def read_fields(schema: dict[str, Any], ui: dict[str, Any] | None) -> list[FormField]:
    """The form's top-level questions in the order the task page shows them."""
    ui = ui or {}
    properties = _object(schema, "properties")
    required = set(_names_in(schema.get("required")))
    conditions = _conditions(schema)
    return [_read(name, _object(properties, name), _object(ui, name), name in required, conditions.get(name))
            for name in ordered_names(properties, ui.get("ui:order"))]


def write_fields(schema: dict[str, Any], ui: dict[str, Any] | None, fields: list[FormField]
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
    """New schema and UI schema holding ``fields``: what a field changed is written, the rest kept as it was."""
    problems = field_problems(fields)
    if problems:
        raise ValueError("; ".join(problems))
    schema, ui = copy.deepcopy(schema), copy.deepcopy(ui or {})
    before = {f.name: f for f in read_fields(schema, ui)}
    wanted = {f.name for f in fields}
    for name in [n for n in before if n not in wanted]:
        _remove(schema, ui, name)
    for new in fields:
        old = before.get(new.name)
        if old is None or new != old:
            _write(schema, ui, new, old)
    names, order = [f.name for f in fields], ui.get("ui:order")
    unlisted = isinstance(order, list) and "*" not in order and any(n not in before and n not in order for n in names)
    if unlisted or names != [f.name for f in read_fields(schema, ui)]:
        ui["ui:order"] = names + (["*"] if isinstance(order, list) and "*" in order else [])
    return schema, ui


def field_problems(fields: list[FormField]) -> list[str]:
    """What makes a field list impossible to write, in words for a designer."""
    problems, seen = [], set()
    names = {f.name for f in fields}
    for f in fields:
        if not f.name.isidentifier() or not f.name.isascii():
            problems.append(f"‘{f.name}’ is not a field name: use letters, digits and underscores")
        elif f.name in seen:
            problems.append(f"there are two fields named ‘{f.name}’")
        seen.add(f.name)
        if f.type not in TYPES:
            problems.append(f"‘{f.name}’ has an unknown type")
        if f.type in CHOOSING and not f.choices and not f.dynamic_choices:
            problems.append(f"‘{f.label or f.name}’ needs at least one choice")
        if f.condition and (f.condition[0] not in names or f.condition[0] == f.name):
            problems.append(f"‘{f.label or f.name}’ depends on a field that is not in the form")
    return problems


def ordered_names(properties: dict[str, Any], order: Any) -> list[str]:
    """The names in the task page's order (``ui:order``, with ``*`` standing for the rest)."""
    if not isinstance(order, list):
        return list(properties)
    listed = [name for name in _names_in(order) if name in properties]
    rest = [name for name in properties if name not in listed]
    if "*" in order:
        before = [n for n in _names_in(order[:order.index("*")]) if n in properties]
        return before + rest + [n for n in listed if n not in before]
    return listed + rest


def new_form(title: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """An empty form pair."""
    return ({"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, "type": "object",
             "properties": {}, "required": []}, {"ui:order": []})


# reading

def _read(name: str, schema: dict[str, Any], ui: dict[str, Any], required: bool,
          condition: tuple[str, str] | None) -> FormField:
    kind = field_type(schema, ui)
    source = _object(schema, "items") if kind == "choices" else schema
    choices, dynamic = _choices(source)
    hint = ui.get("ui:help") or schema.get("description") or ""
    return FormField(name=name, type=kind, label=str(schema.get("title") or ""),
                     hint=hint if isinstance(hint, str) else "", required=required, choices=choices,
                     condition=condition, dynamic_choices=dynamic)


def field_type(schema: dict[str, Any], ui: dict[str, Any]) -> str:
    """The field's type, as the task page's renderer draws it."""
    widget = ui.get("ui:widget")
    kind = _json_type(schema)
    if schema.get("format") == FILE_FORMAT:
        return "file"
    if schema.get("readOnly"):
        return "readonly"
    if kind == "object" or "properties" in schema:
        return "group"
    if kind == "array":
        items = _object(schema, "items")
        if widget == "checkboxes" or _has_choices(items):
            return "choices"
        if "properties" in items or _json_type(items) == "object":
            return "rows"
        return "list" if _json_type(items) in ("string", None) else "other"
    if kind == "boolean":
        return "yesno" if widget in ("radio", "select") else "checkbox"
    if _has_choices(schema):
        if widget in ("radio", "select"):
            return "choice" if widget == "radio" else "select"
        count = len(_choices(schema)[0])
        return "choice" if 0 < count <= RADIO_LIMIT else "select"
    if kind in ("integer", "number"):
        return str(kind)
    if schema.get("format") == "date" or widget == "date":
        return "date"
    if schema.get("format") == "email":
        return "email"
    if kind not in ("string", None):
        return "other"
    return "textarea" if widget == "textarea" else "text"


def _json_type(schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind


def _has_choices(schema: dict[str, Any]) -> bool:
    choices, dynamic = _choices(schema)
    return bool(choices) or dynamic


def _choices(schema: dict[str, Any]) -> tuple[tuple[tuple[str, str], ...], bool]:
    """(value, label) pairs and whether they come from the case (a template expression)."""
    enum = schema.get("enum")
    if is_expression(enum):
        return (), True
    if isinstance(enum, list):
        names = _names(schema)
        return tuple((_text(v), str(names[i]) if i < len(names) else _text(v)) for i, v in enumerate(enum)), False
    options = schema.get("oneOf") or schema.get("anyOf")
    if isinstance(options, list) and options and all(isinstance(o, dict) and "const" in o for o in options):
        return tuple((_text(o["const"]), str(o.get("title", o["const"]))) for o in options), False
    return (), False


def _names(schema: dict[str, Any]) -> list[Any]:
    names = schema.get("x-enumNames") or schema.get("enumNames") or []
    return names if isinstance(names, list) else []


def _conditions(schema: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Field -> (controller, value) where every clause requiring it asks for the same single answer."""
    found: dict[str, set[tuple[str, str] | None]] = {}
    for clause in _clauses(schema):
        answer = _single_answer(clause.get("if"))
        for name in _names_in(_object(clause, "then").get("required")):
            found.setdefault(name, set()).add(answer)
    return {name: answers.pop() for name, answers in found.items()  # type: ignore[misc]
            if len(answers) == 1 and None not in answers}


def _clauses(schema: dict[str, Any]) -> list[dict[str, Any]]:
    clauses = [c for c in _list(schema.get("allOf")) if isinstance(c, dict) and "if" in c]
    return clauses + ([schema] if "if" in schema else [])


def _single_answer(condition: Any) -> tuple[str, str] | None:
    tests = condition.get("properties") if isinstance(condition, dict) else None
    if not isinstance(tests, dict) or len(tests) != 1:
        return None
    name, test = next(iter(tests.items()))
    if isinstance(test, dict) and "const" in test:
        return name, _text(test["const"])
    if isinstance(test, dict) and isinstance(test.get("enum"), list) and len(test["enum"]) == 1:
        return name, _text(test["enum"][0])
    return None


# writing

def _write(schema: dict[str, Any], ui: dict[str, Any], new: FormField, old: FormField | None) -> None:
    properties = schema.setdefault("properties", {})
    prop = properties.setdefault(new.name, {})
    item_ui = ui[new.name] if isinstance(ui.get(new.name), dict) else {}
    if old is None or new.type != old.type:
        _set_type(prop, item_ui, new.type)
    if old is None or new.label != old.label:
        _set_text(prop, "title", new.label)
    if old is None or new.hint != old.hint:
        if "ui:help" in item_ui:
            _set_text(item_ui, "ui:help", new.hint)
        else:
            _set_text(prop, "description", new.hint)
    if new.type in CHOOSING and not new.dynamic_choices and (old is None or new.type != old.type
                                                             or new.choices != old.choices):
        _set_choices(_object(prop, "items") if new.type == "choices" else prop, new.choices)
    if old is None or new.condition != old.condition:
        _unset_condition(schema, new.name)
        if new.condition:
            _set_condition(schema, new.name, new.condition)
    if old is None or new.required != old.required or new.condition != old.condition:
        _set_required(schema, new.name, new.required and not new.condition)
    if new.name not in ui and item_ui:
        ui[new.name] = item_ui


def _set_type(prop: dict[str, Any], item_ui: dict[str, Any], kind: str) -> None:
    if kind in FIXED:
        return
    for key in _TYPE_KEYS:
        prop.pop(key, None)
    item_ui.pop("ui:widget", None)
    shapes: dict[str, dict[str, Any]] = {
        "text": {"type": "string"}, "textarea": {"type": "string"}, "number": {"type": "number"},
        "integer": {"type": "integer"}, "yesno": {"type": "boolean"}, "checkbox": {"type": "boolean"},
        "date": {"type": "string", "format": "date"}, "email": {"type": "string", "format": "email"},
        "choice": {"type": "string", "enum": []}, "select": {"type": "string", "enum": []},
        "choices": {"type": "array", "items": {"type": "string", "enum": []}, "uniqueItems": True},
        "file": {"type": "string", "format": FILE_FORMAT}, "list": {"type": "array", "items": {"type": "string"}},
    }
    widgets = {"textarea": "textarea", "yesno": "radio", "choice": "radio", "select": "select",
               "choices": "checkboxes"}
    prop.update(copy.deepcopy(shapes[kind]))
    if kind in widgets:
        item_ui["ui:widget"] = widgets[kind]


def _set_text(holder: dict[str, Any], key: str, text: str) -> None:
    if text:
        holder[key] = text
    else:
        holder.pop(key, None)


def _set_choices(prop: dict[str, Any], choices: tuple[tuple[str, str], ...]) -> None:
    if isinstance(prop.get("oneOf"), list) and "enum" not in prop:
        prop["oneOf"] = [{"const": v, "title": label} for v, label in choices]
        return
    prop["enum"] = [v for v, _ in choices]
    names_key = "enumNames" if "enumNames" in prop and "x-enumNames" not in prop else "x-enumNames"
    prop[names_key] = [label or v for v, label in choices]


def _set_required(schema: dict[str, Any], name: str, required: bool) -> None:
    found = schema.get("required")
    listed: list[Any] = found if isinstance(found, list) else []
    if required and name not in listed:
        schema["required"] = [*listed, name]
    elif not required and name in listed:
        schema["required"] = [n for n in listed if n != name]


def _unset_condition(schema: dict[str, Any], name: str) -> None:
    """Take ``name`` out of every clause that requires it; a clause left asking nothing goes."""
    for clause in _clauses(schema):
        then = _object(clause, "then")
        if name in _list(then.get("required")):
            then["required"] = [n for n in then["required"] if n != name]
            if not then["required"]:
                del then["required"]
    if isinstance(schema.get("allOf"), list):
        schema["allOf"] = [c for c in schema["allOf"] if not _empty_clause(c)]
        if not schema["allOf"]:
            del schema["allOf"]


def _empty_clause(clause: Any) -> bool:
    return isinstance(clause, dict) and "if" in clause and set(clause) <= {"if", "then"} \
        and not _object(clause, "then")


def _set_condition(schema: dict[str, Any], name: str, condition: tuple[str, str]) -> None:
    controller, value = condition
    for clause in _clauses(schema):
        if _single_answer(clause.get("if")) == condition and isinstance(clause.get("then", {}), dict):
            then = clause.setdefault("then", {})
            then["required"] = [*_list(then.get("required")), name]
            return
    const = _typed(_object(_object(schema, "properties"), controller), value)
    clauses = schema.get("allOf")
    if not isinstance(clauses, list):  # not JSON Schema's list of clauses: a clause kept, anything else replaced
        clauses = schema["allOf"] = [clauses] if isinstance(clauses, dict) else []
    clauses.append({"if": {"properties": {controller: {"const": const}}, "required": [controller]},
                    "then": {"required": [name]}})


def _typed(controller: dict[str, Any], value: str) -> Any:
    """The answer as the controller's schema holds it (true for a yes/no question's "true")."""
    enum = controller.get("enum")
    for option in enum if isinstance(enum, list) else []:
        if _text(option) == value:
            return option
    if _json_type(controller) == "boolean":
        return value == "true"
    if _json_type(controller) in ("integer", "number"):
        try:
            return int(value) if _json_type(controller) == "integer" else float(value)
        except ValueError:
            return value
    return value


def _remove(schema: dict[str, Any], ui: dict[str, Any], name: str) -> None:
    _object(schema, "properties").pop(name, None)
    ui.pop(name, None)
    _set_required(schema, name, False)
    _unset_condition(schema, name)
    for clause in _clauses(schema):
        _object(_object(clause, "then"), "properties").pop(name, None)
    if isinstance(ui.get("ui:order"), list):
        ui["ui:order"] = [n for n in ui["ui:order"] if n != name]


def _object(mapping: Any, key: str) -> dict[str, Any]:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    """A list the schema holds where JSON Schema wants one; anything else (a draft may hold any JSON) as none."""
    return value if isinstance(value, list) else []


def _names_in(value: Any) -> list[str]:
    """The names in a list of names (``required``, ``ui:order``), leaving out what is not a name."""
    return [name for name in _list(value) if isinstance(name, str)]


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)
