"""What changed between two deployed versions of a process: the BPMN and DMN elements added, removed and changed
(by id), and the form fields each form file gained or lost. An element's meaning is its attributes and its content,
not where the diagram draws it: diagram interchange (BPMNDI, DMNDI) is left out, and so are the references a
flow node keeps to its flows (``incoming``/``outgoing``: the flows say the same) and a lane's list of its nodes
(which lane a node is in counts as a change of the node)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from sqlalchemy.orm import Session

from ..bundles import definitions, forms
from ..bundles.bpmn_xml import BPMN_NS, XmlRefused, parse_xml

B = f"{{{BPMN_NS}}}"
_DMN_ELEMENTS = ("decision", "rule", "input", "output", "inputData", "businessKnowledgeModel")
# parts of an element rather than elements: what changes in them changes their owner
_PARTS = ("definitions", "laneSet", "conditionExpression", "script", "multiInstanceLoopCharacteristics",
          "standardLoopCharacteristics", "ioSpecification", "dataInput", "dataOutput", "inputSet", "outputSet",
          "dataInputAssociation", "dataOutputAssociation", "extensionElements", "documentation", "timeDate",
          "timeDuration", "timeCycle", "loopCardinality", "completionCondition", "property", "assignment",
          "resourceRole", "potentialOwner", "humanPerformer", "correlationPropertyRetrievalExpression",
          "messagePath", "correlationPropertyBinding", "dataState", "text", "inputEntry", "outputEntry",
          "inputExpression", "decisionTable", "literalExpression", "informationRequirement", "variable")
_IGNORED = ("incoming", "outgoing", "flowNodeRef", "childLaneSet")
_KINDS = {"userTask": "Task", "manualTask": "Task", "task": "Task", "scriptTask": "Script task",
          "serviceTask": "Service task", "sendTask": "Send task", "receiveTask": "Receive task",
          "businessRuleTask": "Decision task", "callActivity": "Call activity", "subProcess": "Sub-process",
          "transaction": "Transaction", "adHocSubProcess": "Sub-process", "startEvent": "Start event",
          "endEvent": "End event", "intermediateCatchEvent": "Event", "intermediateThrowEvent": "Event",
          "boundaryEvent": "Boundary event", "exclusiveGateway": "Gateway", "parallelGateway": "Gateway",
          "inclusiveGateway": "Gateway", "eventBasedGateway": "Gateway", "complexGateway": "Gateway",
          "sequenceFlow": "Flow", "messageFlow": "Message flow", "lane": "Lane", "participant": "Pool",
          "process": "Process", "dataObject": "Data object", "dataObjectReference": "Data object",
          "dataStoreReference": "Data store", "message": "Message", "signal": "Signal", "error": "Error",
          "escalation": "Escalation", "textAnnotation": "Note", "association": "Association",
          "decision": "Decision", "rule": "Rule", "input": "Decision input", "output": "Decision output",
          "inputData": "Decision input data", "businessKnowledgeModel": "Knowledge model",
          "collaboration": "Collaboration", "correlationProperty": "Correlation property",
          "correlationKey": "Correlation key", "group": "Group", "category": "Category",
          "categoryValue": "Category value", "dataStore": "Data store", "itemDefinition": "Item definition"}
FORM_PROPERTY = "formJsonSchemaFilename"
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


@dataclass(frozen=True)
class Element:
    id: str
    kind: str  # in words: "Task", "Gateway", ...
    name: str
    file: str
    between: tuple[str, str] | None = None  # a flow's ends in words, for a flow without a name

    def words(self) -> str:
        if self.name:
            return f"{self.kind} '{self.name}'"
        if self.between:
            return f"{self.kind} from {self.between[0]} to {self.between[1]}"
        return f"{self.kind} {self.id}"


@dataclass(frozen=True)
class FormChange:
    file: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    labels: dict[str, str] = field(default_factory=dict)  # field path: its title, where it has one
    used_by: tuple[str, ...] = ()  # ids of the tasks that show this form


@dataclass(frozen=True)
class VersionDiff:
    key: str
    from_version: int
    to_version: int
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    forms: tuple[FormChange, ...]
    elements: dict[str, Element]  # every element named above, from the version that has it (the newer if both)

    def sentences(self) -> list[str]:
        """The diff in words, for the page."""
        said = [f"{self.elements[i].words()} was {verb}" for ids, verb in
                ((self.added, "added"), (self.removed, "removed"), (self.changed, "changed")) for i in ids]
        for form in self.forms:
            name = form_name(form.file)
            said += [f"Form \"{name}\" gained field \"{form.labels.get(f, f)}\"" for f in form.added]
            said += [f"Form \"{name}\" lost field \"{form.labels.get(f, f)}\"" for f in form.removed]
        return said

    def as_dict(self) -> dict[str, Any]:
        return {"added": list(self.added), "removed": list(self.removed), "changed": list(self.changed),
                "forms": [{"file": f.file, "added": list(f.added), "removed": list(f.removed),
                           "used_by": list(f.used_by)} for f in self.forms]}


def diff_versions(session: Session, key: str, from_version: int, to_version: int) -> VersionDiff:
    """The diff from ``from_version`` to ``to_version`` of ``key``; ``NotFound`` for a version that does not
    exist."""
    old = definitions.get_version(session, key, from_version).files
    new = definitions.get_version(session, key, to_version).files
    return diff_files(key, from_version, to_version, old, new)


def diff_files(key: str, from_version: int, to_version: int, old: dict[str, str],
               new: dict[str, str]) -> VersionDiff:
    before, after = signatures(old), signatures(new)
    added = tuple(i for i in after if i not in before)
    removed = tuple(i for i in before if i not in after)
    changed = tuple(i for i in after if i in before and after[i][1] != before[i][1])
    elements = {i: e for i, (e, _) in before.items()} | {i: e for i, (e, _) in after.items()}
    return VersionDiff(key, from_version, to_version, added, removed, changed, form_changes(old, new), elements)


def signatures(files: dict[str, str]) -> dict[str, tuple[Element, str]]:
    """Every element of the bundle's diagrams and decision tables: id -> (element, its meaning as text)."""
    found: dict[str, tuple[Element, str]] = {}
    for name in sorted(files):
        if not name.endswith((".bpmn", ".dmn")):
            continue
        try:
            root = parse_xml(files[name], name)
        except XmlRefused:
            continue
        lanes = _lane_of(root)
        names = {str(n.get("id")): n.get("name") or "" for n in root.iter() if isinstance(n.tag, str) and n.get("id")}
        for node in root.iter():
            if _is_element(node) and node.get("id") not in found:
                meaning = _meaning(node) + ("|lane:" + lanes[node.get("id") or ""] if node.get("id") in lanes else "")
                found[str(node.get("id"))] = (_describe(node, name, names), meaning)
    return found


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname


