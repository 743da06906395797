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
