"""Security fixtures: the API's (an app on the test database, a client, tokens per user, the ``api`` driver, the
clock at ``NOW``) and a page client per signed-in user, reused from the API and page tests' conftests."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.conftest import api, app, auth, client, traveller  # noqa: F401  (fixtures)
from tests.web.web_kit import sign_in

# Modules of long parametrised families of refused input (each case a deploy or a request): in make test each
# family runs its first case, and make test-ci (the slow stage) runs every case; make test stays within 4 minutes.
FAMILIES = ("test_bundle_limits.py", "test_bad_input.py", "test_control_characters.py")


@pytest.hookimpl(tryfirst=True)  # before ``-m "not slow"`` deselects
def pytest_collection_modifyitems(config, items):
    seen: set[tuple[str, str, str]] = set()
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is None or Path(str(item.path)).name not in FAMILIES:
            continue
        family = (str(item.path), item.originalname, str(callspec.params.get("db_url", "")))
        if family in seen:
            item.add_marker(pytest.mark.slow)
        seen.add(family)


@pytest.fixture
def pages(app, partnership):
    """``pages("cora")``: a test client signed in on the pages as that user (CSRF checks off)."""
    app.config.update(WTF_CSRF_ENABLED=False)

    def _client(username):
        page_client = app.test_client()
        sign_in(page_client, username)
        return page_client
    return _client
