"""File fields without JavaScript. A file field (``format: lif-file``) is drawn as GOV.UK's file upload inside the
task's form, which is posted as ``multipart/form-data``: a hidden input named after the field carries the id of
the document it holds, the file input beside it (the field's name and ``-file``) a file chosen to upload. Any
button of the form sends the chosen files with the other answers, so a person who picks a file and presses
"Complete task" is not asked twice; "Upload" keeps the answers as a draft and comes back to the page, which
then shows the file's name and size with the options to replace or remove it."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict

from engine.documents.fields import is_file_field, set_value, split_path

from .model import FILE_SUFFIX, Form, sub_object

REMOVE_FILE = "remove-file:"  # the action of a file field's "Remove" button, before the field's path
UPLOAD_FILE = "upload:"  # the action of its "Upload" button


def attach_documents(form: Form, documents: Mapping[str, Any]) -> None:
    """Give each file field the document its value names (one of the task's, by id; others are not shown)."""
    for field in form.root.walk():
        if field.kind == "file" and isinstance(field.value, str):
            field.document = documents.get(field.value)


def chosen_files(schema: dict[str, Any], files: MultiDict[str, FileStorage]) -> list[tuple[str, FileStorage]]:
    """The files chosen in the form's file inputs: each file field's path and its file."""
    chosen = []
    for name, sent in files.items(multi=True):
        path = name[: -len(FILE_SUFFIX)] if name.endswith(FILE_SUFFIX) else None
        if path and sent.filename and is_file_field(schema, path):
            chosen.append((path, sent))
    return chosen


def hold_documents(values: dict[str, Any], stored: list[tuple[str, Any]], action: str) -> None:
    """The form's values with each stored document's id in its field, and the field whose "Remove" button was
    pressed emptied (its document stays, with its versions, on the task)."""
    for path, document in stored:
        set_value(values, path, document.id)
    if action.startswith(REMOVE_FILE):
        parts = split_path(action[len(REMOVE_FILE):])
        parent = _at(values, parts[:-1])
        if parts and isinstance(parent, dict) and isinstance(parts[-1], str):
            parent.pop(parts[-1], None)


def _at(values: Any, parts: list[str | int]) -> Any:
    node = values
    for part in parts:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node


def file_label(schema: dict[str, Any] | None, path: str) -> str:
    """A file field's title for people (``Chronology``; ``File (attachment 2)`` in a repeating group)."""
    node, label, row = schema or {}, "", ""
    for part in split_path(path):
        if isinstance(part, int):
            node = sub_object(node, "items")
            row = f"{(node.get('title') or 'row')} {part + 1}"
            continue
        node = sub_object(sub_object(node, "properties"), part)
        label = node.get("title") or part.replace("_", " ").capitalize()
    if row:
        return f"{label} ({row[:1].lower() + row[1:] if row[1:2].islower() else row})"
    return label or path
