"""Retention in the engine: every shipped process declares a policy, deploy refuses a malformed one, an instance
keeps its version's period, the cases past their date are listed, legal holds, and what disposal erases and keeps."""
from __future__ import annotations

import json

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select, update

from engine.bundles import definitions
from engine.bundles.parsing import read_bundle_dir
from engine.bundles.retention_policy import RetentionPolicy, period_in_words, policy_of
from engine.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.retention import disposal, holds, schedule
from engine.store.db import transaction
from engine.store.models import (
    CaseNote,
    CaseStatistics,
    Comment,
    DueItem,
    HumanTask,
    LegalHold,
    MessageSubscription,
    Notification,
    ProcessInstance,
    User,
)
from engine.work import tasks
from notifications import outbox
from tests.conftest import NOW
from tests.scenarios.conftest import SHIPPED, WORKFLOWS

from .retention_kit import audit_rows, cancel

NOT_COORDINATORS = ("chair", "admin", "designer", "police")


def _cdop_case(run, *, urn="CDOP-0042") -> str:
    """A CDOP case with its notification answered and its agencies identified, a comment, a draft and a chaser on
    an agency report (in-app, and by e-mail not sent yet), then cancelled: a finished case with data in every
    table disposal touches."""
    case = run.start("cdop")
    run.do(case, "notification", urn=urn, pseudonym="Child D")
    run.do(case, "identify_agencies", agencies_involved=["police", "csc"])
    report = run.task(case, "agency_report", agency="police")
    police = run.people.actor_for(report.role, report.agency, report.assignee)
    with transaction(run.factory) as s:
        s.execute(update(User).where(User.username == police.username).values(email="pat@police.test"))
        tasks.add_comment(s, report.id, "Records requested from the area command", actor=police, now=run.now)
        tasks.save_draft(s, report.id, {"completed_by": "pat"}, actor=police, now=run.now)
        outbox.send_chaser(s, report.id, "Please send it by Friday", actor=run.coordinator, now=run.now,
                           base_url="http://lif.test")
    cancel(run, case, "Notified twice; the other case goes on")
    return case


def _due(run, when=None):
    with transaction(run.factory) as s:
        return schedule.cases_past_retention(s, when or run.now, actor=run.coordinator)


def _retention(run, case):
    with transaction(run.factory) as s:
        return schedule.retention_of(s, s.get(ProcessInstance, case))


def _dispose(run, case, confirmation=None, actor=None):
    with transaction(run.factory) as s:
        key = s.get(ProcessInstance, case).business_key
        return disposal.dispose_case(s, case, key if confirmation is None else confirmation,
                                     actor=actor or run.coordinator, now=run.now)


def _hold(run, case, reason="Coroner's inquest opened", kind="inquest", actor=None):
    with transaction(run.factory) as s:
        return holds.place_hold(s, case, reason, kind=kind, actor=actor or run.coordinator, now=run.now)


def _release(run, case, reason="Inquest concluded", actor=None):
    with transaction(run.factory) as s:
        return holds.release_hold(s, case, reason, actor=actor or run.coordinator, now=run.now)


# --- policies ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", SHIPPED)
def test_every_shipped_process_declares_a_policy_whose_statistics_its_bundle_writes(key):
    files = read_bundle_dir(WORKFLOWS / key)
    policy = policy_of(json.loads(files["process_model.json"]))
    assert policy is not None and policy.counted_from in ("completion", "start")
    assert 1 <= policy.delta.years <= 100
    written = "\n".join(text for name, text in files.items() if name != "process_model.json")
    for path in policy.statistics:
        assert path[0] in written, f"{key}: statistic {'.'.join(path)!r} names nothing the bundle writes"
    assert key in (WORKFLOWS / "README.md").read_text(encoding="utf-8").split("## Retention")[1].split("\n## ")[0]


@pytest.mark.parametrize("retention, field", [
    ("P25Y", "retention"), ({"from": "completion"}, "retention.period"), ({"period": "25 years", "from": "start"},
                                                                         "retention.period"),
    ({"period": "P0D", "from": "start"}, "retention.period"), ({"period": "P101Y", "from": "start"},
                                                               "retention.period"),
    ({"period": "PT12H", "from": "start"}, "retention.period"), ({"period": "15WD", "from": "start"},
                                                                 "retention.period"),
    ({"period": "P6Y", "from": "death"}, "retention.from"), ({"period": "P6Y"}, "retention.from"),
    ({"period": "P6Y", "from": "start", "keep": 1}, "retention.keep"),
    ({"period": "P6Y", "from": "start", "statistics": "grade"}, "retention.statistics"),
    ({"period": "P6Y", "from": "start", "statistics": ["grades..good"]}, "retention.statistics"),
])
def test_deploy_refuses_a_malformed_retention_policy(factory, retention, field):
    files = read_bundle_dir(WORKFLOWS / "cdop")
    model = json.loads(files["process_model.json"]) | {"retention": retention}
    with pytest.raises(InvalidData) as refused, transaction(factory) as s:
        definitions.deploy_bundle(s, "cdop", {**files, "process_model.json": json.dumps(model)}, actor="dee",
                                  now=NOW)
    assert field in [p.get("field") for p in refused.value.details], refused.value.details


