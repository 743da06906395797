"""Rendering JSON-schema forms on the server and reading posted forms back into typed JSON: every shipped form
renders, every construct round-trips, and the engine's problems become GOV.UK error messages."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict

from engine.bundles import forms
from web.forms_render import apply_row_action, build_form, form_sections, parse_form
from web.forms_render.answers import answer_sections

from .web_kit import WORKFLOWS

SCHEMAS = sorted(WORKFLOWS.glob("*/*-schema.json"))
RENDER = ('{% from "forms/fields.html" import field %}'
          '{% for f in form.root.children %}{{ field(f, editable) }}{% endfor %}')

SCHEMA = {
    "type": "object",
    "required": ["title", "count", "when", "kind", "areas", "agree"],
    "properties": {
        "title": {"type": "string", "title": "Title", "minLength": 3},
        "notes": {"type": "string", "title": "Notes"},
        "count": {"type": "integer", "title": "Count", "minimum": 1},
        "ratio": {"type": "number", "title": "Ratio"},
        "when": {"type": "string", "format": "date", "title": "When"},
        "kind": {"type": "string", "title": "Kind", "enum": ["a", "b"], "x-enumNames": ["Alpha", "Beta"]},
        "level": {"type": "string", "title": "Level", "oneOf": [{"const": "hi", "title": "High"},
                                                               {"const": "lo", "title": "Low"}]},
        "areas": {"type": "array", "title": "Areas", "uniqueItems": True,
                  "items": {"type": "string", "enum": ["x", "y", "z"]}},
        "agree": {"type": "boolean", "title": "Agree", "const": True},
        "flag": {"type": "boolean", "title": "Flag"},
        "owner": {"type": "object", "title": "Owner", "properties": {
            "name": {"type": "string", "title": "Name"},
            "team": {"type": "object", "title": "Team", "properties": {"code": {"type": "integer", "title": "Code"}}}}},
        "actions": {"type": "array", "title": "Actions", "items": {
            "type": "object", "title": "Action", "required": ["what"],
            "properties": {"what": {"type": "string", "title": "What"},
                           "due": {"type": "string", "format": "date", "title": "Due"},
                           "tags": {"type": "array", "items": {"type": "string", "enum": ["t1", "t2"]}}}}},
        "lines": {"type": "array", "title": "Lines", "items": {"type": "string"}},
        "fixed": {"type": "string", "title": "Fixed", "readOnly": True, "const": "SCR"},
    },
    "allOf": [{"if": {"properties": {"kind": {"const": "b"}}, "required": ["kind"]},
               "then": {"required": ["notes"]}}],
}
UI = {"notes": {"ui:widget": "textarea"}, "level": {"ui:widget": "select"}, "flag": {"ui:widget": "radio"},
      "ui:order": ["title", "*", "fixed"]}
POSTED = MultiDict([
    ("title", " A title "), ("notes", "line one\r\nline two"), ("count", "12"), ("ratio", "0.5"),
    ("when-day", "3"), ("when-month", "4"), ("when-year", "2026"), ("kind", "b"), ("level", "lo"),
    ("areas", "x"), ("areas", "z"), ("agree", "true"), ("flag", "false"), ("owner.name", "Ann"),
    ("owner.team.code", "7"), ("actions-rows", "2"), ("actions[0].what", "Train staff"),
    ("actions[0].due-day", "1"), ("actions[0].due-month", "2"), ("actions[0].due-year", "2027"),
    ("actions[0].tags", "t2"), ("actions[1].what", ""), ("lines-rows", "2"), ("lines[0]", "first"),
    ("lines[1]", ""), ("fixed", "HACKED"),
])


@pytest.fixture(scope="module")
def render_app(tmp_path_factory):
    """An app only for rendering templates (no database is touched)."""
    from engine.config import Config
    from web import create_app
    folder = tmp_path_factory.mktemp("render")
    return create_app(Config.from_env(database_url=f"sqlite:///{folder / 'unused.sqlite3'}", secret_key="x",
                                      workflows_dir=folder))


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_form_renders_and_reads_back(render_app, path: Path):
    app = render_app
    schema = forms.render_schema(path.read_text(), forms.SAMPLE_CONTEXT)
    ui_path = path.with_name(path.name.replace("-schema.json", "-uischema.json"))
    ui = forms.render_schema(ui_path.read_text(), forms.SAMPLE_CONTEXT) if ui_path.exists() else {}
    data = parse_form(schema, ui, MultiDict(), keep_empty_rows=False)
    problems = forms.submission_problems(schema, data)
    form = build_form(schema, ui, data, problems)
    with app.test_request_context():
        html = render_template_string(RENDER, form=form, editable=True)
        readonly = render_template_string(RENDER, form=form, editable=False)
    assert problems and form.summary  # every shipped form requires something
    for message, href in form.summary:
        assert href.startswith("#f-") and f'id="{href[1:]}"' in html, (message, href)
    assert "<input" not in readonly


def test_posted_values_are_typed():
    data = parse_form(SCHEMA, UI, POSTED, keep_empty_rows=False)
    assert data == {
        "title": "A title", "notes": "line one\nline two", "count": 12, "ratio": 0.5, "when": "2026-04-03",
        "kind": "b", "level": "lo", "areas": ["x", "z"], "agree": True, "flag": False,
        "owner": {"name": "Ann", "team": {"code": 7}},
        "actions": [{"what": "Train staff", "due": "2027-02-01", "tags": ["t2"]}], "lines": ["first"],
    }
    assert forms.submission_problems(SCHEMA, data, UI) == []


def test_empty_answers_are_left_out_so_required_speaks():
    data = parse_form(SCHEMA, UI, MultiDict([("actions-rows", "1"), ("owner.name", " ")]), keep_empty_rows=False)
    assert data == {"agree": False}


def test_a_draft_keeps_blank_rows_so_an_added_row_stays():
    posted = MultiDict([("actions-rows", "2"), ("actions[0].what", "x"), ("lines-rows", "1")])
    assert parse_form(SCHEMA, UI, posted, keep_empty_rows=True)["actions"] == [{"what": "x"}, {}]


def test_add_and_remove_rows():
    data = {"actions": [{"what": "one"}], "owner": {}}
    assert apply_row_action(data, SCHEMA, "add:actions") == "actions[1]"
    assert apply_row_action(data, SCHEMA, "add:lines") == "lines[0]"
    assert data["actions"] == [{"what": "one"}, {}] and data["lines"] == [""]
    assert apply_row_action(data, SCHEMA, "remove:actions[0]") == "actions"
    assert data["actions"] == [{}]
    assert apply_row_action(data, SCHEMA, "remove:actions[5]") is None
    assert apply_row_action(data, SCHEMA, "explode:everything") is None


def test_unreadable_answers_are_kept_for_validation_to_report():
    posted = MultiDict([("count", "12x"), ("when-day", "31"), ("when-month", "2"), ("when-year", "2026")])
    data = parse_form(SCHEMA, UI, posted, keep_empty_rows=False)
    assert data["count"] == "12x" and data["when"] == "2026-02-31"
    form = build_form(SCHEMA, UI, data, forms.submission_problems(SCHEMA, data))
    messages = dict(form.summary)
    assert messages["Count must be a whole number, like 12"] == "#f-count"
    assert messages["When must be a real date"] == "#f-when-day"
    assert messages["Select kind"] == "#f-kind"
    assert messages["Select at least one option for areas"] == "#f-areas"
    assert messages["Confirm agree by ticking the box"] == "#f-agree"


def test_errors_inside_rows_and_nested_objects_reach_their_field():
    data = {"title": "ab", "count": 0, "when": "2026-01-01", "kind": "b", "areas": ["x"], "agree": True,
            "actions": [{"due": "2026-01-01"}], "owner": {"team": {"code": "x"}}}
    form = build_form(SCHEMA, UI, data, forms.submission_problems(SCHEMA, data))
    messages = dict(form.summary)
    assert messages["Title must be 3 characters or more"] == "#f-title"
    assert messages["Count must be 1 or more"] == "#f-count"
    assert messages["Enter notes"] == "#f-notes"  # required by the if/then
    assert messages["Enter what"] == "#f-actions-0-what"
    assert messages["Code must be a whole number, like 12"] == "#f-owner-team-code"


def test_each_problem_names_the_keyword_it_failed_and_its_plain_value():
    data = {"title": "ab", "count": "12x", "when": "2026-02-31", "kind": "z", "areas": ["x"], "agree": True,
            "notes": "one\x07line"}
    problems = {p["field"]: (p["keyword"], p["expected"]) for p in forms.submission_problems(SCHEMA, data, UI)}
    assert problems["title"] == ("minLength", 3)
    assert problems["count"] == ("type", "integer")
    assert problems["when"] == ("format", "date")
    assert problems["kind"] == ("enum", None)  # a list of choices is not carried
    assert problems["notes"] == (forms.TEXT_KEYWORD, None)
    assert forms.submission_problems(SCHEMA, {}, UI)[0]["keyword"] == "required"


def test_a_value_quoting_another_problems_words_does_not_change_the_message():
    """jsonschema's messages quote the value: matching its English let a choice sent as "is too long" pass for
    a length problem. Words are chosen by keyword."""
    data = {"title": "is not a 'date'", "count": 1, "when": "2026-01-01", "kind": "is too long", "areas": ["x"],
            "agree": True, "notes": "n"}
    schema = {**SCHEMA, "properties": {**SCHEMA["properties"],
                                       "title": {**SCHEMA["properties"]["title"], "maxLength": 5}}}
    messages = dict(build_form(schema, UI, data, forms.submission_problems(schema, data)).summary)
    assert messages == {"Title must be 5 characters or fewer": "#f-title",
                        "Select kind from the options given": "#f-kind"}


def test_tree_shows_choices_hints_and_optional_labels():
    form = build_form(SCHEMA, UI, {})
    fields = {f.path: f for f in form.root.walk()}
    assert [c.label for c in fields["kind"].choices] == ["Alpha", "Beta"]
    assert [c.label for c in fields["level"].choices] == ["High", "Low"] and fields["level"].kind == "select"
    assert fields["notes"].kind == "textarea" and fields["notes"].hint is None  # revealed under its answer:
    assert fields["notes"].revealed_by == "kind" and fields["kind"].reveals == {"b": [fields["notes"]]}
    assert fields["flag"].kind == "yesno" and fields["agree"].kind == "checkbox"
    assert fields["ratio"].label == "Ratio (optional)" and fields["title"].label == "Title"
    assert fields["fixed"].kind == "readonly" and fields["fixed"].display_value == "SCR"
    assert [f.path for f in form.root.children][0] == "title" and form.root.children[-1].path == "fixed"
    assert fields["actions"].kind == "rows" and fields["actions[0].what"].kind == "text"
    assert fields["actions[0].tags"].kind == "checkboxes"


def test_read_only_values_are_never_taken_from_the_post():
    assert "fixed" not in parse_form(SCHEMA, UI, POSTED, keep_empty_rows=False)


def _shipped(path: Path) -> tuple[dict, dict]:
    schema = forms.render_schema(path.read_text(), forms.SAMPLE_CONTEXT)
    ui_path = path.with_name(path.name.replace("-schema.json", "-uischema.json"))
    return schema, forms.render_schema(ui_path.read_text(), forms.SAMPLE_CONTEXT) if ui_path.exists() else {}


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_shipped_form_comes_with_an_answer_chosen(render_app, path: Path):
    """GOV.UK advises against pre-selected radios: a new form has no radio, tick box or option chosen, and its
    answers in words are empty (a default is never shown as if it were an answer)."""
    schema, ui = _shipped(path)
    with render_app.test_request_context():
        html = render_template_string(RENDER, form=build_form(schema, ui, {}), editable=True)
    tags = re.findall(r"<(?:input|option)\b[^>]*>", html)
    chosen = [tag for tag in tags if re.search(r"\b(checked|selected)\b", tag)]
    assert chosen == []
    assert answer_sections(schema, ui, {}) == []


def _required_questions(group):
    """The questions a form sent empty must ask for: required ones, through required groups."""
    for child in group.children:
        if child.kind == "object" and child.required:
            yield from _required_questions(child)
        elif child.required and child.kind not in ("readonly", "checkbox", "object"):
            yield child


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_shipped_form_sent_empty_names_each_question_it_needs(render_app, path: Path):
    """The error summary of an empty form names every required question by its label, each linked to its input;
    never "Complete agency report" for a whole group left empty."""
    schema, ui = _shipped(path)
    data = parse_form(schema, ui, MultiDict(), keep_empty_rows=False)
    form = build_form(schema, ui, data, forms.submission_problems(schema, data, ui))
    with render_app.test_request_context():
        html = render_template_string(RENDER, form=form, editable=True)
    summary = dict(form.summary)
    assert not [m for m in summary if m.startswith("Complete ")], summary
    for question in _required_questions(form.root):
        label = question.label.replace(" (optional)", "").rstrip("?")
        assert any(label.lower() in message.lower() for message in summary), (label, summary)
    by_href = {href: message for message, href in form.summary}
    for href in by_href:
        assert f'id="{href[1:]}"' in html, href
    if path.name == "agency-report-schema.json":  # the report asked for when there is no nil return
        assert "Enter summary of the agency's involvement with the child and family" in summary
        assert "Select an answer for ‘Were there safeguarding concerns (abuse or neglect)?’" in summary


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_long_shipped_form_has_every_question_on_exactly_one_page(path: Path):
    schema, ui = _shipped(path)
    sections = form_sections(schema, ui)
    placed = [name for section in sections for name in section.fields]
    assert not sections or sorted(placed) == sorted(schema["properties"])
    if path.name in ("s11-return-schema.json", "referral-schema.json", "notification-schema.json"):
        assert len(sections) >= 4 and all(s.title for s in sections)  # the long ones are paged


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_repeating_group_of_a_shipped_form_names_its_item(path: Path):
    """A repeating group's rows read "Action 1" and "Add another action", never "Item 1" and "Add another item":
    every array of objects in every shipped schema (nested and conditional ones too) gives its items a title."""
    schema, ui = _shipped(path)
    untitled = []

    def visit(node, where):
        if isinstance(node, dict):
            items = node.get("items")
            if isinstance(items, dict) and ("properties" in items or items.get("type") == "object") \
                    and not items.get("title"):
                untitled.append(where)
            for key, value in node.items():
                visit(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                visit(value, f"{where}[{index}]")

    visit(schema, "")
    assert untitled == []
    rows = [f for f in build_form(schema, ui, {}).root.walk() if f.kind == "rows"]
    assert all(f.item_label.lower() != "item" for f in rows), [f.path for f in rows]
