"""People pickers offer the people who can be meant (issue 13, item 5): every person picker of every shipped form
lists exactly its people, the task page shows them, and a coordinator's reassign list holds only those who may do
the step."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from lxml import etree

from engine.bundles import forms
from engine.people import accounts
from engine.reads import task_people
from engine.store.db import transaction

from .web_kit import WORKFLOWS, text

# Every person picker of the shipped forms, and whom it may name. A new picker fails the test below until it is
# given a decision here.
PICKERS = {
    ("scr/set-up-review-schema.json", "panel_chair"): "chairs",
    ("scr/set-up-review-schema.json", "lead_reviewer"): "reviewers",
    ("scr/referral-schema.json", "referrer"): "case workers",
    ("scr/referral-schema.json", "senior_lead"): "agency staff",
    ("scr/imr-schema.json", "author"): "the task's people",
    ("scr/chronology-genogram-schema.json", "author"): "the task's people",
    ("scr/action-plan-schema.json", "owner"): "case workers",
    ("action_plan/plan-schema.json", "owner"): "case workers",
    ("cdop/panel-review-schema.json", "owner"): "case workers",
    ("cdop/agency-report-schema.json", "completed_by"): "the task's people",
    ("section11/s11-return-schema.json", "respondent"): "the task's people",
    ("section11/peer-review-schema.json", "reviewer"): "the task's people",
    ("section11/challenge-event-schema.json", "owner"): "case workers",
    ("case_audit/audit-meeting-schema.json", "owner"): "case workers",
    ("case_audit/receive-findings-schema.json", "acknowledged_by"): "the task's people",
    ("case_audit/pre-audit-schema.json", "auditor"): "the task's people",
}
# the test partnership (tests/conftest.py): no administrator (adam), designer (dee) or scrutineer (scot) anywhere
EXPECTED = {
    "chairs": {"chad"}, "reviewers": {"pat", "sam", "hana"},
    "case workers": {"cora", "chad", "pat", "sam", "hana", "lena", "ivy", "paul"},
    "agency staff": {"pat", "sam", "hana", "lena", "ivy", "paul"},
    "the task's people": {"pat"},  # a police reviewer's task: police's reviewers, not its partner (paul)
}
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"


@dataclass(frozen=True)
class _Task:
    id: str
    assignee: str | None
    agency: str | None
    role: str | None


def _form_tasks() -> dict[str, tuple[str | None, bool]]:
    """Each form file's task: its lane's role and whether it is bound to an agency (read from the diagrams)."""
    found: dict[str, tuple[str | None, bool]] = {}
    for path in WORKFLOWS.glob("*/*.bpmn"):
        root = etree.parse(str(path)).getroot()
        lanes = {ref.text: lane.get("name") for lane in root.iter(BPMN + "lane")
                 for ref in lane.iter(BPMN + "flowNodeRef")}
        for task in root.iter(BPMN + "userTask"):
            props = {p.get("name"): p.get("value") for p in task.iter(SPIFF + "property")}
            form = props.get("formJsonSchemaFilename")
            if form:
                found[f"{path.parent.name}/{form}"] = (lanes.get(task.get("id")), bool(props.get("agencyFrom")))
    return found


def _pickers(schema: object, people: set[str], path: str = "") -> dict[str, dict]:
    """Every field of ``schema`` whose choices are people, by its name."""
    found: dict[str, dict] = {}
    if isinstance(schema, dict):
        for key, value in schema.items():
            if isinstance(value, dict) and isinstance(value.get("enum"), list) and value["enum"] \
                    and set(value["enum"]) <= people and key not in ("items",):
                found[key] = value
            found.update(_pickers(value, people, key))
    elif isinstance(schema, list):
        for item in schema:
            found.update(_pickers(item, people, path))
    return found


def _schemas_with_pickers() -> list[str]:
    return sorted({form for form, _ in PICKERS})


def test_every_person_picker_has_a_decision():
    """A form naming ``usernames`` (everyone, admin and designer too) is refused: each picker chooses its list."""
    for path in WORKFLOWS.glob("*/*-schema.json"):
        source = path.read_text()
        assert not re.search(r"\b(usernames|user_names)\b", source), path
        lists = re.findall(r'"(\w+)": \{[^{}]*?"enum": \{\{ (task_people|case_workers|agency_staff|role_usernames)',
                           source, flags=re.S)
        for field, _ in lists:
            assert (f"{path.parent.name}/{path.name}", field) in PICKERS, (path, field)


@pytest.mark.parametrize("form", _schemas_with_pickers())
def test_each_picker_lists_exactly_its_people(factory, partnership, form):
    role, bound = _form_tasks()[form]
    task = _Task("t", None, "police" if bound else None, role)
    with transaction(factory) as s:
        context = {**accounts.form_context(s), **task_people.task_context(s, task)}
        names = accounts.full_names(s)
    schema = forms.render_schema((WORKFLOWS / form).read_text(), context)
    found = _pickers(schema, set(names))
    wanted = {field: kind for (f, field), kind in PICKERS.items() if f == form}
    assert set(found) == set(wanted), form
    for field, kind in wanted.items():
        picker = found[field]
        assert set(picker["enum"]) == EXPECTED[kind], (form, field)
        assert picker["x-enumNames"] == [names[u] for u in picker["enum"]]  # the names people read, in step


def test_the_deploy_samples_fill_every_picker():
    """Deploy renders each form with sample people: every list a picker may use has one."""
    for form in _schemas_with_pickers():
        schema = forms.render_schema((WORKFLOWS / form).read_text(), forms.SAMPLE_CONTEXT)
        assert _pickers(schema, {"sample"}), form


def _choices(page: str, name: str) -> set[str]:
    tags = re.findall(r"<(?:input|option)[^>]*>", page)
    by_name = re.findall(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page, flags=re.S)
    values = {v for tag in tags if f'name="{name}"' in tag for v in re.findall(r'value="([^"]*)"', tag)}
    for options in by_name:
        values |= set(re.findall(r'<option value="([^"]+)"', options))
    return values


def test_the_agency_report_page_offers_its_agencys_people(as_user, cdop):
    page = text(as_user("pat").get(f"/tasks/{cdop.reports['police']}"))
    assert _choices(page, "report.completed_by") == {"pat"}


def _reassign_choices(page: str, task_id: str) -> set[str]:
    found = re.search(rf'<select[^>]*id="assign-{task_id}"[^>]*>(.*?)</select>', page, flags=re.S)
    assert found, "no reassign list for the step"
    return set(re.findall(r'<option value="([^"]+)"', found.group(1)))


def test_reassign_lists_only_who_may_do_the_step(as_user, cdop, factory):
    from .web_kit import ready_task
    page = text(as_user("cora").get(f"/cases/{cdop.instance_id}"))
    assert _reassign_choices(page, cdop.reports["police"]) == {"pat"}
    assert _reassign_choices(page, cdop.reports["csc"]) == {"sam"}
    family = ready_task(factory, cdop.instance_id, "family_views")  # the coordinators' step
    assert _reassign_choices(page, family) == {"cora"}
    for nobody in ("adam", "dee", "scot", "paul"):
        assert f'<option value="{nobody}"' not in page


def test_reassign_keeps_the_person_it_is_assigned_to(as_user, cdop):
    cora = as_user("cora")
    assert cora.post(f"/tasks/{cdop.reports['police']}/assign", data={"username": "sam"}).status_code == 302
    page = text(cora.get(f"/cases/{cdop.instance_id}"))
    assert _reassign_choices(page, cdop.reports["police"]) == {"pat", "sam"}
    assert re.search(r'<option value="sam"\s*selected>', page)
