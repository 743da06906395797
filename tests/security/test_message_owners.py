"""Messages have owners: a bundle catching a message another process owns (by a message start event, an
intermediate catch event, a boundary event or a receive task) is refused at deploy, storing nothing, until an admin
allows the pairing (``lif message allow``, or the admin page), audited both ways. The shipped bundles deploy in
every order and their messages still flow: cdop refers to scr, the reviews hand actions to action_plan, which
raises and continues them."""
from __future__ import annotations

import json
from functools import cache
from itertools import permutations

import pytest
import time_machine
from click.testing import CliRunner
from sqlalchemy import select, update

from engine.bundles import definitions
from engine.bundles import parsing as bundles
from engine.store.db import make_engine, transaction
from engine.store.models import SHIPPED_MESSAGE_PAIRINGS, AuditEvent, MessagePairing, ProcessDefinition
from engine.store.schema import create_schema, upgrade_schema
from tests.api.api_kit import bundle_files, check_error, snapshot
from tests.conftest import NOW, REPO
from tests.scenarios.scenarios_kit import Scenario
from web.cli import main

WORKFLOWS = REPO / "workflows"
SHIPPED = ("action_plan", "case_audit", "cdop", "scr", "section11")  # lif init's order
NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"')
LOOT = ('<bpmn:messageEventDefinition id="med" messageRef="M"><bpmn:extensionElements><spiffworkflow:messageVariable>'
        'loot</spiffworkflow:messageVariable></bpmn:extensionElements></bpmn:messageEventDefinition>')
FLOW = '<bpmn:sequenceFlow id="{0}" sourceRef="{1}" targetRef="{2}"/>'

START = '<bpmn:startEvent id="start"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>'
END = '<bpmn:endEvent id="end"><bpmn:incoming>{}</bpmn:incoming></bpmn:endEvent>'
THROUGH = FLOW.format("a", "start", "catch") + FLOW.format("b", "catch", "end")

# the four ways to catch a message: the catching element's id, and the process body
CATCHES = {
    "message start event": ("catch", f'<bpmn:startEvent id="catch"><bpmn:outgoing>a</bpmn:outgoing>{LOOT}'
                                     f'</bpmn:startEvent>{END.format("a")}' + FLOW.format("a", "catch", "end")),
    "intermediate catch event": ("catch", f'{START}<bpmn:intermediateCatchEvent id="catch"><bpmn:incoming>a'
                                          f'</bpmn:incoming><bpmn:outgoing>b</bpmn:outgoing>{LOOT}'
                                          f'</bpmn:intermediateCatchEvent>{END.format("b")}{THROUGH}'),
    "boundary event": ("catch", f'{START}<bpmn:userTask id="wait"><bpmn:incoming>a</bpmn:incoming><bpmn:outgoing>b'
                                '</bpmn:outgoing></bpmn:userTask><bpmn:boundaryEvent id="catch" attachedToRef="wait">'
                                f'<bpmn:outgoing>c</bpmn:outgoing>{LOOT}</bpmn:boundaryEvent>{END.format("b")}'
                                '<bpmn:endEvent id="end_c"><bpmn:incoming>c</bpmn:incoming></bpmn:endEvent>'
                                + FLOW.format("a", "start", "wait") + FLOW.format("b", "wait", "end")
                                + FLOW.format("c", "catch", "end_c")),
    "receive task": ("catch", f'{START}<bpmn:receiveTask id="catch" messageRef="M"><bpmn:extensionElements>'
                              '<spiffworkflow:messageVariable>loot</spiffworkflow:messageVariable>'
                              '</bpmn:extensionElements><bpmn:incoming>a</bpmn:incoming><bpmn:outgoing>b'
                              f'</bpmn:outgoing></bpmn:receiveTask>{END.format("b")}{THROUGH}'),
}
THROW = ('<bpmn:startEvent id="start"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent><bpmn:endEvent id="tell">'
         '<bpmn:incoming>a</bpmn:incoming><bpmn:messageEventDefinition id="med" messageRef="M"><bpmn:extensionElements>'
         '<spiffworkflow:messagePayload>{"n": 1}</spiffworkflow:messagePayload></bpmn:extensionElements>'
         '</bpmn:messageEventDefinition></bpmn:endEvent>' + FLOW.format("a", "start", "tell"))


