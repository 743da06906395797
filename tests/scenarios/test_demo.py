"""``lif init && lif demo`` on a fresh SQLite database: a believable partnership with cases of every process in
many states, a realistic share of them overdue, nothing dated in the future, and no names but invented ones."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from demo import AGENCIES, DEMO_PASSWORD, PARTNER_STAFF, STAFF
from engine.people import accounts
from engine.registers.records import ActionEntry
from engine.store.db import make_engine, make_session_factory, transaction
from engine.store.models import Agency, HumanTask, PlanAction, ProcessInstance, User
from web.cli import main

from .conftest import SHIPPED, WORKFLOWS


@pytest.mark.slow  # the whole demo through the command line: make test-ci
def test_lif_init_and_demo_on_a_fresh_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    before = _init_and_load_demo(url, tmp_path)
    factory = make_session_factory(make_engine(url))
    with transaction(factory) as s:
        _check_people(s)
        _check_cases(s, before)
        _check_plans(s, before)


def _init_and_load_demo(url, tmp_path) -> datetime:
    """``lif init`` then ``lif demo`` (twice: the second loads nothing); the time the demo began."""
    env = {"LIF_DATABASE_URL": url, "LIF_SECRET_KEY": "test-secret", "LIF_INSTANCE_DIR": str(tmp_path / "instance"),
           "LIF_WORKFLOWS_DIR": str(WORKFLOWS)}
    runner = CliRunner()
    assert runner.invoke(main, ["init"], env=env).exit_code == 0
    before = datetime.now(UTC)
    result = runner.invoke(main, ["demo"], env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    summary = result.output.strip()
    assert "\n" not in summary
    assert re.match(r"^demo partnership loaded: 10 agencies, 19 users, \d+ cases \(\d+ active, 1 cancelled, "
                    r"\d+ completed\), \d+ actions monitored over \d+ update periods, \d+ open tasks of which \d+ "
                    r"overdue; every password is 'demo-password'$", summary), summary
    again = runner.invoke(main, ["demo"], env=env)
    assert again.output.strip() == "demo data already present; nothing loaded"
    return before


def _check_people(s) -> None:
    assert sorted(s.scalars(select(Agency.key))) == sorted(k for k, _ in AGENCIES)
    users = {u.username: u for u in s.scalars(select(User))}
    assert set(users) == {u for u, *_ in STAFF} | {f"{k}.lead" for k, _ in AGENCIES} | {u for u, *_ in PARTNER_STAFF}
    assert {r for u in users.values() for r in u.roles} == {"coordinator", "chair", "designer", "admin",
                                                             "reviewer", "partner", "scrutineer"}
    kinds = {a.key: a.partner_kind for a in s.scalars(select(Agency)) if a.partner_kind}
    assert kinds == {"csc": "la", "icb": "icb", "police": "police"}
    assert all(users[u].agency.key == agency and "partner" in users[u].roles for u, _, agency in PARTNER_STAFF)
    assert users["police.lead"].agency.key == "police" and users["coordinator"].agency is None
    assert accounts.password_matches(users["chair"].password_hash, DEMO_PASSWORD)
    assert {u.full_name for u in users.values()} == {n for _, n, *_ in STAFF} | {
        f"{name} safeguarding lead" for _, name in AGENCIES} | {n for _, n, _ in PARTNER_STAFF}  # invented people


def _check_cases(s, before: datetime) -> None:
    rows = list(s.scalars(select(ProcessInstance)))
    states = {(r.process_key, r.status) for r in rows}
    for key in SHIPPED:
        assert {(key, "active"), (key, "completed")} <= states, key
    assert ("scr", "cancelled") in states
    assert all(re.fullmatch(r"Child [A-Z]", r.pseudonym) for r in rows if r.pseudonym)
    assert len({r.pseudonym for r in rows if r.process_key in ("scr", "cdop") and r.pseudonym}) >= 8
    oldest = min(r.created_at for r in rows)
    assert oldest < before - timedelta(days=180)  # cases started at several points in the past

    ready = list(s.scalars(select(HumanTask).where(HumanTask.state == "ready")))
    overdue = [t for t in ready if t.due_at is not None and t.due_at < before]
    assert 0.25 <= len(overdue) / len(ready) <= 0.75, (len(overdue), len(ready))
    waiting = {(t.process_key, t.name) for t in ready if t.agency}
    assert {("scr", "imr"), ("cdop", "agency_report"), ("section11", "self_evaluation"),
            ("case_audit", "pre_audit"), ("action_plan", "progress_update")} <= waiting
    assert {t.name for t in overdue} >= {"imr", "agency_report", "self_evaluation", "notify_panel", "plan_form"}
    latest = s.scalar(select(func.max(HumanTask.created_at)))
    assert latest <= datetime.now(UTC)  # the demo never steps into the future
    completed = s.scalar(select(func.max(HumanTask.completed_at)))
    assert completed < before


def _check_plans(s, before: datetime) -> None:
    """Each plan is one case (its items are parts of it), its name reads well, and the plans' actions show every
    state a board meets: on track, red and escalated, overdue, re-planned, withdrawn, signed off; one plan waits
    for the chair to close it."""
    plans = list(s.scalars(select(ProcessInstance).where(ProcessInstance.process_id == "action_plan")))
    assert len(plans) >= 5 and all(p.parent_id is None for p in plans)
    assert all(re.fullmatch(r"Action plan: [A-Z].+", p.title) and "None" not in p.title for p in plans), \
        [p.title for p in plans]
    items = list(s.scalars(select(ProcessInstance).where(ProcessInstance.process_id == "action_item")))
    assert {i.parent_id for i in items} <= {p.id for p in plans} and None not in {i.parent_id for i in items}
    entries = [ActionEntry.of(r) for r in s.scalars(select(PlanAction))]
    statuses = {e.status for e in entries}
    assert {"on_track", "withdrawn", "signed_off"} <= statuses, statuses
    assert any(e.rag == "red" and e.escalations for e in entries)
    assert any(e.overdue(before) and e.escalations == 0 for e in entries)
    assert any(e.replans and e.original_due_date for e in entries)
    assert all(e.withdrawn_reason for e in entries if e.status == "withdrawn")
    closing = s.scalars(select(HumanTask).where(HumanTask.name == "plan_sign_off", HumanTask.state == "ready")).all()
    assert len(closing) == 1
    assert s.get(ProcessInstance, closing[0].instance_id).status == "active"
    assert s.scalars(select(HumanTask).where(HumanTask.name == "escalation_chair", HumanTask.state == "ready")).all()
