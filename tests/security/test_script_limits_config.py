"""The script limits come from the configuration in every entry point, not only the web app (issue 10, item 1).

Before ``boot``, ``create_app`` set a module global that the command line did not always set: with
``LIF_SCRIPT_TIMEOUT=1``, a command could run diagram code under the 5 s default. Each command that runs steps is
run here as people run it (the real ``lif`` in a subprocess) against a case whose next step loops forever; the
case's error names the limit it was stopped at, so a command on the default says "5 s" and fails the test.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine import events
from engine.bundles import definitions
from engine.cases import instances
from engine.config import Config, StepSettings
from engine.records import Actor
from engine.sandbox import pool
from engine.store.db import make_engine, make_session_factory, transaction
from engine.store.models import ProcessInstance
from engine.store.schema import create_schema
from tests.conftest import FIXTURES, REPO
from web.boot import boot
from web.cli import main

LIF = (sys.executable, "-c", "from web.cli import main; main()")
COORDINATOR = Actor("cora", frozenset({"coordinator"}))
STARTED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
AFTER_THE_TIMER = "2026-12-04T09:00:00Z"  # the bundle's timer waits two days
FOLLOW_UP = '''<bpmn:userTask id="follow_up" name="Follow up">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>'''


def _script_after_timer(folder: Path, script: str) -> Path:
    """``intermediate_timer`` with ``script`` as the step after its two-day timer, in place of the user task."""
    bundle = folder / "timer_then_script"
    shutil.copytree(FIXTURES / "intermediate_timer", bundle)
    diagram = bundle / "intermediate_timer.bpmn"
    text = diagram.read_text(encoding="utf-8")
    assert FOLLOW_UP in text
    diagram.write_text(text.replace(FOLLOW_UP, f'''<bpmn:scriptTask id="follow_up" name="Follow up">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing><bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>'''), encoding="utf-8")
    return bundle


@pytest.fixture
def waiting_case(tmp_path):
    """A SQLite database holding one case waiting on a timer, then a script that never ends; (env, factory, id)."""
    url = f"sqlite:///{tmp_path / 'lif.sqlite3'}"
    engine = make_engine(url)
    create_schema(engine)
    factory = make_session_factory(engine)
    bundle = _script_after_timer(tmp_path, "while True: pass")
    with transaction(factory) as session:
        definitions.deploy_directory(session, bundle, actor="dee", now=STARTED)
    with transaction(factory) as session:
        instance_id = instances.start_instance(session, "timer_then_script", actor=COORDINATOR,
                                               now=_real_now() - timedelta(days=3)).id
    env = dict(os.environ, LIF_DATABASE_URL=url, LIF_SECRET_KEY="x", LIF_INSTANCE_DIR=str(tmp_path / "instance"),
               LIF_WORKFLOWS_DIR=str(tmp_path / "none"), LIF_SCRIPT_TIMEOUT="1")
    yield env, factory, instance_id
    engine.dispose()


def _real_now() -> datetime:
    return datetime.now(UTC)


def _instance(factory, instance_id: str) -> ProcessInstance:
    with transaction(factory) as session:
        return session.get(ProcessInstance, instance_id)


@pytest.mark.slow  # lif tick in its own process
def test_lif_tick_stops_a_runaway_script_at_the_configured_limit(waiting_case):
    env, factory, instance_id = waiting_case
    done = subprocess.run([*LIF, "tick"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "timer 1" in done.stdout
    row = _instance(factory, instance_id)
    assert row.status == "error", row.error
    assert "script ran longer than 1 s" in row.error["message"]


@pytest.mark.timing
def test_lif_tick_stops_a_runaway_script_near_the_configured_limit(waiting_case):
    """The whole command (an interpreter starting, the sandbox's workers starting, the sweep) takes less than the
    5 s default limit alone would."""
    env, factory, instance_id = waiting_case
    started = time.monotonic()
    done = subprocess.run([*LIF, "tick"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)
    took = time.monotonic() - started
    assert done.returncode == 0 and _instance(factory, instance_id).status == "error", done.stderr
    assert took < 4.5, took


@pytest.mark.slow  # lif scheduler in its own process
def test_lif_scheduler_stops_a_runaway_script_at_the_configured_limit(waiting_case):
    env, factory, instance_id = waiting_case
    scheduler = subprocess.Popen([*LIF, "scheduler"], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60  # its first sweep runs at once; it fires the timer, then the script
        while _instance(factory, instance_id).status != "error" and time.monotonic() < deadline \
                and scheduler.poll() is None:
            time.sleep(0.1)  # a real process on the wall clock: polled, nothing moved by time-machine
    finally:
        scheduler.kill()
        _, err = scheduler.communicate(timeout=30)
    row = _instance(factory, instance_id)
    assert row.status == "error", (row.status, err)
    assert "script ran longer than 1 s" in row.error["message"]


@pytest.mark.slow  # the whole demo in its own process
def test_lif_demo_runs_its_steps_under_the_configured_limit(tmp_path):
    """The demo's shipped processes run script tasks; under a limit no script can meet, the first of them stops
    at that limit (the demo then cannot go on, which says nothing about the demo, only about the limit)."""
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    env = dict(os.environ, LIF_DATABASE_URL=url, LIF_SECRET_KEY="x", LIF_INSTANCE_DIR=str(tmp_path / "instance"),
               LIF_WORKFLOWS_DIR=str(REPO / "workflows"), LIF_SCRIPT_TIMEOUT="0.000001")
    assert subprocess.run([*LIF, "init"], cwd=REPO, env=env, capture_output=True, timeout=120).returncode == 0
    subprocess.run([*LIF, "demo"], cwd=REPO, env=env, capture_output=True, timeout=300)  # whatever it says
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        errors = [row.error["message"] for row in session.scalars(select(ProcessInstance).where(
            ProcessInstance.status == "error"))]
    engine.dispose()
    assert errors and all("1e-06 s" in message for message in errors), errors


def test_the_size_limit_reaches_the_sandbox(tmp_path, db_url, db, monkeypatch):
    """``LIF_SCRIPT_MAX_SIZE`` bounds what a script may build (it was read into ``Config`` and then ignored)."""
    monkeypatch.setattr(events, "_handlers", defaultdict(list))  # boot installs notifications for this test only
    config = Config.from_env(database_url=db_url, secret_key="x", workflows_dir=tmp_path / "none",
                             script_max_size=1000)
    factory = boot(config).factory
    bundle = _script_after_timer(tmp_path, "rows = [0] * 5000")
    with transaction(factory) as session:
        definitions.deploy_directory(session, bundle, actor="dee", now=STARTED)
        instance_id = instances.start_instance(session, "timer_then_script", actor=COORDINATOR, now=STARTED).id
    from engine.cases.timers import run_timer_sweep
    run_timer_sweep(factory, STARTED + timedelta(days=3))
    row = _instance(factory, instance_id)
    assert row.status == "error" and "would exceed 1000 elements" in row.error["message"], row.error


def test_config_reads_the_script_limits_and_the_dump_check(monkeypatch, tmp_path):
    secret = "s" * 40
    for name, value in {"LIF_SCRIPT_TIMEOUT": "1.5", "LIF_SCRIPT_MAX_SIZE": "2000", "LIF_VERIFY_DUMPS": "1",
                        "LIF_SPIFF_FAST_PATHS": "1", "LIF_CHILD_MATCH_SECRET": secret,
                        "LIF_INSTANCE_DIR": str(tmp_path / "instance")}.items():
        monkeypatch.setenv(name, value)
    config = Config.from_env(database_url="sqlite://", secret_key="x")
    assert config.step_settings == StepSettings(script_timeout_s=1.5, script_max_size=2000, verify_dumps=True,
                                                child_match_secret=secret)
    monkeypatch.setenv("LIF_VERIFY_DUMPS", "0")
    assert Config.from_env(database_url="sqlite://", secret_key="x").verify_dumps is False


@pytest.fixture
def default_pool():
    yield
    pool.configure(workers=2, memory_mb=256)


@pytest.mark.parametrize("command", [["tick", "--now", AFTER_THE_TIMER], ["init"]])
def test_the_command_line_sizes_the_sandbox_pool_from_the_configuration(command, tmp_path, monkeypatch,
                                                                        default_pool):
    url = f"sqlite:///{tmp_path / 'lif.sqlite3'}"
    if command[0] != "init":
        create_schema(make_engine(url))
    for name, value in {"LIF_DATABASE_URL": url, "LIF_SECRET_KEY": "x", "LIF_INSTANCE_DIR": str(tmp_path),
                        "LIF_WORKFLOWS_DIR": str(tmp_path / "none"), "LIF_SCRIPT_WORKERS": "3",
                        "LIF_SCRIPT_MEMORY_MB": "128"}.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, command, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    sandbox = pool.shared_pool()
    assert (sandbox.size, sandbox.memory_bytes) == (3, 128 * 1024 * 1024)