def test_a_retention_date_runs_from_completion_or_start():
    ended = NOW + relativedelta(months=3)
    assert RetentionPolicy("P6Y6M", "completion").retention_date(NOW, ended) == ended + relativedelta(years=6,
                                                                                                     months=6)
    assert RetentionPolicy("P6Y6M", "completion").retention_date(NOW, None) is None
    assert RetentionPolicy("P2W3D", "start").retention_date(NOW, None) == NOW + relativedelta(days=17)
    assert [period_in_words(p) for p in ("P1Y", "P6Y6M", "P1Y2M1W", "P3D")] == [
        "1 year", "6 years and 6 months", "1 year, 2 months and 1 week", "3 days"]
    assert RetentionPolicy("P75Y", "completion").describe() == "75 years from completion"


def test_an_instance_keeps_the_period_of_its_version(run):
    first = run.start("cdop")
    files = read_bundle_dir(WORKFLOWS / "cdop")
    model = json.loads(files["process_model.json"])
    model["retention"]["period"] = "P1Y"
    with transaction(run.factory) as s:
        info, created = definitions.deploy_bundle(s, "cdop", {**files, "process_model.json": json.dumps(model)},
                                                  actor="dee", now=run.now)
    assert created and info.version == 2
    second = run.start("cdop")
    assert _retention(run, first).retention_date is None  # running: no date until it ends
    cancel(run, first)
    cancel(run, second)
    assert _retention(run, first).retention_date == run.now + relativedelta(years=15)
    assert _retention(run, second).retention_date == run.now + relativedelta(years=1)
    assert _retention(run, second).period_in_words == "1 year from completion"


# --- the list -----------------------------------------------------------------------------------------------

def test_a_case_is_listed_from_its_retention_date_until_it_is_disposed_of(run):
    case = _cdop_case(run)
    running = run.start("cdop")
    ended = run.now
    assert _due(run, ended + relativedelta(years=15, seconds=-1)) == []
    (due,) = _due(run, ended + relativedelta(years=15))
    assert (due.instance_id, due.business_key, due.process_key, due.process_name, due.version, due.status) == (
        case, run.instance(case).business_key, "cdop", "Child death review (CDOP)", 1, "cancelled")
    assert due.retention_date == ended + relativedelta(years=15) and due.held is False
    _hold(run, case)
    (held,) = _due(run, ended + relativedelta(years=40))
    assert held.hold.kind == "inquest" and held.hold.reason == "Coroner's inquest opened"
    _release(run, case)
    run.traveller.move_to(ended + relativedelta(years=15, days=1))
    _dispose(run, case)
    assert _due(run, ended + relativedelta(years=90)) == []
    assert running not in [d.instance_id for d in _due(run, ended + relativedelta(years=90))]


def test_only_a_coordinator_sees_the_list(run, partnership):
    for role in NOT_COORDINATORS:
        with pytest.raises(Forbidden), transaction(run.factory) as s:
            schedule.cases_past_retention(s, run.now, actor=partnership[role])


# --- legal holds --------------------------------------------------------------------------------------------

def test_a_hold_is_placed_and_lifted_with_reasons_kept_as_case_notes(run):
    case = run.start("cdop")
    placed = _hold(run, case, "Coroner's inquest, ref 123", kind="inquest")
    assert (placed.kind, placed.kind_name, placed.reason, placed.placed_by) == (
        "inquest", "Inquest", "Coroner's inquest, ref 123", "cora")
    with pytest.raises(Conflict, match="already under a legal hold"):
        _hold(run, case, kind="inquiry")
    released = _release(run, case, "Inquest concluded")
    assert (released.released_by, released.release_reason, released.reason) == (
        "cora", "Inquest concluded", "Coroner's inquest, ref 123")
    with pytest.raises(Conflict, match="not under a legal hold"):
        _release(run, case)
    again = _hold(run, case, "Criminal trial listed", kind="criminal_proceedings")
    with transaction(run.factory) as s:
        assert [h.kind for h in holds.holds_of(s, case)] == ["inquest", "criminal_proceedings"]
        assert holds.open_hold(s, case) == again
    events = [(r.action, r.details) for r in audit_rows(run.factory, case) if r.action.startswith("hold.")]
    assert [(a, d["hold_id"], d.get("hold_reason")) for a, d in events] == [
        ("hold.placed", placed.id, "inquest"), ("hold.released", placed.id, None),
        ("hold.placed", again.id, "criminal_proceedings")]
    assert all("Coroner" not in json.dumps(d) and "trial" not in json.dumps(d) for _, d in events)


