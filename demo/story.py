"""A believable demonstration partnership: agencies, one user per role and agency, and cases of all five
processes in many states (just started, mid-way, waiting on agency returns, completed, one cancelled), with a
realistic share overdue.

Every case is driven through the engine's services as people would have worked on it, at times in the past:
each step is given its own past ``now`` and runs under ``clock.frozen_at`` so that scripts (``today()``) and
BPMN timers see the same moment. Due dates therefore fall in the past where the work has stalled. Action items
are monitored by replaying the timer sweep in time order up to the present. The form data comes from
``engine.demo_cases``, shared with the scenario tests. Names are invented; children are pseudonyms.
"""
from __future__ import annotations

import hashlib
import heapq
from datetime import datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.people import accounts, passwords
from engine import clock, workdays
from engine.bundles import definitions
from engine.cases import instances, timers
from engine.reads import queries
from engine.work import tasks
from engine.config import REPO_ROOT
from engine.store.db import transaction
from .cases import People, form_data
from engine.store.models import Agency, DueItem, HumanTask, ProcessInstance, User
from engine.records import TaskInfo

DEMO_PASSWORD = "demo-password"
AGENCIES = [
    ("police", "Police"), ("csc", "Children's Social Care"), ("acute_health", "City Hospitals NHS Trust"),
    ("community_health", "Community Health NHS Trust"), ("education", "Education"), ("probation", "Probation"),
    ("yjs", "Youth Justice Service"), ("cafcass", "CAFCASS"), ("voluntary", "Family Support Network (voluntary)"),
]
STAFF = [  # invented people
    ("coordinator", "Cora Linwood (business manager)", ["coordinator"], None),
    ("chair", "Hollis Varga (independent chair)", ["chair"], None),
    ("designer", "Devika Marsh (process designer)", ["designer"], None),
    ("admin", "Alex Quill (system administrator)", ["admin"], None),
    ("reviewer", "Riley Okonjo-Fenn (independent reviewer)", ["reviewer"], None),
]
SHIPPED = ("scr", "cdop", "section11", "action_plan", "case_audit")
PEOPLE = People(coordinator="coordinator", chair="chair", leads={key: f"{key}.lead" for key, _ in AGENCIES})
MONITORED = ("progress_update", "sign_off_coordinator", "sign_off_chair", "board_challenge")


def load_demo(factory: sessionmaker[Session], *, now: datetime) -> str:
    """Load the demonstration partnership into an empty database; a one-line summary."""
    now = clock.ensure_aware(now)
    with transaction(factory) as session:
        if session.scalar(select(func.count()).select_from(Agency)):
            return "demo data already present; nothing loaded"
        _people(session, now)
        deployed = _deploy_missing(session, now)
    demo = _Demo(factory, now)
    for build in (_scr_cases, _cdop_cases, _section11_cases, _case_audit_cases, _action_plans):
        build(demo)
    demo.monitor_actions()
    with transaction(factory) as session:
        cases = dict(session.execute(select(ProcessInstance.status, func.count())
                                     .where(ProcessInstance.process_id != "action_item")
                                     .group_by(ProcessInstance.status)).all())
        actions = session.scalar(select(func.count(func.distinct(ProcessInstance.business_key)))
                                 .where(ProcessInstance.process_id == "action_item"))
        periods = session.scalar(select(func.count()).select_from(ProcessInstance)
                                 .where(ProcessInstance.process_id == "action_item"))
        ready = session.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.state == "ready"))
        overdue = session.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.state == "ready", HumanTask.due_at < now))
    states = ", ".join(f"{n} {s}" for s, n in sorted(cases.items()))
    extra = f" (deployed {', '.join(deployed)})" if deployed else ""
    return (f"demo partnership loaded{extra}: {len(AGENCIES)} agencies, {len(STAFF) + len(AGENCIES)} users, "
            f"{sum(cases.values())} cases ({states}), {actions} actions monitored over {periods} update periods, "
            f"{ready} open tasks of which {overdue} overdue; every password is {DEMO_PASSWORD!r}")


