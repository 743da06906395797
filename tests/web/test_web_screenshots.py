"""Screenshots for a reviewer's eye: the case page, a task page, the Section 11 return, the notifications page and
the start questions, as the demo's users see them, saved as PNG files in ``docs/screenshots/`` (generated, ignored
by git; the README says so). The test checks that each file is a whole page's picture; whether it reads like a
GOV.UK service is for the people who look at them."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .browser_kit import CHROMIUM, chromium
from .demo_site_kit import DemoSite, case_of, demo_site, places_of, sign_in
from .web_kit import REPO

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
              pytest.mark.usefixtures("front_end"), pytest.mark.slow]

SCREENSHOTS = REPO / "docs" / "screenshots"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[DemoSite]:
    with demo_site(tmp_path_factory.mktemp("screenshots")) as running:
        yield running


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        yield context.new_page()
        context.close()


def _shoot(page: Any, base: str, path: str, name: str) -> None:
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    picture = target.read_bytes()
    assert picture.startswith(PNG) and len(picture) > 10_000, f"{target} is not a page's picture"


def test_screenshots_of_the_pages_a_reviewer_looks_at(site, page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, site.base, "coordinator")
    _shoot(page, site.base, f"/cases/{case_of(site.factory, 'scr')}", "case-page")
    _shoot(page, site.base, "/notifications", "notifications")
    _shoot(page, site.base, "/start/scr", "start-questions")
    page.context.clear_cookies()
    sign_in(page, site.base, "acute_health.lead")
    task = places_of(site.factory, "acute_health.lead").short_task
    assert task, "the demo's hospital lead has a task waiting"
    _shoot(page, site.base, task, "task-page")
    page.context.clear_cookies()
    sign_in(page, site.base, "yjs.lead")
    section11 = places_of(site.factory, "yjs.lead").long_task
    assert section11, "the demo's Youth Justice lead has a Section 11 return waiting"
    _shoot(page, site.base, section11, "section-11-return")
