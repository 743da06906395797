"""The editor in a real browser (Debian's Chromium): the properties panel shows a user task's LIF properties, a
changed deadline is saved into the draft, kept on reload and deploys as SpiffWorkflow reads it; a validation
problem marks its element and its list item selects it; the DMN editor opens a decision table; every model of
the BPMN MIWG reference suite opens with no console error."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from engine.bundles.parsing import parse_bundle, read_bundle_dir
from engine.designer import drafts
from engine.store.db import transaction
from tests.conftest import NOW

from .browser_kit import CHROMIUM, chromium, opened_page, served, sign_in_as
from .web_kit import WORKFLOWS, deploy

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
              pytest.mark.usefixtures("front_end"), pytest.mark.slow]

MIWG = Path("/work/shared/miwg")
SELECT = "id => window.lifSelect(id)"
SELECTED = "() => window.lifModeler.get('selection').get().map(e => e.id)"


@pytest.fixture
def live(csrf_app, factory, partnership, now):
    deploy(factory, WORKFLOWS / "action_plan", now)
    deploy(factory, WORKFLOWS / "scr", now)
    with served(csrf_app) as base:
        yield base


@pytest.fixture
def browser():
    with chromium() as running:
        yield running


@pytest.fixture
def page(browser):
    with opened_page(browser) as opened:
        opened.problems = []
        opened.on("console", lambda m: opened.problems.append(m.text) if m.type == "error" else None)
        opened.on("pageerror", lambda e: opened.problems.append(str(e)))
        yield opened


def _open(page, base, key, file=None):
    page.goto(f"{base}/processes/{key}/edit")
    page.wait_for_selector("#lif-editor[data-opened], #lif-editor[data-error]", timeout=20_000)
    assert page.get_attribute("#lif-editor", "data-error") is None
    if file:
        page.click(f"#lif-files a[data-file='{file}']")
        page.wait_for_selector(f"#lif-editor[data-opened='{file}']", timeout=20_000)


def _saved_draft(factory, key):
    with transaction(factory) as s:
        return drafts.open_draft(s, key)


def test_a_user_task_shows_its_lif_properties_and_a_changed_deadline_is_kept(live, page, factory):
    sign_in_as(page, live, "dee")
    _open(page, live, "action_plan")
    page.evaluate(SELECT, "plan_form")
    due = page.locator("#bio-properties-panel-lif-due-in")
    due.wait_for()
    assert due.input_value() == "P14D"
    assert page.locator("#bio-properties-panel-lif-form").input_value() == "plan-schema.json"
    assert page.locator("#bio-properties-panel-lif-shows").input_value().startswith("source_process")
    due.fill("P10D")
    due.press("Tab")
    assignee = page.locator("#bio-properties-panel-lif-assignee-from")
    assert assignee.input_value() == ""
    assignee.fill("process_initiator")
    assignee.press("Tab")
    page.click("#lif-save")
    page.wait_for_selector("#lif-status:has-text('The draft is saved')")
    page.reload()
    page.wait_for_selector("#lif-editor[data-opened]", timeout=20_000)
    page.evaluate(SELECT, "plan_form")
    assert page.locator("#bio-properties-panel-lif-due-in").input_value() == "P10D"
    assert page.locator("#bio-properties-panel-lif-assignee-from").input_value() == "process_initiator"
    assert page.problems == [] and page.csp_problems == []

    saved = _saved_draft(factory, "action_plan")
    assert saved.revision == 1 and saved.updated_by == "dee"
    # SpiffWorkflow reads the saved diagram exactly as the shipped one with that one property changed.
    original = read_bundle_dir(WORKFLOWS / "action_plan")
    head, tail = original["action_plan.bpmn"].split('<bpmn:userTask id="plan_form"', 1)
    tail = tail.replace('<spiffworkflow:property name="dueIn" value="P14D"/>',
                        '<spiffworkflow:property name="dueIn" value="P10D"/>'
                        '<spiffworkflow:property name="assigneeFrom" value="process_initiator"/>', 1)
    expected = {**original, "action_plan.bpmn": f'{head}<bpmn:userTask id="plan_form"{tail}'}
    assert saved.files["action_plan.bpmn"] != expected["action_plan.bpmn"]  # written again by bpmn-js
    assert json.loads(parse_bundle("action_plan", saved.files).spec_json) == \
        json.loads(parse_bundle("action_plan", expected).spec_json)
    with transaction(factory) as s:
        info, created = drafts.deploy_draft(s, "action_plan", revision=1, actor="dee", now=NOW)
    assert created and info.version == 2


def test_a_validation_problem_marks_its_element_and_the_list_selects_it(live, page, factory):
    files = read_bundle_dir(WORKFLOWS / "action_plan")
    files["action_plan.bpmn"] = files["action_plan.bpmn"].replace(
        '<bpmn:lane id="Lane_action_plan_coordinator" name="coordinator">',
        '<bpmn:lane id="Lane_action_plan_coordinator" name="business manager">')
    with transaction(factory) as s:
        drafts.save_draft(s, "action_plan", files, revision=0, actor="dee", now=NOW)
    sign_in_as(page, live, "dee")
    _open(page, live, "action_plan")
    page.click("#lif-validate")
    link = page.locator("#lif-problems a[data-element='Lane_action_plan_coordinator']").first
    link.wait_for()
    marked = page.get_attribute(".djs-element[data-element-id='Lane_action_plan_coordinator']", "class")
    assert "lif-problem" in marked
    link.click()
    assert page.evaluate(SELECTED) == ["Lane_action_plan_coordinator"]
    assert page.locator("#bio-properties-panel-lif-role").input_value() == "business manager"
    page.select_option("#bio-properties-panel-lif-role", "coordinator")
    # Someone else saves meanwhile: this page's save is refused, says who, and changes nothing.
    with transaction(factory) as s:
        drafts.save_draft(s, "action_plan", files, revision=1, actor="adam", now=NOW)
    page.click("#lif-save")
    page.wait_for_selector("#lif-conflict:not([hidden])")
    assert "adam saved this draft since you opened it" in page.inner_text("#lif-conflict-text")
    assert _saved_draft(factory, "action_plan").revision == 2
    page.click("#lif-reload")
    page.wait_for_selector("#lif-conflict[hidden]", state="attached")
    page.wait_for_selector("#lif-editor[data-opened]")
    assert page.problems == ["Failed to load resource: the server responded with a status of 409 (CONFLICT)"]
    assert page.csp_problems == []


def test_a_version_deployed_since_the_editor_opened_is_a_conflict_not_a_silent_undo(live, page, factory):
    sign_in_as(page, live, "dee")
    _open(page, live, "action_plan")  # nothing saved: the files of version 1, revision 0
    with transaction(factory) as s:  # adam saves and deploys version 2, which removes the draft
        files = {**read_bundle_dir(WORKFLOWS / "action_plan"), "notes.md": "adam's"}
        drafts.save_draft(s, "action_plan", files, revision=0, actor="adam", now=NOW)
        drafts.deploy_draft(s, "action_plan", revision=1, actor="adam", now=NOW)
    page.click("#lif-save")
    page.wait_for_selector("#lif-conflict:not([hidden])")
    assert "adam deployed version 2 since you opened this draft" in page.inner_text("#lif-conflict-text")
    assert not _saved_draft(factory, "action_plan").saved
    page.click("#lif-reload")
    page.wait_for_selector("#lif-conflict[hidden]", state="attached")
    page.click("#lif-save")
    page.locator("#lif-status", has_text="The draft is saved").wait_for()
    assert _saved_draft(factory, "action_plan").files["notes.md"] == "adam's"


def test_the_decision_table_of_scr_opens_in_the_dmn_editor(live, page):
    sign_in_as(page, live, "dee")
    _open(page, live, "scr")
    dmn = next(name for name in read_bundle_dir(WORKFLOWS / "scr") if name.endswith(".dmn"))
    page.click(f"#lif-files a[data-file='{dmn}']")
    page.wait_for_selector(f"#lif-editor[data-opened='{dmn}']", timeout=20_000)
    page.wait_for_selector("#lif-dmn .djs-container, #lif-dmn .tjs-container", timeout=20_000)
    assert page.problems == [] and page.csp_problems == []


def test_every_miwg_model_opens_without_a_console_error(live, page, factory):
    models = sorted(MIWG.glob("*.bpmn"))
    assert models, f"no MIWG models in {MIWG}"
    with transaction(factory) as s:
        for number, path in enumerate(models):
            drafts.save_draft(s, f"miwg_{number}", {path.name: path.read_text(encoding="utf-8")}, revision=0,
                              actor="dee", now=NOW)
    sign_in_as(page, live, "dee")
    for number, path in enumerate(models):
        _open(page, live, f"miwg_{number}")
        assert page.get_attribute("#lif-editor", "data-opened") == path.name
        assert page.locator(".djs-element").count() > 1, path.name
        assert page.problems == [] and page.csp_problems == [], (path.name, page.problems, page.csp_problems)


def test_other_tools_exports_open_without_a_console_error(live, page, factory):
    exports = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "foreign").glob("*.bpmn"))
    assert exports
    with transaction(factory) as s:
        for number, path in enumerate(exports):
            drafts.add_files(s, f"foreign_{number}", {path.name: path.read_text(encoding="utf-8")}, actor="dee",
                             now=NOW)
    sign_in_as(page, live, "dee")
    for number, path in enumerate(exports):
        _open(page, live, f"foreign_{number}")
        assert page.get_attribute("#lif-editor", "data-opened") == path.name
        assert page.locator(".djs-element").count() > 1, path.name
        assert page.problems == [] and page.csp_problems == [], (path.name, page.problems, page.csp_problems)


BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"


def _text(node):
    return (node.text or "") if node is not None else ""


def _expected_entries(xml):
    """For each kind of element LIF's panel edits, the first such element of ``xml`` that the diagram draws (the
    content of a subprocess without a diagram of its own is not drawn, so it cannot be selected): (element id,
    [(panel entry id, the value the entry must show)])."""
    root = etree.fromstring(xml.encode())
    drawn = {node.get("bpmnElement") for node in root.iter() if node.get("bpmnElement")}
    messages = {m.get("id"): m.get("name") for m in root.iter(f"{BPMN}message")}

    def message_element(found_in):
        holder = found_in.getparent().getparent()  # an event definition, or a send or receive task
        element = holder.getparent() if holder.tag == f"{BPMN}messageEventDefinition" else holder
        return element, [("lif-message-name", messages.get(holder.get("messageRef")))]

    kinds = [  # (an XPath to a node, the element the node belongs to, the entries it gives)
        (f".//{BPMN}lane", lambda n: (n, [("lif-role", n.get("name"))])),
        (f".//{BPMN}scriptTask", lambda n: (n, [("lif-script", _text(n.find(f"{BPMN}script")))])),
        (f".//{SPIFF}calledDecisionId", lambda n: (n.getparent().getparent(), [("lif-decision", _text(n))])),
        (f".//{BPMN}conditionExpression", lambda n: (n.getparent(), [("lif-condition", _text(n))])),
        (f".//{SPIFF}preScript", lambda n: (n.getparent().getparent(), [("lif-pre-script", _text(n))])),
        (f".//{SPIFF}postScript", lambda n: (n.getparent().getparent(), [("lif-post-script", _text(n))])),
        (f".//{BPMN}timerEventDefinition", lambda n: (n.getparent(), [("lif-timer-value", _text(
            next(child for child in n if child.tag.startswith(BPMN))))])),
        (f".//{BPMN}loopDataInputRef", lambda n: (n.getparent().getparent(), [
            ("lif-loop-collection", _text(n)),
            ("lif-loop-item", n.getparent().find(f"{BPMN}inputDataItem").get("name"))])),
        (f".//{SPIFF}messageVariable", lambda n: (message_element(n)[0], [
            ("lif-message-variable", _text(n)), *message_element(n)[1]])),
        (f".//{SPIFF}messagePayload", lambda n: (message_element(n)[0], [
            ("lif-message-payload", _text(n)), *message_element(n)[1]])),
    ]
    found = []
    for path, entries in kinds:
        for node in root.iterfind(path):
            element, shown = entries(node)
            if element.get("id") in drawn:
                found.append((element.get("id"), shown))
                break
    return found


@pytest.mark.parametrize("key", ["action_plan", "case_audit", "case_audit_programme", "cdop", "scr", "section11"])
def test_each_kind_of_element_shows_what_the_engine_reads_and_the_diagram_round_trips(live, page, factory, key):
    original = read_bundle_dir(WORKFLOWS / key)
    with transaction(factory) as s:
        drafts.save_draft(s, key, original, revision=0, actor="dee", now=NOW)
    sign_in_as(page, live, "dee")
    _open(page, live, key)
    primary = json.loads(original["process_model.json"]).get("primary_file_name") or f"{key}.bpmn"
    assert page.get_attribute("#lif-editor", "data-opened") == primary
    for element_id, entries in _expected_entries(original[primary]):
        page.evaluate(SELECT, element_id)
        for entry_id, value in entries:
            field = page.locator(f"#bio-properties-panel-{entry_id}")
            field.wait_for(state="attached")
            assert field.input_value().strip() == (value or "").strip(), (element_id, entry_id)
    written = page.evaluate("async () => (await window.lifModeler.saveXML({format: true})).xml")
    assert json.loads(parse_bundle(key, {**original, primary: written}).spec_json) == \
        json.loads(parse_bundle(key, original).spec_json)
    assert page.problems == [] and page.csp_problems == []


def test_the_editor_page_has_no_wcag_violation(live, browser):
    from .test_web_axe import AXE, RUN_AXE, TAGS

    context = browser.new_context(viewport={"width": 1280, "height": 1000}, bypass_csp=True)
    page = context.new_page()
    try:
        sign_in_as(page, live, "dee")
        _open(page, live, "action_plan")
        page.evaluate(SELECT, "plan_form")
        page.locator("#bio-properties-panel-lif-due-in").wait_for()
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(RUN_AXE, [TAGS, [[".djs-container > svg"]]])
        assert violations == [], violations
    finally:
        context.close()
