"""Deploy-time checks of data views: a view may only name a variable something in the bundle writes (each kind of
writer, and a typo refused with the task and the variable named), a malformed ``shows`` is refused, and every
variable a task's instructions or Jinja form files use must be in its view. Refusals reach the API and the CLI as
422 and exit status 1, storing nothing."""
from __future__ import annotations

import json
import warnings

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.bundles import written
from engine.bundles.parsing import parse_bundle, read_bundle_dir
from engine.errors import InvalidData
from engine.store.models import ProcessDefinition
from tests.api.conftest import app, auth, client, traveller  # noqa: F401  (fixtures for the API deploy)
from web.cli import main

from .engine_kit import BUNDLES

NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"')


def _script(element_id: str, source: str) -> str:
    return (f'<bpmn:scriptTask id="{element_id}" scriptFormat="python">@IN@@OUT@<bpmn:script>{source}</bpmn:script>'
            '</bpmn:scriptTask>')


def _user(element_id: str, *, shows: str | None = None, form: str | None = None, ui: str | None = None,
          instructions: str | None = None, pre: str | None = None, post: str | None = None, loop: str = "") -> str:
    props = "".join(f'<spiffworkflow:property name="{name}" value="{value}"/>' for name, value in
                    (("formJsonSchemaFilename", form), ("formUiSchemaFilename", ui), ("shows", shows)) if value)
    extras = f"<spiffworkflow:properties>{props}</spiffworkflow:properties>" if props else ""
    extras += f"<spiffworkflow:instructionsForEndUser>{instructions}</spiffworkflow:instructionsForEndUser>" \
        if instructions else ""
    extras += f"<spiffworkflow:preScript>{pre}</spiffworkflow:preScript>" if pre else ""
    extras += f"<spiffworkflow:postScript>{post}</spiffworkflow:postScript>" if post else ""
    return (f'<bpmn:userTask id="{element_id}" name="{element_id}"><bpmn:extensionElements>{extras}'
            f'</bpmn:extensionElements>@IN@@OUT@{loop}</bpmn:userTask>')


def _process(process_id: str, elements: list[str]) -> str:
    """``start``, then ``elements`` in a row (each with ``@IN@``/``@OUT@`` where its flows go), then ``end``."""
    ids = [e.split('id="', 1)[1].split('"', 1)[0] for e in elements]
    chain = [f"{process_id}_start", *ids, f"{process_id}_end"]
    flows = [f'<bpmn:sequenceFlow id="{process_id}_f{i}" sourceRef="{a}" targetRef="{b}"/>'
             for i, (a, b) in enumerate(zip(chain, chain[1:], strict=False))]
    body = [f'<bpmn:startEvent id="{chain[0]}"><bpmn:outgoing>{process_id}_f0</bpmn:outgoing></bpmn:startEvent>']
    for n, element in enumerate(elements, start=1):
        body.append(element.replace("@IN@", f"<bpmn:incoming>{process_id}_f{n - 1}</bpmn:incoming>")
                    .replace("@OUT@", f"<bpmn:outgoing>{process_id}_f{n}</bpmn:outgoing>"))
    body.append(f'<bpmn:endEvent id="{chain[-1]}"><bpmn:incoming>{process_id}_f{len(elements)}</bpmn:incoming>'
                '</bpmn:endEvent>')
    return f'<bpmn:process id="{process_id}" isExecutable="true">{"".join(body + flows)}</bpmn:process>'


def bundle(before: list[str], *, shows: str = "target", review: dict | None = None, top: str = "",
           more: str = "", files: dict[str, str] | None = None, model: dict | None = None) -> dict[str, str]:
    """A bundle whose process runs ``before`` and then the user task ``review`` showing ``shows``."""
    review_task = _user("review", shows=shows, **(review or {}))
    diagram = (f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions {NS} id="defs" targetNamespace="x">{top}'
               f'{_process("views", [*before, review_task])}{more}</bpmn:definitions>')
    meta = {"display_name": "Views", "primary_file_name": "views.bpmn", "primary_process_id": "views", **(model or {})}
    return {"views.bpmn": diagram, "process_model.json": json.dumps(meta), **(files or {})}


def problems(files: dict[str, str]) -> list[dict]:
    with pytest.raises(InvalidData) as raised:
        parse_bundle("views", files)
    return raised.value.details