def is_empty(session: Session) -> bool:
    """No user and no case yet: a fresh database the demo may fill."""
    return not session.scalar(select(func.count()).select_from(ProcessInstance)) and \
        not session.scalar(select(func.count()).select_from(User))


def _people(session: Session, now: datetime) -> None:
    for key, name in AGENCIES:
        accounts.add_agency(session, key, name, actor="lif demo", now=now)
    users = [*STAFF, *((f"{key}.lead", f"{name} safeguarding lead", ["reviewer"], key) for key, name in AGENCIES)]
    shared_hash = accounts.hash_password(DEMO_PASSWORD)  # one argon2 hash for the one demo password: quick
    for username, full_name, roles, agency in users:
        user = accounts.add_user(session, username, roles=roles, agency_key=agency, full_name=full_name,
                                 email=f"{username}@example.org", actor="lif demo", now=now)
        passwords.check(DEMO_PASSWORD, username=username)  # the demo follows the password policy too
        user.password_hash = shared_hash
    for key, _ in AGENCIES:
        accounts.set_senior_lead(session, key, f"{key}.lead", actor="lif demo", now=now)


def _deploy_missing(session: Session, now: datetime) -> list[str]:
    """Deploy any shipped bundle that ``lif init`` has not deployed yet (the demo needs all five)."""
    have = {info.key for info in definitions.list_latest(session)}
    missing = [key for key in SHIPPED if key not in have]
    for key in missing:
        definitions.deploy_directory(session, REPO_ROOT / "workflows" / key, actor="lif demo", now=now)
    return missing


