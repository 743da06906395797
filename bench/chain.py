"""A generated diagram of N sequential user tasks with small forms, for the benchmarks; optionally with an
exclusive gateway of three conditions after each task (conditions run in the server's process) and a script
task after each gateway (scripts run in a sandbox worker)."""
from __future__ import annotations

import json


def chain_bundle(n: int, process_id: str = "chain", *, gateways: bool = False,
                 scripts: bool = False) -> dict[str, str]:
    nodes, flows, refs = [], [], ["start", "end"]
    previous = "start"

    def link(source: str, target: str, condition: str | None = None) -> str:
        flow_id = f"f{len(flows) + 1}"
        body = f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>' \
            if condition else ""
        flows.append(f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">{body}'
                     f'</bpmn:sequenceFlow>')
        return flow_id

    pending: list[tuple[str, str | None]] = [("start", None)]  # (source, condition) flows into the next node
    for i in range(1, n + 1):
        incoming = [link(source, f"t{i}", cond) for source, cond in pending]
        nodes.append((f"t{i}", "userTask", incoming))
        pending = [(f"t{i}", None)]
        refs.append(f"t{i}")
        if gateways:
            incoming = [link(source, f"g{i}", cond) for source, cond in pending]
            nodes.append((f"g{i}", "exclusiveGateway", incoming))
            refs.append(f"g{i}")
            pending = [(f"g{i}", "score == 0"), (f"g{i}", "score == 1 and len(note) &gt; 0"),
                       (f"g{i}", "score &gt;= 2 or note == ''")]
        if scripts:
            incoming = [link(source, f"s{i}", cond) for source, cond in pending]
            nodes.append((f"s{i}", "scriptTask", incoming))
            refs.append(f"s{i}")
            pending = [(f"s{i}", None)]
    end_incoming = [link(source, "end", cond) for source, cond in pending]
    outgoing: dict[str, list[str]] = {}
    for flow in flows:
        source = flow.split('sourceRef="')[1].split('"')[0]
        outgoing.setdefault(source, []).append(flow.split('id="')[1].split('"')[0])
    elements = []
    for node_id, kind, incoming in nodes:
        inner = "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f in incoming)
        inner += "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing.get(node_id, []))
        if kind == "userTask":
            inner = ('<bpmn:extensionElements><spiffworkflow:properties>'
                     '<spiffworkflow:property name="formJsonSchemaFilename" value="step-schema.json"/>'
                     '<spiffworkflow:property name="dueIn" value="5WD"/>'
                     '</spiffworkflow:properties></bpmn:extensionElements>') + inner
            elements.append(f'<bpmn:userTask id="{node_id}" name="Step {node_id[1:]}">{inner}</bpmn:userTask>')
        elif kind == "scriptTask":
            elements.append(f'<bpmn:scriptTask id="{node_id}">{inner}'
                            f'<bpmn:script>checked = score + 1</bpmn:script></bpmn:scriptTask>')
        else:
            elements.append(f'<bpmn:exclusiveGateway id="{node_id}">{inner}</bpmn:exclusiveGateway>')
    start_out = "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing["start"])
    end_in = "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f in end_incoming)
    lane = "".join(f"<bpmn:flowNodeRef>{x}</bpmn:flowNodeRef>" for x in refs)
    bpmn = f'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_{process_id}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="C_{process_id}"><bpmn:participant id="P_{process_id}" processRef="{process_id}"/></bpmn:collaboration>
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:laneSet id="LS"><bpmn:lane id="L_reviewer" name="reviewer">{lane}</bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start">{start_out}</bpmn:startEvent>
    {"".join(elements)}
    <bpmn:endEvent id="end">{end_in}</bpmn:endEvent>
    {"".join(flows)}
  </bpmn:process>
</bpmn:definitions>'''
    schema = {"type": "object", "required": ["note", "score"], "properties": {
        "note": {"type": "string", "maxLength": 200}, "score": {"type": "integer", "minimum": 0, "maximum": 3}}}
    model = {"display_name": f"Chain of {n}", "description": "benchmark", "primary_file_name": f"{process_id}.bpmn",
             "primary_process_id": process_id, "start_roles": ["coordinator"]}
    return {f"{process_id}.bpmn": bpmn, "step-schema.json": json.dumps(schema), "process_model.json": json.dumps(model)}
