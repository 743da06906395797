"""Checking a draft by running it (issue 15, item 6): before deploying, the draft is deployed in a scratch
in-memory database and played by LIF's real engine under several seeds (``check_runs``), and what the runs met
is put in a designer's words. Nothing is written to the real database: it is only read, for its agencies and for
who holds each role. The same files, seeds and database give the same report.

Each run starts the process (by hand, or by one of its message start events, in turn by seed), then, until it
finishes or ``check_runs.MAX_STEPS`` actions: completes a ready task with answers made from its form's schema
(``check_forms``: the seed decides the answers, so gateway branches follow them), or moves the clock to the next
timer (as the scheduler's sweep would, just after it falls due), or delivers a message the draft catches but does
not send itself, as its owner would: a payload with the keys the draft reads with ``payload['key']`` (a key read
with ``.get`` may be left out, as a sender may) or one of the values it compares a key with, and the correlation
the case waits with. Every other run fires timers and delivers messages while tasks are still open, and the first
time a catch waits beside a set of open tasks its message comes at once, so boundary events get their turn.

Runs learn from each other: a choice (an enum value, yes or no) is made among those used least so far, and first
among those that lead, by a gateway condition (or a variable a script derives from one), where no run has been.
A task a run meets again and again (a loop) settles on yes and on the answers this run has used least, so a loop
that runs on at some answers meets the one that ends it.

The problems:

- ``dead_end``: a run stopped with a case not finished and nothing to move it: no task ready, no timer, no wait
  for a message the draft catches from outside (a case waiting for one can still finish when it comes). It names
  the elements the case waits at (a join waiting for a branch, a catch event). A run still going after the step
  bound is a dead end too: a loop that may never end.
- ``unreached``: a flow node of an executable process that no run reached (ran, or stood at: a task that became
  ready was reached). Not reported: error, escalation, cancel and compensation events and whatever only they lead
  to (event subprocesses they start), since only a failure in the real world triggers them and a run cannot make
  one; an element that failed (its failure is reported instead); and an element after one already reported on
  its path (the first unreached element of a path is named, the rest would say nothing more).
- ``script_error``: a script, condition, expression, DMN table or form template failed in a run (the case went to
  error); the element and the engine's words, made plain where they are a programmer's.
- ``unsubmittable``: a user task that nobody could submit: no active user in the real database holds its lane's
  role, no answer made for its form passes the form's own schema (after ``check_forms.TRIES`` draws; the run then
  goes on with a draw as it is, to find what lies beyond), or a required field is read-only or hidden.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..bundles.bpmn_xml import BPMN_NS, SPIFF_NS, XmlRefused, is_dmn, parse_xml
from ..errors import InvalidData, LifError
from ..store.models import User, UserRole
from . import check_forms, check_runs
from .records import CheckProblem, CheckReport
from .validating import parsed_with_problems

B = f"{{{BPMN_NS}}}"
MAX_SEEDS = 32
KINDS = ("dead_end", "script_error", "unsubmittable", "unreached")
FLOW_NODES = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "task",
              "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask", "businessRuleTask",
              "callActivity", "subProcess", "transaction", "exclusiveGateway", "parallelGateway", "inclusiveGateway",
              "eventBasedGateway", "complexGateway")
_FAILURE_EVENTS = ("errorEventDefinition", "escalationEventDefinition", "cancelEventDefinition",
                   "compensateEventDefinition")
_HUMAN = ("userTask", "manualTask")


def check_bundle(session: Session, key: str, files: dict[str, str], *, seeds: int = 8,
                 now: datetime) -> CheckReport:
    """Run the draft ``files`` of ``key`` under ``seeds`` seeds (1 to ``MAX_SEEDS``). A draft that does not
    parse is not run: ``runs`` is 0 and its problems are the validation's."""
    if not 1 <= seeds <= MAX_SEEDS:
        raise InvalidData("seeds out of range", [{"field": "seeds", "message": f"must be 1 to {MAX_SEEDS}"}])
    parsed, _ = parsed_with_problems(session, key, files)  # the problems are the validation's to show
    if parsed is None:
        return CheckReport(runs=0, reached=(), problems=())
    diagram = _Diagram(files)
    plan = _plan(key, parsed.message_events, parsed.message_starts, diagram)
    try:
        with check_runs.scratch(session, parsed, now) as factory:
            coverage = check_forms.Coverage(diagram.steering())
            results = []
            for seed in range(1, seeds + 1):
                results.append(check_runs.play(factory, plan, seed, now, coverage))
                coverage.reached |= results[-1].reached
    except LifError:
        return CheckReport(runs=0, reached=(), problems=())
    reached: set[str] = set()
    for result in results:
        reached |= result.reached
    problems = _script_errors(results, diagram) + _unsubmittable(session, results, diagram)
    blocked = {p.element for p in problems}
    problems += _dead_ends(results, diagram, blocked) + _unreached(diagram, reached, blocked)
    order = {kind: number for number, kind in enumerate(KINDS)}
    unique = {(p.kind, p.element): p for p in problems}
    ranked = sorted(unique.values(), key=lambda p: (order[p.kind], p.element or "", p.message))
    return CheckReport(runs=len(results), reached=tuple(sorted(reached & diagram.nodes.keys())),
                       problems=tuple(ranked))