def siphon(message: str, body: str, key: str = "siphon", note: str = "") -> dict[str, str]:
    diagram = (f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions {NS} id="defs" targetNamespace="x">'
               f'<bpmn:message id="M" name="{message}"/><bpmn:process id="{key}" isExecutable="true">{body}'
               f'</bpmn:process></bpmn:definitions>\n<!-- {note} -->\n')
    model = {"display_name": key.title(), "primary_file_name": f"{key}.bpmn", "primary_process_id": key}
    return {f"{key}.bpmn": diagram, "process_model.json": json.dumps(model)}


def deploy_files(api, key: str, files: dict[str, str]):
    return api.post("/process-definitions", "dee", {"key": key, "files": files})


def pairings(db) -> list[tuple[str, str, str]]:
    with db.connect() as connection:
        return sorted(connection.execute(select(MessagePairing.process_key, MessagePairing.message_name,
                                                MessagePairing.reason)))


def audit_rows(db, action: str) -> list[tuple[str | None, dict]]:
    with db.connect() as connection:
        rows = connection.execute(select(AuditEvent.actor, AuditEvent.details).where(AuditEvent.action == action)
                                  .order_by(AuditEvent.id))
        return [(actor, details) for actor, details in rows]


@pytest.fixture
def lif(db_url, tmp_path):
    """``lif("message", "allow", ...)``: the command line on the test database; returns (exit code, output)."""
    env = {"LIF_DATABASE_URL": db_url, "LIF_SECRET_KEY": "test-secret", "LIF_INSTANCE_DIR": str(tmp_path / "i"),
           "LIF_WORKFLOWS_DIR": str(tmp_path / "none")}

    def _run(*args):
        result = CliRunner().invoke(main, list(args), env=env)
        return result.exit_code, result.output
    return _run


# --- refusals ---------------------------------------------------------------------------------------------------

OWNED = {  # a message another process owns: (the message, the fixture bundle that owns it by throwing it, or none)
    "shipped scr_referral, nothing deployed": ("scr_referral", None),
    "a deployed thrower's message": ("case_closed", "message_sender"),
}


@pytest.mark.parametrize("owned", list(OWNED))
@pytest.mark.parametrize("how", list(CATCHES))
def test_a_siphon_catching_another_process_message_is_refused_storing_nothing(api, db, how, owned):
    message, owner = OWNED[owned]
    if owner:
        api.deploy(owner)
    element, body = CATCHES[how]
    api.headers("dee")  # signed in before the snapshot
    before = snapshot(db)
    error = check_error(deploy_files(api, "siphon", siphon(message, body)), 422, "invalid")
    [problem] = error["details"]
    assert (problem["file"], problem["element"]) == ("siphon.bpmn", element) and problem["line"] == 2
    assert problem["message"].startswith(f"{how} 'catch' catches message '{message}', which belongs to "
                                         f"{owner or 'scr'}; an admin must first allow siphon to receive it")
    assert snapshot(db) == before  # no version, no pairing, no audit row