FORM = json.dumps({"type": "object", "properties": {"target": {"type": "string"}, "other": {"type": "integer"}}})
DMN = ('<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
       'id="d" name="d" namespace="x"><decision id="choose" name="Choose"><decisionTable id="t" hitPolicy="UNIQUE">'
       '<input id="i" label="In"><inputExpression id="ie" typeRef="integer"><text>1</text></inputExpression></input>'
       '<output id="o1" name="target.level" typeRef="string"/><output id="o2" label="labelled" typeRef="string"/>'
       '<rule id="r"><inputEntry id="r_i"><text>-</text></inputEntry><outputEntry id="r_o1"><text>"a"</text>'
       '</outputEntry><outputEntry id="r_o2"><text>"b"</text></outputEntry></rule></decisionTable></decision>'
       '</definitions>')
RULE = ('<bpmn:businessRuleTask id="decide"><bpmn:extensionElements><spiffworkflow:calledDecisionId>choose'
        '</spiffworkflow:calledDecisionId></bpmn:extensionElements>@IN@@OUT@</bpmn:businessRuleTask>')
MESSAGE = '<bpmn:message id="M" name="update"/>'


def _catch(on_definition: str = "target", on_message: str = "") -> tuple[str, str]:
    """An intermediate catch event of ``update``; its ``messageVariable`` on the event definition, and whatever
    ``on_message`` puts in the ``bpmn:message`` element's extensions."""
    variable = f"<spiffworkflow:messageVariable>{on_definition}</spiffworkflow:messageVariable>" \
        if on_definition else ""
    top = f'<bpmn:message id="M" name="update"><bpmn:extensionElements>{on_message}</bpmn:extensionElements>' \
          '</bpmn:message>' if on_message else MESSAGE
    return top, (f'<bpmn:intermediateCatchEvent id="wait">@IN@@OUT@<bpmn:messageEventDefinition id="med" '
                 f'messageRef="M"><bpmn:extensionElements>{variable}</bpmn:extensionElements>'
                 '</bpmn:messageEventDefinition></bpmn:intermediateCatchEvent>')


def _multi_instance(collection: str = "target", item: str = "each", output_item: str = "out") -> str:
    loop = ('<bpmn:multiInstanceLoopCharacteristics><bpmn:loopDataInputRef>items</bpmn:loopDataInputRef>'
            f'<bpmn:loopDataOutputRef>{collection}</bpmn:loopDataOutputRef>'
            f'<bpmn:inputDataItem id="{item}" name="label_{item}"/><bpmn:outputDataItem id="{output_item}" '
            f'name="label_{output_item}"/></bpmn:multiInstanceLoopCharacteristics>')
    return _user("each_agency", form="form.json", loop=loop)


CALLED = _process("child", [_script("child_writes", "target = 1")])
CALL = '<bpmn:callActivity id="call" calledElement="child">@IN@@OUT@</bpmn:callActivity>'

# each kind of writer: (the elements before the view, other bundle parts); the view shows ``target``
WRITERS = {
    "another task's form field": ([_user("ask", form="form.json")], {"files": {"form.json": FORM}}),
    "its own form field": ([], {"review": {"form": "form.json"}, "files": {"form.json": FORM}}),
    "a script task": ([_script("s", "other = 1\ntarget = other + 1")], {}),
    "a pre-script": ([_user("ask", pre="target = 1")], {}),
    "a post-script": ([_user("ask", post="target = 1")], {}),
    "an augmented assignment": ([_script("s", "target += 1")], {}),
    "an item assignment": ([_script("s", "target['k'] = 1")], {}),
    "an attribute assignment": ([_script("s", "target.k = 1")], {}),
    "a tuple assignment": ([_script("s", "first, (second, *target) = 1, (2, 3, 4)")], {}),
    "a for loop": ([_script("s", "for i, target in enumerate([1]):\n    pass")], {}),
    "a with statement": ([_script("s", "with thing as target:\n    pass")], {}),
    "an assignment in a block": ([_script("s", "if True:\n    target = 1")], {}),
    "a dotted decision output": ([RULE], {"files": {"choose.dmn": DMN}}),
    "a multi-instance output collection": ([_multi_instance()], {"files": {"form.json": FORM}}),
    "a multi-instance input item": ([_multi_instance("results", item="target")], {"files": {"form.json": FORM}}),
    "a multi-instance output item": ([_multi_instance("results", output_item="target")],
                                     {"files": {"form.json": FORM}}),
    "a message variable": ([_catch()[1]], {"top": MESSAGE}),
    "start data": ([], {"model": {"start_data": ["first", "target"]}}),
    "a called process of the bundle": ([CALL], {"more": CALLED}),
}


