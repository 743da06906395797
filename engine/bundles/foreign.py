"""What a diagram drawn for another engine asks for that LIF cannot run: Camunda 7's and Zeebe's task
assignment, forms, input/output mappings, connectors, external tasks, listeners and FEEL or JUEL expressions;
Activiti's and Flowable's equivalents; processes left non-executable (Signavio and Bizagi export them so). Each
is a reason with its element and what to do instead. Metadata other tools keep beside the model (Signavio's and
Bizagi's extension elements, colours, dictionary links) is harmless: the file is kept as it is and nothing about
it is reported. Called from ``validation.bpmn_problems``, so validate, deploy and import list these reasons."""
from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from .bpmn_xml import BPMN_NS, Problem

B = f"{{{BPMN_NS}}}"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
ACTIVITI_NS = "http://activiti.org/bpmn"
FLOWABLE_NS = "http://flowable.org/bpmn"
_TOOLS = {CAMUNDA_NS: "Camunda", ZEEBE_NS: "Camunda 8", ACTIVITI_NS: "Activiti", FLOWABLE_NS: "Flowable",
          "http://camunda.org/schema/modeler/1.0": "Camunda Modeler"}
_ENGINE_NAMESPACES = (CAMUNDA_NS, ZEEBE_NS, ACTIVITI_NS, FLOWABLE_NS)
_LANE_ADVICE = "put the task in a lane named for the role (coordinator, chair, reviewer or partner)"
_FORM_ADVICE = "give it a form schema file (the formJsonSchemaFilename property)"
_SCRIPT_ADVICE = "use a script task, or a pre-script or post-script written in Python"
# what each engine attribute or element means, and what to do in LIF instead
_MEANINGS: dict[str, tuple[str, str]] = {
    "assignee": ("assignee", _LANE_ADVICE), "candidateGroups": ("candidate groups", _LANE_ADVICE),
    "candidateUsers": ("candidate users", _LANE_ADVICE), "assignmentDefinition": ("assignment", _LANE_ADVICE),
    "dueDate": ("due date", "set the task's dueIn property (P14D or 15WD)"),
    "followUpDate": ("follow-up date", "set the task's reminder ladder"),
    "priority": ("priority", "leave it out: LIF orders tasks by their deadlines"),
    "formKey": ("form key", _FORM_ADVICE), "formRef": ("linked form", _FORM_ADVICE),
    "formData": ("generated form", _FORM_ADVICE), "formDefinition": ("form", _FORM_ADVICE),
    "formProperty": ("form property", _FORM_ADVICE), "userTaskForm": ("embedded form", _FORM_ADVICE),
    "inputOutput": ("input/output mapping", _SCRIPT_ADVICE), "ioMapping": ("input/output mapping", _SCRIPT_ADVICE),
    "in": ("call activity variable mapping", "LIF passes the calling case's data to the called process"),
    "out": ("call activity variable mapping", "LIF passes the called process's data back"),
    "connector": ("connector", "LIF runs no connectors: a person does the work in a user task"),
    "taskDefinition": ("job worker", "LIF runs no job workers: a person does the work in a user task"),
    "type": ("external task or job type", "LIF runs no external workers: a person does the work in a user task"),
    "topic": ("external task topic", "LIF runs no external workers: a person does the work in a user task"),
    "class": ("Java class", "LIF runs no Java: use a script task in Python"),
    "delegateExpression": ("delegate expression", "LIF runs no Java: use a script task in Python"),
    "expression": ("expression", "use a script task in Python"),
    "executionListener": ("execution listener", _SCRIPT_ADVICE), "taskListener": ("task listener", _SCRIPT_ADVICE),
    "executionListeners": ("execution listener", _SCRIPT_ADVICE), "taskListeners": ("task listener", _SCRIPT_ADVICE),
    "resultVariable": ("result variable", "assign the result in a Python script"),
    "decisionRef": ("decision reference", "use spiffworkflow:calledDecisionId with a DMN file in the bundle"),
    "calledDecision": ("decision call", "use spiffworkflow:calledDecisionId with a DMN file in the bundle"),
    "asyncBefore": ("asynchronous continuation", "leave it out: LIF saves the case at every wait"),
    "asyncAfter": ("asynchronous continuation", "leave it out: LIF saves the case at every wait"),
    "failedJobRetryTimeCycle": ("job retries", "leave it out: a coordinator retries a case in error"),
    "script": ("script", "write the script in Python in the script task"),
    "properties": ("extension properties", "LIF reads spiffworkflow:properties only"),
    "subscription": ("message subscription", "set the correlation with spiffworkflow correlation properties"),
    "calledElement": ("called element", "set the called process's id in the call activity's calledElement"),
    "loopCharacteristics": ("multi-instance settings", "use the BPMN loopDataInputRef and inputDataItem"),
    "collection": ("multi-instance collection", "use the BPMN loopDataInputRef and inputDataItem"),
    "elementVariable": ("multi-instance element variable", "use the BPMN inputDataItem"),
    "initiator": ("initiator variable", "LIF sets process_initiator on every case started by hand"),
    "versionTag": ("version tag", "leave it out: LIF numbers versions itself"),
    "historyTimeToLive": ("history time to live", "set retention in process_model.json"),
    "candidateStarterGroups": ("candidate starter groups", "set start_roles in process_model.json"),
    "candidateStarterUsers": ("candidate starter users", "set start_roles in process_model.json"),
    "errorEventDefinition": ("error mapping", "use a BPMN error boundary event"),
}
_HARMLESS = {"modelerTemplate", "modelerTemplateVersion", "modelerTemplateIcon", "isStartableInTasklist",
             "jobPriority", "taskPriority", "executionPlatform", "executionPlatformVersion", "exporter",
             "exporterVersion", "versionTag"}
