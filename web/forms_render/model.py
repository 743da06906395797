"""The rendered form's tree: one ``Field`` per input, fieldset or repeating group, named by the same path the
engine uses in its errors (``report.completed_by``, ``actions[0].action``)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(r"\[(\d+)\]|([^.\[\]]+)")
_KEY = re.compile(r"^[a-z]+(?:_[a-z0-9]+)+$")
SCALAR_KINDS = ("text", "textarea", "integer", "number", "date", "radios", "yesno", "select", "checkbox", "file")
FILE_SUFFIX = "-file"  # a file field's file input is named after it with this suffix; the field holds the id


def split_path(path: str) -> list[str | int]:
    """``"a.b[0].c"`` as ``["a", "b", 0, "c"]``."""
    return [int(index) if index else name for index, name in _TOKEN.findall(path)]


def sub_object(mapping: dict[str, Any], key: str) -> dict[str, Any]:
    """The JSON object under ``key``, or an empty one when it is missing or not an object (schemas are read
    leniently: a malformed part is treated as absent)."""
    value = mapping.get(key)
    return value if isinstance(value, dict) else {}


def join_path(parent: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{parent}[{part}]"
    return f"{parent}.{part}" if parent else part


def field_id(path: str) -> str:
    """An HTML id for a path: ``a.b[0].c`` becomes ``f-a-b-0-c``."""
    return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", path.replace("]", "")).strip("-") if path else "f-form"


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass
class Field:
    path: str
    kind: str  # a SCALAR_KINDS entry, or checkboxes, readonly, object, rows
    label: str
    hint: str | None = None
    required: bool = False
    value: Any = None
    choices: list[Choice] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    schema: dict[str, Any] = field(default_factory=dict)
    item_label: str = "item"
    error: str | None = None
    depth: int = 0
    document: Any = None  # a file field's document (an engine.documents.records.DocumentInfo), when it holds one
    reveals: dict[str, list[Field]] = field(default_factory=dict)  # answer's value -> the fields shown under it
    revealed_by: str | None = None  # the path of the question this field is revealed under (drawn there, not here)
    reveal_note: str | None = None  # said without JavaScript, where a revealed field is always shown

    @property
    def id(self) -> str:
        return field_id(self.path)

    @property
    def name(self) -> str:
        return self.path

    @property
    def file_input_name(self) -> str:
        return self.path + FILE_SUFFIX

    @property
    def target_id(self) -> str:
        """Where the error summary's link should move focus: the first input of this field."""
        if self.kind == "date":
            return self.id + "-day"
        if self.kind in ("object", "rows") and self.children:
            return self.children[0].target_id
        return self.id

    @property
    def text_value(self) -> str:
        if self.value is None:
            return ""
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return str(self.value)

    @property
    def date_parts(self) -> tuple[str, str, str]:
        """Day, month and year of a ``YYYY-MM-DD`` value (or of what the user typed)."""
        parts = (self.text_value.split("-") + ["", "", ""])[:3] if self.value else ["", "", ""]
        year, month, day = parts
        return day, month, year

    def is_selected(self, choice: Choice) -> bool:
        if isinstance(self.value, list):
            return choice.value in {_as_text(v) for v in self.value}
        return self.value is not None and _as_text(self.value) == choice.value

    @property
    def display_value(self) -> str:
        labels = {c.value: c.label for c in self.choices}
        if isinstance(self.value, list):
            return ", ".join(labels.get(_as_text(v), _as_text(v)) for v in self.value)
        if self.value is None:
            return "Not given"
        # a choice no longer offered (a retired learning theme) is still read in words, not as its key
        return labels.get(self.text_value) or (self.text_value.replace("_", " ").capitalize()
                                               if _KEY.match(self.text_value) else self.text_value)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class Form:
    root: Field
    title: str | None
    summary: list[tuple[str, str]] = field(default_factory=list)  # (message, href) in page order

    @property
    def has_errors(self) -> bool:
        return bool(self.summary)

    @property
    def has_files(self) -> bool:
        """A form with a file field is posted as ``multipart/form-data``."""
        return any(f.kind == "file" for f in self.root.walk())
