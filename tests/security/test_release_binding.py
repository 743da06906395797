"""Releasing a task never opens it to more people than it was bound to (issue 9, item 2).

Reproduction, before the fix: in an SCR case the lead reviewer released ``draft_report`` (bound to them by
``assigneeFrom: lead_reviewer``; its data holds every agency's IMR). ``unclaim`` cleared the assignee, so the task
fell back to "any user with the lane's role": yjs.lead, police.lead and cafcass.lead could then read it (the
child's initials, date of birth, family details, the IMRs) and claim it. The same for ``revise_report``,
``panel_review`` and ``family_involvement``, and for ``referral`` (bound to whoever started the case).

The class: for every user task of every shipped bundle that is bound to a named user (``assigneeFrom``) or to an
agency (``agencyFrom``, multi-instance agency tasks), driven to where it is ready, the people who may see it, find
it in their inbox, claim it and complete it are the same before a claim and after the release, whether the
claimant or a coordinator releases it. A coordinator's reassign moves the binding: release then returns the task
to the person it was reassigned to.

The crowd holds who could wrongly gain a task: a second reviewer and a second partner of the police, the reviewers
of the partner agencies (who may not do their partner's sign-offs), a second chair and coordinator, and the
independent scrutineer (who sees every task and may do none). Both ``scr`` regimes are run, as their bound tasks
differ: Working Together 2023 adds the local authority's Panel notification, the rapid review's agency summaries
and the partners' sign-offs; the legacy rules keep the chair's decision.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import insert, select

from engine.bundles.parsing import read_bundle_dir
from engine.errors import Forbidden, InvalidData, NotFound
from engine.reads import inbox
from engine.records import Actor, TaskInfo
from engine.store.db import make_engine, transaction
from engine.store.models import HumanTask, ProcessDefinition, ProcessInstance
from engine.store.schema import BASELINE_REVISION, upgrade_schema
from engine.work import tasks
from tests.conftest import NOW
from tests.scenarios.conftest import SHIPPED, WORKFLOWS
from tests.scenarios.scenarios_kit import Scenario
from tests.web.web_kit import csrf_token

from .binding_kit import PASSWORDS, api, app, auth, client, crowd, run, shipped, traveller  # noqa: F401

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"


def bound_user_tasks(key: str) -> set[tuple[str, str]]:
    """The user tasks of bundle ``key`` bound to a named user or an agency, read from its diagrams."""
    found = set()
    for name, text in read_bundle_dir(WORKFLOWS / key).items():
        if not name.endswith(".bpmn"):
            continue
        for task in etree.fromstring(text.encode()).iter(f"{BPMN}userTask"):
            props = {p.get("name") for p in task.iter(f"{SPIFF}property")}
            many = task.find(f"{BPMN}multiInstanceLoopCharacteristics") is not None
            if props & {"assigneeFrom", "agencyFrom"} or many:
                found.add((key, task.get("id")))
    return found


@dataclass(frozen=True)
class Access:
    """Who may do what with one task, by username."""

    see: frozenset[str]
    offered: frozenset[str]  # finds it in their inbox
    complete: frozenset[str]
    claim: frozenset[str]


def _allowed(call: Callable[[], Any], *also: type[Exception]) -> bool:
    try:
        call()
    except (NotFound, Forbidden):
        return False
    except also:
        return True
    return True


def who_may(run: Scenario, crowd: dict[str, Actor], task: TaskInfo) -> Access:
    """Asks the services as each user, in a transaction that is rolled back."""
    found: dict[str, set[str]] = {"see": set(), "offered": set(), "complete": set(), "claim": set()}
    for username, actor in crowd.items():
        s = run.factory()
        try:
            if _allowed(partial(tasks.task_detail, s, task.id, actor=actor, now=run.now)):
                found["see"].add(username)
            mine: tuple = ()
            if actor.reads_cases:  # administrators and designers have no inbox (a 403)
                mine = inbox.inbox_for(s, actor, run.now, instance_id=task.instance_id, limit=1000).items
            if any(item.task.id == task.id for item in mine):
                found["offered"].add(username)
            # not an object: refused as bad data once the user passed the checks of who may complete it
            if _allowed(partial(tasks.complete_task, s, task.id, [], actor=actor, now=run.now), InvalidData):
                found["complete"].add(username)
            if _allowed(partial(tasks.claim_task, s, task.id, actor=actor, now=run.now)):
                found["claim"].add(username)
        finally:
            s.rollback()
            s.close()
    return Access(**{k: frozenset(v) for k, v in found.items()})


def claim(run: Scenario, task_id: str, actor: Actor) -> TaskInfo:
    with transaction(run.factory) as s:
        return tasks.claim_task(s, task_id, actor=actor, now=run.now)


def release(run: Scenario, task_id: str, actor: Actor) -> TaskInfo:
    with transaction(run.factory) as s:
        return tasks.unclaim_task(s, task_id, actor=actor, now=run.now)


def check_release_keeps_access(run: Scenario, crowd: dict[str, Actor], task: TaskInfo) -> None:
    before = who_may(run, crowd, task)
    assert before.claim, f"nobody may claim {task.process_key}.{task.name}"
    claimant = crowd[sorted(before.claim, key=lambda u: (crowd[u].has("coordinator"), u))[0]]
    for releaser in (claimant, crowd["cora"]):
        claim(run, task.id, claimant)
        release(run, task.id, releaser)
        after = who_may(run, crowd, task)
        assert after == before, f"{task.process_key}.{task.name} released by {releaser.username}: " \
                                f"{before} became {after}"
    if task.assignee:  # bound to a named user: nobody else may claim or do it, before or after
        assert before.claim == before.complete == before.offered == {task.assignee}
    elif task.agency:  # its agency's people in its lane: a police reviewer may not do the police partner's task
        outsiders = {u for u in before.claim | before.complete
                     if crowd[u].agency != task.agency or (task.role and not crowd[u].has(task.role))}
        assert not outsiders, f"{task.process_key}.{task.name} ({task.role}, {task.agency}) open to {outsiders}"
    # the independent scrutineer sees every task and may do none
    assert "scot" in before.see and "scot" not in before.offered | before.claim | before.complete


def drive(run: Scenario, crowd: dict[str, Actor], starts: list[tuple[str, str | None]],
          plans: dict[str, list[dict[str, Any]]], wanted: set[tuple[str, str]], limit: int = 120) -> set:
    """Start ``starts`` and complete whatever is ready (``plans[name]`` are the choices for its first, second, ...
    time), moving the clock on when nothing is; every task that becomes ready is claimed and released first."""
    for key, who in starts:
        run.start(key, who=who)
    probed: set[str] = set()
    covered: set[tuple[str, str]] = set()
    times: Counter = Counter()
    idle = 0
    for _ in range(limit):
        if wanted <= covered:
            break
        ready = run.ready()
        for task in ready:
            if task.id not in probed:
                probed.add(task.id)
                check_release_keeps_access(run, crowd, task)
                covered.add((task.process_key, task.name))
        if not ready:
            idle += 1
            assert idle < 4, f"nothing more happens; still to see {sorted(wanted - covered)}"
            run.later(days=29)
            run.sweep()
            continue
        idle, task = 0, ready[0]
        choices = plans.get(task.name) or [{}]
        run.complete(task, **choices[min(times[task.name], len(choices) - 1)])
        times[task.name] += 1
    return covered


# scr's bound tasks that only one path reaches: the agencies' chronologies of a partnership review, and the Working
# Together 2023 steps (the Panel notification by the local authority, the rapid review's agency summaries, and
# whatever the law gives to the three partners). Any other bound task, including one added later, is wanted on
# both regimes' runs.
PR_ONLY = {("scr", "chronology_genogram")}
# the action plan's tasks for the three partners, reached only by a plan that names the partners for escalations and
# for its closure (their binding is the multi-instance over the partner agencies that scr's partners' tasks test)
PLAN_PARTNERS_ONLY = {("action_plan", "escalation_partners"), ("action_plan", "plan_sign_off_partners")}
WT2023_ONLY = {("scr", n) for n in ("notify_panel_wt", "rr_summary", "partners_signoff", "progress_checkpoint",
                                    "partners_approve_report", "partners_publication")}
LSCB2013 = {"referral": [{"regime": "lscb2013"}]}
LIGHT = {"abuse_or_neglect": "not_suspected", "child_outcome": "other", "concern_agency_working": True}
REVISED_ONCE = {"set_up_review": [{"involve_family": True}],
                "panel_review": [{"panel_outcome": "revise"}, {"panel_outcome": "accept"}]}
RUNS = {
    # Working Together 2023: a serious incident notified, its rapid review signed off by the partners and agreed
    # by the Panel, a CSPR (the lead reviewer's tasks, family involvement asked for, the panel returns the report
    # once, agency IMRs, the partners' checkpoint, report sign-off and publication decision)
    "scr_wt2023": ([("scr", "pat")], REVISED_ONCE),
    # a lighter case the partners send to a partnership review, which asks each agency for a chronology
    "scr_wt2023_partnership_review": ([("scr", "pat")], {"referral": [LIGHT],
                                                         "review_proposal": [{"proposed_review_type": "PR"}]}),
    # the legacy rules for cases begun under them: the chair decides, then the same review
    "scr_lscb2013": ([("scr", "pat")], {**LSCB2013, "chair_decision": [{"review_type": "SCR"}], **REVISED_ONCE}),
    "scr_lscb2013_partnership_review": ([("scr", "pat")], {**LSCB2013, "chair_decision": [{"review_type": "PR"}]}),
    # an unexpected death with a Joint Agency Response and its home visit; CDOP's recommendation goes to the
    # CDR partners
    "cdop": ([("cdop", None)], {"notification": [{"jar": True}], "jar_planning": [{"home_visit": True}]}),
    "section11": ([("section11", None)], {}),
    # its agreed actions are handed to an action plan, whose actions ask each agency for progress updates; the
    # first agency's pre-audit finds a child at risk now, a task for the local authority
    "case_audit_and_action_plan": ([("case_audit", None)], {"pre_audit": [{"live_risks": 1}, {}],
                                                            "audit_meeting": [{"actions": 2}]}),
    # the yearly programme starts each planned audit in its month: the agencies' pre-audits of a planned audit
    "case_audit_programme": ([("case_audit_programme", None)], {}),
}
WANTED = {
    "scr_wt2023": bound_user_tasks("scr") - PR_ONLY,
    "scr_wt2023_partnership_review": {("scr", "referral"), ("scr", "partners_signoff")} | PR_ONLY,
    "scr_lscb2013": bound_user_tasks("scr") - PR_ONLY - WT2023_ONLY,
    "scr_lscb2013_partnership_review": {("scr", "referral")} | PR_ONLY,
    "cdop": bound_user_tasks("cdop"),
    "section11": bound_user_tasks("section11"),
    "case_audit_and_action_plan": bound_user_tasks("case_audit") | bound_user_tasks("action_plan")
    - PLAN_PARTNERS_ONLY,
    "case_audit_programme": bound_user_tasks("case_audit_programme") | {("case_audit", "pre_audit")},
}


def test_the_runs_reach_every_bound_task_of_every_shipped_bundle():
    every = set().union(*(bound_user_tasks(key) for key in SHIPPED))
    assert set().union(*WANTED.values()) | PLAN_PARTNERS_ONLY == every
    assert PR_ONLY | WT2023_ONLY <= every  # the exceptions name tasks that exist
    lead_reviewers = {("scr", n) for n in ("draft_report", "revise_report", "panel_review", "family_involvement")}
    assert lead_reviewers <= WANTED["scr_wt2023"] & WANTED["scr_lscb2013"]  # on both regimes


@pytest.mark.slow  # whole processes, releasing every bound task (~35 s)
@pytest.mark.parametrize("name", list(RUNS))
def test_release_returns_every_bound_task_to_whom_it_was_bound(run, crowd, name):
    starts, plans = RUNS[name]
    covered = drive(run, crowd, starts, plans, WANTED[name])
    assert WANTED[name] <= covered, sorted(WANTED[name] - covered)


# --- the routes: the reproduction through the API and the pages ---------------------------------------

API = "/api/v1"


def to_draft_report(run: Scenario) -> TaskInfo:
    case = run.start("scr", who="pat")
    run.do(case, "referral")
    run.run_to_end(case, skip={"draft_report"})
    task = run.task(case, "draft_report")
    assert task.assignee == "pat"  # the lead reviewer named at set-up
    return task


def to_imrs(run: Scenario) -> dict[str, TaskInfo]:
    case = run.start("scr", who="pat")
    run.do(case, "referral")
    run.run_to_end(case, skip={"imr"})
    return {t.agency: t for t in run.ready(case, name="imr")}


def test_the_lead_reviewer_releasing_draft_report_leaves_it_theirs_alone(run, client, auth):
    task = to_draft_report(run)
    released = client.post(f"{API}/tasks/{task.id}/unclaim", headers=auth("pat"))
    assert released.status_code == 200 and released.json["assignee"] == "pat"
    for other in ("sam", "hana"):  # reviewers of other agencies: the IMRs in its data are not theirs to read
        assert client.get(f"{API}/tasks/{task.id}", headers=auth(other)).status_code == 404
        assert client.post(f"{API}/tasks/{task.id}/claim", headers=auth(other)).status_code == 404
        assert task.id not in [t["id"] for t in client.get(f"{API}/tasks", headers=auth(other)).json["items"]]
    by_coordinator = client.post(f"{API}/tasks/{task.id}/unclaim", headers=auth("cora"))
    assert by_coordinator.status_code == 200 and by_coordinator.json["assignee"] == "pat"
    assert client.get(f"{API}/tasks/{task.id}", headers=auth("sam")).status_code == 404
    assert task.id in [t["id"] for t in client.get(f"{API}/tasks", headers=auth("pat")).json["items"]]


def test_release_after_a_reassign_returns_the_task_to_the_new_assignee(run, client, auth):
    task = to_draft_report(run)
    assert client.post(f"{API}/tasks/{task.id}/assign", headers=auth("cora"),
                       json={"username": "sam"}).json["assignee"] == "sam"
    for releaser in ("sam", "cora"):
        released = client.post(f"{API}/tasks/{task.id}/unclaim", headers=auth(releaser))
        assert released.status_code == 200 and released.json["assignee"] == "sam"
        for other in ("pat", "hana"):
            assert client.get(f"{API}/tasks/{task.id}", headers=auth(other)).status_code == 404
            assert client.post(f"{API}/tasks/{task.id}/claim", headers=auth(other)).status_code == 404


def test_an_agency_task_released_goes_back_to_its_agency_only(run, crowd, client, auth):
    imrs = to_imrs(run)
    police, health = imrs["police"], imrs["health"]
    before = who_may(run, crowd, police)
    assert before.claim == {"pat", "rob"}
    assert client.post(f"{API}/tasks/{police.id}/claim", headers=auth("pat")).json["assignee"] == "pat"
    for releaser in ("pat", "cora"):
        released = client.post(f"{API}/tasks/{police.id}/unclaim", headers=auth(releaser))
        assert released.status_code == 200 and released.json["assignee"] is None
        assert released.json["agency"] == "police"
        assert client.get(f"{API}/tasks/{police.id}", headers=auth("sam")).status_code == 404
        assert who_may(run, crowd, police) == before
        client.post(f"{API}/tasks/{police.id}/claim", headers=auth("pat"))
    # a coordinator hands health's IMR to someone named: a release keeps it with them
    client.post(f"{API}/tasks/{health.id}/assign", headers=auth("cora"), json={"username": "pat"})
    assert client.post(f"{API}/tasks/{health.id}/unclaim", headers=auth("pat")).json["assignee"] == "pat"
    assert client.post(f"{API}/tasks/{health.id}/claim", headers=auth("hana")).status_code == 403


def _signed_in(app, username: str):
    page = app.test_client()
    token = csrf_token(page.get("/sign-in").get_data(as_text=True))
    answer = page.post("/sign-in", data={"username": username, "password": PASSWORDS[username],
                                         "csrf_token": token})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    return page


def _release_on_page(page, task_id: str):
    html = page.get(f"/tasks/{task_id}").get_data(as_text=True)
    return html, page.post(f"/tasks/{task_id}/unclaim", data={"csrf_token": csrf_token(html), "from": "task"},
                           follow_redirects=True)


def test_the_pages_release_to_the_binding_and_offer_no_release_of_a_task_bound_to_you(run, app):
    task = to_draft_report(run)
    pat = _signed_in(app, "pat")
    assert "Release" not in pat.get("/tasks").get_data(as_text=True)  # the task is pat's: nothing to release
    html, released = _release_on_page(pat, task.id)
    assert "Release this task" not in html
    assert released.status_code == 200 and "is assigned to pat again" in released.get_data(as_text=True)
    sam = _signed_in(app, "sam")
    assert sam.get(f"/tasks/{task.id}").status_code == 404
    assert "Draft the review report" not in sam.get("/tasks").get_data(as_text=True)


def test_the_pages_release_an_agency_task_to_its_agency(run, crowd, app):
    police = to_imrs(run)["police"]
    before = who_may(run, crowd, police)
    claim(run, police.id, crowd["rob"])
    rob = _signed_in(app, "rob")
    assert "Release" in rob.get("/tasks").get_data(as_text=True)
    html, released = _release_on_page(rob, police.id)
    assert "Release this task" in html
    assert "back in the shared queue" in released.get_data(as_text=True)
    assert who_may(run, crowd, police) == before


# --- the upgrade: tasks already released before the fix are bound again ---------------------------------------

BINDING_REVISION = "0003_task_binding"


@pytest.fixture
def before_the_fix(db_url):
    """A database at the revision before ``human_task.bound_to``, holding a case's tasks in every state a
    release or claim could have left them."""
    engine = make_engine(db_url)
    upgrade_schema(engine, BASELINE_REVISION)
    named = {"assigneeFrom": "lead_reviewer"}
    rows = {  # id: (assignee, claimed, agency, properties)
        "named": ("pat", False, None, named),  # bound by assigneeFrom, never released
        "reassigned": ("sam", False, None, {}),  # a coordinator's reassign
        "widened": (None, False, None, named),  # released before the fix: offered to every reviewer
        "claimed-after-widening": ("hana", True, None, named),
        "agency-claimed": ("rob", True, "police", {}),
        "role": (None, False, None, {}),
    }
    tasks_table, now = HumanTask.__table__, NOW
    with engine.begin() as c:
        c.execute(insert(ProcessDefinition.__table__).values(
            id=1, key="scr", version=1, name="SCR", description="", content_hash="x", primary_process_id="scr",
            primary_file_name="scr.bpmn", process_ids=["scr"], message_starts={}, model={}, files={}, spec_json="{}",
            deployed_at=now))
        c.execute(insert(ProcessInstance.__table__).values(
            id="case", definition_id=1, process_key="scr", process_id="scr", business_key="SCR-1", title="SCR-1",
            status="active", data={}, state="", revision="r", created_at=now, updated_at=now))
        for task_id, (assignee, claimed, agency, props) in rows.items():
            c.execute(insert(tasks_table).values(
                id=task_id, instance_id="case", process_key="scr", name=task_id, title=task_id, state="ready",
                role="reviewer", agency=agency, assignee=assignee, claimed_at=now if claimed else None,
                properties=props, data={"lead_reviewer": "pat"}, created_at=now))
    yield engine
    engine.dispose()


def test_the_upgrade_binds_existing_tasks_and_takes_back_those_a_release_opened(before_the_fix):
    upgrade_schema(before_the_fix, BINDING_REVISION)
    with before_the_fix.connect() as c:
        found = {r.id: (r.assignee, r.bound_to) for r in c.execute(
            select(HumanTask.id, HumanTask.assignee, HumanTask.bound_to))}
    assert found == {"named": ("pat", "pat"), "reassigned": ("sam", "sam"), "widened": ("pat", "pat"),
                     "claimed-after-widening": ("hana", "pat"), "agency-claimed": ("rob", None),
                     "role": (None, None)}