def _semantic(node: etree._Element) -> bool:
    """In the BPMN or DMN model itself (not diagram interchange, not another tool's namespace)."""
    namespace = etree.QName(node).namespace or ""
    return namespace == BPMN_NS or namespace.startswith(("https://www.omg.org/spec/DMN/",
                                                         "http://www.omg.org/spec/DMN/"))


def _is_element(node: etree._Element) -> bool:
    if not isinstance(node.tag, str) or not node.get("id") or not _semantic(node):
        return False
    local = _local(node)
    if BPMN_NS != etree.QName(node).namespace:
        return local in _DMN_ELEMENTS
    return local not in _PARTS and not local.endswith("EventDefinition")


def _meaning(node: etree._Element) -> str:
    """The element's attributes and content, leaving out the elements inside it (they are compared on their
    own), its references to flows and a lane's node list."""
    parts = [_local(node) + repr(sorted((k, _resolved(node, k, v)) for k, v in node.attrib.items()))]
    text = (node.text or "").strip()
    if text:
        parts.append(text)
    for child in node:
        if not isinstance(child.tag, str) or (_semantic(child) and _local(child) in _IGNORED):
            continue
        if _is_element(child):
            continue
        parts.append("<" + str(child.tag) + ">" + _meaning(child) + "</>")
        tail = (child.tail or "").strip()
        if tail:
            parts.append(tail)
    return "".join(parts)


