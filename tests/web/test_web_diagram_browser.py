"""The diagram in a real browser (Debian's Chromium): bpmn-js's navigated viewer draws a case's diagram with the path
it took marked (a gateway and a script task too), zooms with its buttons (keyboard too), fits the whole diagram,
keeps bpmn.io's logo visible and off the diagram, and takes the diagram's height; the designer's page draws the
whole process."""
from __future__ import annotations

import pytest

from .browser_kit import CHROMIUM, chromium_page, sign_in_as
from .test_web_browser import live  # noqa: F401  (the fixture: a CDOP case at its agency reports, served)

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
              pytest.mark.usefixtures("front_end"), pytest.mark.slow]

SCALE = "() => document.querySelector('#diagram .viewport').transform.baseVal.consolidate().matrix.a"
BOXES = """() => { const r = s => { const b = document.querySelector(s).getBoundingClientRect();
                                   return {top: b.top, bottom: b.bottom, left: b.left, right: b.right,
                                           width: b.width, height: b.height}; };
                   return {frame: r('#diagram'), canvas: r('#diagram .djs-container'),
                           logo: r('#diagram .bjs-powered-by'), drawing: r('#diagram .viewport')}; }"""


@pytest.fixture
def page():
    with chromium_page() as opened:
        yield opened


def _drawn(page):
    page.wait_for_selector("#diagram[data-rendered='true']", timeout=20_000)
    assert page.get_attribute("#diagram", "data-error") is None


def _classes(page, element_id):
    return page.get_attribute(f"#diagram .djs-element[data-element-id='{element_id}']", "class")


def test_the_case_diagram_marks_the_path_zooms_and_fits(live, page):
    base, case = live
    sign_in_as(page, base, "cora")
    page.goto(f"{base}/cases/{case.instance_id}")
    _drawn(page)
    for element in ("start", "notification", "prepare_case", "gw_refer_notification", "fork_reports"):
        assert "lif-done" in _classes(page, element), element
    assert "lif-done" not in _classes(page, "build_notification_referral")  # the branch not taken
    assert "lif-active" in _classes(page, "agency_report")
    fill = page.evaluate("getComputedStyle(document.querySelector(\"[data-element-id='gw_refer_notification'] "
                         ".djs-visual > :first-child\")).fill")
    assert fill == "rgb(204, 226, 216)"

    boxes = page.evaluate(BOXES)
    assert boxes["frame"]["height"] != 480 and boxes["frame"]["height"] <= 0.75 * 1000 + 60
    assert boxes["logo"]["top"] >= boxes["canvas"]["bottom"] - 1  # under the canvas: it covers no element
    assert boxes["logo"]["bottom"] <= boxes["frame"]["bottom"] and boxes["logo"]["width"] > 0

    before = page.evaluate(SCALE)
    page.click("button:has-text('Zoom in')")
    assert page.evaluate(SCALE) > before
    page.focus("button:has-text('Zoom out')")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert page.evaluate(SCALE) < before

    page.click("button:has-text('Fit the whole diagram')")
    boxes = page.evaluate(BOXES)
    drawing, canvas = boxes["drawing"], boxes["canvas"]
    assert drawing["left"] >= canvas["left"] - 1 and drawing["right"] <= canvas["right"] + 1
    assert drawing["top"] >= canvas["top"] - 1 and drawing["bottom"] <= canvas["bottom"] + 1
    assert drawing["width"] >= canvas["width"] - 45 or drawing["height"] >= canvas["height"] - 45  # fitted, not lost
    page.click("button:has-text('Full screen')")
    page.wait_for_function("document.fullscreenElement && document.fullscreenElement.id === 'diagram-frame'")
    page.wait_for_selector("[data-diagram='full-screen'][aria-pressed='true']")  # set by fullscreenchange
    assert page.inner_text("[data-diagram='full-screen']") == "Exit full screen"
    page.wait_for_function("document.querySelector('#diagram').getBoundingClientRect().height > 800")
    page.click("button:has-text('Exit full screen')")
    page.wait_for_function("!document.fullscreenElement")
    page.wait_for_selector("[data-diagram='full-screen'][aria-pressed='false']")
    assert page.inner_text("[data-diagram='full-screen']") == "Full screen"


def test_the_designer_sees_the_whole_process_without_blank_space(live, page):
    base, _ = live
    sign_in_as(page, base, "dee")
    page.goto(f"{base}/processes/cdop")
    _drawn(page)
    boxes = page.evaluate(BOXES)
    drawing, canvas = boxes["drawing"], boxes["canvas"]
    assert drawing["top"] >= canvas["top"] - 1 and drawing["bottom"] <= canvas["bottom"] + 1
    assert drawing["left"] >= canvas["left"] - 1 and drawing["right"] <= canvas["right"] + 1
    assert canvas["height"] - drawing["height"] <= 45  # the box is as tall as the diagram drawn, with its margin
    assert boxes["logo"]["top"] >= canvas["bottom"] - 1
    assert page.is_visible("button:has-text('Fit the whole diagram')")
