"""Server-side rendering of JSON-schema task forms: ``build_form`` turns a schema, UI schema, values and the
engine's validation problems into a ``Form`` tree that ``templates/forms/fields.html`` renders with the GOV.UK
Frontend macros; ``parse_form`` reads a posted form back into typed JSON. No JavaScript is needed."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .build import build_tree
from .conditions import any_of_groups
from .files import REMOVE_FILE, UPLOAD_FILE, attach_documents, chosen_files, file_label, hold_documents
from .messages import UPLOAD_KEYWORD, humanise
from .model import Field, Form, field_id
from .parse import ROWS_SUFFIX, apply_row_action, parse_form
from .sections import Section, asked, form_sections, merge_section, only_asked, section_of
from .suggested import hold_back, note_suggestions

__all__ = ["Field", "Form", "REMOVE_FILE", "ROWS_SUFFIX", "Section", "UPLOAD_FILE", "UPLOAD_KEYWORD",
           "apply_row_action", "asked", "build_form", "chosen_files", "field_id", "file_label", "form_sections",
           "hold_back", "hold_documents", "merge_section", "note_suggestions", "only_asked", "parse_form", "section_of"]

ANY_OF = ("anyOf", "oneOf")  # the keywords of a choice between groups of fields (see ``conditions.any_of_groups``)


def build_form(schema: dict[str, Any], ui: dict[str, Any] | None, values: Any,
               problems: list[dict[str, Any]] | None = None, documents: Mapping[str, Any] | None = None) -> Form:
    """The form's tree; ``documents`` (by id) are the task's, which its file fields may show."""
    root = build_tree(schema, ui, values)
    form = Form(root=root, title=schema.get("title"))
    attach_documents(form, documents or {})
    if problems:
        _attach(form, schema, problems)
    return form


def _attach(form: Form, schema: dict[str, Any], problems: list[dict[str, Any]]) -> None:
    by_path = {f.path: f for f in form.root.walk()}
    root_messages = []
    for problem in problems:
        path = str(problem.get("field") or "")
        message, keyword = str(problem.get("message") or "is not valid"), str(problem.get("keyword") or "")
        if not path and keyword in ANY_OF:
            root_messages.extend(_any_of_messages(schema, by_path))
            continue
        target = _nearest(by_path, path)
        if target is form.root:
            root_messages.append(("There is a problem with your answers: " + message, "#" + _first_target(form)))
            continue
        missing = _missing_inside(target) if keyword == "required" and target.path == path else []
        for field in missing:  # a whole group left empty: name each question it needs, as GOV.UK does
            field.error = field.error or humanise(field, keyword, message)
        if target.error is None and not missing:  # the first problem of a field is the one shown, as GOV.UK does
            target.error = humanise(target, keyword, message, problem.get("expected"))
    summary = [(f.error, "#" + f.target_id) for f in form.root.walk() if f.error]
    form.summary = list(dict.fromkeys(root_messages)) + summary


def _any_of_messages(schema: dict[str, Any], by_path: dict[str, Field]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for group in any_of_groups(schema):
        fields = [by_path[name] for name in group if name in by_path]
        if fields:
            labels = " or ".join(f.label.replace(" (optional)", "") for f in fields)
            fields[0].error = fields[0].error or f"Enter {labels[:1].lower() + labels[1:]}"
    return out


def _missing_inside(group: Field) -> list[Field]:
    """The unanswered questions a required group needs (through its required groups), in the page's order."""
    if group.kind != "object":
        return []
    out: list[Field] = []
    for child in group.children:
        if child.kind == "object" and child.required:
            out.extend(_missing_inside(child) or [child])
        elif child.required and child.kind != "readonly" and child.value in (None, "", []):
            out.append(child)
    return out


def _nearest(by_path: dict[str, Field], path: str) -> Field:
    while path and path not in by_path:
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return by_path.get(path) or by_path[""]


def _first_target(form: Form) -> str:
    return form.root.children[0].target_id if form.root.children else field_id("")
