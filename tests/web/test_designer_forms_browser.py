"""The form editor in a real browser (Debian's Chromium): a designer opens a form of the action plan, adds a text
field with a question and a hint, sees it in the preview the task page's renderer draws, makes it required, saves
it to the draft and finds it in the draft's schema and UI schema; invalid raw JSON shows an error and saves
nothing. No Content Security Policy complaint on the way."""
from __future__ import annotations

import json

import pytest

from engine.designer import drafts
from engine.people import directory
from engine.store.db import transaction

from .browser_kit import CHROMIUM, chromium_page, served, sign_in_as
from .web_kit import WORKFLOWS, deploy

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
              pytest.mark.usefixtures("front_end"), pytest.mark.slow]
FORM = "/processes/action_plan/forms/progress-update-schema.json"


@pytest.fixture
def live(csrf_app, factory, now):
    deploy(factory, WORKFLOWS / "action_plan", now)
    with served(csrf_app) as base:
        yield base


def draft_files(factory):
    with transaction(factory) as s:
        return drafts.open_draft(s, "action_plan")


def test_a_designer_adds_a_required_field_sees_it_and_saves_it_to_the_draft(live, factory):
    with chromium_page() as page:
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        sign_in_as(page, live, "dee")
        page.goto(live + FORM)
        page.wait_for_load_state("networkidle")
        assert errors == []
        page.click("#fe-add")
        question = page.locator("#fe-fields > li:last-child input[id$='-label']")
        assert page.evaluate("document.activeElement.id") == question.get_attribute("id")  # focus on the new field
        question.fill("Agreed next step")
        page.locator("#fe-fields > li:last-child input[id$='-hint-text']").fill("Who does what, and by when")
        page.wait_for_selector("#fe-preview label:has-text('Agreed next step (optional)')")
        assert "Who does what, and by when" in page.inner_text("#fe-preview")
        page.locator("#fe-fields > li:last-child input[id$='-required']").check()
        page.wait_for_function("() => [...document.querySelectorAll('#fe-preview label')]"
                               ".some(l => l.textContent.trim() === 'Agreed next step')")
        page.click("#fe-save")
        page.wait_for_selector("#fe-saved")
        assert "saved in the draft" in page.inner_text("#fe-saved")
        assert page.csp_problems == []

    draft = draft_files(factory)
    assert draft.revision == 1
    schema = json.loads(draft.files["progress-update-schema.json"])
    ui = json.loads(draft.files["progress-update-uischema.json"])
    assert schema["properties"]["agreed_next_step"] == {"type": "string", "title": "Agreed next step",
                                                        "description": "Who does what, and by when"}
    assert "agreed_next_step" in schema["required"] and ui["ui:order"][-1] == "agreed_next_step"
    shipped = json.loads((WORKFLOWS / "action_plan" / "progress-update-schema.json").read_text())
    assert list(schema) == list(shipped)  # keys keep their order, and so do the questions
    assert list(schema["properties"]) == [*shipped["properties"], "agreed_next_step"]
    assert list(schema["properties"]["rag"]) == list(shipped["properties"]["rag"])


def test_invalid_raw_json_shows_an_error_and_is_not_saved(live, factory):
    with chromium_page() as page:
        sign_in_as(page, live, "dee")
        page.goto(live + FORM)
        page.click("a[href='#fe-raw-panel']")
        page.fill("#fe-raw-schema", "{ not json")
        page.click("#fe-save")
        page.wait_for_selector("#fe-error-summary")
        assert "The schema is not valid JSON" in page.inner_text("#fe-error-summary")
        assert "not valid JSON" in page.inner_text("#fe-raw-schema-error")
        assert page.csp_problems == []
    assert draft_files(factory).revision == 0


def test_the_editor_with_a_conditional_field_has_no_accessibility_violations(live, factory):
    from .browser_kit import chromium
    from .test_web_axe import AXE, EXCLUDED, RUN_AXE, TAGS

    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 1000}, bypass_csp=True)  # to inject axe
        page = context.new_page()
        sign_in_as(page, live, "dee")
        page.goto(live + FORM)
        page.click("#fe-add")
        new = page.locator("#fe-fields > li:last-child")
        new.locator("input[id$='-label']").fill("What is the plan?")
        new.locator("select[id$='-when']").select_option("progress_status")
        new.locator("select[id$='-is']").select_option("at_risk")
        # the preview reveals it under the answer it depends on, as the task page does
        page.wait_for_selector("#fe-preview .govuk-radios__conditional label:has-text('What is the plan?')",
                               state="attached")
        page.click("#fe-fields > li:first-child button[id$='-down']")
        assert page.evaluate("document.activeElement.id").endswith("-down")  # focus stays on the moved field
        remove = page.locator("#fe-fields > li:last-child button[id$='-remove']")
        remove.click()
        assert page.evaluate("document.activeElement.id").endswith("-legend")
        page.click("#fe-add")
        page.wait_for_load_state("networkidle")
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(RUN_AXE, [TAGS, EXCLUDED])
        context.close()
    assert found == []


def test_a_save_after_someone_else_saved_says_who_and_offers_a_reload(live, factory, now):
    with chromium_page() as page:
        sign_in_as(page, live, "dee")
        page.goto(live + FORM)
        page.click("#fe-add")
        page.locator("#fe-fields > li:last-child input[id$='-label']").fill("Mine")
        with transaction(factory) as s:  # another designer saves the draft meanwhile
            current = drafts.open_draft(s, "action_plan")
            drafts.save_draft(s, "action_plan", current.files, revision=0, actor="adam", now=now)
        page.click("#fe-save")
        page.wait_for_selector("#fe-error-summary")
        summary = page.inner_text("#fe-error-summary")
        with transaction(factory) as s:
            name = directory.user_summary(s, "adam").full_name or "adam"
        assert f"{name} saved this draft on " in summary and "Reload the page" in summary
        assert page.is_visible("#fe-reload")
        page.click("#fe-reload")
        page.wait_for_selector("#fe-add")
        assert page.locator("#fe-fields > li input[value='Mine']").count() == 0
    draft = draft_files(factory)
    assert draft.revision == 1 and "Mine" not in draft.files["progress-update-schema.json"]
