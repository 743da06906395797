"""A form's answers in words (web.forms_render.answers): labels from the form, dates in words, choices by name,
sections per group and per row, unanswered questions left out or shown as "Not given"."""
from __future__ import annotations

from web.forms_render.answers import NOT_GIVEN, answer_sections, in_words

SCHEMA = {"type": "object", "properties": {
    "nil_return": {"type": "boolean", "title": "Nil return"},
    "report": {"type": "object", "title": "Agency report", "properties": {
        "from": {"type": "string", "format": "date", "title": "From"},
        "kind": {"type": "string", "enum": ["a", "b"], "x-enumNames": ["Alpha", "Beta"], "title": "Kind"},
        "many": {"type": "array", "title": "Many", "items": {"type": "string", "enum": ["x", "y", "z"],
                                                             "x-enumNames": ["Ex", "Why", "Zed"]}},
        "shown": {"type": "string", "readOnly": True, "title": "Shown"}}},
    "actions": {"type": "array", "title": "Actions", "items": {"type": "object", "title": "Action", "properties": {
        "what": {"type": "string", "title": "What"}}}}}}


def _flat(sections):
    return [(s.title, a.label, a.text) for s in sections for a in s.answers]


def test_answers_read_as_words_in_the_forms_sections() -> None:
    values = {"nil_return": False, "report": {"from": "2026-12-10", "kind": "b", "many": ["x", "z"], "shown": "k"},
              "actions": [{"what": "Train staff"}, {"what": "Audit"}]}
    assert _flat(answer_sections(SCHEMA, {"nil_return": {"ui:widget": "radio"}}, values)) == [
        (None, "Nil return", "No"),
        ("Agency report", "From", "10 December 2026"), ("Agency report", "Kind", "Beta"),
        ("Agency report", "Many", "Ex and Zed"),
        ("Actions: Action 1", "What", "Train staff"), ("Actions: Action 2", "What", "Audit")]


def test_unanswered_questions_are_left_out_or_shown_as_not_given() -> None:
    assert answer_sections(SCHEMA, {}, {}) == []
    kept = _flat(answer_sections(SCHEMA, {}, {}, keep_empty=True))
    assert (None, "Nil return", NOT_GIVEN) in kept and ("Agency report", "Kind", NOT_GIVEN) in kept
    assert all(label != "Shown" for _, label, _ in kept)  # what the task was shown is not an answer


def test_in_words() -> None:
    assert in_words(["a"]) == "a" and in_words(["a", "b", "c"]) == "a, b and c" and in_words([]) == NOT_GIVEN


def test_questions_not_asked_are_not_shown_as_not_given() -> None:
    schema = {"type": "object", "properties": {
        "rating": {"type": "string", "title": "Rating", "enum": ["ok", "na"]},
        "why": {"type": "string", "title": "Why not"},
        "steps": {"type": "array", "title": "Steps", "items": {"type": "object", "title": "Step",
                                                               "properties": {"what": {"type": "string"}}}}},
        "allOf": [{"if": {"properties": {"rating": {"const": "na"}}, "required": ["rating"]},
                   "then": {"required": ["why"]}}]}
    ui = {"rating": {"ui:widget": "radio"}}
    assert _flat(answer_sections(schema, ui, {"rating": "ok"}, keep_empty=True)) == [(None, "Rating", "ok")]
    assert (None, "Why not", NOT_GIVEN) in _flat(answer_sections(schema, ui, {"rating": "na"}, keep_empty=True))


def test_a_default_is_never_shown_as_an_answer() -> None:
    schema = {"type": "object", "properties": {"size": {"type": "integer", "title": "Size", "default": 10},
                                               "nil": {"type": "boolean", "title": "Nil", "default": False}}}
    assert answer_sections(schema, {}, {}) == []
