"""A form's answers in words, for GOV.UK's summary list: a completed task's answers, a case's summary of what was
decided at each step, and the check-your-answers page before a task is completed.

``answer_sections`` walks the same tree ``build_form`` draws (so labels, choice names and order are the form's
own) and turns each answer into text a coordinator reads: "10 December 2026" for a date, "Yes" or "No" for a
yes/no question, the choice's name rather than its key, the chosen options of a multi-select joined in a
sentence. Answers sit in sections: the top-level fields first, then one section per group (an object's fieldset)
and per row of a repeating group ("Action 2"), titled by the group's own legend."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .build import build_tree
from .files import attach_documents
from .model import Field, Form

OPTIONAL = " (optional)"


@dataclass(frozen=True)
class Answer:
    label: str  # the question as the form asks it, without "(optional)"
    text: str  # the answer in words; "Not given" for an unanswered question when empty answers are kept
    target_id: str  # the id of the field's first input, for a "Change" link to the form
    document: Any = None  # a file field's document (engine.documents.records.DocumentInfo), when it holds one

    @property
    def answered(self) -> bool:
        return self.text != NOT_GIVEN


@dataclass(frozen=True)
class AnswerSection:
    title: str | None  # None for the form's top-level questions
    answers: tuple[Answer, ...]


NOT_GIVEN = "Not given"


def answer_sections(schema: dict[str, Any], ui: dict[str, Any] | None, values: Any, *,
                    documents: Mapping[str, Any] | None = None, keep_empty: bool = False,
                    skip: frozenset[str] = frozenset()) -> list[AnswerSection]:
    """The answers in ``values`` as sections of the form ``schema`` draws. Unanswered questions are left out unless
    ``keep_empty`` (check your answers shows them, as "Not given"); read-only fields (what the task was shown) are
    never answers; ``skip`` names top-level fields to leave out. Questions that were not asked are never shown as
    "Not given": one revealed under an answer not chosen, and the rows of a repeating group nobody filled in
    (unless the group is required)."""
    root = build_tree(schema, ui, values if isinstance(values, dict) else {}, defaults=False)
    form = Form(root=root, title=schema.get("title"))
    attach_documents(form, documents or {})
    keep = _Keep(keep_empty, _unasked(root))
    sections: list[AnswerSection] = []
    top: list[Answer] = []
    for child in root.children:
        if child.path in skip:
            continue
        if child.kind in ("object", "rows"):
            sections.extend(_group_sections(child, _plain(child.label), keep))
        else:
            answer = _answer(child, keep)
            if answer is not None:
                top.append(answer)
    if top:
        sections.insert(0, AnswerSection(None, tuple(top)))
    return [s for s in sections if s.answers]


@dataclass(frozen=True)
class _Keep:
    empty: bool  # show unanswered questions as "Not given"
    unasked: frozenset[str]  # paths of revealed questions whose answer was not chosen


def _unasked(root: Field) -> frozenset[str]:
    fields = {f.path: f for f in root.walk()}
    out = set()
    for f in fields.values():
        controller = fields.get(f.revealed_by) if f.revealed_by else None
        if controller is not None and f not in controller.reveals.get(controller.text_value, []):
            out.add(f.path)
    return frozenset(out)


def _group_sections(group: Field, title: str, keep: _Keep) -> list[AnswerSection]:
    """An object's scalar answers as one section, its nested groups and rows as sections of their own."""
    if group.kind == "rows":
        out: list[AnswerSection] = []
        rows = [row for row in group.children if _has_answer(row)]
        if not rows and keep.empty and group.required:
            rows = group.children
        for row in rows:
            row_title = f"{title}: {row.label}" if title else row.label
            if row.kind == "object":
                out.extend(_group_sections(row, row_title, keep))
            else:
                answer = _answer(row, keep)
                if answer is not None:
                    out.append(AnswerSection(row_title, (answer,)))
        return out
    answers: list[Answer] = []
    nested: list[AnswerSection] = []
    for child in group.children:
        if child.kind in ("object", "rows"):
            label = _plain(child.label)
            nested.extend(_group_sections(child, f"{title}: {label}" if title and child.kind == "object" else label,
                                          keep))
        else:
            answer = _answer(child, keep)
            if answer is not None:
                answers.append(answer)
    return [AnswerSection(title or None, tuple(answers)), *nested]


def _has_answer(field: Field) -> bool:
    return any(_text(f) != NOT_GIVEN for f in field.walk() if f.kind not in ("object", "rows", "readonly"))


def _answer(field: Field, keep: _Keep) -> Answer | None:
    if field.kind == "readonly":
        return None
    text = _text(field)
    if text == NOT_GIVEN and (not keep.empty or field.path in keep.unasked):
        return None
    return Answer(label=_plain(field.label), text=text, target_id=field.target_id, document=field.document)


def _plain(label: str) -> str:
    return label[: -len(OPTIONAL)] if label.endswith(OPTIONAL) else label


def _text(field: Field) -> str:
    value = field.value
    if value is None or value == "" or value == []:
        return NOT_GIVEN
    if field.kind == "file":
        return field.document.latest.name if field.document is not None else NOT_GIVEN
    if field.kind in ("checkbox", "yesno") and isinstance(value, bool):
        return "Yes" if value else "No"
    if field.kind == "date":
        return date_in_words(value)
    if field.kind == "checkboxes" and isinstance(value, list):
        labels = {c.value: c.label for c in field.choices}
        return in_words([labels.get(_as_text(v), _as_text(v)) for v in value])
    if field.kind in ("radios", "select"):
        return field.display_value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (dict, list)):  # a value the form does not draw as a field: say so rather than dump it
        return "Given (not shown here)"
    return str(value)


def date_in_words(value: Any) -> str:
    """``2026-12-10`` as "10 December 2026"; what cannot be read, as it was typed."""
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}"


def in_words(items: list[str]) -> str:
    """``["a", "b", "c"]`` as "a, b and c"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return items[0] if items else NOT_GIVEN
    return ", ".join(items[:-1]) + " and " + items[-1]


def _as_text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)
