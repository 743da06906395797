"""Restricted scripts: what a diagram's script may not do puts its instance in ``error`` with the reason and
stops nothing else; a coordinator retries after the cause is fixed; ordinary scripts work."""
from __future__ import annotations

import builtins
import os
import sys
from dataclasses import replace
from xml.sax.saxutils import escape

import pytest

from engine.bundles import parsing as bundles
from engine.cases import instances
from engine.errors import Conflict, Forbidden
from engine.sandbox.scripting import ScriptLimitExceeded, ScriptPolicyError
from engine.spiff.scripting import RestrictedEnvironment
from engine.store.db import transaction, use_step_settings
from tests.conftest import VERIFIED

from .engine_kit import BUNDLES, NOW

SCRIPT = (BUNDLES / "script_task" / "script_task.bpmn").read_text(encoding="utf-8")
ORIGINAL = SCRIPT.split("<bpmn:script>", 1)[1].split("</bpmn:script>", 1)[0]
VALUES = {"values": [3, -1, 4], "agencies": ["police", "csc", "police"]}


@pytest.fixture
def script_case(deploy, bundle_copy, cases, restore_every_step):
    """Deploy script_task with ``script`` in place of its script and start one instance; the instance id."""
    def _start(script: str, data: dict | None = None) -> str:
        deploy(bundle_copy("script_task", replace={ORIGINAL: escape(script)}))
        return cases.start("script_task", data=data if data is not None else dict(VALUES))
    return _start


@pytest.fixture
def unchecked_deploys(monkeypatch):
    """Let a diagram past the deploy-time checks, as one deployed before a check existed would be, to show the
    run-time restriction holds on its own."""
    monkeypatch.setattr(bundles.validation, "bpmn_problems", lambda root, filename, files: [])


def _error(cases, instance_id) -> dict:
    row = cases.instance(instance_id)
    assert row.status == "error", row
    assert row.error["task_name"] == "calculate"
    assert cases.ready_names(instance_id) == []
    return row.error


def test_normal_script_runs_comprehensions_fstrings_datetime_and_working_days(deploy, cases, restore_every_step):
    deploy("script_task")
    instance_id = cases.start("script_task", data=dict(VALUES))
    cases.task(instance_id, "check")  # the script ran and the case went on; its results are the case's data
    data = cases.instance(instance_id).data
    assert data["positive"] == [6, 8]
    assert data["label"] == "2 of 3 positive, total 14"
    assert data["christmas"] == "Friday 25 December 2026"
    assert data["next_working_day"] == "2026-12-29"
    assert data["by_agency"] == {"csc": 3, "police": 6}
    assert cases.instance(instance_id).status == "active"


def test_script_import_os_puts_instance_in_error(script_case, cases, unchecked_deploys):
    error = _error(cases, script_case("import os\nname = os.getcwd()"))
    assert "import is not allowed" in error["message"]


def test_script_open_file_puts_instance_in_error(script_case, cases):
    error = _error(cases, script_case("secret = open('/etc/passwd').read()"))
    assert "open" in error["message"]


def test_script_subclasses_escape_puts_instance_in_error(script_case, cases, unchecked_deploys):
    instance_id = script_case("found = [c.__name__ for c in ().__class__.__base__.__subclasses__()]")
    error = _error(cases, instance_id)
    assert "__subclasses__" in error["message"]
    assert "found" not in cases.instance(instance_id).data


def test_script_running_forever_is_stopped(script_case, cases, factory):
    use_step_settings(factory, replace(VERIFIED, script_timeout_s=0.5))
    error = _error(cases, script_case("while True: pass"))
    assert "longer than 0.5 s" in error["message"]


def test_script_growing_too_large_is_stopped(script_case, cases):
    error = _error(cases, script_case("big = 'x' * 10**10"))
    assert "exceed" in error["message"]


def test_script_error_records_audit_and_leaves_process_untouched(script_case, cases, deploy):
    open_before, cwd_before = builtins.open, os.getcwd()
    instance_id = script_case("secret = open('/etc/passwd').read()")
    assert builtins.open is open_before and os.getcwd() == cwd_before and "secret" not in sys.modules
    (event,) = [e for e in cases.trail(instance_id) if e["action"] == "instance.error"]
    assert event["details"]["task_name"] == "calculate" and event["task_id"]
    deploy("simple_review")  # and the engine carries on with other cases
    other = cases.start("simple_review")
    assert cases.instance(other).status == "active"


