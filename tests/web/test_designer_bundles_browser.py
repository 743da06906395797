"""The diff page in a real browser (Debian's Chromium): both versions drawn by bpmn-js's navigated viewer, each
added, removed and changed element outlined and labelled in words, no console error and no CSP complaint."""
from __future__ import annotations

import pytest

from .browser_kit import CHROMIUM, chromium_page, served, sign_in_as
from .test_designer_bundles import two_versions

pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
              pytest.mark.usefixtures("front_end"), pytest.mark.slow]


def test_the_diff_page_marks_both_diagrams_in_words(csrf_app, factory, now):
    two_versions(factory, now)
    with served(csrf_app) as base, chromium_page() as page:
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in_as(page, base, "dee")
        page.goto(f"{base}/processes/action_plan/diff?from=1&to=2")
        page.wait_for_function("() => document.querySelectorAll(\".lif-diff-diagram[data-rendered='true']\")"
                               ".length === 2", timeout=20_000)
        before, after = page.query_selector_all(".lif-diff-diagram")
        assert before.get_attribute("data-error") is None and after.get_attribute("data-error") is None
        removed = before.query_selector(".djs-element[data-element-id='close_plan']")
        assert "lif-diff-removed" in removed.get_attribute("class")
        changed = after.query_selector(".djs-element[data-element-id='plan_form']")
        assert "lif-diff-changed" in changed.get_attribute("class")
        labels = [b.inner_text() for b in after.query_selector_all(".djs-overlay .lif-diff-badge")]
        assert "~ Changed" in labels
        assert "\u2212 Removed" in [b.inner_text() for b in before.query_selector_all(".djs-overlay .lif-diff-badge")]
        assert not page.csp_problems and not errors, (page.csp_problems, errors)
