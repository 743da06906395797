"""Suggested answers (``"lif:suggested": true`` in a UI schema): a question the process works out from the answers
so far is not pre-selected on a fresh form; its hint says the suggestion, and a draft's or a posted answer still
selects. Every shipped form is checked with task data holding every choice its bundle's scripts or views fill."""
from __future__ import annotations

import ast
import re
from typing import Any

import pytest
from flask import render_template_string
from lxml import etree

from demo import form_data
from engine.bundles import forms
from engine.bundles.bpmn_xml import BPMN_NS, SPIFF_NS
from engine.bundles.task_views import bundle_views
from engine.cases import instances
from engine.records import TaskDetail
from engine.store.db import transaction
from web.forms_render import build_form, note_suggestions
from web.forms_render.build import build_tree
from web.pages import task_pages

from ..scenarios.scenarios_kit import PEOPLE
from .web_kit import WORKFLOWS, _complete, deploy, ready_task, text

RENDER = '{% from "forms/fields.html" import field %}{% for f in form.root.children %}{{ field(f, True) }}{% endfor %}'
CHOOSING = ("radios", "yesno", "checkbox", "checkboxes")
HINT = "Suggested from the answers so far: "


def _scripted(root: Any) -> set[str]:
    """The variables the bundle's script tasks set."""
    names: set[str] = set()
    for script in root.iter(f"{{{BPMN_NS}}}script"):
        for node in ast.walk(ast.parse(script.text or "")):
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def _user_task_forms() -> list[tuple[str, str, dict, dict, set[str]]]:
    """(bundle, task, schema, ui, the names the case's data may already hold) for every shipped user task."""
    out = []
    for bundle in sorted(p for p in WORKFLOWS.iterdir() if p.is_dir()):
        files = {p.name: p.read_text() for p in bundle.iterdir() if p.is_file()}
        views = bundle_views(files)
        for name in (n for n in files if n.endswith(".bpmn")):
            root = etree.fromstring(files[name].encode())
            scripted = _scripted(root)
            for task in root.iter(f"{{{BPMN_NS}}}userTask"):
                props = {p.get("name"): p.get("value") for p in task.iter(f"{{{SPIFF_NS}}}property")}
                schema_file, ui_file = props.get("formJsonSchemaFilename"), props.get("formUiSchemaFilename")
                if not schema_file:
                    continue
                schema = forms.render_schema(files[schema_file], dict(forms.SAMPLE_CONTEXT))
                ui = forms.render_schema(files[ui_file], dict(forms.SAMPLE_CONTEXT)) if ui_file in files else {}
                shown = {p[0] for p in views.tasks[str(task.get("id"))].shows}
                out.append((bundle.name, str(task.get("id")), schema, ui, scripted | shown))
    return out


def _plausible(field: Any) -> Any:
    """A value the case's data could hold for a choice: its first option, typed as the engine stores it."""
    if field.kind in ("yesno", "checkbox"):
        return True
    option = field.schema.get("items", field.schema) if field.kind == "checkboxes" else field.schema
    value = next(iter(option.get("enum") or [c["const"] for c in option.get("oneOf") or [{"const": None}]]))
    return [value] if field.kind == "checkboxes" else value


TASKS = _user_task_forms()


@pytest.mark.parametrize("bundle,task,schema,ui,held", TASKS, ids=[f"{b}/{t}" for b, t, *_ in TASKS])
def test_no_shipped_form_opens_with_a_choice_the_process_worked_out(render_app, bundle, task, schema, ui, held):
    """A fresh form never has a radio, yes/no or tick box chosen, even when the case's data holds its answer (a
    script's result or an earlier step's): each such question is marked suggested, and its hint says the value."""
    tree = build_tree(schema, ui, {})
    filled = {f.path: _plausible(f) for f in tree.children if f.kind in CHOOSING and f.path in held}
    detail = TaskDetail(task=None, form_schema=schema, ui_schema=ui, instructions=None,  # type: ignore[arg-type]
                        data={**filled, "case_title": "Child A"}, draft=None)
    shown, suggestions = task_pages.shown_values(detail, None)
    form = note_suggestions(build_form(schema, ui, shown), suggestions)
    with render_app.test_request_context():
        html = render_template_string(RENDER, form=form)
    chosen = [tag for tag in re.findall(r"<input\b[^>]*>", html) if re.search(r"\bchecked\b", tag)]
    assert chosen == [], f"{bundle}/{task}: mark {sorted(filled)} with lif:suggested in its UI schema"
    hints = {f.path: f.hint for f in form.root.children}
    assert all(HINT in (hints[path] or "") for path in filled), hints


@pytest.fixture(scope="module")
def render_app(tmp_path_factory):
    from engine.config import Config
    from web import create_app
    folder = tmp_path_factory.mktemp("render")
    return create_app(Config.from_env(database_url=f"sqlite:///{folder / 'unused.sqlite3'}", secret_key="x",
                                      workflows_dir=folder))


def test_a_draft_or_a_posted_answer_still_selects():
    schema = {"type": "object", "properties": {"notify": {"type": "boolean", "title": "Notify"}}}
    ui = {"notify": {"ui:widget": "radio", "lif:suggested": True}}
    detail = TaskDetail(task=None, form_schema=schema, ui_schema=ui, instructions=None,  # type: ignore[arg-type]
                        data={"notify": True}, draft={"notify": False})
    assert task_pages.shown_values(detail, None) == ({"notify": False}, {"notify": True})
    assert task_pages.shown_values(detail, {"notify": True})[0] == {"notify": True}
    fresh = TaskDetail(task=None, form_schema=schema, ui_schema=ui, instructions=None,  # type: ignore[arg-type]
                       data={"notify": True}, draft=None)
    assert task_pages.shown_values(fresh, None) == ({}, {"notify": True})
    assert fresh.data == {"notify": True}  # the task's own data is left as it was


@pytest.fixture
def screening(factory, partnership, now) -> str:
    """An SCR case (the 2013 rules) whose referral says the child died of suspected abuse: the screening's
    script works out that a serious incident notification is required."""
    deploy(factory, WORKFLOWS / "scr", now)
    with transaction(factory) as s:
        instance_id = instances.start_instance(s, "scr", data={"regime": "lscb2013"}, actor=partnership["coordinator"],
                                               now=now).id
    referral = form_data("scr", "referral", {}, PEOPLE, now, doer="cora", regime="lscb2013",
                         abuse_or_neglect="suspected", child_outcome="died")
    _complete(factory, instance_id, "referral", referral, partnership["coordinator"], now)
    return ready_task(factory, instance_id, "screening")


def test_the_screening_does_not_choose_the_notification_but_suggests_it(as_user, screening):
    cora = as_user("cora")
    html = cora.get(f"/tasks/{screening}").get_data(as_text=True)
    radios = re.findall(r'<input\b[^>]*name="notification_required"[^>]*>', html)
    assert len(radios) == 2 and not [r for r in radios if re.search(r"\bchecked\b", r)]
    assert "Suggested from the answers so far: Yes" in text(cora.get(f"/tasks/{screening}"))
    cora.post(f"/tasks/{screening}", data={"_action": "save", "notification_required": "false"})
    again = cora.get(f"/tasks/{screening}").get_data(as_text=True)
    [chosen] = [r for r in re.findall(r'<input\b[^>]*name="notification_required"[^>]*>', again) if "checked" in r]
    assert 'value="false"' in chosen  # the draft's answer is the person's own
