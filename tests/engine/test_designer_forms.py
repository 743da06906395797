"""The form editor's field list (engine.designer.forms_edit) and the lifting of templated form files
(engine.designer.forms_template): every shipped form reads and writes back unchanged, and each edit of the list
(add a field of every type, remove, reorder, required, choices, conditions) is what the task page's renderer
(web.forms_render) then draws."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from engine.bundles import forms
from engine.designer import forms_template
from engine.designer.forms_edit import TYPES, FormField, field_problems, new_form, read_fields, write_fields
from engine.sandbox import templates
from web.forms_render import build_form
from web.forms_render.parse import parse_form

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
SCHEMAS = sorted(WORKFLOWS.glob("*/*-schema.json"))
UNLIFTABLE = {"identify-sample-schema.json", "set-audit-schema.json", "anonymisation-check-schema.json",
              "referral-schema.json", "challenge-event-schema.json", "s11-return-schema.json"}
MAKEABLE = [t for t in TYPES if t not in ("group", "rows", "readonly", "other")]


def pair(path: Path):
    ui_path = path.with_name(path.name.replace("-schema.json", "-uischema.json"))
    return path.read_text(), ui_path.read_text() if ui_path.exists() else "{}"


def test_every_shipped_form_reads_and_writes_back_unchanged():
    lifted = 0
    for path in SCHEMAS:
        schema_text, ui_text = pair(path)
        schema, ui = forms_template.lift(schema_text), forms_template.lift(ui_text)
        if path.name in UNLIFTABLE:
            assert schema is None, path.name  # kept as text: the field list cannot hold its statements
            continue
        assert schema is not None and ui is not None, path.name
        fields = read_fields(schema, ui)
        assert fields, path.name
        assert write_fields(schema, ui, fields) == (schema, ui), path.name
        # through the editor's JSON too: as_dict and from_dict lose nothing the writing needs
        again = [FormField.from_dict(json.loads(json.dumps(f.as_dict()))) for f in fields]
        assert write_fields(schema, ui, again) == (schema, ui), path.name
        lifted += 1
    assert lifted == len(SCHEMAS) - len(UNLIFTABLE)


@pytest.mark.parametrize("path", [p for p in SCHEMAS if p.name not in UNLIFTABLE], ids=lambda p: p.name)
def test_lowering_a_lifted_file_gives_the_same_json(path):
    text, _ = pair(path)
    lowered = forms_template.lower(forms_template.lift(text))
    if "{{" not in text:
        assert lowered == text  # the shipped files are JSON indented by two spaces
    else:
        assert forms_template.lift(lowered) == forms_template.lift(text)
        assert "{{ agency_keys | tojson }}" not in text or '"enum": {{ agency_keys | tojson }}' in lowered


def test_a_templated_form_renders_the_same_after_a_round_trip():
    text = (WORKFLOWS / "action_plan" / "plan-schema.json").read_text()
    lowered = forms_template.lower(forms_template.lift(text))
    # a generous limit: the first template a fresh sandbox worker renders may wait for the worker to start
    rendered = [json.loads(templates.render(t, forms.SAMPLE_CONTEXT, timeout_s=20)) for t in (lowered, text)]
    assert rendered[0] == rendered[1] and rendered[0]["properties"]


def test_a_string_wholly_an_expression_is_not_lifted():
    assert forms_template.lift('{"title": "{{ name }}"}') is None
    assert forms_template.lift('{"a": {# note #} 1}') is None
    assert forms_template.lift('[{{ x }}]') is None  # not an object
    assert forms_template.lift('{"a": {{ x }}, "b": "from {{ y }}"}') == {"a": "{{ x }}", "b": "from {{ y }}"}


def drawn(schema, ui, values=None):
    """The rendered form's top-level fields by path."""
    return {f.path: f for f in build_form(schema, ui, values or {}).root.children}


def add(schema, ui, *new):
    return write_fields(schema, ui, read_fields(schema, ui) + list(new))


@pytest.mark.parametrize("kind", MAKEABLE)
def test_a_field_of_every_type_is_drawn_as_that_type(kind):
    schema, ui = new_form("Test")
    choices = (("a", "Apple"), ("b", "Banana")) if kind in ("choice", "select", "choices") else ()
    schema, ui = add(schema, ui, FormField("answer", kind, "The answer", "A hint", True, choices))
    assert forms.check_schema(schema) is None
    field = drawn(schema, ui)["answer"]
    expected = {"choice": "radios", "choices": "checkboxes", "list": "rows", "email": "text"}.get(kind, kind)
    assert field.kind == expected
    assert field.label == "The answer" and field.hint == "A hint" and field.required
    if choices:
        assert [(c.value, c.label) for c in field.choices] == list(choices)
    assert read_fields(schema, ui)[0] == FormField("answer", kind, "The answer", "A hint", True, choices)


def test_remove_takes_the_field_out_of_every_place():
    text, ui_text = pair(WORKFLOWS / "action_plan" / "progress-update-schema.json")
    schema, ui = json.loads(text), json.loads(ui_text)
    kept = [f for f in read_fields(schema, ui) if f.name != "evidence_of_impact"]
    schema, ui = write_fields(schema, ui, kept)
    assert "evidence_of_impact" not in json.dumps(schema) + json.dumps(ui)
    assert forms.check_schema(schema) is None
    assert "evidence_of_impact" not in drawn(schema, ui)
    assert "evidence_of_completion" in drawn(schema, ui)["progress_status"].reveals["completed"][0].path


def test_reorder_writes_ui_order_and_the_page_follows_it():
    schema, ui = new_form("Test")
    schema, ui = add(schema, ui, FormField("a", label="A"), FormField("b", label="B"), FormField("c", label="C"))
    fields = read_fields(schema, ui)
    schema, ui = write_fields(schema, ui, [fields[2], fields[0], fields[1]])
    assert ui["ui:order"] == ["c", "a", "b"] and list(drawn(schema, ui)) == ["c", "a", "b"]


