"""Task forms: JSON schemas rendered with (sandboxed) Jinja in a sandbox worker when served, as spiff-arena does,
and submitted data checked against them with every failing field reported by its path and the JSON-schema keyword
it failed (so the pages word each problem without reading jsonschema's English)."""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypedDict, cast

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for

from ..sandbox import templates
from ..text import json_problem
from ..text import problem as text_problem
from . import form_regex

SAMPLE_CONTEXT: dict[str, Any] = {
    "agencies": [{"key": "sample", "name": "Sample agency"}],
    "agency_keys": ["sample"], "agency_names": ["Sample agency"],
    "users": [{"username": "sample", "full_name": "Sample user", "roles": ["reviewer"], "agency": "sample"}],
    "usernames": ["sample"], "user_names": ["Sample user"],
    # the pickers of people (engine.people.accounts.form_context, engine.reads.task_people): never empty at deploy
    "case_workers": ["sample"], "case_worker_names": ["Sample user"],
    "agency_staff": ["sample"], "agency_staff_names": ["Sample user"],
    "task_people": ["sample"], "task_people_names": ["Sample user"],
    "role_usernames": {r: ["sample"] for r in ("coordinator", "chair", "reviewer", "partner")},
    "role_user_names": {r: ["Sample user"] for r in ("coordinator", "chair", "reviewer", "partner")},
    # the coordinators' learning themes (engine.people.accounts.learning_themes)
    "learning_themes": ["sample"], "learning_theme_names": ["Sample theme"],
}


TEXT_KEYWORD = "text"  # not JSON Schema's: our check that a string is text a page can show


class FormProblem(TypedDict):
    """One way submitted data fails its form, as ``InvalidData`` details carry it (and the API shows it)."""
    field: str  # the path, "a.b[0].c"; "" for the whole form
    message: str  # jsonschema's words, or ours
    keyword: str  # the JSON-schema keyword that failed ("required", "minLength", ...), or TEXT_KEYWORD
    expected: Any  # the keyword's value where it is plain (a bound, a format, the types), else None


class FormError(Exception):
    pass


def render_schema(text: str, context: dict[str, Any], *, strict: bool = False) -> dict[str, Any]:
    """Render a schema file's Jinja against ``context`` and parse it as JSON."""
    try:
        schema = json.loads(templates.render(text, context, strict=strict))
    except json.JSONDecodeError as exc:
        raise FormError(f"not valid JSON after rendering (line {exc.lineno}): {exc.msg}") from None
    except (templates.TemplateError, RecursionError) as exc:
        raise FormError(f"template error: {exc}") from None
    if not isinstance(schema, dict):
        raise FormError("a form schema must be a JSON object")
    problem = json_problem(schema)
    if problem:  # it could never be shown on a page
        raise FormError(problem)
    return schema


def render_form_files(texts: Sequence[str | None], context: Callable[[], dict[str, Any]]
                      ) -> list[dict[str, Any] | None]:
    """A task's form files (its schema, its UI schema) rendered and parsed, None for one it lacks. ``context`` is
    asked for only when a file is a template, since building it costs a query; plain JSON needs none."""
    values = context() if any(t and templates.has_template_syntax(t) for t in texts) else {}
    return [render_schema(t, values) if t else None for t in texts]


def check_schema(schema: dict[str, Any]) -> str | None:
    """The reason ``schema`` is not a valid JSON Schema, or None."""
    try:
        # the meta-schema's ``regex`` format (every ``pattern``) judged by RE2, which will run them
        # (the stub's Validator protocol lacks check_schema's ``format_checker``, which jsonschema 4 has)
        validator_for(schema, default=Draft202012Validator).check_schema(  # type: ignore[call-arg]
            schema, format_checker=form_regex.FORMATS)
    except SchemaError as exc:
        where = _field_path(exc.absolute_path)
        return f"not a valid JSON Schema: {exc.message}" + (f" (at {where})" if where else "")
    return None


def submission_problems(schema: dict[str, Any], data: Any, ui_schema: dict[str, Any] | None = None
                        ) -> list[FormProblem]:
    """Each way ``data`` fails ``schema``: ``{"field": "a.b[0].c", "message": ..., "keyword": "required"}``,
    sorted by field; ``keyword`` is the JSON-schema keyword that failed (``text`` for the text check). Text is
    checked too: a string field is one line without control characters, unless ``ui_schema`` gives it the
    ``textarea`` widget (then line breaks and tabs are allowed)."""
    unusable = form_regex.pattern_problems(schema)  # refused at deploy, unless the rendering made them
    if unusable:
        return [{"field": "", "message": f"the form cannot be checked: {where}: {reason}", "keyword": "pattern",
                 "expected": None} for where, reason in unusable]
    validator = form_regex.validator_for(schema)  # patterns matched by RE2, in linear time
    problems: list[FormProblem] = []
    for error in validator.iter_errors(data):
        path = _field_path(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            missing = [name for name in cast(list[str], error.validator_value) if name not in error.instance]
            for name in missing:
                problems.append({"field": f"{path}.{name}" if path else name, "message": "is required",
                                 "keyword": "required", "expected": None})
            continue
        problems.append({"field": path, "message": error.message, "keyword": str(error.validator),
                         "expected": _plain_value(error.validator, error.validator_value)})
    problems.extend(_text_problems(data, ui_schema, ""))
    # jsonschema reports each missing required property as its own error, each naming the whole list
    unique = {(p["field"], p["message"]): p for p in problems}
    return sorted(unique.values(), key=lambda p: (p["field"], p["message"]))


def _text_problems(value: Any, ui: Any, path: str) -> list[FormProblem]:
    ui = ui if isinstance(ui, dict) else {}
    if isinstance(value, str):
        found = text_problem(value, multiline=ui.get("ui:widget") == "textarea")
        return [{"field": path, "message": found, "keyword": TEXT_KEYWORD, "expected": None}] if found else []
    if isinstance(value, dict):
        return [p for key, item in value.items()
                for p in _text_problems(item, ui.get(key), f"{path}.{key}" if path else str(key))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _text_problems(item, ui.get("items"), f"{path}[{i}]")]
    return []


def _plain_value(keyword: Any, value: Any) -> Any:
    """A keyword's value worth carrying with its problem: a bound (``minLength`` 1 is "enter something"), a format,
    a constant, the types asked for; not a list of choices or a subschema, which can be long."""
    if isinstance(value, (str, int, float, bool)):
        return value
    if keyword == "type" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def _field_path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
