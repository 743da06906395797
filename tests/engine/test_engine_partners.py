"""The statutory partners and the independent scrutineer (SPEC §1): marking an agency as a partner, who may hold
the ``partner`` role, the partner variables a case of a process that needs partners starts with, sign-offs bound
to each partner's agency, and a scrutineer who reads every case and comments but does nothing else."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.cases import instances
from engine.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.people import accounts, directory
from engine.reads import queries
from engine.records import Actor
from engine.store.db import transaction
from engine.store.models import Agency, AuditEvent, HumanTask, ProcessInstance
from engine.work import tasks
from tests.conftest import NOW, PARTNERS, USERS
from web.cli import main

from .engine_kit import BUNDLES

ADMIN = Actor("adam", frozenset({"admin"}))
BAD_PARTNERS = [[], "la", ["la", "county"], ["la", "la"], [1]]


def _kinds(factory) -> dict[str, str | None]:
    with transaction(factory) as s:
        return {a.key: a.partner_kind for a in s.scalars(select(Agency))}


def test_an_agency_is_marked_as_each_kind_of_partner_and_cleared(factory, partnership):
    with transaction(factory) as s:
        accounts.add_agency(s, "county", "County Council", actor=None, now=NOW)
        for kind in ("la", "icb", "police", None):
            accounts.set_partner_kind(s, "county", kind, actor="adam", now=NOW)
            assert s.scalar(select(Agency.partner_kind).where(Agency.key == "county")) == kind
        marks = [e.details["partner_kind"] for e in s.scalars(select(AuditEvent).where(
            AuditEvent.action == "agency.partner_set", AuditEvent.actor == "adam").order_by(AuditEvent.id))]
    assert marks == ["la", "icb", "police", None]
    assert _kinds(factory)["county"] is None


@pytest.mark.parametrize("kind", ["LA", "council", "", "chair"])
def test_an_unknown_kind_of_partner_is_refused_and_changes_nothing(factory, partnership, kind):
    before = _kinds(factory)
    with pytest.raises(InvalidData) as refused, transaction(factory) as s:
        accounts.set_partner_kind(s, "police", kind, actor="adam", now=NOW)
    assert refused.value.details == [{"field": "kind", "message": "give one of la, icb, police"}]
    assert _kinds(factory) == before


def test_an_unknown_agency_cannot_be_marked(factory, partnership):
    with pytest.raises(NotFound), transaction(factory) as s:
        accounts.set_partner_kind(s, "nowhere", "la", actor="adam", now=NOW)


def test_a_partner_agency_with_partners_cannot_lose_its_mark(factory, partnership):
    with pytest.raises(Conflict) as refused, transaction(factory) as s:
        accounts.set_partner_kind(s, "police", None, actor="adam", now=NOW)
    assert "paul" in str(refused.value)
    assert _kinds(factory)["police"] == "police"


def test_a_partner_belongs_to_a_partner_agency(factory, partnership):
    with transaction(factory) as s:
        accounts.add_agency(s, "school", "Oak School", actor=None, now=NOW)
    for agency in ("school", None):
        with pytest.raises(InvalidData) as refused, transaction(factory) as s:
            accounts.add_user(s, "perry", roles=["partner"], agency_key=agency, actor="adam", now=NOW)
        assert refused.value.details[0]["field"] == "agency"
    with pytest.raises(InvalidData), transaction(factory) as s:
        directory.update_user(s, "sam", roles=["reviewer", "partner"], agency_key=None, active=True,
                              full_name="Sam", email=None, actor=ADMIN, now=NOW)
    with transaction(factory) as s:  # a reviewer of a partner agency may become its partner too
        summary = directory.update_user(s, "sam", roles=["reviewer", "partner"], agency_key="csc", active=True,
                                        full_name="Sam", email=None, actor=ADMIN, now=NOW)
    assert summary.roles == ("partner", "reviewer")


def test_a_process_that_needs_partners_starts_with_them_in_order(factory, partnership, deploy):
    deploy(BUNDLES / "partner_signoff")
    with transaction(factory) as s:
        accounts.add_agency(s, "county", "County Council", actor=None, now=NOW)
        accounts.set_partner_kind(s, "county", "la", actor=None, now=NOW)
        case = instances.start_instance(s, "partner_signoff", data={"safeguarding_partners": ["nobody"]},
                                        actor=partnership["coordinator"], now=NOW)
        data = queries.instance_info(s, case, actor=partnership["coordinator"], now=NOW, with_data=True).data
    assert data["safeguarding_partners"] == ["county", "csc", "health", "police"]  # the engine's, not the caller's
    assert data["cdr_partners"] == ["county", "csc", "health"]
    assert data["local_authority"] == "county"


@pytest.mark.parametrize("kind", ["la", "icb", "police"])
def test_a_process_is_refused_while_a_partner_it_needs_is_not_recorded(factory, partnership, deploy, kind):
    deploy(BUNDLES / "partner_signoff")
    agency = next(a for a, k in {"csc": "la", "health": "icb", "police": "police"}.items() if k == kind)
    with transaction(factory) as s:
        for user in [u for u, role, a in USERS if role == "partner" and a == agency]:
            directory.update_user(s, user, roles=["reviewer"], agency_key=agency, active=True, full_name=user,
                                  email=None, actor=ADMIN, now=NOW)
        accounts.set_partner_kind(s, agency, None, actor=None, now=NOW)
    with pytest.raises(Conflict) as refused, transaction(factory) as s:
        instances.start_instance(s, "partner_signoff", actor=partnership["coordinator"], now=NOW)
    assert "lif agency partner KEY la|icb|police" in str(refused.value)
    assert {"la": "local authority", "icb": "integrated care board", "police": "police"}[kind] in str(refused.value)


def test_each_partner_signs_off_for_their_own_agency_only(factory, partnership, deploy, cases):
    deploy(BUNDLES / "partner_signoff")
    case = cases.start("partner_signoff")
    sign_offs = cases.tasks(case)
    assert sorted((t.role, t.agency) for t in sign_offs) == [("partner", "csc"), ("partner", "health"),
                                                             ("partner", "police")]
    not_theirs = [partnership["police"], partnership["csc"], partnership["scrutineer"], partnership["chair"],
                  partnership["coordinator"]]
    for task in sign_offs:
        for actor in [*not_theirs, *(partnership[f"partner:{a}"] for a in PARTNERS if a != task.agency)]:
            with pytest.raises((Forbidden, NotFound)), transaction(factory) as s:
                tasks.complete_task(s, task.id, {}, actor=actor, now=NOW)
        cases.complete(task.id, who=partnership[f"partner:{task.agency}"])
    [notice] = cases.tasks(case)
    assert (notice.name, notice.role, notice.agency) == ("la_notice", "reviewer", "csc")
    signed = cases.instance(case).data["sign_offs"]
    assert sorted(s["agency"] for s in signed) == ["csc", "health", "police"]


def test_the_scrutineer_reads_every_case_and_comments_but_does_nothing_else(factory, partnership, deploy, cases):
    deploy(BUNDLES / "partner_signoff")
    scot = partnership["scrutineer"]
    assert scot.sees_everything and scot.reads_cases
    with pytest.raises(Forbidden), transaction(factory) as s:
        instances.start_instance(s, "partner_signoff", actor=scot, now=NOW)
    case = cases.start("partner_signoff")
    with transaction(factory) as s:
        info = queries.instance_info(s, s.get(ProcessInstance, case), actor=scot, now=NOW, with_data=True)
        assert info.data["safeguarding_partners"] == ["csc", "health", "police"]
        with pytest.raises(Forbidden):
            instances.cancel_instance(s, case, "I think so", actor=scot, now=NOW)
    task = cases.tasks(case)[0]
    with pytest.raises((Forbidden, NotFound)), transaction(factory) as s:
        tasks.complete_task(s, task.id, {}, actor=scot, now=NOW)
    with transaction(factory) as s:
        tasks.add_comment(s, task.id, "Why was education not asked?", actor=scot, now=NOW)
        assert [c.body for c in tasks.comments(s, task.id, actor=partnership["coordinator"])] == [
            "Why was education not asked?"]
    assert cases.instance(case).status == "active"


@pytest.mark.parametrize("bad", BAD_PARTNERS, ids=repr)
def test_a_bundle_declaring_partners_wrongly_is_refused_at_deploy(factory, partnership, bundle_copy, bad):
    import json

    from engine.bundles import definitions
    from engine.bundles.parsing import read_bundle_dir
    folder = bundle_copy("partner_signoff")
    model = json.loads((folder / "process_model.json").read_text())
    (folder / "process_model.json").write_text(json.dumps({**model, "partners": bad}))
    with pytest.raises(InvalidData) as refused, transaction(factory) as s:
        definitions.deploy_bundle(s, "partner_signoff", read_bundle_dir(folder), actor="dee", now=NOW)
    assert any(d.get("field") == "partners" for d in refused.value.details), refused.value.details


def test_partner_variables_count_as_written_only_where_partners_are_declared(factory, partnership, bundle_copy):
    import json

    from engine.bundles import definitions
    from engine.bundles.parsing import read_bundle_dir
    folder = bundle_copy("partner_signoff")
    model = json.loads((folder / "process_model.json").read_text())
    del model["partners"]
    (folder / "process_model.json").write_text(json.dumps(model))
    with pytest.raises(InvalidData) as refused, transaction(factory) as s:
        definitions.deploy_bundle(s, "partner_signoff", read_bundle_dir(folder), actor="dee", now=NOW)
    assert "safeguarding_partners" in str(refused.value.details)


def test_lif_agency_partner_marks_and_clears(tmp_path):
    env = {"LIF_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "LIF_SECRET_KEY": "test-secret",
           "LIF_INSTANCE_DIR": str(tmp_path / "instance"), "LIF_WORKFLOWS_DIR": str(tmp_path / "none")}
    runner = CliRunner()
    assert runner.invoke(main, ["init"], env=env).exit_code == 0
    assert runner.invoke(main, ["agency", "add", "icb", "Integrated Care Board"], env=env).exit_code == 0
    marked = runner.invoke(main, ["agency", "partner", "icb", "icb"], env=env)
    assert (marked.exit_code, marked.output) == (0, "agency icb: statutory partner (integrated care board)\n")
    cleared = runner.invoke(main, ["agency", "partner", "icb", "none"], env=env)
    assert (cleared.exit_code, cleared.output) == (0, "agency icb: not a statutory partner\n")
    wrong = runner.invoke(main, ["agency", "partner", "icb", "ccg"], env=env)
    assert wrong.exit_code == 2 and "'ccg' is not one of 'la', 'icb', 'police', 'none'" in wrong.output
    unknown = runner.invoke(main, ["agency", "partner", "nowhere", "la"], env=env)
    assert unknown.exit_code == 1 and "nowhere" in unknown.output


def test_an_agencys_reviewers_and_its_partner_see_only_their_own_lanes_tasks(factory, partnership, deploy, cases):
    """An agency's people see its tasks in their own lanes: the police reviewer never reads the police partner's
    sign-off (whose view may hold every agency's summary), nor the local authority's partner its reviewers' work."""
    deploy(BUNDLES / "partner_signoff")
    case = cases.start("partner_signoff")
    police_sign_off = next(t for t in cases.tasks(case) if t.agency == "police")

    def sees(actor, task_id) -> bool:
        with transaction(factory) as s:
            try:
                queries.visible_task_row(s, actor, task_id)
            except NotFound:
                return False
            return True

    assert sees(partnership["partner:police"], police_sign_off.id)
    assert not sees(partnership["police"], police_sign_off.id)
    for task in cases.tasks(case):
        cases.complete(task.id, who=partnership[f"partner:{task.agency}"])
    assert not sees(partnership["police"], police_sign_off.id)  # done, it stays the partner's
    [notice] = cases.tasks(case)
    assert sees(partnership["csc"], notice.id) and not sees(partnership["partner:csc"], notice.id)
    with transaction(factory) as s:
        row = s.get(ProcessInstance, case)
        seen = queries.instance_info(s, row, actor=partnership["police"], now=NOW, with_data=True)
    assert {t.name for t in seen.tasks} <= {"la_notice"} and "sign_offs" not in seen.data


def test_the_scrutineer_is_never_given_a_task_nor_does_one_when_assigned(factory, partnership, deploy, cases):
    """Seeing is not doing, whoever assigns: a coordinator cannot assign a task to the scrutineer, and a scrutineer
    named as a task's assignee or given an agency still may not claim, draft or complete it."""
    deploy(BUNDLES / "partner_signoff")
    case = cases.start("partner_signoff")
    task = next(t for t in cases.tasks(case) if t.agency == "csc")
    with pytest.raises(InvalidData) as refused, transaction(factory) as s:
        tasks.assign_task(s, task.id, "scot", actor=partnership["coordinator"], now=NOW)
    assert "independent scrutineer" in refused.value.details[0]["message"]
    with transaction(factory) as s:
        s.get(HumanTask, task.id).assignee = "scot"  # as if assigned before this rule
    for scot in (partnership["scrutineer"], Actor("scot", frozenset({"scrutineer"}), "csc")):
        for act in (lambda s, a: tasks.claim_task(s, task.id, actor=a, now=NOW),
                    lambda s, a: tasks.save_draft(s, task.id, {}, actor=a, now=NOW),
                    lambda s, a: tasks.complete_task(s, task.id, {}, actor=a, now=NOW)):
            with pytest.raises((Forbidden, NotFound, Conflict)), transaction(factory) as s:
                act(s, scot)
    assert [t.state for t in cases.tasks(case, state=None) if t.id == task.id] == ["ready"]
