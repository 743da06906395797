"""Fixtures for the task tests (test_api_tasks, test_api_task_completion): the test bundles deployed, a simple
review waiting for its summary, a case with a return each for the police and children's social care, a workload
of six ready tasks, and pete, a second police reviewer. Test modules import the fixtures they use from here."""
from __future__ import annotations

import pytest

from engine.people import accounts
from engine.store.db import transaction
from tests.conftest import NOW

from .api_kit import API

VALID_SUMMARY = {"summary": "A summary of the case", "agency": "police"}


@pytest.fixture
def deployed(api):
    for name in ("simple_review", "deadlines", "multi_instance", "nested_form"):
        api.deploy(name)
    return api


@pytest.fixture
def pete(factory, partnership):
    """A second police reviewer (with the same password as pat)."""
    with transaction(factory) as s:
        accounts.add_user(s, "pete", roles=["reviewer"], agency_key="police", password="reviewer-pass",
                          actor=None, now=NOW)
    return "pete"


@pytest.fixture
def pete_headers(client, pete):
    r = client.post(f"{API}/auth/token", json={"username": "pete", "password": "reviewer-pass"})
    return {"Authorization": f"Bearer {r.json['token']}"}


@pytest.fixture
def review(deployed, api):
    """A simple review waiting for its summary (offered to every reviewer)."""
    instance = api.start("simple_review", {"case_ref": "C-1"})
    [submit] = instance["tasks"]
    return {"instance": instance, "submit": submit["id"]}


@pytest.fixture
def returns(deployed, api):
    """A case with one return for the police and one for children's social care."""
    instance = api.start("multi_instance", {"agencies": ["police", "csc"]})
    by_agency = {t["agency"]: t["id"] for t in instance["tasks"]}
    return {"instance": instance, **by_agency}


@pytest.fixture
def workload(review, returns, api):
    """Six ready tasks: submit (reviewers), two agency returns, and three deadlines (coordinator), one overdue."""
    deadlines = api.start("deadlines", {"notified_on": "2026-10-01"})
    return {"review": review, "returns": returns, "deadlines": {t["name"]: t["id"] for t in deadlines["tasks"]}}
