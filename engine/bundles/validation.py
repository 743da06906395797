"""Deploy-time checks that SpiffWorkflow's parser does not make: every expression compiles under the
restricted policy, every timer value is valid, LIF's task properties are well formed, and every form file
referenced by a task exists and is a valid JSON Schema."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TypedDict

from lxml import etree

from ..registers import declaration as registers_declaration
from ..sandbox.scripting import CompileMode, check_source
from ..spiff import timers as timer_bounds
from ..text import json_problem
from . import carry_forward, deadlines, foreign, form_regex, forms, partners, retention_policy
from .bpmn_xml import BPMN_NS, SPIFF_NS, TIMER_TAGS, Problem, owner_id, quoted_literal, timer_literal_kind

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$", re.ASCII)
MAX_START_DATA = 200
_LADDER_STEP = re.compile(r"^[+-]?\d{1,4}w?$", re.ASCII)
MAX_DMN_CELL = 1_000  # SpiffWorkflow rewrites each "?" of a cell with a look-ahead: quadratic in the "?"s
MAX_DMN_QUESTION_MARKS = 20
_ISO_ATTEMPT = re.compile(r"^(P\d|PT\d|R\d*/|\d{4}-)")  # meant as an ISO literal, not a variable name
B = f"{{{BPMN_NS}}}"
S = f"{{{SPIFF_NS}}}"

EVAL_TAGS = (B + "conditionExpression", S + "messagePayload", B + "completionCondition", B + "loopCardinality",
             B + "messagePath", S + "payloadExpression")
EXEC_TAGS = (B + "script", S + "preScript", S + "postScript")


class _Where(TypedDict):
    """Where in a diagram a problem is: passed on to ``Problem`` as keyword arguments."""
    line: int | None
    element: str | None


def bpmn_problems(root: etree._Element, filename: str, files: dict[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    problems.extend(_expression_problems(root, filename))
    problems.extend(_timer_problems(root, filename))
    problems.extend(_cardinality_problems(root, filename))
    problems.extend(_property_problems(root, filename, files))
    problems.extend(_due_on_any_day_problems(root, filename))
    problems.extend(_flow_problems(root, filename))
    problems.extend(_lane_problems(root, filename))
    problems.extend(foreign.foreign_problems(root, filename))  # other tools' exports: what LIF cannot run
    return problems


LANE_ROLES = ("coordinator", "chair", "reviewer", "partner")  # the roles that do case work (engine.store.models.ROLES)
_HUMAN_TAGS = (B + "userTask", B + "manualTask")


def _lane_problems(root: etree._Element, filename: str) -> Iterator[Problem]:
    """A lane holding a user or manual task names the role that does it (``runtime`` reads the lane's name as the
    task's role): any other name makes a task nobody's inbox shows."""
    human = {element.get("id") for tag in _HUMAN_TAGS for element in root.iter(tag)}
    for lane in root.iter(B + "lane"):
        refs = {(ref.text or "").strip() for ref in lane.iterchildren(B + "flowNodeRef")}
        if lane.find(B + "childLaneSet") is not None or not refs & human:
            continue
        name = (lane.get("name") or "").strip()
        if name.lower() not in LANE_ROLES:
            roles = f"{', '.join(LANE_ROLES[:-1])} or {LANE_ROLES[-1]}"
            yield Problem(filename, f"lane {name or lane.get('id')!r} holds tasks but is not a role: name it {roles}",
                          lane.sourceline, lane.get("id"))


def _flow_problems(root: etree._Element, filename: str) -> Iterator[Problem]:
    """Sequence flows whose source or target names no element (the parser's own error names neither)."""
    ids = {element.get("id") for element in root.iter() if isinstance(element.tag, str) and element.get("id")}
    for flow in root.iter(B + "sequenceFlow"):
        for attribute in ("sourceRef", "targetRef"):
            ref = flow.get(attribute)
            if ref not in ids:
                yield Problem(filename, f"sequenceFlow {flow.get('id')!r}: {attribute} {ref!r} names no element",
                              flow.sourceline, flow.get("id"))


def call_activity_problems(roots: dict[str, etree._Element], process_ids: set[str]) -> list[Problem]:
    """Call activities whose called process is not in the bundle."""
    problems = []
    for filename, root in roots.items():
        for call in root.iter(B + "callActivity"):
            called = call.get("calledElement")
            if called not in process_ids:
                problems.append(Problem(filename, f"call activity calls process {called!r}, which is not in the "
                                                  f"bundle (found {sorted(process_ids)})", call.sourceline,
                                        call.get("id")))
    return problems


def dmn_problems(root: etree._Element, filename: str) -> list[Problem]:
    problems = []
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.tag.endswith("}text"):
            continue
        parent = element.getparent()
        kind = etree.QName(parent).localname if parent is not None else ""
        source = (element.text or "").strip()
        if kind not in ("inputExpression", "inputEntry", "outputEntry"):
            continue
        reason = _dmn_size_problem(source)
        if reason:
            problems.append(Problem(filename, f"{_dmn_place(element)}: {kind} {reason}", element.sourceline,
                                    owner_id(element)))
            continue
        if kind == "inputEntry":
            source = _dmn_cell_as_expression(source)
        reason = check_source(source, "eval") if source else None
        if reason:
            problems.append(Problem(filename, f"{kind} {source!r}: {reason}", element.sourceline, owner_id(element)))
    return problems


def _dmn_size_problem(source: str) -> str | None:
    if len(source) > MAX_DMN_CELL:
        return f"is longer than {MAX_DMN_CELL} characters"
    if source.count("?") > MAX_DMN_QUESTION_MARKS:
        return f"has more than {MAX_DMN_QUESTION_MARKS} question marks"
    return None


def _dmn_place(element: etree._Element) -> str:
    """``decision table 'grade_table', rule 'r_low'``: where a cell is, by its table and rule (or input)."""
    names = {"decisionTable": "decision table", "rule": "rule", "input": "input"}
    found = [f"{names[etree.QName(a).localname]} {a.get('id')!r}" for a in reversed(list(element.iterancestors()))
             if isinstance(a.tag, str) and etree.QName(a).localname in names]
    return ", ".join(found) or "decision"


def _dmn_cell_as_expression(cell: str) -> str:
    if cell in ("", "-"):
        return ""
    if "?" in cell:
        return cell.replace("?", "value")
    if cell.startswith(("<", ">", "!=", "==")):
        return "value " + cell
    return cell


def _expression_problems(root: etree._Element, filename: str) -> Iterator[Problem]:
    passes: tuple[tuple[tuple[str, ...], CompileMode], ...] = ((EVAL_TAGS, "eval"), (EXEC_TAGS, "exec"))
    for tags, mode in passes:
        for tag in tags:
            for element in root.iter(tag):
                source = (element.text or "").strip()
                if not source:
                    continue
                reason = check_source(source, mode)
                if reason:
                    yield Problem(filename, f"{etree.QName(element).localname}: {reason}", element.sourceline,
                                  owner_id(element))


def _cardinality_problems(root: etree._Element, filename: str) -> Iterator[Problem]:
    """A literal loop cardinality beyond the bound (an expression's value is checked when it is evaluated)."""
    for element in root.iter(B + "loopCardinality"):
        text = (element.text or "").strip()
        if text.isascii() and text.isdigit():
            reason = timer_bounds.cardinality_problem(int(text)) if len(text) <= 100 \
                else f"loop cardinality of {len(text)} digits is more than {timer_bounds.MAX_INSTANCES}"
            if reason:
                yield Problem(filename, f"loopCardinality: {reason}", element.sourceline, owner_id(element))


def _timer_problems(root: etree._Element, filename: str) -> Iterator[Problem]:
    for tag, expected in TIMER_TAGS.items():
        for element in root.iter(tag):
            text = (element.text or "").strip()
            where = _Where(line=element.sourceline, element=owner_id(element))
            if not text:
                yield Problem(filename, "timer has no value", **where)
                continue
            literal = text if timer_literal_kind(text) else quoted_literal(text)
            if literal is None and _ISO_ATTEMPT.match(text):
                yield Problem(filename, f"timer value {text!r} is not valid ISO 8601", **where)
                continue
            if literal is None:
                reason = check_source(text, "eval")
                if reason:
                    yield Problem(filename, f"timer expression {text!r}: {reason}", **where)
                continue
            kind = timer_literal_kind(literal)
            if kind != expected:
                yield Problem(filename, f"timer value {literal!r} is not an ISO 8601 {expected}", **where)
                continue
            beyond = timer_bounds.timer_problem(kind, literal)
            if beyond:  # before the parse below: SpiffWorkflow counts a cycle's duration month by month
                yield Problem(filename, f"timer value refused: {beyond}", **where)
                continue
            if not timer_bounds.parses(kind, literal.replace("Z", "+00:00") if kind == "date" else literal):
                yield Problem(filename, f"timer value {literal!r} is not valid ISO 8601", **where)
            elif kind == "date" and "T" in literal and not re.search(r"(Z|[+-]\d\d:?\d\d)$", literal):
                yield Problem(filename, f"timer date {literal!r} has no UTC offset (add Z)", **where)


def _property_problems(root: etree._Element, filename: str, files: dict[str, str]) -> Iterator[Problem]:
    for prop in root.iter(S + "property"):
        name, value = prop.get("name", ""), (prop.get("value") or "").strip()
        where = _Where(line=prop.sourceline, element=owner_id(prop))
        if name in ("formJsonSchemaFilename", "formUiSchemaFilename"):
            yield from _form_file_problems(filename, value, files, is_schema=name == "formJsonSchemaFilename",
                                           **where)
        elif name == "dueIn" and deadlines.period_problem(value):
            yield Problem(filename, f"dueIn: {deadlines.period_problem(value)}", **where)
        elif name in ("dueFrom", "agencyFrom", "assigneeFrom") and not _IDENTIFIER.match(value):
            yield Problem(filename, f"{name} {value!r} must name a task-data variable", **where)
        elif name == "priority" and value not in ("1", "2", "3", "4", "5"):
            yield Problem(filename, f"priority {value!r} must be an integer from 1 to 5", **where)
        elif name == "reminders" and not all(_LADDER_STEP.match(s.strip()) for s in value.split(",")):
            yield Problem(filename, f"reminders {value!r} must be a comma list like -7,-2,0,1,+7w", **where)


def _due_on_any_day_problems(root: etree._Element, filename: str) -> Iterator[Problem]:
    """``dueOnAnyDay`` is ``true`` or ``false``: a typing slip ("yes", "True") would otherwise silently keep the
    rule that moves a deadline off a weekend or bank holiday, which the designer meant to lift."""
    for prop in root.iter(S + "property"):
        if prop.get("name") == deadlines.ANY_DAY:
            reason = deadlines.any_day_problem((prop.get("value") or "").strip())
            if reason:
                yield Problem(filename, reason, prop.sourceline, owner_id(prop))


def _form_file_problems(filename: str, form_file: str, files: dict[str, str], *, is_schema: bool,
                        line: int | None, element: str | None) -> Iterator[Problem]:
    if form_file not in files:
        yield Problem(filename, f"form file {form_file!r} is missing from the bundle", line, element)
        return
    try:
        schema = forms.render_schema(files[form_file], forms.SAMPLE_CONTEXT)
    except forms.FormError as exc:
        yield Problem(form_file, str(exc), None, element)
        return
    if is_schema:
        unusable = form_regex.pattern_problems(schema)  # each named by its field, before the schema as a whole
        for where, reason in unusable:
            yield Problem(form_file, f"{where}: {reason}", None, element, field=where)
        schema_reason = None if unusable else forms.check_schema(schema)
        if schema_reason:
            yield Problem(form_file, schema_reason, None, element)


def model_problems(model: dict[str, Any]) -> list[Problem]:
    """process_model.json's fields LIF reads: names are strings, ``repeat_every`` a period within bounds, and
    ``retention`` a well-formed policy (``retention_policy``)."""
    problems = [Problem("process_model.json", f"{name} must be a string", field=name)
                for name in ("display_name", "description", "primary_process_id", "primary_file_name")
                if model.get(name) is not None and not isinstance(model[name], str)]
    period = model.get("repeat_every")
    if period is not None:
        reason = deadlines.period_problem(period) if isinstance(period, str) else "must be a string"
        if reason is None and isinstance(period, str) and period.strip().upper().startswith("P"):
            days = timer_bounds.duration_days(period.strip())
            if days is not None and days < 1:  # each start schedules the next: a shorter period floods the cases
                reason = "a process may start itself at most once a day"
        if reason is None and isinstance(period, str) and re.fullmatch(r"0+WD", period.strip().upper()):
            reason = "a process may start itself at most once a day"
        if reason:
            problems.append(Problem("process_model.json", f"repeat_every: {reason}", field="repeat_every"))
    problems.extend(_start_data_problems(model.get("start_data")))
    problems.extend(carry_forward.model_problems(model))
    key_variable = model.get("business_key_variable")
    if key_variable is not None and not (isinstance(key_variable, str) and _VARIABLE.match(key_variable)):
        problems.append(Problem("process_model.json", "business_key_variable must be a variable name (letters, "
                                "digits and _, not beginning with a digit)", field="business_key_variable"))
    partners_problem = partners.partners_problem(model.get("partners"))
    if partners_problem:
        problems.append(Problem("process_model.json", partners_problem, field="partners"))
    if "retention" in model:
        problems += [Problem("process_model.json", f"{field}: {message}", field=field)
                     for field, message in retention_policy.policy_problems(model["retention"])]
    if "child_match" in model:
        problems += [Problem("process_model.json", f"child_match: {message}", field="child_match")
                     for message in child_match_problems(model["child_match"])]
    if "registers" in model or "parts" in model:
        problems += [Problem("process_model.json", message, field="registers")
                     for message in registers_declaration.problems(model)]
    return problems


CHILD_MATCH_VARIABLES = ("nhs_number", "initials", "dob", "local_authority", "payload")
_CHILD_DETAILS = ("initials", "dob", "local_authority")


def child_match_problems(declaration: Any) -> list[str]:
    """``child_match`` (engine.cases.child_match): an object naming the variables that hold the child's NHS number
    and/or all three of initials, date of birth and local authority, optionally the variable holding the referral
    (``payload``), and the message (``link_message``) a further referral is delivered as."""
    if not isinstance(declaration, dict):
        return ["must be an object naming variables: nhs_number, initials, dob, local_authority, payload, and the "
                "link_message"]
    problems = [f"{name!r} is not one of {', '.join((*CHILD_MATCH_VARIABLES, 'link_message'))}"
                for name in sorted(declaration) if name not in (*CHILD_MATCH_VARIABLES, "link_message")]
    problems += [f"{name}: {value!r} is not a variable name (letters, digits and _, not beginning with a digit)"
                 for name in CHILD_MATCH_VARIABLES if name in declaration
                 and not (isinstance(value := declaration[name], str) and _VARIABLE.match(value))]
    link = declaration.get("link_message")
    if not (isinstance(link, str) and link.strip()):
        problems.append("link_message must name the message a further referral for the same child is delivered as")
    details = [name for name in _CHILD_DETAILS if name in declaration]
    if details and len(details) < len(_CHILD_DETAILS):
        missing = ", ".join(n for n in _CHILD_DETAILS if n not in declaration)
        problems.append(f"initials, dob and local_authority match a child only together: {missing} is missing")
    if "nhs_number" not in declaration and not details:
        problems.append("name nhs_number, or initials, dob and local_authority (or both), to match a child by")
    return problems


def child_match_link_problems(model: dict[str, Any], catches: set[str]) -> list[Problem]:
    """The link message must be one the bundle catches: delivered to a case that cannot take it, a further referral
    would open a second case every time."""
    declaration = model.get("child_match")
    link = declaration.get("link_message") if isinstance(declaration, dict) else None
    if not isinstance(link, str) or link in catches:
        return []
    return [Problem("process_model.json", f"child_match: link_message {link!r} is not a message this bundle catches "
                                          f"(it catches {', '.join(sorted(catches)) or 'none'})", field="child_match")]


def _start_data_problems(names: Any) -> list[Problem]:
    """``start_data``: the variables a case may be started with, so that a view may name them."""
    if names is None:
        return []
    if not isinstance(names, list) or len(names) > MAX_START_DATA:
        return [Problem("process_model.json", f"start_data must be a list of at most {MAX_START_DATA} variable "
                                              "names", field="start_data")]
    bad = [n for n in names if not (isinstance(n, str) and _VARIABLE.match(n))]
    if bad:
        return [Problem("process_model.json", f"start_data: {bad[0]!r} is not a variable name (letters, digits "
                                              "and _, not beginning with a digit)", field="start_data")]
    repeated = sorted({n for n in names if names.count(n) > 1})
    return [Problem("process_model.json", f"start_data names {repeated[0]!r} twice", field="start_data")] \
        if repeated else []


def json_file_problems(filename: str, text: str) -> list[Problem]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return [Problem(filename, f"not valid JSON: {exc.msg}", exc.lineno)]
    problem = json_problem(value)
    return [Problem(filename, problem)] if problem else []
