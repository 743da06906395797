"""Conditional fields. Those a schema requires only in some cases (``allOf`` of ``if``/``then``, or ``anyOf`` of
``required``) are either revealed under the answer that asks for them (GOV.UK's conditional reveal, when the
condition is one answer of one radio, yes/no or tick-box question beside them) or shown with a hint that says
when they are needed. ``needed`` tells whether a field is asked at all given the answers so far, so that a
long form skips the pages nobody has to fill in (the standards of a nil return)."""
from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from .model import sub_object

REVEALING_KINDS = ("radios", "yesno", "checkbox")  # the questions GOV.UK reveals further questions under
SOME_CASES = "Needed in some cases"


def conditional_hints(schema: dict[str, Any], properties: dict[str, Any],
                      kinds: dict[str, str] | None = None) -> dict[str, str]:
    """Property name -> a hint such as "Needed if you choose ‘Amber’ or ‘Red’" (``kinds``, the fields' kinds,
    tell a tick box from a yes/no question)."""
    hints: dict[str, list[str]] = {}
    for name, clauses in _requiring(schema).items():
        hints[name] = [_describe(clauses, properties, kinds or {})]
    for group in _any_of_required(schema):
        labels = " or ".join(f"‘{_label(properties, n)}’" for n in group)
        for name in group:
            hints.setdefault(name, []).append(f"Give {labels}")
    return {name: _join(texts) for name, texts in hints.items()}


def reveals(schema: dict[str, Any], kinds: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Property name -> (the sibling question it is revealed under, the answer's value as posted), for the fields
    that every ``then`` asking for them asks on the same single answer of a radio, yes/no or tick-box question.
    ``kinds`` are the siblings' field kinds."""
    out: dict[str, tuple[str, str]] = {}
    required = set(schema.get("required") or [])
    for name, clauses in _requiring(schema).items():
        answers = {_single_answer(c.get("if")) for c in clauses}
        if name in required or len(answers) != 1 or kinds.get(name) in (None, "object", "rows", "readonly"):
            continue
        answer = answers.pop()
        if answer is None or kinds.get(answer[0]) not in REVEALING_KINDS or answer[0] == name:
            continue
        controller, value = answer
        if kinds[controller] == "checkbox" and value != "true":
            continue
        out[name] = answer
    return out


def needed(schema: dict[str, Any], name: str, values: dict[str, Any]) -> bool:
    """Whether the top-level field ``name`` is asked given ``values``: always, unless only a ``then`` asks for it
    and no ``if`` before it holds. An ``if`` on a question not answered yet may still hold, so it counts."""
    clauses = _requiring(schema).get(name)
    if not clauses or name in (schema.get("required") or []):
        return True
    conditions = [c["if"] for c in clauses if isinstance(c.get("if"), dict)]
    return any(any(n not in values for n in c.get("required") or []) or Draft202012Validator(c).is_valid(values)
               for c in conditions)


def any_of_groups(schema: dict[str, Any]) -> list[list[str]]:
    return list(_any_of_required(schema))


def _requiring(schema: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Property name -> the ``if``/``then`` clauses whose ``then`` requires it."""
    found: dict[str, list[dict[str, Any]]] = {}
    for clause in _clauses(schema):
        for name in sub_object(clause, "then").get("required") or []:
            found.setdefault(name, []).append(clause)
    return found


def _clauses(schema: dict[str, Any]) -> list[dict[str, Any]]:
    clauses = [c for c in schema.get("allOf") or [] if isinstance(c, dict) and "if" in c]
    if "if" in schema:
        clauses.append(schema)
    return clauses


def _single_answer(condition: Any) -> tuple[str, str] | None:
    """``(name, value)`` when the condition is one value of one property, else None."""
    tests = condition.get("properties") if isinstance(condition, dict) else None
    if not isinstance(tests, dict) or len(tests) != 1:
        return None
    name, test = next(iter(tests.items()))
    values = _values(test)
    return (name, _text(values[0])) if values is not None and len(values) == 1 else None


def _values(test: Any) -> list[Any] | None:
    if not isinstance(test, dict):
        return None
    if "const" in test:
        return [test["const"]]
    return list(test["enum"]) if isinstance(test.get("enum"), list) else None


def _any_of_required(schema: dict[str, Any]):
    for part in [schema, *(c for c in schema.get("allOf") or [] if isinstance(c, dict))]:
        options = part.get("anyOf")
        if isinstance(options, list) and options and all(isinstance(o, dict) and set(o) == {"required"}
                                                         for o in options):
            yield [name for o in options for name in o["required"]]


def _describe(clauses: list[dict[str, Any]], properties: dict[str, Any], kinds: dict[str, str]) -> str:
    """The clauses' conditions in words. Conditions on one question's answers are joined into one sentence and,
    when that is shorter, said as the answers that do not need the field."""
    on: dict[str, list[Any]] = {}
    for clause in clauses:
        tests = clause.get("if", {}).get("properties") if isinstance(clause.get("if"), dict) else None
        if not isinstance(tests, dict) or len(tests) != 1:
            return SOME_CASES
        name, test = next(iter(tests.items()))
        values = _values(test)
        if values is None:
            return SOME_CASES
        on.setdefault(name, []).extend(values)
    if len(on) != 1:
        return SOME_CASES
    name, values = next(iter(on.items()))
    return _on_one_question(properties, name, list(dict.fromkeys(values)), kinds.get(name))


def _on_one_question(properties: dict[str, Any], name: str, values: list[Any], kind: str | None) -> str:
    schema = sub_object(properties, name)
    label = _label(properties, name)
    if kind == "checkbox" and len(values) == 1 and isinstance(values[0], bool):
        return f"Needed if you tick ‘{label}’" if values[0] else f"Not needed if you tick ‘{label}’"
    if isinstance(values[0], bool) and len(values) == 1:
        return f"Needed if you answer {_choice_label(properties, name, values[0])} to ‘{label}’"
    enum: list[Any] = schema["enum"] if isinstance(schema.get("enum"), list) else []
    others = [v for v in enum if v not in values]
    if enum and 0 < len(others) < len(values):
        return "Not needed if you choose " + " or ".join(_choice_label(properties, name, v) for v in others)
    return "Needed if you choose " + " or ".join(_choice_label(properties, name, v) for v in values)


def _label(properties: dict[str, Any], name: str) -> str:
    schema = sub_object(properties, name)
    return schema.get("title") or name.replace("_", " ").capitalize()


def _choice_label(properties: dict[str, Any], name: str, value: Any) -> str:
    """The answer's name, up to a colon ("Amber" for "Amber: partially met")."""
    if isinstance(value, bool):
        return "‘Yes’" if value else "‘No’"
    schema = sub_object(properties, name)
    enum, names = schema.get("enum") or [], schema.get("x-enumNames") or []
    if value in enum and enum.index(value) < len(names):
        return f"‘{str(names[enum.index(value)]).split(':')[0]}’"
    return f"‘{value}’"


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _join(texts: list[str]) -> str:
    unique = list(dict.fromkeys(texts))
    if SOME_CASES in unique and len(unique) > 1:
        unique.remove(SOME_CASES)
    return "; ".join(unique)
