"""Data views ("need to know", issue 11): every user task of every shipped bundle declares what it shows, the
README gives each view with its reason, every path names a variable the bundle writes, every variable a task's
instructions or form template uses is in its view, and no agency-bound task names another agency's answers.

A simple check of the bundles as shipped: the deploy-time check proper (engine/bundles) refuses such a bundle."""
from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pytest
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from engine.bundles import forms, task_views
from engine.bundles.parsing import read_bundle_dir
from engine.views.paths import format_paths, parse_shows

from .conftest import SHIPPED, WORKFLOWS

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
DMN_OUTPUT = re.compile(r"<output\b[^>]*\bname=\"([A-Za-z_][A-Za-z0-9_]*)\"")
FORM_CONTEXT = frozenset(forms.SAMPLE_CONTEXT)  # agencies, agency_keys, agency_names, users, usernames, user_names
README = WORKFLOWS / "README.md"
NO_VIEW = "nothing but its form"


@dataclass(frozen=True)
class UserTask:
    bundle: str
    name: str
    properties: dict[str, str]
    instructions: str
    shows_declared: bool

    @property
    def roots(self) -> set[str]:
        return {path[0] for path in parse_shows(self.properties.get("shows"))}


@cache
def bundle_files(bundle: str) -> dict[str, str]:
    return read_bundle_dir(WORKFLOWS / bundle)


def diagrams(bundle: str) -> Iterator[etree._Element]:
    for name, text in sorted(bundle_files(bundle).items()):
        if name.endswith(".bpmn"):
            yield etree.fromstring(text.encode())


def user_tasks(bundle: str) -> list[UserTask]:
    found = []
    for root in diagrams(bundle):
        for element in root.iter(BPMN + "userTask"):
            props = {p.get("name"): p.get("value") or "" for p in element.iter(SPIFF + "property")}
            text = "".join(i.text or "" for i in element.iter(SPIFF + "instructionsForEndUser"))
            found.append(UserTask(bundle, str(element.get("id")), props, text, "shows" in props))
    return found


def all_tasks() -> list[UserTask]:
    return [task for bundle in SHIPPED for task in user_tasks(bundle)]


def process_model(bundle: str) -> dict:
    return json.loads(bundle_files(bundle)["process_model.json"])


def assigned_names(script: str) -> set[str]:
    """The variables a script, pre-script or post-script assigns (each becomes task data)."""
    return {node.id for node in ast.walk(ast.parse(script)) if isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Store)}


@cache
def written(bundle: str) -> frozenset[str]:
    """Every variable something in the bundle writes: a form field, a script assignment, a DMN output, a
    multi-instance item or output collection, or declared start data (with each message start's variable)."""
    files = bundle_files(bundle)
    names: set[str] = set(process_model(bundle).get("start_data", []))
    for name, text in files.items():
        if name.endswith("-schema.json") and "uischema" not in name:
            names.update(task_views.form_fields(text))
        elif name.endswith(".dmn"):
            names.update(DMN_OUTPUT.findall(text))
    for root in diagrams(bundle):
        for tag in (BPMN + "script", SPIFF + "preScript", SPIFF + "postScript"):
            for element in root.iter(tag):
                names.update(assigned_names(element.text or ""))
        for tag in ("inputDataItem", "outputDataItem"):
            names.update(str(item.get("name")) for item in root.iter(BPMN + tag))
        names.update((ref.text or "").strip() for ref in root.iter(BPMN + "loopDataOutputRef"))
    return frozenset(names)


def template_variables(text: str) -> set[str]:
    """The top-level variables a Jinja template uses (``action.owner`` uses ``action``)."""
    return set(meta.find_undeclared_variables(SandboxedEnvironment().parse(text))) if text else set()


def readme_views() -> dict[str, dict[str, tuple[str, str]]]:
    """The README's *Data views* tables: bundle -> task -> (view as written, reason)."""
    section = README.read_text(encoding="utf-8").split("\n## Data views\n", 1)[1].split("\n## ", 1)[0]
    tables: dict[str, dict[str, tuple[str, str]]] = {}
    for part in section.split("\n### ")[1:]:
        bundle = part.split("`")[1]
        rows = [line for line in part.splitlines() if line.startswith("| `")]
        tables[bundle] = {}
        for line in rows:
            task, view, why = (cell.strip() for cell in line.strip("|").split(" | "))
            tables[bundle][task.strip("`")] = (view, why)
    return tables


