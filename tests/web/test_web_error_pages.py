"""Unknown addresses, wrong methods and unexpected failures answer with the service's own pages (its layout, a
title in words, a way back), never Flask's plain text or an exception; the JSON API keeps its JSON errors."""
from __future__ import annotations

import logging
import re

import pytest

from .web_kit import text

LAYOUT = 'class="govuk-template__header'


@pytest.mark.parametrize("path", ["/no-such-page", "/cases/x/y/z", "/tasks/", "/processes/x/y/z.txt"])
def test_an_unknown_address_is_the_styled_404_page(as_user, path):
    page = as_user("cora").get(path)
    assert page.status_code == 404
    assert LAYOUT in text(page) and "<h1" in text(page) and "Page not found" in text(page)
    assert "Not Found" not in text(page) and "The requested URL" not in text(page)


def test_an_unknown_address_is_the_styled_404_page_before_signing_in(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and LAYOUT in text(page) and "Page not found" in text(page)


def test_a_wrong_method_is_the_styled_405_page_naming_the_methods_allowed(as_user):
    page = as_user("cora").get("/sign-out")
    assert page.status_code == 405 and "POST" in page.headers["Allow"] and "GET" not in page.headers["Allow"]
    assert LAYOUT in text(page) and "This page cannot be opened that way" in text(page)
    assert "Method Not Allowed" not in text(page)


@pytest.mark.parametrize(("method", "path", "status", "code"), [
    ("get", "/api/v1/no-such-thing", 404, "not_found"), ("get", "/api/v1", 404, "not_found"),
    ("delete", "/api/v1/auth/token", 405, "method_not_allowed")])
def test_the_api_keeps_its_json_errors(client, method, path, status, code):
    answer = getattr(client, method)(path)
    assert answer.status_code == status and answer.is_json
    assert answer.get_json()["error"]["code"] == code


@pytest.fixture
def failing_app(app):
    """The app with one page and one API address that fail as a bug would, and failures answered, not raised."""
    def _fail():
        raise RuntimeError("the secret internals of a bug")
    app.add_url_rule("/a-failing-page", "a_failing_page", _fail)
    app.add_url_rule("/api/v1/a-failing-call", "a_failing_call", _fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_a_failure_is_the_styled_500_page_with_a_reference_in_the_log(failing_app, caplog):
    client = failing_app.test_client()
    with caplog.at_level(logging.ERROR, logger="web.pages.errors"):
        page = client.get("/a-failing-page")
    assert page.status_code == 500 and LAYOUT in text(page)
    assert "Sorry, there is a problem with the service" in text(page)
    assert "secret internals" not in text(page) and "RuntimeError" not in text(page)
    assert "Traceback" not in text(page)
    reference = re.search(r"Reference: <strong>([0-9A-F]{8})</strong>", text(page)).group(1)
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_info and "secret internals" in str(logged[0].exc_info[1])


def test_a_failure_in_the_api_is_a_json_500(failing_app):
    answer = failing_app.test_client().get("/api/v1/a-failing-call")
    assert answer.status_code == 500 and answer.is_json
    assert "secret internals" not in answer.get_data(as_text=True)
