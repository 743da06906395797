"""Real-browser plumbing: the app served by werkzeug on 127.0.0.1 in a background thread, and Debian's
Chromium driven by Playwright (never a downloaded browser), once the front-end build is known to be there."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

import web

CHROMIUM = Path("/usr/bin/chromium")
VENDOR = Path(web.__file__).resolve().parent / "static" / "vendor"
# The built files the pages load (``make setup`` copies them from node_modules).
FRONT_END = ("govuk/govuk-frontend.min.css", "govuk/govuk-frontend.min.js",
             "bpmn-js/bpmn-navigated-viewer.production.min.js")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@contextmanager
def served(app: Any) -> Iterator[str]:
    """Serve ``app`` on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="lif-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def require_front_end() -> None:
    """Fail at once, with one message, when the front-end build is missing: without GOV.UK Frontend's script
    the pages never reach the states the browser tests wait for, and each test would time out instead."""
    missing = [name for name in FRONT_END if not (VENDOR / name).is_file()]
    if missing:
        pytest.fail(f"the front-end build is missing from {VENDOR} ({', '.join(missing)}): run `make setup`",
                    pytrace=False)


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    require_front_end()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def opened_page(browser: Any) -> Iterator[Any]:
    """A page in a fresh browser context (1280 by 1000), which keeps the console's Content Security Policy
    complaints in ``page.csp_problems`` (a test asserts there are none)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.csp_problems = []
    page.on("console", lambda m: page.csp_problems.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        yield page
    finally:
        context.close()


@contextmanager
def chromium_page() -> Iterator[Any]:
    """``opened_page`` in a Chromium of its own."""
    with chromium() as browser, opened_page(browser) as page:
        yield page


def sign_in_as(page: Any, base: str, username: str) -> None:
    """Sign in on the page and wait for the page it leads to (My tasks, or an admin's or designer's own)."""
    from .web_kit import PASSWORDS

    page.goto(base + "/sign-in")
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.click("button:has-text('Sign in')")
    page.wait_for_url(lambda url: "/sign-in" not in url)