def test_every_user_task_declares_its_view():
    tasks = all_tasks()
    assert len(tasks) == 44 + 16 + 4 + 2 + 4  # 43 before issue 11, identify_sample; issue 12: scr's wt2023 tasks,
    # cdop's 2018 tasks, case_audit's csc_live_risk and the programme's plan_programme; issue 14: the action plan's
    # escalation_chair, escalation_partners, plan_sign_off and plan_sign_off_partners
    undeclared = [f"{t.bundle}.{t.name}" for t in tasks if not t.shows_declared]
    assert undeclared == []
    for bundle in SHIPPED:
        views = task_views.bundle_views(bundle_files(bundle))
        assert {name: view.problem for name, view in views.tasks.items() if view.problem} == {}


def test_the_readme_gives_every_view_and_why():
    documented = readme_views()
    assert set(documented) == set(SHIPPED)
    for bundle in SHIPPED:
        tasks = {t.name: t for t in user_tasks(bundle)}
        assert set(documented[bundle]) == set(tasks), bundle
        for name, (view, why) in documented[bundle].items():
            declared = format_paths(parse_shows(tasks[name].properties["shows"]))
            assert view.replace("`", "") == (declared or NO_VIEW), (bundle, name)
            assert len(why) > 30 and "TODO" not in why, (bundle, name)


@pytest.mark.parametrize("bundle", SHIPPED)
def test_every_view_names_a_variable_the_bundle_writes(bundle):
    unwritten = {f"{t.name}: {root}" for t in user_tasks(bundle) for root in t.roots if root not in written(bundle)}
    assert unwritten == set()


@pytest.mark.parametrize("bundle", SHIPPED)
def test_no_view_repeats_what_a_task_always_shows(bundle):
    """A task always shows its own form's fields and the case header: a view that names them says nothing."""
    files = bundle_files(bundle)
    repeated = set()
    for task in user_tasks(bundle):
        always = set(task_views.form_fields(files.get(task.properties.get("formJsonSchemaFilename", ""), "")))
        repeated |= {f"{task.name}: {root}" for root in task.roots & (always | set(task_views.HEADER_VARIABLES))}
    assert repeated == set()


@pytest.mark.parametrize("bundle", SHIPPED)
def test_every_template_variable_is_in_the_task_view(bundle):
    """What the instructions and the form template use is what the task shows: its view, its own form's
    fields, the header, or the form context."""
    files = bundle_files(bundle)
    outside = set()
    for task in user_tasks(bundle):
        schema = files.get(task.properties.get("formJsonSchemaFilename", ""), "")
        allowed = (task.roots | set(task_views.form_fields(schema)) | set(task_views.HEADER_VARIABLES)
                   | FORM_CONTEXT)
        used = template_variables(task.instructions) | template_variables(schema)
        outside |= {f"{task.name}: {name}" for name in used - allowed}
    assert outside == set()


@pytest.mark.parametrize("bundle", SHIPPED)
def test_agency_bound_tasks_name_no_multi_instance_output(bundle):
    """An agency's task never names the agencies' answers: where one agency is meant to see another's (the
    Section 11 peer review), the answer is copied into the task's own item, and the view names that."""
    outputs = task_views.bundle_views(bundle_files(bundle)).own_agency_only
    named = {f"{t.name}: {root}" for t in user_tasks(bundle) if t.properties.get("agencyFrom")
             for root in t.roots & outputs}
    assert named == set()


@pytest.mark.parametrize("bundle", SHIPPED)
def test_start_data_is_declared_with_each_message_start_variable(bundle):
    start_data = process_model(bundle)["start_data"]
    assert isinstance(start_data, list) and all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v) for v in start_data)
    message_variables = {str(v.text).strip() for root in diagrams(bundle) for start in root.iter(BPMN + "startEvent")
                         for v in start.iter(SPIFF + "messageVariable")}
    assert message_variables <= set(start_data)


def test_the_checks_can_fail():
    """The helpers find what they look for (a check that finds nothing passes anything)."""
    assert template_variables("{{ a.b }} {% for c in d %}{{ c.e }}{% endfor %}{% set f = 1 %}{{ f }}") == {"a", "d"}
    assert assigned_names("x = 1\nif not y:\n    y = 2\nz += 1") == {"x", "y", "z"}
    assert {"review_labels", "recommended_review_type", "imr_agency", "cdop_referral"} <= written("scr")
    assert "no_such_variable" not in written("scr")
    assert readme_views()["section11"]["peer_review"][0] == "`cycle_name`, `assignment`"
