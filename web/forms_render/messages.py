"""Error messages in the GOV.UK style ("Enter the date of death", "Select whether ..."), made from the
engine's validation problems (``{"field": "a.b[0].c", "message": "is required"}``) and the field they name."""
from __future__ import annotations

import re
from typing import Any

from .model import Field

_NUMBER = re.compile(r"(-?\d+(?:\.\d+)?)\s*$")


def humanise(field: Field, message: str) -> str:
    label = _lower_first(field.label.replace(" (optional)", ""))
    schema = field.schema
    if message == "is required":
        return _required(field, label)
    if "is not a 'date'" in message:
        return f"{_upper_first(label)} must be a real date"
    if "is not of type 'integer'" in message:
        return f"{_upper_first(label)} must be a whole number, like 12"
    if "is not of type 'number'" in message:
        return f"{_upper_first(label)} must be a number"
    if "is less than the minimum" in message:
        return f"{_upper_first(label)} must be {_limit(message, schema.get('minimum'))} or more"
    if "is greater than the maximum" in message:
        return f"{_upper_first(label)} must be {_limit(message, schema.get('maximum'))} or less"
    if "should be non-empty" in message or ("is too short" in message and field.kind in ("checkboxes", "rows")):
        return _required(field, label)
    if "is too short" in message:
        least = schema.get("minLength")
        return f"{_upper_first(label)} must be {least} characters or more" if least else \
            f"{_upper_first(label)} is too short: give more detail"
    if "is too long" in message:
        if field.kind in ("checkboxes", "rows"):
            return f"{_upper_first(label)}: choose no more than {schema.get('maxItems', 'the allowed number')}"
        return f"{_upper_first(label)} must be {schema.get('maxLength', 'fewer')} characters or fewer"
    if field.kind == "checkbox" and "was expected" in message:
        return f"Confirm {label} by ticking the box"
    if "is not one of" in message or "was expected" in message:
        return f"Select {label} from the options given"
    if "does not match" in message:
        return f"Enter {label} in the format shown"
    if "non-unique" in message:
        return f"{_upper_first(label)} has the same answer more than once"
    if "should not be valid under" in message:
        return f"{_upper_first(label)} cannot be that answer here"
    return f"{_upper_first(label)}: {message}"


def _required(field: Field, label: str) -> str:
    if field.kind in ("radios", "select", "yesno"):
        return f"Select an answer for ‘{_upper_first(label)}’" if label.endswith("?") else f"Select {label}"
    if field.kind == "checkboxes":
        return f"Select at least one option for {label}"
    if field.kind == "rows":
        return f"Add at least one {field.item_label} to {label}"
    if field.kind == "object":
        return f"Complete {label}" if label else "Complete the form"
    return f"Enter {label}"


def _limit(message: str, value: Any) -> str:
    if value is not None:
        return str(value)
    found = _NUMBER.search(message)
    return found.group(1) if found else "allowed"


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]
