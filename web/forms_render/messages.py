"""Error messages in the GOV.UK style ("Enter the date of death", "Select whether ..."), made from the
engine's validation problems (``{"field": "a.b[0].c", "message": "is required", "keyword": "required"}``) and the
field they name, chosen by the JSON-schema keyword that failed."""
from __future__ import annotations

from typing import Any

from .model import Field

UPLOAD_KEYWORD = "upload"  # not JSON Schema's: a file chosen for a file field was refused


def humanise(field: Field, keyword: str, message: str, expected: Any = None) -> str:
    """The message for ``field`` failing JSON-schema ``keyword`` (whose value was ``expected``, where plain);
    ``message`` (the engine's words) only where no better wording is known. Chosen by keyword, never by reading
    jsonschema's English, which quotes the value typed (a value could pass for another problem's words)."""
    label = _lower_first(field.label.replace(" (optional)", ""))
    schema, name, listing = field.schema, _upper_first(label), field.kind in ("checkboxes", "rows")
    if keyword == UPLOAD_KEYWORD:
        return message  # said in full, for people, where the upload was refused (engine.documents.kinds)
    if keyword == "required" or (keyword in _AT_LEAST and expected == 1) or (keyword in _TOO_SHORT and listing):
        return _required(field, label)
    if keyword == "format" and expected == "date":
        return f"{name} must be a real date"
    if keyword == "type" and _first(expected) == "integer":
        return f"{name} must be a whole number, like 12"
    if keyword == "type" and _first(expected) == "number":
        return f"{name} must be a number"
    if keyword in ("minimum", "maximum"):
        bound = schema.get(keyword) if schema.get(keyword) is not None else expected
        return f"{name} must be {'allowed' if bound is None else bound} " + \
            ("or more" if keyword == "minimum" else "or less")
    if keyword in _TOO_SHORT:
        least = schema.get("minLength")
        return f"{name} must be {least} characters or more" if least else f"{name} is too short: give more detail"
    if keyword in ("maxLength", "maxItems") and expected != 0:  # at most none: jsonschema's "expected to be empty"
        if listing:
            return f"{name}: choose no more than {schema.get('maxItems', 'the allowed number')}"
        return f"{name} must be {schema.get('maxLength', 'fewer')} characters or fewer"
    if keyword == "const" and field.kind == "checkbox":
        return f"Confirm {label} by ticking the box"
    return _BY_KEYWORD[keyword].format(name=name, label=label) if keyword in _BY_KEYWORD else f"{name}: {message}"


def _first(types: Any) -> Any:
    """The first type asked for, as jsonschema names it first ("is not of type 'integer', 'null'")."""
    return types[0] if isinstance(types, list) and types else types


_AT_LEAST = ("minItems", "minLength", "minProperties")
_TOO_SHORT = ("minItems", "minLength")
_BY_KEYWORD = {"enum": "Select {label} from the options given", "const": "Select {label} from the options given",
               "pattern": "Enter {label} in the format shown",
               "uniqueItems": "{name} has the same answer more than once",
               "not": "{name} cannot be that answer here",
               "lif-file": "Upload {label} again: the file given is not one uploaded to this task"}


def _required(field: Field, label: str) -> str:
    if field.kind in ("radios", "select", "yesno"):
        return f"Select an answer for ‘{_upper_first(label)}’" if label.endswith("?") else f"Select {label}"
    if field.kind == "checkboxes":
        return f"Select at least one option for {label}"
    if field.kind == "rows":
        return f"Add at least one {field.item_label} to {label}"
    if field.kind == "object":
        return f"Complete {label}" if label else "Complete the form"
    if field.kind == "file":
        return f"Upload {label}"
    return f"Enter {label}"


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]
