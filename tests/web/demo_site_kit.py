"""The demo partnership as a new user meets it (``lif init`` then ``lif demo``, on a fresh SQLite database), served
on a local port for the browser tests that look at whole pages: the accessibility scan and the screenshots. Also
where each demo user's pages are: a task of each kind, a case, a completed task."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import time_machine
from click.testing import CliRunner
from sqlalchemy import select

from demo import DEMO_PASSWORD
from engine.config import Config
from engine.people import accounts
from engine.reads import queries
from engine.store.db import make_engine, make_session_factory, transaction
from engine.store.models import HumanTask, ProcessInstance
from tests.conftest import NOW
from web import create_app
from web.cli import main

from .browser_kit import served
from .web_kit import WORKFLOWS

LONG_FORM = "s11-return-schema.json"  # the Section 11 return: the longest form of the shipped processes


@dataclass(frozen=True)
class DemoSite:
    base: str
    factory: Any


@contextmanager
def demo_site(folder: Path) -> Iterator[DemoSite]:
    """``lif init`` and ``lif demo`` into ``folder``, at the tests' ``NOW``, and the app served on a free port."""
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    env = {"LIF_DATABASE_URL": url, "LIF_SECRET_KEY": "test-secret", "LIF_INSTANCE_DIR": str(folder / "instance"),
           "LIF_WORKFLOWS_DIR": str(WORKFLOWS)}
    with pytest.MonkeyPatch.context() as patch, time_machine.travel(NOW, tick=True):
        for name, value in env.items():
            patch.setenv(name, value)
        runner = CliRunner()
        for command in ("init", "demo"):
            result = runner.invoke(main, [command])
            assert result.exit_code == 0, (command, result.output, result.exception)
        app = create_app(Config.from_env(database_url=url, secret_key="test-secret", workflows_dir=WORKFLOWS))
        app.config.update(TESTING=True)
        with served(app) as base:
            yield DemoSite(base, make_session_factory(make_engine(url)))


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/sign-in")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()


@dataclass(frozen=True)
class Places:
    """Pages of one demo user's work: None where the user has no such thing."""
    long_task: str | None
    short_task: str | None
    completed_task: str | None
    case: str | None


def places_of(factory: Any, username: str) -> Places:
    with transaction(factory) as s:
        actor = accounts.actor_for(accounts.find_user(s, username))
        if not actor.case_roles:
            return Places(None, None, None, None)
        # the tasks they may do; for those who see every case (the scrutineer does none), every open task
        offered = {t.id for t in queries.tasks_for(s, actor, NOW, limit=200).items}
        ready = [(task_id, form) for task_id, form in s.execute(
            select(HumanTask.id, HumanTask.form_file).where(HumanTask.state == "ready").order_by(HumanTask.id))
            if task_id in offered or actor.sees_everything]
        ready.sort(key=lambda row: row[0] not in offered)  # their own work first
        done = queries.tasks_for(s, actor, NOW, state="completed", limit=200).items
        cases = queries.instances_for(s, actor, NOW, limit=200).items
    long_task = next((task_id for task_id, form in ready if form == LONG_FORM), None)
    short_task = next((task_id for task_id, form in ready if form and form != LONG_FORM), None)
    # a case of a child's review shows the most: steps done, open and overdue
    case = next((c.id for c in cases if c.process_key == "scr"), cases[0].id if cases else None)
    return Places(_path("/tasks/", long_task), _path("/tasks/", short_task),
                  _path("/tasks/", done[0].id if done else None), _path("/cases/", case))


def _path(prefix: str, id_: str | None) -> str | None:
    return prefix + id_ if id_ else None


def case_of(factory: Any, process_key: str) -> str:
    """An active case of ``process_key`` (the oldest: the furthest along)."""
    with transaction(factory) as s:
        return s.scalar(select(ProcessInstance.id).where(ProcessInstance.process_key == process_key,
                                                         ProcessInstance.status == "active")
                        .order_by(ProcessInstance.created_at))