@pytest.mark.parametrize("kind", list(WRITERS))
def test_a_view_of_what_the_bundle_writes_is_accepted_and_a_typo_refused(kind):
    before, parts = WRITERS[kind]
    files = bundle(before, **parts)
    parse_bundle("views", files)
    found = problems(bundle(before, **{**parts, "shows": "targte.level, target"}))
    assert [(p["element"], p["file"]) for p in found] == [("review", "views.bpmn")]
    assert "user task 'review' shows 'targte', which nothing in the bundle writes" in found[0]["message"]
    assert found[0]["line"] == files["views.bpmn"].count("\n") + 1  # the diagram is one line after the prolog


@pytest.mark.parametrize("shows", ["case_title", "pseudonym, case_title.x"])
def test_the_header_is_always_written(shows):
    parse_bundle("views", bundle([], shows=shows))


def test_a_decision_output_without_a_name_is_written_under_its_label():
    parse_bundle("views", bundle([RULE], shows="labelled, target.level", files={"choose.dmn": DMN}))
    assert "'level'" in problems(bundle([RULE], shows="level", files={"choose.dmn": DMN}))[0]["message"]


def test_a_decision_no_task_calls_writes_nothing():
    found = problems(bundle([], files={"choose.dmn": DMN}))
    assert "shows 'target', which nothing in the bundle writes" in found[0]["message"]


def test_a_message_variable_counts_where_spiffworkflow_reads_it():
    top, catch = _catch(on_definition="", on_message="<spiffworkflow:messageVariable>target"
                                                    "</spiffworkflow:messageVariable>")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the library reads it there, and warns
        parse_bundle("views", bundle([catch], top=top))
    # a bpmn:message carrying a payload expression hides the event's own variable from the library
    top, catch = _catch(on_message="<spiffworkflow:messagePayload>{'a': 1}</spiffworkflow:messagePayload>")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        found = problems(bundle([catch], top=top))
    assert "shows 'target', which nothing in the bundle writes" in found[0]["message"]


def test_a_thrown_message_writes_nothing_in_the_thrower():
    throw = ('<bpmn:intermediateThrowEvent id="tell">@IN@@OUT@<bpmn:messageEventDefinition id="med" messageRef="M">'
             '<bpmn:extensionElements><spiffworkflow:messagePayload>{"target": 1}</spiffworkflow:messagePayload>'
             '</bpmn:extensionElements></bpmn:messageEventDefinition></bpmn:intermediateThrowEvent>')
    assert "'target'" in problems(bundle([throw], top=MESSAGE))[0]["message"]


@pytest.mark.parametrize("source, targets", [
    ("x = 1", {"x"}),
    ("a, (b, *c) = 1, (2, 3)", {"a", "b", "c"}),
    ("d['k'] = e.f.g = 1", {"d", "e"}),
    ("h += 1\ni: int = 2\nj: int", {"h", "i", "j"}),
    ("for k, l in []:\n    m = k\nelse:\n    n = 1", {"k", "l", "m", "n"}),
    ("with p as q, r as (s, t):\n    pass", {"q", "s", "t"}),
    ("if (u := 3) > 2:\n    v = 1", {"u", "v"}),
    ("def f(w):\n    x = w\nlam = lambda y: y\nz = [o for o in range(3)]", {"lam", "z"}),
    ("this is not python", set()),
])
def test_script_targets_are_what_a_script_leaves_in_the_task_data(source, targets):
    assert written.script_targets(source) == targets


@pytest.mark.parametrize("shows", ["a..b", "1abc", "target.$", "target, .x"])
def test_a_malformed_view_is_refused_with_its_task(shows):
    found = problems(bundle([_script("s", "target = 1")], shows=shows))
    assert [(p["element"], p["file"]) for p in found] == [("review", "views.bpmn")]
    assert found[0]["message"].startswith("user task 'review': shows: ")


# --- templates ------------------------------------------------------------------------------------------------

TEMPLATE_FORM = json.dumps({"type": "object", "title": "{{ case_title }} {{ agency_names | join(', ') }}",
                            "properties": {"answer": {"type": "string", "enum": "@ENUM@"}}})


