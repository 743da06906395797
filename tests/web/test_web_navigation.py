"""The navigation offers "Start a case" only to someone whose case roles may start some deployed process: the
shipped bundles let coordinators start every process and reviewers and chairs a case review; partners and the
independent scrutineer start nothing, and administrators and designers take part in no case."""
from __future__ import annotations

import re

import pytest

from .web_kit import WORKFLOWS, deploy

MAY_START = {"cora": True, "chad": True, "pat": True, "sam": True, "lena": False, "paul": False, "scot": False,
             "adam": False, "dee": False}


def _offers_start(client) -> bool:
    html = client.get("/account").get_data(as_text=True)
    nav = re.search(r"<nav\b.*?</nav>", html, re.S)
    assert nav is not None and "Your account" in nav.group(0)
    return re.search(r">\s*Start a case\s*<", nav.group(0)) is not None


@pytest.mark.parametrize("username", MAY_START)
def test_start_a_case_is_offered_to_whoever_may_start_something(as_user, factory, now, username):
    for bundle in ("scr", "cdop"):
        deploy(factory, WORKFLOWS / bundle, now)
    assert _offers_start(as_user(username)) is MAY_START[username]


def test_with_nothing_deployed_nobody_is_offered_to_start_a_case(as_user):
    assert not any(_offers_start(as_user(u)) for u in ("cora", "pat"))