def test_lif_message_allow_lets_the_siphon_in_and_disallow_shuts_it_out_again(api, db, lif):
    body = CATCHES["message start event"][1]
    assert lif("message", "allow", "siphon", "scr_referral") == (0, "siphon may receive scr_referral\n")
    assert lif("message", "allow", "siphon", "scr_referral")[1] == \
        "siphon was already allowed to receive scr_referral\n"
    assert deploy_files(api, "siphon", siphon("scr_referral", body)).status_code == 201
    code, listed = lif("message", "list")
    assert code == 0 and "scr_referral: scr (shipped with LIF)" in listed
    assert "scr_referral: siphon (allowed by lif message allow on 2026-12-01)" in listed
    assert lif("message", "disallow", "siphon", "scr_referral") == (0, "siphon may no longer receive scr_referral\n")
    assert deploy_files(api, "siphon", siphon("scr_referral", body, note="v2")).status_code == 422
    code, output = lif("message", "disallow", "siphon", "scr_referral")
    assert code == 1 and "siphon is not allowed to receive message 'scr_referral'" in output
    assert lif("message", "allow", "Not A Key", "scr_referral")[0] == 1
    assert audit_rows(db, "message.receiver_allowed") == [
        ("lif message allow", {"process_key": "siphon", "message": "scr_referral", "reason": "admin"})]
    assert audit_rows(db, "message.receiver_withdrawn") == [
        ("lif message disallow", {"process_key": "siphon", "message": "scr_referral", "reason": "admin"})]


def test_throwing_a_message_first_does_not_make_its_catch_allowed(api, db):
    assert deploy_files(api, "siphon", siphon("scr_referral", THROW)).status_code == 201  # throwing is free
    check_error(deploy_files(api, "siphon", siphon("scr_referral", CATCHES["receive task"][1])), 422)
    assert ("siphon", "scr_referral", "first") not in pairings(db)


def test_the_first_process_to_catch_a_message_keeps_it_until_withdrawn(api, db, lif):
    api.deploy("message_receiver")
    assert ("message_receiver", "case_closed", "first") in pairings(db)
    assert audit_rows(db, "message.receiver_allowed")[-1] == (
        "dee", {"process_key": "message_receiver", "message": "case_closed", "reason": "first"})
    api.deploy("message_sender")
    changed = {**bundle_files("message_receiver"), "notes.md": "second version"}
    assert deploy_files(api, "message_receiver", changed).status_code == 201  # redeploying its own catch
    error = check_error(deploy_files(api, "other", siphon("case_closed", CATCHES["boundary event"][1], "other")), 422)
    assert "which belongs to message_receiver, message_sender;" in error["details"][0]["message"]
    assert lif("message", "disallow", "message_receiver", "case_closed")[0] == 0
    check_error(deploy_files(api, "message_receiver", {**changed, "notes.md": "third"}), 422)


def test_a_version_deployed_before_owners_were_kept_still_owns_its_messages(api, db):
    api.deploy("message_sender")
    with db.begin() as connection:  # as a version deployed before revision 0007 has it
        connection.execute(update(ProcessDefinition).values(messages=None))
    error = check_error(deploy_files(api, "siphon", siphon("case_closed", CATCHES["receive task"][1])), 422)
    assert "which belongs to message_sender;" in error["details"][0]["message"]


@pytest.mark.parametrize("make", [create_schema, upgrade_schema])
def test_the_shipped_pairings_are_there_from_the_start(db_url, make):
    engine = make_engine(db_url)  # an empty database (the db fixture's is made already)
    try:
        make(engine)
        assert pairings(engine) == sorted((key, name, "shipped") for key, name in SHIPPED_MESSAGE_PAIRINGS)
    finally:
        engine.dispose()


# --- the shipped bundles ------------------------------------------------------------------------------------------

@cache
def _parsed(key: str) -> bundles.ParsedBundle:
    return bundles.parse_bundle(key, bundles.read_bundle_dir(WORKFLOWS / key))


@pytest.fixture
def parse_once(monkeypatch):
    """Each shipped bundle parsed once per test session (deploying still stores and checks each version)."""
    monkeypatch.setattr(definitions, "parse_bundle", lambda key, files: _parsed(key))