def _templated(enum: str = "{{ target | default(['a']) | tojson }}", ui: str | None = None, shows: str = "target",
               **review) -> dict[str, str]:
    files = {"form.json": TEMPLATE_FORM.replace('"@ENUM@"', enum)}
    if ui is not None:
        files["ui.json"] = ui
    return bundle([_script("s", "target = ['a']\nnotes = ''")], files=files, shows=shows,
                  review={"form": "form.json", **({"ui": "ui.json"} if ui is not None else {}), **review})


def test_templates_may_use_the_view_its_form_the_header_and_the_form_context():
    instructions = ("{% set shown = target %}{% for c in shown %}{{ c }}{{ loop.index }}{% endfor %}"
                    "{{ answer }} {{ pseudonym }} {{ users | length }} {{ range(2) | list }}")
    parse_bundle("views", _templated(instructions=instructions, ui='{"answer": {"ui:help": "{{ usernames }}"}}'))


@pytest.mark.parametrize("where, place, expected_file", [
    ("instructions", {"instructions": "Read {{ notes }} first"}, "views.bpmn"),
    ("form schema", {"enum": "{{ notes | default(['a']) | tojson }}"}, "form.json"),
    ("ui schema", {"ui": '{"answer": {"ui:help": "{{ notes }}"}}'}, "ui.json"),
])
def test_a_template_variable_outside_the_view_is_refused(where, place, expected_file):
    files = _templated(**place)
    found = problems(files)
    assert [(p["element"], p["file"]) for p in found] == [("review", expected_file)], where
    assert "user task 'review': 'notes' is used by its" in found[0]["message"]
    assert "not in the task's view" in found[0]["message"]
    if expected_file == "views.bpmn":
        assert found[0]["line"] is not None
    parse_bundle("views", _templated(**place, shows="target, notes"))  # named in the view: accepted


def test_instructions_that_are_not_a_template_are_refused():
    found = problems(_templated(instructions="{% if %}"))
    assert "its instructions cannot be read as a template" in found[0]["message"]


# --- start_data -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("start_data, reason", [
    ("target", "must be a list"), ([1], "is not a variable name"), (["a b"], "is not a variable name"),
    (["target", "target"], "names 'target' twice"), (["x"] * 201, "at most 200"),
])
def test_start_data_must_be_a_list_of_variable_names(start_data, reason):
    found = problems(bundle([], model={"start_data": start_data}))
    assert [(p["file"], p.get("field")) for p in found] == [("process_model.json", "start_data")]
    assert reason in found[0]["message"]


def test_every_fixture_bundle_passes_the_view_checks():
    for path in sorted(p for p in BUNDLES.iterdir() if (p / "process_model.json").is_file()):
        parse_bundle(path.name, read_bundle_dir(path))


# --- through the API and the CLI --------------------------------------------------------------------------------

TYPO = {"shows": "targte"}


def _definitions(db) -> int:
    with db.connect() as connection:
        return connection.execute(select(func.count()).select_from(ProcessDefinition)).scalar_one()


@pytest.mark.postgres
def test_the_api_refuses_a_bad_view_with_422_naming_the_task_and_the_variable(client, auth, db):
    files = bundle([_script("s", "target = 1")], **TYPO)
    response = client.post("/api/v1/process-definitions", json={"key": "views", "files": files}, headers=auth("dee"))
    assert response.status_code == 422, response.get_json()
    [detail] = response.get_json()["error"]["details"]
    assert detail["element"] == "review" and "'targte'" in detail["message"]
    assert _definitions(db) == 0
    good = client.post("/api/v1/process-definitions", headers=auth("dee"),
                       json={"key": "views", "files": bundle([_script("s", "target = 1")])})
    assert good.status_code == 201 and _definitions(db) == 1


def test_lif_deploy_refuses_a_bad_view_naming_the_task_and_the_variable(tmp_path):
    folder = tmp_path / "views"
    folder.mkdir()
    for name, text in bundle([_script("s", "target = 1")], **TYPO).items():
        (folder / name).write_text(text, encoding="utf-8")
    env = {"LIF_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "LIF_SECRET_KEY": "test-secret",
           "LIF_INSTANCE_DIR": str(tmp_path / "instance"), "LIF_WORKFLOWS_DIR": str(tmp_path / "none")}
    assert CliRunner().invoke(main, ["init"], env=env).exit_code == 0
    result = CliRunner().invoke(main, ["deploy", str(folder)], env=env)
    assert result.exit_code == 1
    assert "user task 'review' shows 'targte', which nothing in the bundle writes" in result.output