class _Demo:
    """Runs each step as the person it is offered to, at a given moment in the past."""

    def __init__(self, factory: sessionmaker[Session], now: datetime) -> None:
        self.factory = factory
        self.now = now
        self.coordinator = PEOPLE.actor(PEOPLE.coordinator)
        self.policies: dict[str, dict[str, Any]] = {}  # action key -> how its updates go (see monitor_actions)
        self.steps = 0

    def ago(self, days: float, hour: int = 10) -> datetime:
        """``days`` before today at ``hour`` London time (never later than an hour ago)."""
        day = workdays.london_date(self.now) - timedelta(days=int(days))
        moment = datetime.combine(day, time(hour), tzinfo=workdays.LONDON).astimezone(timezone.utc)
        return min(moment, self.now - timedelta(hours=1))

    def start(self, key: str, at: datetime, who: str = "coordinator") -> str:
        with clock.frozen_at(at), transaction(self.factory) as session:
            return instances.start_instance(session, key, actor=PEOPLE.actor(who), now=at).id

    def ready(self, instance_id: str | None = None, name: str | None = None, *,
              process_key: str | None = None) -> list[TaskInfo]:
        with transaction(self.factory) as session:
            page = queries.tasks_for(session, self.coordinator, self.now, instance_id=instance_id,
                                     process_key=process_key, limit=10_000)
        return [t for t in page.items if name is None or t.name == name]

    def complete(self, task: TaskInfo, at: datetime, **choices: Any) -> None:
        actor = PEOPLE.actor_for(task.role, task.agency, task.assignee)
        with clock.frozen_at(at):
            with transaction(self.factory) as session:
                data = session.get(HumanTask, task.id).data or {}  # what the task page would show
            payload = form_data(task.process_key, task.name, data, PEOPLE, workdays.london_date(at), **choices)
            with transaction(self.factory) as session:
                tasks.complete_task(session, task.id, payload, actor=actor, now=at)
        self.steps += 1

    def do(self, instance_id: str, name: str, at: datetime, **choices: Any) -> None:
        found = self.ready(instance_id, name)
        if len(found) != 1:
            raise RuntimeError(f"demo: expected one ready {name!r}, found {[t.name for t in self.ready(instance_id)]}")
        self.complete(found[0], at, **choices)

    def do_each(self, instance_id: str, name: str, at: datetime, agencies: dict[str, dict[str, Any]] | None = None,
                only: list[str] | None = None, spread_days: float = 0, **choices: Any) -> None:
        """Complete the ready ``name`` task of each agency in ``only`` (default: all), a little apart."""
        found = sorted(self.ready(instance_id, name), key=lambda t: t.agency or "")
        for i, task in enumerate(t for t in found if only is None or t.agency in only):
            when = at + timedelta(days=spread_days * i)
            self.complete(task, when, **{**choices, **(agencies or {}).get(task.agency or "", {})})

    def cancel(self, instance_id: str, at: datetime, reason: str) -> None:
        with clock.frozen_at(at), transaction(self.factory) as session:
            instances.cancel_instance(session, instance_id, reason, actor=self.coordinator, now=at)

    def ids(self, process_id: str) -> set[str]:
        with transaction(self.factory) as session:
            return set(session.scalars(select(ProcessInstance.id).where(ProcessInstance.process_id == process_id)))

    def do_and_catch(self, instance_id: str, name: str, at: datetime, process_id: str, **choices: Any) -> str:
        """Do the step that starts one ``process_id`` instance by a message; that instance's id."""
        before = self.ids(process_id)
        self.do(instance_id, name, at, **choices)
        (started,) = self.ids(process_id) - before
        return started

    def raise_plan(self, plan_id: str, at: datetime, statuses: list[list[str]], **choices: Any) -> None:
        """Agree the plan; ``statuses[i]`` is how action i's successive updates go (see monitor_actions)."""
        self.do(plan_id, "plan_form", at, **choices)
        with transaction(self.factory) as session:
            data = session.get(ProcessInstance, plan_id).data
        for i, action in enumerate(data["actions"]):
            self.policies[action["action_key"]] = {"statuses": statuses[i % len(statuses)]}

    # --- action monitoring, replayed in time order ---------------------------------------------------------

    def monitor_actions(self) -> None:
        """Fire the action items' update timers at their times and work their tasks as the owners would, in
        time order, up to now. A task whose turn comes after now stays open (overdue when it is late)."""
        until = self.now - timedelta(minutes=30)
        queue: list[tuple[datetime, int, str]] = []
        scheduled: set[str] = set()
        while True:
            self._schedule(queue, scheduled)
            next_timer = self._next_timer()
            fire_at = next_timer + timedelta(minutes=1) if next_timer is not None else None
            if queue and (fire_at is None or queue[0][0] <= fire_at):
                when, _, task_id = heapq.heappop(queue)
                if when >= until:
                    break
                self._work(task_id, when)
            elif fire_at is not None and fire_at < until:
                timers.run_timer_sweep(self.factory, fire_at)
                self.steps += 1
            else:
                break

    def _next_timer(self) -> datetime | None:
        with transaction(self.factory) as session:
            return session.scalar(select(func.min(DueItem.due_at)).where(DueItem.kind == "timer",
                                                                          DueItem.done_at.is_(None)))

    def _schedule(self, queue: list[tuple[datetime, int, str]], scheduled: set[str]) -> None:
        for task in self.ready(process_key="action_plan"):
            if task.name in MONITORED and task.id not in scheduled:
                scheduled.add(task.id)
                stable = f"{(task.business_key or '')[-3:]}:{task.name}:{task.created_at.date()}"
                delay = {"progress_update": 3 + _spread(stable, 9), "board_challenge": 4}.get(task.name, 6)
                heapq.heappush(queue, (task.created_at + timedelta(days=delay), len(scheduled), task.id))

    def _work(self, task_id: str, when: datetime) -> None:
        with transaction(self.factory) as session:
            row = session.get(HumanTask, task_id)
            if row is None or row.state != "ready":
                return
            instance = session.get(ProcessInstance, row.instance_id)
            key, done = instance.business_key, int((instance.data or {}).get("updates_count", 0))
            task = queries.task_info(row, when, instance)
        choices: dict[str, Any] = {}
        if task.name == "progress_update":
            statuses = self.policies.get(key, {}).get("statuses") or ["on_track"]
            choices["status"] = statuses[min(done, len(statuses) - 1)]
        elif task.name == "board_challenge":
            choices = {"outcome": "extend", "new_due_date": (when + timedelta(days=120)).date().isoformat()}
        elif task.name.startswith("sign_off"):
            choices["decision"] = "more_evidence_needed" if _spread(f"{key[-3:]}:{when.date()}", 4) == 0 \
                else "signed_off"
        self.complete(task, when, **choices)


