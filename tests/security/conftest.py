"""Security fixtures: the API's (an app on the test database, a client, tokens per user, the ``api`` driver, the
clock at ``NOW``) and a page client per signed-in user, reused from the API and page tests' conftests."""
from __future__ import annotations

import pytest

from tests.api.conftest import api, app, auth, client, traveller  # noqa: F401  (fixtures)
from tests.web.web_kit import sign_in


@pytest.fixture
def pages(app, partnership):
    """``pages("cora")``: a test client signed in on the pages as that user (CSRF checks off)."""
    app.config.update(WTF_CSRF_ENABLED=False)

    def _client(username):
        page_client = app.test_client()
        sign_in(page_client, username)
        return page_client
    return _client
