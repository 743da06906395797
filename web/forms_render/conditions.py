"""Hints for conditional fields. A form shows every field; those a schema requires only in some cases
(``allOf`` of ``if``/``then``, or ``anyOf`` of ``required``) get a hint that says when they are needed."""
from __future__ import annotations

from typing import Any

from .model import sub_object


def conditional_hints(schema: dict[str, Any], properties: dict[str, Any]) -> dict[str, str]:
    """Property name -> a hint such as "Required if ‘Nil return’ is No"."""
    hints: dict[str, list[str]] = {}
    for clause in _clauses(schema):
        then = sub_object(clause, "then")
        when = _describe(clause.get("if"), properties)
        for name in then.get("required") or []:
            hints.setdefault(name, []).append(when)
    for group in _any_of_required(schema):
        labels = " or ".join(f"‘{_label(properties, n)}’" for n in group)
        for name in group:
            hints.setdefault(name, []).append(f"Give {labels}")
    return {name: _join(texts) for name, texts in hints.items()}


def any_of_groups(schema: dict[str, Any]) -> list[list[str]]:
    return list(_any_of_required(schema))


def _clauses(schema: dict[str, Any]) -> list[dict[str, Any]]:
    clauses = [c for c in schema.get("allOf") or [] if isinstance(c, dict) and "if" in c]
    if "if" in schema:
        clauses.append(schema)
    return clauses


def _any_of_required(schema: dict[str, Any]):
    for part in [schema, *(c for c in schema.get("allOf") or [] if isinstance(c, dict))]:
        options = part.get("anyOf")
        if isinstance(options, list) and options and all(isinstance(o, dict) and set(o) == {"required"}
                                                         for o in options):
            yield [name for o in options for name in o["required"]]


def _describe(condition: Any, properties: dict[str, Any]) -> str:
    if not isinstance(condition, dict) or not isinstance(condition.get("properties"), dict):
        return "Required in some cases"
    parts = []
    for name, test in condition["properties"].items():
        if not isinstance(test, dict):
            continue
        label = _label(properties, name)
        if "const" in test:
            parts.append(f"‘{label}’ is {_choice_label(properties, name, test['const'])}")
        elif isinstance(test.get("enum"), list):
            options = " or ".join(_choice_label(properties, name, v) for v in test["enum"])
            parts.append(f"‘{label}’ is {options}")
        elif isinstance(test.get("not"), dict) and test["not"].get("const") not in (None, ""):
            parts.append(f"‘{label}’ is not {_choice_label(properties, name, test['not']['const'])}")
        elif test.get("minItems"):
            parts.append(f"‘{label}’ has an answer")
    return "Required if " + " and ".join(parts) if parts else "Required in some cases"


def _label(properties: dict[str, Any], name: str) -> str:
    schema = sub_object(properties, name)
    return schema.get("title") or name.replace("_", " ").capitalize()


def _choice_label(properties: dict[str, Any], name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    schema = sub_object(properties, name)
    enum, names = schema.get("enum") or [], schema.get("x-enumNames") or []
    if value in enum and enum.index(value) < len(names):
        return f"‘{names[enum.index(value)]}’"
    return f"‘{value}’"


def _join(texts: list[str]) -> str:
    unique = list(dict.fromkeys(texts))
    if "Required in some cases" in unique and len(unique) > 1:
        unique.remove("Required in some cases")
    return "; ".join(unique)
