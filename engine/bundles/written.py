"""The case variables a bundle writes, read from its files the way the engine will write them at run time: a view
may only name a variable something writes, or a typo would hide data without anyone noticing.

Written are: every form's top-level fields; the targets of assignments in scripts (script tasks, pre- and
post-scripts); the outputs of the decision tables business rule tasks call; the collections and items of
multi-instance activities; the variables catching message events write their payload to; the ``start_data`` a
case may be started with and the ``carry_forward`` targets (``process_model.json``); the partner variables the
engine gives a process that declares ``partners``; its ``business_key_variable``; and the header variables. The
whole bundle counts, so a variable a called process of the bundle writes counts too (SpiffWorkflow copies a call's
data back)."""
from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from lxml import etree

from ..spiff.parser import MessageEvent
from . import carry_forward
from .bpmn_xml import BPMN_NS, SPIFF_NS, XmlRefused, is_dmn, parse_xml
from .partners import PARTNER_VARIABLES, needed_kinds
from .task_views import HEADER_VARIABLES, BundleViews

_B = f"{{{BPMN_NS}}}"
_S = f"{{{SPIFF_NS}}}"
SCRIPT_TAGS = (_B + "script", _S + "preScript", _S + "postScript")
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp, ast.DictComp,
           ast.GeneratorExp)  # names bound inside these stay there: they never reach the task's data


def written_variables(files: Mapping[str, str], model: Mapping[str, Any], messages: Iterable[MessageEvent],
                      views: BundleViews) -> frozenset[str]:
    """Every top-level variable the bundle in ``files`` writes (a dotted DMN output counts by its first part);
    ``views`` are its task views, which hold each user task's form fields."""
    roots = _roots(files)
    diagrams = [root for root in roots.values() if not is_dmn(root)]
    written: set[str] = set(HEADER_VARIABLES)
    written.update(_start_data(model))
    written.update(carry_forward.targets(model))
    if needed_kinds(model):
        written.update(PARTNER_VARIABLES)
    if isinstance(model.get("business_key_variable"), str):
        written.add(model["business_key_variable"])
    written.update(m.variable for m in messages if m.catches and m.variable)
    written.update(field for view in views.tasks.values() for field in view.form_fields)
    for root in diagrams:
        written.update(_script_targets(root))
        written.update(_multi_instance_names(root))
    written.update(_decision_outputs(diagrams, [root for root in roots.values() if is_dmn(root)]))
    return frozenset(written)


def _roots(files: Mapping[str, str]) -> dict[str, etree._Element]:
    roots = {}
    for filename, text in sorted(files.items()):
        if filename.endswith((".bpmn", ".dmn")):
            try:
                roots[filename] = parse_xml(text, filename)
            except XmlRefused:  # reported by the deploy's own checks
                continue
    return roots


def _start_data(model: Mapping[str, Any]) -> list[str]:
    names = model.get("start_data")
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _script_targets(root: etree._Element) -> Iterator[str]:
    for tag in SCRIPT_TAGS:
        for element in root.iter(tag):
            yield from script_targets(element.text or "")


def script_targets(source: str) -> set[str]:
    """The variables a script assigns at its top level: ``x =``, ``x += ``, ``x: int = ``, ``x[k] = `` and
    ``x.a = `` (both write into ``x``), ``for x in``, ``with ... as x`` and ``(x := ...)``. A script that does
    not parse writes nothing (the deploy's script checks say why)."""
    try:
        tree = ast.parse(source.strip())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    found: set[str] = set()
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        for target in _targets_of(node):
            found.update(_base_names(target))
        pending.extend(child for child in ast.iter_child_nodes(node) if not isinstance(child, _SCOPES))
    return found


def _targets_of(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.Assign):
        return list(node.targets)
    if isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.NamedExpr)):
        return [node.target]
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return [item.optional_vars for item in node.items if item.optional_vars is not None]
    return []


def _base_names(target: ast.AST) -> Iterator[str]:
    """``x`` for ``x``, ``x[k]``, ``x.a.b``; each name of a tuple or list target (``a, *rest = ...``)."""
    if isinstance(target, (ast.Tuple, ast.List)):
        for item in target.elts:
            yield from _base_names(item)
    elif isinstance(target, ast.Starred):
        yield from _base_names(target.value)
    elif isinstance(target, (ast.Subscript, ast.Attribute)):
        yield from _base_names(target.value)
    elif isinstance(target, ast.Name):
        yield target.id


def _multi_instance_names(root: etree._Element) -> Iterator[str]:
    """The output collection and the item variables. SpiffWorkflow names an item's variable by the data item's
    ``id`` (its ``name`` is only a label), and an output collection by the text of ``loopDataOutputRef``."""
    for loop in root.iter(_B + "multiInstanceLoopCharacteristics"):
        for ref in loop.iter(_B + "loopDataOutputRef"):
            if ref.text and ref.text.strip():
                yield ref.text.strip()
        for tag in ("inputDataItem", "outputDataItem"):
            for item in loop.iter(_B + tag):
                if item.get("id"):
                    yield str(item.get("id"))


def _decision_outputs(diagrams: list[etree._Element], decisions: list[etree._Element]) -> Iterator[str]:
    """The outputs of the first decision table of each decision a business rule task calls (the one the library
    runs): by ``name``, or ``label`` when it has none; ``a.b`` writes into ``a``."""
    called = {(element.text or "").strip() for root in diagrams for task in root.iter(_B + "businessRuleTask")
              for element in task.iter(_S + "calledDecisionId")}
    for root in decisions:
        for decision in root.iter(etree.Element):
            if etree.QName(decision).localname != "decision" or decision.get("id") not in called:
                continue
            table = next((t for t in decision if etree.QName(t).localname == "decisionTable"), None)
            for output in (o for o in (table if table is not None else []) if etree.QName(o).localname == "output"):
                key = output.get("name") or output.get("label") or ""
                if key:
                    yield key.split(".")[0]
