"""A generated diagram of N sequential user tasks with small forms, for the benchmarks; optionally with an
exclusive gateway of three conditions after each task (conditions run in the server's process) and a script
task after each gateway (scripts run in a sandbox worker)."""
from __future__ import annotations

import json

# The three conditions out of each gateway (XML-escaped).
CONDITIONS = ["score == 0", "score == 1 and len(note) &gt; 0", "score &gt;= 2 or note == ''"]
USER_TASK_PROPERTIES = ('<bpmn:extensionElements><spiffworkflow:properties>'
                        '<spiffworkflow:property name="formJsonSchemaFilename" value="step-schema.json"/>'
                        '<spiffworkflow:property name="dueIn" value="5WD"/>'
                        '</spiffworkflow:properties></bpmn:extensionElements>')
DIAGRAM = '''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_{process_id}" \
targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="C_{process_id}"><bpmn:participant id="P_{process_id}" processRef="{process_id}"/>\
</bpmn:collaboration>
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:laneSet id="LS"><bpmn:lane id="L_reviewer" name="reviewer">{lane}</bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start">{start_out}</bpmn:startEvent>
    {elements}
    <bpmn:endEvent id="end">{end_in}</bpmn:endEvent>
    {flows}
  </bpmn:process>
</bpmn:definitions>'''
SCHEMA = {"type": "object", "required": ["note", "score"], "properties": {
    "note": {"type": "string", "maxLength": 200}, "score": {"type": "integer", "minimum": 0, "maximum": 3}}}


class _Chain:
    """The nodes and sequence flows of the chain as it is built, node after node."""

    def __init__(self) -> None:
        self.nodes: list[tuple[str, str, list[str]]] = []  # (id, kind, incoming flow ids)
        self.flows: list[str] = []
        self.refs = ["start", "end"]
        self.pending: list[tuple[str, str | None]] = [("start", None)]  # (source, condition) into the next node

    def link(self, source: str, target: str, condition: str | None = None) -> str:
        flow_id = f"f{len(self.flows) + 1}"
        body = f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>' \
            if condition else ""
        self.flows.append(f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">{body}'
                          f'</bpmn:sequenceFlow>')
        return flow_id

    def add(self, node_id: str, kind: str, leaving: list[str | None]) -> None:
        """Add a node fed by every pending flow; ``leaving`` are the conditions of the flows out of it."""
        incoming = [self.link(source, node_id, cond) for source, cond in self.pending]
        self.nodes.append((node_id, kind, incoming))
        self.refs.append(node_id)
        self.pending = [(node_id, cond) for cond in leaving]

    def outgoing(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for flow in self.flows:
            source = flow.split('sourceRef="')[1].split('"')[0]
            found.setdefault(source, []).append(flow.split('id="')[1].split('"')[0])
        return found


def _element(node_id: str, kind: str, incoming: list[str], outgoing: list[str]) -> str:
    inner = "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f in incoming)
    inner += "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing)
    if kind == "userTask":
        return f'<bpmn:userTask id="{node_id}" name="Step {node_id[1:]}">{USER_TASK_PROPERTIES}{inner}</bpmn:userTask>'
    if kind == "scriptTask":
        script = "<bpmn:script>checked = score + 1</bpmn:script>"
        return f'<bpmn:scriptTask id="{node_id}">{inner}{script}</bpmn:scriptTask>'
    return f'<bpmn:exclusiveGateway id="{node_id}">{inner}</bpmn:exclusiveGateway>'


def chain_bundle(n: int, process_id: str = "chain", *, gateways: bool = False,
                 scripts: bool = False) -> dict[str, str]:
    chain = _Chain()
    for i in range(1, n + 1):
        chain.add(f"t{i}", "userTask", [None])
        if gateways:
            chain.add(f"g{i}", "exclusiveGateway", list(CONDITIONS))
        if scripts:
            chain.add(f"s{i}", "scriptTask", [None])
    end_incoming = [chain.link(source, "end", cond) for source, cond in chain.pending]
    outgoing = chain.outgoing()
    bpmn = DIAGRAM.format(
        process_id=process_id, lane="".join(f"<bpmn:flowNodeRef>{x}</bpmn:flowNodeRef>" for x in chain.refs),
        start_out="".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing["start"]),
        elements="".join(_element(node_id, kind, incoming, outgoing.get(node_id, []))
                         for node_id, kind, incoming in chain.nodes),
        end_in="".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f in end_incoming), flows="".join(chain.flows))
    model = {"display_name": f"Chain of {n}", "description": "benchmark", "primary_file_name": f"{process_id}.bpmn",
             "primary_process_id": process_id, "start_roles": ["coordinator"]}
    return {f"{process_id}.bpmn": bpmn, "step-schema.json": json.dumps(SCHEMA), "process_model.json": json.dumps(model)}