_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_BARE = re.compile(r"(not\s+)?([A-Za-z_]\w*)")
DEFAULT = check_forms.DEFAULT  # the key prefix of what leads along a default flow, tried after the others
_COMPARISON = re.compile(r"\b([A-Za-z_]\w*)\s*(==|!=|not\s+in|in)\s*('[^']*'|\"[^\"]*\"|\([^)]*\)|\[[^\]]*\])")


def _steer_by(steer: dict[str, list[tuple[frozenset[Any], str]]], expression: str, targets: list[str],
              negate: bool = False) -> None:
    """Add what ``expression`` compares: ``var == 'x'``, ``var in ('x', 'y')`` (those values), ``var != 'x'``,
    ``var not in (...)`` (the values marked ``NOT``), or yes-or-no variables read as they are. ``negate``: what
    leads to ``targets`` is the expression being false (a gateway's default flow)."""
    terms = [_BARE.fullmatch(term.strip()) for term in re.split(r"\b(?:and|or)\b", expression.strip())]
    if all(terms):  # yes-or-no variables read as they are (``publication_required``, ``a and not b``)
        for term in terms:
            assert term is not None
            wanted = (not term.group(1)) != negate
            steer.setdefault(DEFAULT * negate + term.group(2), []).extend((frozenset({wanted}), t) for t in targets)
        return
    for variable, operator, compared in _COMPARISON.findall(expression):
        values = frozenset(a or b for a, b in _QUOTED.findall(compared))
        if (operator.replace(" ", "") in ("!=", "notin")) != negate:
            values = frozenset({check_forms.NOT, *values})
        steer.setdefault(DEFAULT * negate + variable, []).extend((values, target) for target in targets)


class _Diagram:
    """The draft's BPMN files read once: flow nodes of executable processes with their names, kinds and files."""

    def __init__(self, files: dict[str, str]) -> None:
        self.nodes: dict[str, etree._Element] = {}
        self.files: dict[str, str] = {}
        self.texts: list[str] = []
        self.lanes: dict[str, str] = {}
        self.flows: list[etree._Element] = []
        self.script_lines: list[str] = []
        for filename, text in sorted(files.items()):
            if not filename.endswith((".bpmn", ".dmn")):
                continue
            self.texts.append(text)
            try:
                root = parse_xml(text, filename)
            except XmlRefused:
                continue
            if is_dmn(root):
                continue
            for process in root.iter(B + "process"):
                if process.get("isExecutable", "true") == "false":
                    continue
                self._read(process, filename)

    def _read(self, process: etree._Element, filename: str) -> None:
        for element in process.iter(*(B + tag for tag in FLOW_NODES)):
            node_id = element.get("id")
            if node_id:
                self.nodes[node_id] = element
                self.files[node_id] = filename
        self.flows += list(process.iter(B + "sequenceFlow"))
        for script in process.iter(B + "script", f"{{{SPIFF_NS}}}preScript", f"{{{SPIFF_NS}}}postScript"):
            self.script_lines += [line for line in (script.text or "").splitlines() if "=" in line]
        for lane in process.iter(B + "lane"):
            for ref in lane.iterchildren(B + "flowNodeRef"):
                self.lanes[(ref.text or "").strip()] = (lane.get("name") or "").strip().lower()

    def steering(self) -> dict[str, list[tuple[frozenset[Any], str]]]:
        """For each variable a gateway condition compares with quoted values, those values and the element the
        condition's flow leads to: answers that lead where no run has been are tried first. A variable a script
        sets from others (``kind = 'a' if answer == 'x' else 'b'``) passes its branches on to those others."""
        steer: dict[str, list[tuple[frozenset[Any], str]]] = {}
        defaults = {node.get("default") for node in self.nodes.values() if node.get("default")}
        for flow in self.flows:
            condition = flow.findtext(B + "conditionExpression") or ""
            _steer_by(steer, condition, [flow.get("targetRef") or ""])
            if condition:  # a default flow is taken when its siblings' conditions are false
                for default in self.flows:
                    if default.get("id") in defaults and default.get("sourceRef") == flow.get("sourceRef"):
                        _steer_by(steer, condition, [default.get("targetRef") or ""], negate=True)
        for _ in range(2):  # a variable set from one set from an answer
            for line in self.script_lines:
                lhs, _, rhs = line.partition("=")
                if not rhs or rhs.startswith("=") or lhs.rstrip().endswith(("!", "<", ">")):
                    continue
                for key in (lhs.strip(), DEFAULT + lhs.strip()):
                    for values, target in list(steer.get(key, ())):
                        _steer_by(steer, rhs, [target], negate=values == frozenset({False}))
        return steer

    def name(self, element: str | None) -> str:
        node = self.nodes.get(element or "")
        label = (node.get("name") or "").strip() if node is not None else ""
        return f"“{label}”" if label else f"the element {element or 'unknown'}"

    def kind(self, element: str) -> str:
        return etree.QName(self.nodes[element]).localname

    def failure_only(self, element: str) -> bool:
        """Whether only a real-world failure leads to ``element``: an error, escalation, cancel or compensation
        event, or anything inside an event subprocess such an event starts."""
        node = self.nodes[element]
        if any(node.find(B + d) is not None for d in _FAILURE_EVENTS):
            return True
        parent = node.getparent()
        while parent is not None and etree.QName(parent).localname == "subProcess":
            if parent.get("triggeredByEvent") == "true" and any(
                    start.find(B + d) is not None for start in parent.iterchildren(B + "startEvent")
                    for d in _FAILURE_EVENTS):
                return True
            parent = parent.getparent()
        return False

    def incoming(self, element: str) -> list[str]:
        node = self.nodes[element]
        process = node.getparent()
        sources = [f.get("sourceRef") for f in process.iterchildren(B + "sequenceFlow")
                   if f.get("targetRef") == element] if process is not None else []
        if etree.QName(node).localname == "boundaryEvent" and node.get("attachedToRef"):
            sources.append(node.get("attachedToRef"))
        return [s for s in sources if s in self.nodes]