def test_script_error_message_names_the_line(script_case, cases):
    error = _error(cases, script_case("a = 1\nb = missing_variable + 1"))
    assert "missing_variable" in error["message"]
    assert error["line"] == 2


def test_retry_after_data_fix_succeeds(script_case, cases, factory):
    instance_id = script_case("ratio = len(values) / threshold")
    assert "threshold" in _error(cases, instance_id)["message"]
    with transaction(factory) as s:
        instances.retry_instance(s, instance_id, actor=cases.actor("coordinator"), now=NOW, data={"threshold": 2})
    row = cases.instance(instance_id)
    assert (row.status, row.error) == ("active", None)
    cases.task(instance_id, "check")
    assert cases.instance(instance_id).data["ratio"] == 1.5
    assert cases.actions(instance_id).count("instance.retried") == 1


def test_retry_after_limit_raised_succeeds(script_case, cases, factory):
    use_step_settings(factory, replace(VERIFIED, script_timeout_s=0.05))
    instance_id = script_case("n = 0\nfor i in range(100):\n    for j in range(100):\n"
                              "        for k in range(100):\n            n += 1")
    assert "longer than" in _error(cases, instance_id)["message"]
    use_step_settings(factory, replace(VERIFIED, script_timeout_s=30.0))
    with transaction(factory) as s:
        instances.retry_instance(s, instance_id, actor=cases.actor("coordinator"), now=NOW)
    cases.task(instance_id, "check")
    assert cases.instance(instance_id).data["n"] == 1_000_000


def test_retry_while_cause_remains_stays_in_error(script_case, cases, factory):
    instance_id = script_case("ratio = len(values) / threshold")
    with transaction(factory) as s:
        instances.retry_instance(s, instance_id, actor=cases.actor("coordinator"), now=NOW)
    assert "threshold" in _error(cases, instance_id)["message"]


def test_retry_by_reviewer_is_forbidden(script_case, cases, factory):
    instance_id = script_case("ratio = len(values) / threshold")
    with transaction(factory) as s, pytest.raises(Forbidden):
        instances.retry_instance(s, instance_id, actor=cases.actor("police"), now=NOW)


def test_instance_in_error_cannot_have_tasks_completed_or_be_retried_twice(script_case, cases, factory):
    instance_id = script_case("ratio = len(values) / threshold")
    with transaction(factory) as s:
        instances.retry_instance(s, instance_id, actor=cases.actor("coordinator"), now=NOW, data={"threshold": 1})
    with transaction(factory) as s, pytest.raises(Conflict):
        instances.retry_instance(s, instance_id, actor=cases.actor("coordinator"), now=NOW)


# --- the restricted environment on its own --------------------------------------------------------------

REFUSED = ["__import__('os')", "open('/etc/passwd')", "().__class__.__base__.__subclasses__()",
           "'{0.__class__}'.format(1)", "getattr(1, '__class__')", "type(1).__mro__", "eval('1')",
           "exec('x = 1')", "compile('1', 'f', 'eval')", "globals()", "'x' * 10**10", "2 ** 10**7",
           "[0] * 10**9", "vars()", "dir()"]


@pytest.mark.parametrize("expression", REFUSED)
def test_restricted_environment_refuses(expression):
    # refused at compile time, missing from the builtins, refused by a guard, or stopped before allocating
    with pytest.raises((ScriptPolicyError, NameError, NotImplementedError, ScriptLimitExceeded)):
        RestrictedEnvironment(timeout_s=1).evaluate(expression, {})


ALLOWED = [
    ("[v * 2 for v in values if v > 0]", [6, 8]),
    ("f'{len(values)} values'", "3 values"),
    ("sorted({a for a in agencies})", ["csc", "police"]),
    ("datetime.strptime('2026-12-25', '%Y-%m-%d').strftime('%a %d %b')", "Fri 25 Dec"),
    ("(date(2026, 12, 25) + timedelta(days=7)).isoformat()", "2027-01-01"),
    ("add_working_days('2027-03-25', 1)", "2027-03-30"),
    ("max(values) - min(values)", 5),
    ("{'total': sum(values), 'any_negative': any(v < 0 for v in values)}", {"total": 6, "any_negative": True}),
]


@pytest.mark.parametrize("expression,expected", ALLOWED, ids=[a[0][:30] for a in ALLOWED])
def test_restricted_environment_allows_ordinary_python(expression, expected):
    assert RestrictedEnvironment(timeout_s=1).evaluate(expression, dict(VALUES)) == expected
