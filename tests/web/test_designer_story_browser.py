"""The issue's designer story in a real browser (Debian's Chromium): a designer opens ``action_plan`` in the editor,
adds a user task after "Agree the action plan", gives it a new form with a new field in the form editor, sets its
role and deadline in the properties panel, checks the draft by running it, and deploys version 2. A case started
afterwards runs version 2 and its new task shows the field; a case started before stays on version 1 until the
designer moves it, and then reaches the new task too."""
from __future__ import annotations

import pytest

from demo import form_data
from engine.cases import instances
from engine.reads import queries
from engine.store.db import transaction
from engine.store.models import ProcessDefinition, ProcessInstance
from engine.work import tasks
from tests.conftest import NOW
from tests.scenarios.scenarios_kit import PEOPLE

from .browser_kit import CHROMIUM, chromium_page, served, sign_in_as
from .web_kit import WORKFLOWS, deploy

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
              pytest.mark.usefixtures("front_end"), pytest.mark.slow]

FIELD = "Board contact's phone number"
# The new task, placed below "Agree the action plan" (in another lane) and put on the flow to the next step.
ADD_TASK = """() => {
  const modeler = window.lifModeler;
  const modeling = modeler.get('modeling');
  const registry = modeler.get('elementRegistry');
  const agree = registry.get('plan_form');
  const task = modeling.createShape({ type: 'bpmn:UserTask' },
    { x: agree.x + agree.width / 2 + 40, y: agree.y + agree.height + 160 }, agree.parent);
  modeling.reconnectEnd(registry.get('Flow_plan_form__prepare_actions'), task,
    { x: task.x, y: task.y + task.height / 2 });
  modeling.connect(task, registry.get('prepare_actions'));
  return task.id;
}"""


@pytest.fixture
def live(csrf_app, factory, partnership, now):
    deploy(factory, WORKFLOWS / "action_plan", now)
    with served(csrf_app) as base:
        yield base


def _start_plan(factory, partnership):
    with transaction(factory) as s:
        return instances.start_instance(s, "action_plan", actor=partnership["coordinator"], now=NOW).id


def _version(factory, instance_id):
    with transaction(factory) as s:
        return s.get(ProcessDefinition, s.get(ProcessInstance, instance_id).definition_id).version


def _ready(factory, partnership, instance_id):
    with transaction(factory) as s:
        return list(queries.tasks_for(s, partnership["coordinator"], NOW, state="ready", instance_id=instance_id,
                                      limit=50).items)


def _agree_plan(factory, partnership, instance_id):
    """Complete "Agree the action plan" with the demo's answers (one action)."""
    (task,) = [t for t in _ready(factory, partnership, instance_id) if t.name == "plan_form"]
    coordinator = partnership["coordinator"]
    with transaction(factory) as s:
        detail = tasks.task_detail(s, task.id, actor=coordinator, now=NOW)
    payload = form_data("action_plan", "plan_form", detail.data, PEOPLE, NOW, doer=coordinator.username, actions=1)
    with transaction(factory) as s:
        tasks.complete_task(s, task.id, payload, actor=coordinator, now=NOW)


def test_a_designer_adds_a_task_with_a_new_form_checks_deploys_and_moves_a_running_case(live, factory, partnership):
    before = _start_plan(factory, partnership)
    assert _version(factory, before) == 1
    with chromium_page() as page:
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        sign_in_as(page, live, "dee")
        page.goto(f"{live}/processes/action_plan/edit")
        page.wait_for_selector("#lif-editor[data-opened]", timeout=20_000)

        task_id = page.evaluate(ADD_TASK)
        page.evaluate("id => window.lifSelect(id)", task_id)
        page.click("[data-group-id='group-general'] .bio-properties-panel-group-header")
        name = page.locator("#bio-properties-panel-name")
        name.fill("Record the board's contact")
        name.press("Tab")
        page.select_option("#bio-properties-panel-lif-task-role", "Lane_action_plan_coordinator")
        due = page.locator("#bio-properties-panel-lif-due-in")
        due.fill("P5D")
        due.press("Tab")
        page.once("dialog", lambda dialog: dialog.accept("board-contact"))
        page.select_option("#bio-properties-panel-lif-form", "__new__")
        page.wait_for_function("() => document.querySelector('#bio-properties-panel-lif-form').value"
                               " === 'board-contact-schema.json'")

        page.click("text=Edit form (saves the draft first)")
        page.wait_for_url("**/processes/action_plan/forms/board-contact-schema.json")
        page.wait_for_load_state("networkidle")
        page.click("#fe-add")
        page.locator("#fe-fields > li:last-child input[id$='-label']").fill(FIELD)
        page.locator("#fe-fields > li:last-child input[id$='-required']").check()
        page.wait_for_function("text => [...document.querySelectorAll('#fe-preview label')]"
                               ".some(l => l.textContent.trim() === text)", arg=FIELD)
        page.click("#fe-save")
        page.wait_for_selector("#fe-saved")

        page.click("#fe-diagram-link")
        page.wait_for_selector("#lif-editor[data-opened]", timeout=20_000)
        page.evaluate("id => window.lifSelect(id)", task_id)
        assert page.locator("#bio-properties-panel-lif-due-in").input_value() == "P5D"
        assert page.locator("#bio-properties-panel-lif-task-role").input_value() == "Lane_action_plan_coordinator"
        page.click("#lif-check")
        page.wait_for_selector("#lif-status:has-text('Ran the draft')", timeout=120_000)
        found = page.inner_text("#lif-editor")
        assert "Running the draft found no problems." in found, page.inner_text("#lif-problems")

        page.click("#lif-deploy")
        page.wait_for_url("**/processes/action_plan**")
        page.wait_for_selector("h1:has-text('version 2')")
        assert problems == [] and page.csp_problems == []

        # A case started now runs version 2 and, once the plan is agreed, asks the new question.
        after = _start_plan(factory, partnership)
        assert _version(factory, after) == 2
        _agree_plan(factory, partnership, after)
        (new_task,) = [t for t in _ready(factory, partnership, after) if t.name == task_id]
        assert new_task.title == "Record the board's contact" and new_task.role == "coordinator"
        assert new_task.due_at is not None
        assert _version(factory, before) == 1  # the case started before stays where it was

        page.goto("about:blank")  # no request of the last page may set a cookie after they are cleared
        page.context.clear_cookies()
        sign_in_as(page, live, "cora")
        page.goto(f"{live}/tasks/{new_task.id}")
        assert page.locator(f"label:has-text(\"{FIELD}\")").count() == 1

        # The designer moves the older case; it then reaches the new task as well.
        page.goto("about:blank")  # no request of the last page may set a cookie after they are cleared
        page.context.clear_cookies()
        sign_in_as(page, live, "dee")
        page.goto(f"{live}/processes/action_plan/migrate?version=2")
        row = page.locator("tr", has_text=_business_key(factory, before))
        assert "Can move" in row.inner_text()
        row.locator("button:has-text('Move')").click()
        page.wait_for_selector(".govuk-notification-banner")
        assert _version(factory, before) == 2
    _agree_plan(factory, partnership, before)
    assert [t.name for t in _ready(factory, partnership, before)] == [task_id]


def _business_key(factory, instance_id):
    with transaction(factory) as s:
        return s.get(ProcessInstance, instance_id).business_key