def _plan(key: str, events: Any, message_starts: dict[str, str], diagram: _Diagram) -> check_runs.Plan:
    thrown = {e.name for e in events if not e.catches}
    outside: dict[str, dict[str, Any]] = {}
    for event in events:
        if event.catches and event.name not in thrown:
            outside.setdefault(event.name, {}).update(_payload_template(event.variable, diagram.texts))
    starts: list[str | None] = []
    hand = any(etree.QName(n).localname == "startEvent" and _parent_kind(n) == "process"
               and not any(str(c.tag).endswith("EventDefinition") for c in n) for n in diagram.nodes.values())
    if hand:
        starts.append(None)
    starts += sorted(name for name in message_starts if name in outside)
    return check_runs.Plan(key=key, starts=tuple(starts or [None]), outside=outside)


def _parent_kind(node: etree._Element) -> str:
    parent = node.getparent()
    return etree.QName(parent).localname if parent is not None else ""


def _payload_template(variable: str | None, texts: list[str]) -> dict[str, Any]:
    """The keys the draft reads from a message's payload variable: each key it reads as ``payload['key']``
    (which the sender must give) with the kind of value it seems to want, and each key it compares with values,
    with those values. A key read with ``.get(key, default)`` is left out: a sender may leave it out too, and
    the draft's default stands for it."""
    if not variable:
        return {}
    quote = r"(?:'|&quot;|\")"
    read = rf"\b{re.escape(variable)}(?:\[{quote}(\w+){quote}\]|\.get\({quote}(\w+){quote}[^)]*\))"
    found: dict[str, Any] = {}
    for text in texts:
        for match in re.finditer(read + r"(\s*(?:==|in)\s*(?:\([^)]*\)|'[^']*'|&quot;[^&]*&quot;))?", text):
            key = match.group(1) or match.group(2)
            compared = re.findall(r"'([^']*)'|&quot;([^&]*)&quot;", match.group(3) or "")
            if compared:
                earlier = found.get(key)
                values: list[str] = earlier if isinstance(earlier, list) else []
                found[key] = sorted({*values, *(a or b for a, b in compared)})
            elif match.group(1) and not isinstance(found.get(key), list):
                found[key] = _kind_of(key, text, variable)
    return found


def _kind_of(key: str, text: str, variable: str) -> str:
    if re.search(r"(date|_on|dob|_at)$", key):
        return "date"
    if re.search(rf"\blist\({re.escape(variable)}\[['\"]{key}", text) or key.startswith("agencies"):
        return "list"
    return "text"


