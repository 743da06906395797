"""Carry-forward, as a bundle declares it: a case may start with a variable copied from the most recent earlier
case of the same process (``engine.cases.carry_forward`` does the copying at launch). A Section 11 cycle, for
one, starts from the agencies' previous returns, so each agency changes only what changed.

``process_model.json`` says ``"carry_forward": [{"from": "s11_returns", "to": "previous_s11_returns"}]`` (one
object is read as a list of one). The ``to`` variable counts as written for the view checks, like
``start_data``; it is the earlier case's value, or ``None`` when no earlier case has one."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .bpmn_xml import Problem

FIELD = "carry_forward"
MAX_RULES = 20
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$", re.ASCII)


@dataclass(frozen=True)
class CarryRule:
    source: str  # the variable of the earlier case
    target: str  # the variable of the new case


def rules(model: Mapping[str, Any]) -> tuple[CarryRule, ...]:
    """The well-formed rules of ``model`` (deploy refuses a bundle with others: ``model_problems``)."""
    return tuple(CarryRule(item["from"], item["to"]) for item in _items(model.get(FIELD))
                 if _rule_problem(item) is None)


def targets(model: Mapping[str, Any]) -> list[str]:
    """The variables a case of this process starts with by carry-forward."""
    return [rule.target for rule in rules(model)]


def model_problems(model: Mapping[str, Any]) -> list[Problem]:
    """What is wrong with ``carry_forward``: each rule an object naming two variables, no target twice."""
    value = model.get(FIELD)
    if value is None:
        return []
    items = _items(value)
    if not items or len(items) > MAX_RULES or not all(isinstance(i, Mapping) for i in items):
        return [Problem("process_model.json", f"{FIELD} must be an object, or a list of at most {MAX_RULES} objects, "
                                              "each with \"from\" and \"to\"", field=FIELD)]
    problems = [Problem("process_model.json", f"{FIELD}[{n}]: {reason}", field=FIELD)
                for n, reason in enumerate(_rule_problem(item) for item in items) if reason]
    seen = [i.get("to") for i in items]
    repeated = sorted({str(t) for t in seen if seen.count(t) > 1})
    if repeated:
        problems.append(Problem("process_model.json", f"{FIELD} writes {repeated[0]!r} twice", field=FIELD))
    return problems


def _items(value: Any) -> list[Any]:
    if isinstance(value, Mapping):
        return [value]
    return list(value) if isinstance(value, list) else []


def _rule_problem(item: Any) -> str | None:
    if not isinstance(item, Mapping):
        return "must be an object with \"from\" and \"to\""
    for key in ("from", "to"):
        if not (isinstance(item.get(key), str) and _VARIABLE.match(item[key])):
            return f"{key!r} must be a variable name (letters, digits and _, not beginning with a digit)"
    extra = sorted(set(item) - {"from", "to"})
    return f"unknown field {extra[0]!r}" if extra else None