def _resolved(node: etree._Element, name: str, value: str) -> str:
    """An ``xsi:type`` value with its prefix resolved, so that renaming a prefix changes nothing."""
    if name != _XSI_TYPE or ":" not in value:
        return value
    prefix, local = value.split(":", 1)
    return f"{{{node.nsmap.get(prefix, prefix)}}}{local}"


def _lane_of(root: etree._Element) -> dict[str, str]:
    """Node id -> the name (else id) of the innermost lane that holds it."""
    held: dict[str, str] = {}
    for lane in root.iter(B + "lane"):
        for ref in lane.iter(B + "flowNodeRef"):
            held[(ref.text or "").strip()] = lane.get("name") or lane.get("id") or ""
    return held


def _describe(node: etree._Element, filename: str, names: dict[str, str]) -> Element:
    local = _local(node)
    kind = _KINDS.get(local, local[:1].upper() + local[1:])
    name = node.get("name") or node.get("label") or ""
    ends = [node.get("sourceRef"), node.get("targetRef")]
    between = None
    if ends[0] and ends[1]:
        shown = [f"'{' '.join(names[e].split())}'" if names.get(e) else str(e) for e in ends if e]
        between = (shown[0], shown[1])
    return Element(str(node.get("id")), kind, " ".join(name.split()), filename, between)


def form_name(schema_file: str) -> str:
    return schema_file.removesuffix(".json").removesuffix("-schema")


def form_changes(old: dict[str, str], new: dict[str, str]) -> tuple[FormChange, ...]:
    """Per form schema file (``*-schema.json``) in either version: the fields it gained and lost."""
    changes = []
    for name in sorted({n for n in (*old, *new) if n.endswith("-schema.json")}):
        before, after = _fields(old.get(name)), _fields(new.get(name))
        added = tuple(f for f in after if f not in before)
        removed = tuple(f for f in before if f not in after)
        if added or removed:
            users = _users(name, new) or _users(name, old)
            changes.append(FormChange(name, added, removed, {**before, **after}, users))
    return tuple(changes)


def _fields(text: str | None) -> dict[str, str]:
    """Field path (``a.b`` inside objects, ``a[].b`` inside arrays): its title or its path."""
    if not text:
        return {}
    try:
        schema = json.loads(text)
    except ValueError:  # a Jinja form file: rendered with the sample context, as deploy checks it
        try:
            schema = forms.render_schema(text, dict(forms.SAMPLE_CONTEXT))
        except forms.FormError:
            return {}
    found: dict[str, str] = {}
    _walk(schema, "", found, 0)
    return found


def _walk(schema: Any, prefix: str, found: dict[str, str], depth: int) -> None:
    if not isinstance(schema, dict) or depth > 20:
        return
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for name, sub in properties.items():
            path = f"{prefix}{name}"
            title = sub.get("title") if isinstance(sub, dict) else None
            found[path] = str(title) if isinstance(title, str) and title.strip() else path
            _walk(sub, path + ".", found, depth + 1)
    items = schema.get("items")
    if isinstance(items, dict) and prefix:
        _walk(items, prefix.rstrip(".") + "[].", found, depth + 1)
    for keyword in ("dependencies", "allOf", "anyOf", "oneOf", "then", "else"):
        value = schema.get(keyword)
        for sub in (value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]):
            _walk(sub, prefix, found, depth + 1)


def _users(schema_file: str, files: dict[str, str]) -> tuple[str, ...]:
    """The ids of the tasks whose form is ``schema_file``."""
    users: list[str] = []
    for name in sorted(files):
        if not name.endswith(".bpmn"):
            continue
        try:
            root = parse_xml(files[name], name)
        except XmlRefused:
            continue
        for prop in root.iter("{http://spiffworkflow.org/bpmn/schema/1.0/core}property"):
            if prop.get("name") == FORM_PROPERTY and prop.get("value") == schema_file:
                owner = next((a for a in prop.iterancestors() if _is_element(a)), None)
                if owner is not None:
                    users.append(str(owner.get("id")))
    return tuple(users)