def _script_errors(results: list[check_runs.RunResult], diagram: _Diagram) -> list[CheckProblem]:
    found: dict[str | None, tuple[int, str]] = {}
    for result in results:
        for element, message in result.errors:
            found.setdefault(element, (result.seed, message))
    return [CheckProblem("script_error", element, f"{diagram.name(element)} failed in run {seed}: "
                         f"{plain_error(message)}", diagram.files.get(element or ""))
            for element, (seed, message) in found.items()]


_NAME = re.compile(r"name '(\w+)' is not defined")
_KEY = re.compile(r"KeyError: ?'([^']*)'")


def plain_error(message: str) -> str:
    """The engine's words for a failure, in a designer's: the variable a script reads before anything sets it,
    the key missing from a value; otherwise the engine's message without its hints for programmers."""
    name, key = _NAME.search(message), _KEY.search(message)
    if name is not None:
        return (f"it reads {name.group(1)!r}, which the case does not hold at that point (no form, script or "
                f"message before it sets it on this path).")
    if key is not None:
        return f"it reads the key {key.group(1)!r}, which the value does not have on this path."
    message = re.split(r"\s+Did you mean", message)[0].strip().rstrip(".")
    return message + "." if message else "the engine gave no reason."


def _unsubmittable(session: Session, results: list[check_runs.RunResult], diagram: _Diagram) -> list[CheckProblem]:
    problems = []
    held = set(session.scalars(select(UserRole.role).join(User, User.id == UserRole.user_id)
                               .where(User.active.is_(True))))
    for element, node in diagram.nodes.items():
        role = diagram.lanes.get(element)
        if etree.QName(node).localname in _HUMAN and role and role not in held:
            problems.append(CheckProblem("unsubmittable", element, f"Nobody can do {diagram.name(element)}: no "
                                         f"active user has the {role} role.", diagram.files[element]))
    for result in results:
        for element, why in sorted(result.unsubmittable.items()):
            problems.append(CheckProblem("unsubmittable", element, f"No answer made for the form of "
                                         f"{diagram.name(element)} passed its own rules: {why}.",
                                         diagram.files.get(element)))
        for element, (schema, ui) in sorted(result.forms_seen.items()):
            for field in _locked_required(schema, ui or {}, ""):
                problems.append(CheckProblem("unsubmittable", element, f"The form of {diagram.name(element)} "
                                             f"requires the field {field!r}, but it is read-only or hidden.",
                                             diagram.files.get(element)))
    return problems


def _locked_required(schema: Any, ui: Any, path: str) -> list[str]:
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
        return []
    ui = ui if isinstance(ui, dict) else {}
    found = []
    for name, sub in schema["properties"].items():
        own_ui = ui.get(name) if isinstance(ui.get(name), dict) else {}
        locked = (isinstance(sub, dict) and sub.get("readOnly") is True and "const" not in sub) or \
            own_ui.get("ui:widget") == "hidden" or True in (own_ui.get("ui:readonly"), own_ui.get("ui:disabled"))
        if name in (schema.get("required") or ()) and locked:
            found.append(f"{path}{name}")
        found += _locked_required(sub, own_ui, f"{path}{name}.")
    return found


def _dead_ends(results: list[check_runs.RunResult], diagram: _Diagram, blocked: set[str | None]) -> list[CheckProblem]:
    problems = []
    for result in results:
        for elements, why in result.stuck:
            shown = [e for e in elements if e in diagram.nodes]
            if any(e in blocked for e in shown):
                continue
            element = shown[0] if shown else None
            where = ", ".join(diagram.name(e) for e in shown) or "no element"
            if why == "looping":
                message = (f"Run {result.seed} was still going after {check_runs.MAX_STEPS} steps, at {where}: "
                           f"a loop may never end.")
            elif why == "stuck":
                message = (f"Run {result.seed} stopped before the case finished: it waits at {where}, with nothing "
                           f"to do, no timer and no message the process catches from outside.")
            else:
                message = f"Run {result.seed} stopped: {why}."
            problems.append(CheckProblem("dead_end", element, message, diagram.files.get(element or "")))
    return problems


def _unreached(diagram: _Diagram, reached: set[str], blocked: set[str | None]) -> list[CheckProblem]:
    missing = {e for e in diagram.nodes if e not in reached and not diagram.failure_only(e)}
    reported = missing - blocked  # a failing element was reached: its failure is what to report
    problems = []
    for element in sorted(reported):
        if any(source in missing for source in diagram.incoming(element)):
            continue  # a later element of a path already reported
        problems.append(CheckProblem("unreached", element, f"No run reached {diagram.name(element)}.",
                                     diagram.files[element]))
    return problems