@pytest.mark.slow  # every order of five deploys: make test-ci
def test_the_shipped_bundles_deploy_in_every_order(factory, db, parse_once):
    seeded = pairings(db)
    for order in permutations(SHIPPED):
        session = factory()
        try:
            for key in order:
                info, created = definitions.deploy_bundle(session, key, {}, actor="dee", now=NOW)
                assert created and info.version == 1, order
            caught = session.scalars(select(MessagePairing.process_key)).all()
            assert sorted(caught) == sorted(key for key, _ in SHIPPED_MESSAGE_PAIRINGS), order
        finally:
            session.rollback()
            session.close()
    assert pairings(db) == seeded


@pytest.fixture
def still():
    with time_machine.travel(NOW, tick=False) as moved:
        yield moved


@pytest.mark.parametrize("order", [SHIPPED, tuple(reversed(SHIPPED)), ("cdop", "section11", "case_audit", "scr",
                                                                         "action_plan")])
def test_the_shipped_messages_flow_whatever_the_deploy_order(order, factory, partnership, parse_once, still):
    with transaction(factory) as s:
        for key in order:
            definitions.deploy_bundle(s, key, {}, actor="dee", now=NOW)
    run = Scenario(factory, still)
    run.move_to("2027-05-04")
    case = run.start("cdop")
    run.run_to_end(case, skip={"panel_review"})
    run.do(case, "panel_review", abuse_neglect_suspected=True, recommendations=1, modifiable_factors="identified")
    run.run_to_end(case, plan={"board_recommendations": {"board_decision": "accepted"}})
    assert [i.process_key for i in run.instances("scr")] == ["scr"]  # scr_referral
    (plan,) = run.instances("action_plan")  # action_plan_handover
    run.complete(run.task(plan.id, "plan_form"))
    (item,) = run.items()  # action_raised
    run.later(days=28, minutes=1)
    assert run.sweep() == 1
    (progress,) = run.ready(process_key="action_plan", name="progress_update")
    run.complete(progress, status="at_risk")
    assert run.current_item(item.business_key).id != item.id  # action_continue: the next period


# --- the admin page -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["cora", "chad", "dee", "pat"])
def test_only_admins_manage_message_pairings(pages, who, db):
    client, before = pages(who), pairings(db)
    assert client.get("/admin/messages").status_code == 403
    form = {"process_key": "scr", "message_name": "scr_referral"}
    assert client.post("/admin/messages", data={**form, "process_key": "siphon"}).status_code == 403
    assert client.post("/admin/messages/withdraw", data=form).status_code == 403
    assert pairings(db) == before


def test_an_admin_allows_and_withdraws_a_pairing_on_the_page(pages, api, db):
    api.deploy("simple_review")
    adam = pages("adam")
    page = adam.get("/admin/messages").get_data(as_text=True)
    assert "Messages between processes" in page and "Shipped with LIF" in page and "scr_referral" in page
    assert "(not deployed yet)" in page  # scr, action_plan: seeded, not deployed here
    response = adam.post("/admin/messages", data={"process_key": "simple_review", "message_name": "scr_referral"},
                         follow_redirects=True)
    assert "Simple review is allowed to receive scr_referral" in response.get_data(as_text=True)
    assert ("simple_review", "scr_referral", "admin") in pairings(db)
    refused = adam.post("/admin/messages", data={"process_key": "Bad Key", "message_name": "m" * 129})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "There is a problem" in text and "lower-case letters" in text
    withdrawn = adam.post("/admin/messages/withdraw", data={"process_key": "simple_review",
                                                            "message_name": "scr_referral"}, follow_redirects=True)
    assert "Simple review is no longer allowed to receive scr_referral" in withdrawn.get_data(as_text=True)
    assert [a for a, _ in audit_rows(db, "message.receiver_allowed")] == ["adam"]
    assert [a for a, _ in audit_rows(db, "message.receiver_withdrawn")] == ["adam"]
    assert "Messages between processes" in adam.get("/admin/").get_data(as_text=True)