@pytest.mark.parametrize("reason, kind, field", [("", "inquest", "reason"), ("   ", "inquest", "reason"),
                                                 ("x" * 2001, "inquest", "reason"), ("Why", "coroner", "kind")])
def test_a_hold_needs_a_reason_and_a_known_kind(run, reason, kind, field):
    case = run.start("cdop")
    with pytest.raises(InvalidData) as refused:
        _hold(run, case, reason, kind=kind)
    assert [d["field"] for d in refused.value.details] == [field]
    with pytest.raises(InvalidData):
        _release(run, case, " ")


@pytest.mark.parametrize("role", NOT_COORDINATORS)
def test_only_a_coordinator_places_or_lifts_a_hold(run, partnership, role):
    case = run.start("cdop")
    actor = partnership[role]
    with pytest.raises(Forbidden):
        _hold(run, case, actor=actor)
    _hold(run, case)
    with pytest.raises(Forbidden):
        _release(run, case, actor=actor)


def test_a_hold_on_a_case_that_does_not_exist_is_not_found(run):
    with pytest.raises(NotFound):
        _hold(run, "no-such-case")


# --- disposal -----------------------------------------------------------------------------------------------

def test_disposal_erases_the_case_keeps_statistics_and_audits_itself(run):
    case, other = _cdop_case(run), _cdop_case(run, urn="CDOP-0043")
    _hold(run, case)
    _release(run, case)
    before = _owned(run, other)
    trail = audit_rows(run.factory, case)
    with transaction(run.factory) as s:  # more of each when the notifications room is installed in this process
        notices = s.scalar(select(func.count()).select_from(Notification).where(Notification.instance_id == case))
        ladder = s.scalar(select(func.count()).select_from(DueItem).where(DueItem.instance_id == case))
    assert notices >= 2  # the chaser, in-app and by e-mail
    run.traveller.move_to(run.now + relativedelta(years=15, days=1))
    result = _dispose(run, case)

    assert result.outcomes == {"expected_death": "unexpected"}
    assert result.erased == {"tasks": 5, "comments": 1, "notes": 4, "notifications": notices,
                             "message_subscriptions": 0, "due_items": ladder, "child_keys": 0, "documents": 0}
    with transaction(run.factory) as s:
        row = s.get(ProcessInstance, case)
        assert (row.title, row.pseudonym, row.data, row.state, row.error, row.status) == (
            "Disposed case", None, {}, "", None, "cancelled")
        assert row.business_key == result.business_key and row.completed_at is not None
        for task in s.scalars(select(HumanTask).where(HumanTask.instance_id == case)):
            assert (task.data, task.answers, task.draft, task.instructions) == ({}, None, None, None)
            assert task.title  # the step's name stays: the access report and timeline need it
        for model in (Comment, CaseNote, MessageSubscription, DueItem):
            assert s.scalar(select(func.count()).select_from(model).where(model.instance_id == case)) == 0
        notes = list(s.scalars(select(Notification).where(Notification.instance_id == case)))
        assert all((n.subject, n.body, n.body_html) == ("Disposed case", "", None) for n in notes)
        assert ("email", "failed") in {(n.channel, n.state) for n in notes}  # the chaser's e-mail is not sent
        assert not {n.state for n in notes} & {"pending", "held"}
        (hold,) = s.scalars(select(LegalHold).where(LegalHold.instance_id == case))
        assert hold.kind == "inquest" and hold.released_at is not None
        stats = s.get(CaseStatistics, case)
        assert (stats.process_key, stats.version, stats.status, stats.outcomes, stats.disposed_by) == (
            "cdop", 1, "cancelled", {"expected_death": "unexpected"}, "cora")
        assert (stats.created_at, stats.completed_at, stats.disposed_at) == (row.created_at, row.completed_at,
                                                                             run.now)
    after = audit_rows(run.factory, case)
    assert [(r.id, r.details) for r in after[:len(trail)]] == [(r.id, r.details) for r in trail]
    erased_documents, disposed = after[len(trail):]
    assert (erased_documents.action, erased_documents.details) == ("documents.erased", {"documents": 0, "versions": 0})
    assert (disposed.action, disposed.actor, disposed.details["process_key"], disposed.details["kept"],
            disposed.details["erased"]) == ("instance.disposed", "cora", "cdop", ["expected_death"], result.erased)
    assert _owned(run, other) == before  # the other case is untouched