def _spread(text: str, n: int) -> int:
    """A stable small number from ``text`` (0 .. n-1), so the demo is the same on every run."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % n


# --- the cases ------------------------------------------------------------------------------------------------

def _scr_cases(d: _Demo) -> None:
    # Child A: a CSPR waiting on agency IMRs; City Hospitals' IMR is overdue.
    a = d.start("scr", d.ago(82), who="police.lead")
    d.do(a, "referral", d.ago(82), pseudonym="Child A", la_aware_date=d.ago(83).date().isoformat(),
         abuse_or_neglect="suspected", child_outcome="seriously_harmed", concern_agency_working=True,
         agencies_involved=["police", "csc", "acute_health", "education"])
    d.do(a, "screening", d.ago(80))
    d.do(a, "notify_panel", d.ago(79))
    d.do(a, "rapid_review", d.ago(64))
    d.do(a, "chair_decision", d.ago(60))
    d.do(a, "communicate_decision", d.ago(58))
    d.do(a, "set_up_review", d.ago(52), lead_reviewer="reviewer")
    d.do_each(a, "imr", d.ago(30), only=["education"], nil_return=True)
    d.do_each(a, "imr", d.ago(20), only=["police", "csc"], spread_days=7)

    # Child D: referred three days ago; the sub-group has not screened it yet.
    dd = d.start("scr", d.ago(3, 11), who="csc.lead")
    d.do(dd, "referral", d.ago(3, 11), pseudonym="Child D", la_aware_date=d.ago(4).date().isoformat(),
         abuse_or_neglect="known", child_outcome="seriously_harmed", concern_agency_working=False,
         agencies_involved=["csc", "community_health", "education"])

    # Child E: a referral just started by a school's safeguarding lead, not yet sent.
    d.start("scr", d.now - timedelta(hours=2), who="education.lead")

    # Child F: a Multi-Agency Review case whose statutory notification is late.
    f = d.start("scr", d.ago(13), who="community_health.lead")
    d.do(f, "referral", d.ago(13), pseudonym="Child F", la_aware_date=d.ago(14).date().isoformat(),
         abuse_or_neglect="suspected", child_outcome="seriously_harmed", concern_agency_working=False,
         agencies_involved=["community_health", "csc"])
    d.do(f, "screening", d.ago(11))

    # Child G: a Learning Lessons Review, completed; its actions are being monitored.
    g = d.start("scr", d.ago(172), who="yjs.lead")
    d.do(g, "referral", d.ago(172), pseudonym="Child G", abuse_or_neglect="not_suspected", child_outcome="other",
         concern_agency_working=True, learning_focus="period", agencies_involved=["yjs", "education", "csc"])
    d.do(g, "screening", d.ago(168))
    d.do(g, "chair_decision", d.ago(160))
    d.do(g, "communicate_decision", d.ago(158))
    d.do(g, "set_up_review", d.ago(150), lead_reviewer="reviewer")
    d.do(g, "learning_event", d.ago(135))
    d.do(g, "draft_report", d.ago(120))
    d.do(g, "prepare_action_plan", d.ago(118))
    plan = d.do_and_catch(g, "board_approval", d.ago(112), "action_plan")
    d.raise_plan(plan, d.ago(105), [["on_track", "on_track", "completed"], ["at_risk"]],
                 sign_off_by=["coordinator", "chair"])
    d.do(g, "record_learning", d.ago(110))

    # Child H: no review; closed after the chair's decision.
    h = d.start("scr", d.ago(41), who="police.lead")
    d.do(h, "referral", d.ago(41), pseudonym="Child H", abuse_or_neglect="not_suspected", child_outcome="other",
         concern_agency_working=False, agencies_involved=["police", "education"])
    d.do(h, "screening", d.ago(38))
    d.do(h, "chair_decision", d.ago(31))
    d.do(h, "communicate_decision", d.ago(29))

    # Child J: a duplicate referral, cancelled.
    j = d.start("scr", d.ago(21), who="acute_health.lead")
    d.do(j, "referral", d.ago(21), pseudonym="Child J", agencies_involved=["acute_health", "csc"])
    d.cancel(j, d.ago(19), "Duplicate of the referral for Child D (same incident, referred by the hospital).")

    # Child K: a CSPR whose draft report the panel sent back for revision.
    k = d.start("scr", d.ago(250), who="probation.lead")
    d.do(k, "referral", d.ago(250), pseudonym="Child K", abuse_or_neglect="suspected", child_outcome="died",
         agencies_involved=["probation", "police", "csc"])
    d.do(k, "screening", d.ago(248))
    d.do(k, "notify_panel", d.ago(247))
    d.do(k, "rapid_review", d.ago(233))
    d.do(k, "chair_decision", d.ago(228))
    d.do(k, "communicate_decision", d.ago(226))
    d.do(k, "set_up_review", d.ago(220), lead_reviewer="reviewer", involve_family=True)
    d.do_each(k, "imr", d.ago(185), spread_days=3)
    d.do(k, "learning_event", d.ago(160))
    d.do(k, "family_involvement", d.ago(150))
    d.do(k, "draft_report", d.ago(70), recommendations=3)
    d.do(k, "panel_review", d.ago(10), panel_outcome="revise")


def _cdop_cases(d: _Demo) -> None:
    # Child B: waiting on agency reports; two are overdue.
    b = d.start("cdop", d.ago(27))
    d.do(b, "notification", d.ago(27), pseudonym="Child B", urn="CDOP-0412")
    d.do(b, "identify_agencies", d.ago(26), agencies_involved=["police", "acute_health", "community_health", "csc"])
    d.do_each(b, "agency_report", d.ago(15), only=["police"])
    d.do_each(b, "agency_report", d.ago(10), only=["community_health"], nil_return=True)
    d.do(b, "family_views", d.ago(12), family_response="no_response")

    # Child L: a death notified this morning.
    d.start("cdop", d.now - timedelta(hours=3))

    # Child M: reviewed; neglect suspected, so referred for a case review; the board accepted the
    # recommendations and the action plan waits for the coordinator.
    m = d.start("cdop", d.ago(95))
    d.do(m, "notification", d.ago(95), pseudonym="Child M", urn="CDOP-0398", expected_death="unexpected")
    d.do(m, "identify_agencies", d.ago(94), agencies_involved=["police", "csc", "community_health"])
    d.do_each(m, "agency_report", d.ago(80), spread_days=2, agencies={"csc": {"safeguarding_concerns": "yes"}})
    d.do(m, "family_views", d.ago(78))
    d.do(m, "collate_anonymise", d.ago(60))
    scr = d.do_and_catch(m, "panel_review", d.ago(45), "scr", abuse_neglect_suspected=True, recommendations=2)
    d.do(scr, "confirm_referral", d.ago(44))
    d.do(scr, "screening", d.ago(42))
    d.do(scr, "notify_panel", d.ago(41))
    d.do(scr, "rapid_review", d.ago(25))
    d.do(scr, "chair_decision", d.ago(20))
    d.do(scr, "communicate_decision", d.ago(19))
    d.do(m, "board_recommendations", d.ago(40), board_decision="accepted_with_changes")
    d.do(m, "ncmd_submission", d.ago(35))

    # Child N: agency reports in; waiting for the panel meeting.
    n = d.start("cdop", d.ago(60))
    d.do(n, "notification", d.ago(60), pseudonym="Child N", urn="CDOP-0405", expected_death="expected")
    d.do(n, "identify_agencies", d.ago(59), agencies_involved=["acute_health", "csc"])
    d.do_each(n, "agency_report", d.ago(45), spread_days=5)
    d.do(n, "family_views", d.ago(38))
    d.do(n, "collate_anonymise", d.ago(30))


def _section11_cases(d: _Demo) -> None:
    # The main cycle: every agency asked; two returns overdue, one nil return.
    c = d.start("section11", d.ago(75))
    year = d.ago(75).year
    d.do(c, "set_cycle", d.ago(75), cycle_name=f"{year}-{(year + 2) % 100:02d}",
         return_deadline=d.ago(12).date().isoformat(), agencies_taking_part=[key for key, _ in AGENCIES])
    d.do_each(c, "self_evaluation", d.ago(40), only=["probation"], nil_return=True)
    d.do_each(c, "self_evaluation", d.ago(34), only=["community_health", "police", "csc", "acute_health", "education",
                                                      "voluntary"], spread_days=4, agencies={"csc": {"ratings": ["green", "amber", "green", "green", "red", "green",
                                                            "green", "green"]},
                                        "police": {"ratings": ["green"] * 8}})

    # A completed cycle for the commissioned services; its plan is being monitored.
    s = d.start("section11", d.ago(190))
    d.do(s, "set_cycle", d.ago(190), cycle_name="Commissioned services", cycle_period="P1Y",
         return_deadline=d.ago(150).date().isoformat(), agencies_taking_part=["yjs", "cafcass", "voluntary"])
    d.do_each(s, "self_evaluation", d.ago(160), spread_days=2,
              agencies={"voluntary": {"ratings": ["green", "green", "amber", "green", "amber", "green", "green",
                                                  "na"]}})
    d.do(s, "select_peer_review", d.ago(148))
    d.do_each(s, "peer_review", d.ago(140), agencies={"police": {"ratings_supported": "partly"}})
    d.do(s, "challenge_event", d.ago(130), agreed_actions=1)
    plan = d.do_and_catch(s, "approve_board_plan", d.ago(125), "action_plan")
    d.raise_plan(plan, d.ago(120), [["on_track", "completed"], ["not_started", "at_risk"],
                                                      ["on_track"]])


def _case_audit_cases(d: _Demo) -> None:
    # A completed audit on neglect; its action log is being monitored.
    a = d.start("case_audit", d.ago(120))
    d.do(a, "set_audit", d.ago(120), sample_seed=20260, agencies_taking_part=["csc", "community_health", "education"],
         pre_audit_due_date=d.ago(99).date().isoformat(), meeting_date=d.ago(85).date().isoformat())
    d.do_each(a, "pre_audit", d.ago(101), spread_days=1)
    plan = d.do_and_catch(a, "audit_meeting", d.ago(85), "action_plan", actions=2)
    d.raise_plan(plan, d.ago(78), [["on_track", "completed"], ["at_risk", "at_risk"]])
    d.do_each(a, "receive_findings", d.ago(82), spread_days=1)

    # Domestic abuse audit: three pre-audits in (one a nil return), one overdue.
    b = d.start("case_audit", d.ago(30))
    d.do(b, "set_audit", d.ago(30), sample_size=10, agencies_taking_part=["police", "csc", "acute_health", "voluntary"],
         pre_audit_due_date=d.ago(4).date().isoformat(), meeting_date=(d.now + timedelta(days=10)).date().isoformat(),
         audit_theme="Domestic abuse: children in the household",
         cohort_criteria="Children in households with two or more police call-outs for domestic abuse")
    d.do_each(b, "pre_audit", d.ago(8), only=["police", "csc", "voluntary"], spread_days=2,
              agencies={"voluntary": {"nil_return": True}})


def _action_plans(d: _Demo) -> None:
    # The partnership's own plan, entered by hand, with quarterly updates.
    p = d.start("action_plan", d.ago(200))
    d.raise_plan(p, d.ago(198), [["on_track", "completed"], ["at_risk", "on_track"]], actions=2,
                 plan_title="Neglect strategy: partnership priorities", update_period="P91D",
                 sign_off_by=["chair", "coordinator"])
    # A plan just handed over from the Child M review is waiting for the coordinator (see _cdop_cases).