def test_required_and_choices_change_only_what_they_change():
    text, ui_text = pair(WORKFLOWS / "action_plan" / "progress-update-schema.json")
    schema, ui = json.loads(text), json.loads(ui_text)
    fields = {f.name: f for f in read_fields(schema, ui)}
    fields["barriers"] = dataclasses.replace(fields["barriers"], required=True)
    fields["rag"] = dataclasses.replace(fields["rag"], choices=(("green", "Green"), ("red", "Red")))
    new_schema, new_ui = write_fields(schema, ui, list(fields.values()))
    assert new_schema["required"] == ["progress_status", "rag", "progress_note", "barriers"]
    assert new_schema["properties"]["rag"] == {**schema["properties"]["rag"], "enum": ["green", "red"],
                                               "x-enumNames": ["Green", "Red"]}
    assert new_ui == ui and new_schema["allOf"] == schema["allOf"]
    page = drawn(new_schema, new_ui)
    assert page["barriers"].required and [c.label for c in page["rag"].choices] == ["Green", "Red"]
    assert new_schema["properties"]["barriers"] == schema["properties"]["barriers"]  # its maxLength is kept


def test_a_condition_reveals_the_field_under_the_answer_and_the_engine_asks_for_it():
    schema, ui = new_form("Test")
    schema, ui = add(schema, ui, FormField("worried", "yesno", "Are you worried?", required=True),
                     FormField("why", "textarea", "Why?", condition=("worried", "true")))
    page = drawn(schema, ui)
    assert [f.path for f in page["worried"].reveals["true"]] == ["why"]
    assert schema["allOf"] == [{"if": {"properties": {"worried": {"const": True}}, "required": ["worried"]},
                                "then": {"required": ["why"]}}]
    assert [p["field"] for p in forms.submission_problems(schema, {"worried": True}, ui)] == ["why"]
    assert forms.submission_problems(schema, {"worried": False}, ui) == []
    assert parse_form(schema, ui, MultiDict({"worried": "true", "why": "x"}), keep_empty_rows=False) == \
        {"worried": True, "why": "x"}
    # a second field on the same answer joins its clause; dropping the condition takes it out
    fields = read_fields(schema, ui) + [FormField("who", label="Who?", condition=("worried", "true"))]
    schema, ui = write_fields(schema, ui, fields)
    assert schema["allOf"][0]["then"]["required"] == ["why", "who"]
    fields = [dataclasses.replace(f, condition=None) for f in read_fields(schema, ui)]
    schema, ui = write_fields(schema, ui, fields)
    assert "allOf" not in schema and drawn(schema, ui)["worried"].reveals == {}


def test_a_condition_on_a_choice_keeps_its_value():
    schema, ui = new_form("Test")
    schema, ui = add(schema, ui, FormField("rag", "choice", "RAG", required=True, choices=(("g", "G"), ("r", "R"))),
                     FormField("plan", "textarea", "Plan", condition=("rag", "r")))
    assert [f.path for f in drawn(schema, ui)["rag"].reveals["r"]] == ["plan"]
    assert read_fields(schema, ui)[1].condition == ("rag", "r")


def test_dynamic_choices_are_kept_when_the_label_changes():
    schema = forms_template.lift((WORKFLOWS / "action_plan" / "plan-schema.json").read_text())
    ui = forms_template.lift((WORKFLOWS / "action_plan" / "plan-uischema.json").read_text())
    assert schema is not None and ui is not None
    fields = read_fields(schema, ui)
    changed = [dataclasses.replace(f, label=f.label + " (changed)") for f in fields]
    new_schema, _ = write_fields(schema, ui, changed)
    assert json.dumps(new_schema).count("{{ agency_keys | tojson }}") == json.dumps(schema).count(
        "{{ agency_keys | tojson }}")


def test_a_field_list_that_cannot_be_written_says_why():
    problems = field_problems([FormField("a b"), FormField("x"), FormField("x"),
                               FormField("c", "choice", "Colour"), FormField("d", condition=("nowhere", "1"))])
    assert len(problems) == 4 and any("Colour" in p for p in problems)
    with pytest.raises(ValueError):
        write_fields(*new_form("T"), [FormField("a b")])


# A draft may hold any JSON (it is a draft; the raw tab and draft.json save what they are given): where JSON Schema
# or the UI schema wants a list of names, anything else reads as none, and never stops the field list.
ODD_LISTS = [5, "abc", None, {"a": 1}, [[1]], [{"x": 1}], [5, None]]


@pytest.mark.parametrize("odd", ODD_LISTS, ids=repr)
def test_a_form_whose_lists_are_not_lists_of_names_still_reads_and_writes(odd):
    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "boolean"}},
              "required": odd, "allOf": odd if not isinstance(odd, list) else [*odd, {"if": {}, "then": {
                  "required": odd}}]}
    for ui in ({"ui:order": odd}, {"ui:order": [odd, "*"] if not isinstance(odd, list) else [*odd, "*"]}):
        fields = read_fields(schema, ui)
        assert [f.name for f in fields] == ["a", "b"]
        edited = [dataclasses.replace(fields[0], required=True, condition=("b", "true")), fields[1]]
        write_fields(schema, ui, edited)
        write_fields(schema, ui, [fields[1]])


@pytest.mark.parametrize("odd", [o for o in ODD_LISTS if o != [{"x": 1}]], ids=repr)
def test_a_posted_field_whose_choices_are_not_a_list_has_none(odd):
    assert FormField.from_dict({"name": "a", "type": "choice", "choices": odd}).choices == ()