def _owned(run, case):
    with transaction(run.factory) as s:
        row = s.get(ProcessInstance, case)
        tasks_ = [(t.data, t.answers, t.draft) for t in s.scalars(select(HumanTask).where(HumanTask.instance_id == case)
                                                                 .order_by(HumanTask.id))]
        return (row.title, row.data, tasks_, s.scalar(select(func.count()).select_from(Comment)
                                                      .where(Comment.instance_id == case)),
                sorted(n.body for n in s.scalars(select(Notification).where(Notification.instance_id == case))))


def test_a_held_case_is_never_disposed_of_and_the_refusal_gives_the_hold(run):
    case = _cdop_case(run)
    _hold(run, case, "Inquiry into the county's children's homes", kind="inquiry")
    run.traveller.move_to(run.now + relativedelta(years=50))
    with pytest.raises(holds.CaseHeld) as refused:
        _dispose(run, case)
    assert "Inquiry into the county's children's homes" in refused.value.message
    assert "inquiry" in refused.value.message and refused.value.code == "case_held"
    assert refused.value.details["hold"]["reason"] == "Inquiry into the county's children's homes"
    assert run.instance(case).title != "Disposed case"


@pytest.mark.parametrize("confirmation", ["", "cdop-2026-0001", "CDOP-2026-0002", "nonsense"])
def test_disposal_needs_the_business_key_typed_exactly(run, confirmation):
    case = _cdop_case(run)
    run.traveller.move_to(run.now + relativedelta(years=16))
    assert run.instance(case).business_key == "CDOP-2026-0001"
    with pytest.raises(InvalidData) as refused:
        _dispose(run, case, confirmation)
    assert [d["field"] for d in refused.value.details] == ["business_key"]
    assert _dispose(run, case, " CDOP-2026-0001 ").business_key == "CDOP-2026-0001"


def test_a_case_not_yet_due_or_already_disposed_of_is_refused(run):
    case = _cdop_case(run)
    run.traveller.move_to(run.now + relativedelta(years=15, days=-1))
    with pytest.raises(Conflict, match="not due for disposal until"):
        _dispose(run, case)
    run.traveller.move_to(run.now + relativedelta(days=2))
    _dispose(run, case)
    with pytest.raises(Conflict, match="already disposed of"):
        _dispose(run, case)


def test_a_running_case_is_not_disposed_of_even_when_its_date_runs_from_its_start(run):
    files = read_bundle_dir(WORKFLOWS / "cdop")
    model = json.loads(files["process_model.json"])
    model["retention"] = {"period": "P1Y", "from": "start"}
    with transaction(run.factory) as s:
        definitions.deploy_bundle(s, "cdop", {**files, "process_model.json": json.dumps(model)}, actor="dee",
                                  now=run.now)
    case = run.start("cdop")
    run.traveller.move_to(run.now + relativedelta(years=1, days=1))
    (due,) = _due(run)
    assert (due.instance_id, due.status) == (case, "active")
    with pytest.raises(Conflict, match="the case is active"):
        _dispose(run, case)
    cancel(run, case)
    assert _dispose(run, case).process_key == "cdop"


@pytest.mark.parametrize("role", NOT_COORDINATORS)
def test_only_a_coordinator_disposes_of_a_case(run, partnership, role):
    case = _cdop_case(run)
    run.traveller.move_to(run.now + relativedelta(years=16))
    with pytest.raises(Forbidden):
        _dispose(run, case, actor=partnership[role])


def test_outcome_codes_are_kept_free_text_is_not():
    policy = RetentionPolicy("P6Y", "completion", (("review_type",), ("counts",), ("actions", "*", "status"),
                                                   ("summary",), ("missing",)))
    data = {"review_type": "CSPR", "counts": {"green": 3, "red": 0}, "summary": "x" * 65, "other": "secret",
            "actions": [{"status": "open", "note": "secret"}, {"status": "line\nbreak"}]}
    assert disposal.kept_outcomes(data, policy) == {"review_type": "CSPR", "counts": {"green": 3, "red": 0},
                                                    "actions": [{"status": "open"}, {}]}
