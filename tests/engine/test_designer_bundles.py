"""The designer's diff between deployed versions: a shipped bundle (action_plan) changed the ways designers change
it (a task added, one removed, a dueIn changed, a form field added, a shape moved) gives exactly those element ids;
a move in the diagram alone changes nothing; DMN rules count as elements; the history names who deployed."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.bundles import definitions
from engine.bundles.parsing import read_bundle_dir
from engine.designer import diffing, history
from engine.errors import NotFound
from engine.people import accounts
from tests.conftest import NOW

ACTION_PLAN = Path(__file__).resolve().parents[2] / "workflows" / "action_plan"
NEW_TASK = """    <bpmn:userTask id="check_plan" name="Check the plan">
      <bpmn:incoming>Flow_plan_form__prepare_actions</bpmn:incoming>
      <bpmn:outgoing>Flow_check_plan__prepare_actions</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_check_plan__prepare_actions" sourceRef="check_plan" targetRef="prepare_actions"/>
"""

NEW_SHAPES = """    <bpmndi:BPMNShape id="check_plan_di" bpmnElement="check_plan">
      <dc:Bounds x="760" y="240" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="Flow_check_plan__prepare_actions_di" bpmnElement="Flow_check_plan__prepare_actions">
      <di:waypoint x="860" y="280"/><di:waypoint x="950" y="200"/></bpmndi:BPMNEdge>
"""


def changed_plan(files: dict[str, str]) -> dict[str, str]:
    """action_plan with a task added after the plan's form, the closing script task removed, the plan form's
    dueIn from P14D to P21D, a field added to the plan form, and the plan form's shape moved."""
    bpmn = files["action_plan.bpmn"]
    bpmn = bpmn.replace('<bpmn:sequenceFlow id="Flow_plan_form__prepare_actions" sourceRef="plan_form" '
                        'targetRef="prepare_actions"/>',
                        '<bpmn:sequenceFlow id="Flow_plan_form__prepare_actions" sourceRef="plan_form" '
                        'targetRef="check_plan"/>\n' + NEW_TASK)
    bpmn = bpmn.replace("<bpmn:flowNodeRef>plan_form</bpmn:flowNodeRef>",
                        "<bpmn:flowNodeRef>plan_form</bpmn:flowNodeRef><bpmn:flowNodeRef>check_plan</bpmn:flowNodeRef>")
    start = bpmn.index('    <bpmn:scriptTask id="close_plan"')
    bpmn = bpmn[:start] + bpmn[bpmn.index("</bpmn:scriptTask>", start) + len("</bpmn:scriptTask>\n"):]
    bpmn = bpmn.replace('targetRef="close_plan" name="satisfied"', 'targetRef="end" name="satisfied"')
    bpmn = bpmn.replace('    <bpmn:sequenceFlow id="Flow_close_plan__end" sourceRef="close_plan" '
                        'targetRef="end"/>\n', "")
    bpmn = bpmn.replace("<bpmn:flowNodeRef>close_plan</bpmn:flowNodeRef>", "")
    bpmn = bpmn.replace("<bpmn:incoming>Flow_close_plan__end</bpmn:incoming>",
                        "<bpmn:incoming>Flow_gw_satisfied__close_plan</bpmn:incoming>")
    for element in ("close_plan", "Flow_close_plan__end"):
        line = next(x for x in bpmn.splitlines(keepends=True) if f'bpmnElement="{element}"' in x)
        bpmn = bpmn.replace(line, "")
    bpmn = bpmn.replace("</bpmndi:BPMNPlane>", NEW_SHAPES + "</bpmndi:BPMNPlane>", 1)
    form = bpmn.index('<bpmn:userTask id="plan_form"')
    due = bpmn.index('value="P14D"', form)
    bpmn = bpmn[:due] + 'value="P21D"' + bpmn[due + len('value="P14D"'):]
    bpmn = bpmn.replace('bpmnElement="plan_form"><dc:Bounds x="760"', 'bpmnElement="plan_form"><dc:Bounds x="765"')
    schema = files["plan-schema.json"].replace('"properties": {', '"properties": {\n    "owner_phone": '
                                               '{"type": "string", "title": "Owner\'s phone"},', 1)
    return {**files, "action_plan.bpmn": bpmn, "plan-schema.json": schema}


EXPECTED = {"added": ["check_plan", "Flow_check_plan__prepare_actions"],
            "removed": ["close_plan", "Flow_close_plan__end"],
            "changed": ["plan_form", "Flow_plan_form__prepare_actions", "Flow_gw_satisfied__close_plan"]}


def test_a_changed_shipped_bundle_diffs_to_exactly_the_elements_changed():
    files = read_bundle_dir(ACTION_PLAN)
    found = diffing.diff_files("action_plan", 1, 2, files, changed_plan(files))
    assert {k: sorted(v) for k, v in found.as_dict().items() if k != "forms"} == \
        {k: sorted(v) for k, v in EXPECTED.items()}
    assert found.as_dict()["forms"] == [{"file": "plan-schema.json", "added": ["owner_phone"], "removed": [],
                                         "used_by": ["plan_form"]}]
    said = found.sentences()
    assert "Task 'Check the plan' was added" in said and "Script task 'Record the closure' was removed" in said
    assert "Task 'Agree the action plan' was changed" in said
    assert "Flow from 'Check the plan' to 'Number the actions' was added" in said
    assert 'Form "plan" gained field "Owner\'s phone"' in said