_EXPRESSION_TAGS = (B + "conditionExpression", B + "completionCondition", B + "loopCardinality",
                    B + "timeDate", B + "timeDuration", B + "timeCycle", B + "messagePath")


def foreign_problems(root: etree._Element, filename: str) -> list[Problem]:
    """Every reason this diagram cannot run here as another tool meant it."""
    problems: list[Problem] = []
    problems.extend(_executable_problems(root, filename))
    problems.extend(_engine_problems(root, filename))
    problems.extend(_expression_problems(root, filename))
    unique: dict[tuple[str | None, str], Problem] = {}
    for problem in problems:
        unique.setdefault((problem.element, problem.message), problem)
    return list(unique.values())


def _executable_problems(root: etree._Element, filename: str) -> Iterator[Problem]:
    processes = list(root.iter(B + "process"))
    if processes and not any(p.get("isExecutable") == "true" for p in processes):
        for process in processes:
            if any(isinstance(c.tag, str) and c.tag != B + "laneSet" for c in process):
                yield Problem(filename, f"process {_named(process)} is not executable: LIF runs only a process marked "
                                        "executable (isExecutable=\"true\"); check it can run here and mark it so",
                              process.sourceline, process.get("id"))


def _engine_problems(root: etree._Element, filename: str) -> Iterator[Problem]:
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        namespace = etree.QName(node).namespace
        if namespace in _ENGINE_NAMESPACES and node.getparent() is not None:
            local = etree.QName(node).localname
            parent = node.getparent()
            owner = parent.getparent() if parent is not None and parent.tag == B + "extensionElements" else parent
            if owner is not None and etree.QName(owner).namespace == BPMN_NS and local in _MEANINGS:
                yield _reason(filename, owner, _TOOLS[namespace], local, node.sourceline)
        for attribute in node.attrib:
            qname = etree.QName(attribute)
            if qname.namespace in _ENGINE_NAMESPACES and qname.localname not in _HARMLESS \
                    and qname.localname in _MEANINGS and etree.QName(node).namespace == BPMN_NS:
                if qname.localname == "type" and node.get(attribute) not in ("external", "connector"):
                    continue
                yield _reason(filename, node, _TOOLS[qname.namespace], qname.localname, node.sourceline)


def _reason(filename: str, owner: etree._Element, tool: str, local: str, line: int | None) -> Problem:
    meaning, advice = _MEANINGS[local]
    return Problem(filename, f"{_kind(owner)} {_named(owner)} uses {tool}'s {meaning}, which LIF does not read: "
                             f"{advice}", line, owner.get("id"))


def _expression_problems(root: etree._Element, filename: str) -> Iterator[Problem]:
    for tag in _EXPRESSION_TAGS:
        for node in root.iter(tag):
            text = (node.text or "").strip()
            if not text:
                continue
            owner = node.getparent()
            while owner is not None and not owner.get("id"):
                owner = owner.getparent()
            shown = text if len(text) <= 60 else text[:57] + "..."
            if text.startswith("="):
                message = f"FEEL expression '{shown}' is not Python: write the expression in Python"
            elif "${" in text or "#{" in text:
                message = f"expression '{shown}' is JUEL (Camunda 7), not Python: write it in Python, without ${{}}"
            else:
                continue
            element = owner.get("id") if owner is not None else None
            yield Problem(filename, f"{_kind(owner)} {_named(owner)}: {message}" if owner is not None else message,
                          node.sourceline, element)


def _kind(node: etree._Element | None) -> str:
    if node is None:
        return "element"
    local = etree.QName(node).localname
    if local.endswith("Task") or local == "task":
        return "task"
    words = "".join(" " + c.lower() if c.isupper() else c for c in local)
    return words.strip()


def _named(node: etree._Element | None) -> str:
    if node is None:
        return ""
    name = " ".join((node.get("name") or "").split())
    return f"'{name}'" if name else str(node.get("id") or "")