def test_the_diff_back_swaps_added_and_removed():
    files = read_bundle_dir(ACTION_PLAN)
    found = diffing.diff_files("action_plan", 2, 1, changed_plan(files), files)
    assert sorted(found.added) == sorted(EXPECTED["removed"]) and sorted(found.removed) == sorted(EXPECTED["added"])
    assert found.forms[0].removed == ("owner_phone",)


@pytest.mark.parametrize("change", ["move", "prefix", "whitespace", "flow references"])
def test_layout_prefixes_and_flow_references_are_not_changes(change):
    files = read_bundle_dir(ACTION_PLAN)
    bpmn = files["action_plan.bpmn"]
    edited = {
        "move": bpmn.replace('<dc:Bounds x="760" y="120"', '<dc:Bounds x="900" y="400"'),
        "prefix": bpmn.replace("bpmn:", "model:").replace("xmlns:bpmn=", "xmlns:model="),
        "whitespace": bpmn.replace("<bpmn:userTask ", "<bpmn:userTask  "),
        "flow references": bpmn.replace("<bpmn:incoming>Flow_init_plan__plan_form</bpmn:incoming>", ""),
    }[change]
    assert edited != bpmn
    found = diffing.diff_files("action_plan", 1, 2, files, {**files, "action_plan.bpmn": edited})
    assert (found.added, found.removed, found.changed) == ((), (), ())


@pytest.mark.parametrize("edit, changed", [
    (('name="Agree the action plan"', 'name="Agree the plan"'), "plan_form"),
    (('name="partner">', 'name="chair">'), "Lane_action_plan_partner"),
    (("plan_closed_at = now_iso()", "plan_closed_at = today()"), "close_plan"),
    (('name="formJsonSchemaFilename" value="plan-schema.json"', 'name="formJsonSchemaFilename" value="x.json"'),
     "plan_form"),
])
def test_names_scripts_lanes_and_properties_are_changes(edit, changed):
    files = read_bundle_dir(ACTION_PLAN)
    edited = files["action_plan.bpmn"].replace(*edit, 1)
    found = diffing.diff_files("action_plan", 1, 2, files, {**files, "action_plan.bpmn": edited})
    assert changed in found.changed and not found.added and not found.removed


def test_moving_a_task_to_another_lane_changes_the_task():
    files = read_bundle_dir(ACTION_PLAN)
    bpmn = files["action_plan.bpmn"].replace("<bpmn:flowNodeRef>plan_form</bpmn:flowNodeRef>", "", 1)
    bpmn = bpmn.replace('name="chair">', 'name="chair">\n        <bpmn:flowNodeRef>plan_form</bpmn:flowNodeRef>', 1)
    found = diffing.diff_files("action_plan", 1, 2, files, {**files, "action_plan.bpmn": bpmn})
    assert found.changed == ("plan_form",)


def test_dmn_rules_are_elements():
    scr = read_bundle_dir(ACTION_PLAN.parent / "scr")
    dmn = next(n for n in scr if n.endswith(".dmn"))
    text = scr[dmn]
    rule_at = text.index("<rule ") if "<rule " in text else text.index(":rule ")
    rule_start = text.rindex("<", 0, rule_at + 1)
    rule_end = text.index("rule>", rule_start) + len("rule>")
    rule_id = text[rule_start:rule_end].split('id="', 1)[1].split('"', 1)[0]
    found = diffing.diff_files("scr", 1, 2, scr, {**scr, dmn: text[:rule_start] + text[rule_end:]})
    assert found.removed == (rule_id,) and found.elements[rule_id].kind == "Rule"


def test_diff_of_deployed_versions_and_the_history(factory, partnership):
    files = read_bundle_dir(ACTION_PLAN)
    with factory() as s, s.begin():
        accounts.add_user(s, "desmond", roles=["designer"], full_name="Desmond Lane", actor=None, now=NOW)
        definitions.deploy_bundle(s, "action_plan", files, actor="desmond", now=NOW)
        definitions.deploy_bundle(s, "action_plan", changed_plan(files), actor=None, now=NOW)
    with factory() as s:
        found = diffing.diff_versions(s, "action_plan", 1, 2)
        assert {k: sorted(v) for k, v in found.as_dict().items() if k != "forms"} == \
            {k: sorted(v) for k, v in EXPECTED.items()}
        entries = history.version_history(s, "action_plan")
        assert [(e.version, e.deployed_by) for e in entries] == [(1, "desmond"), (2, None)]
        assert entries[0].deployed_by_name == "Desmond Lane" and entries[1].deployed_by_name == "the command line"
        with pytest.raises(NotFound):
            diffing.diff_versions(s, "action_plan", 1, 3)
        with pytest.raises(NotFound):
            diffing.diff_versions(s, "nothing", 1, 2)
