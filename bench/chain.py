"""A generated diagram of N sequential user tasks with small forms, for the benchmarks."""
from __future__ import annotations

import json


def chain_bundle(n: int, process_id: str = "chain") -> dict[str, str]:
    tasks, flows = [], []
    previous = "start"
    for i in range(1, n + 1):
        tasks.append(
            f'<bpmn:userTask id="t{i}" name="Step {i}"><bpmn:extensionElements><spiffworkflow:properties>'
            f'<spiffworkflow:property name="formJsonSchemaFilename" value="step-schema.json"/>'
            f'<spiffworkflow:property name="dueIn" value="5WD"/>'
            f'</spiffworkflow:properties></bpmn:extensionElements>'
            f'<bpmn:incoming>f{i}</bpmn:incoming><bpmn:outgoing>f{i + 1}</bpmn:outgoing></bpmn:userTask>')
        flows.append(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{previous}" targetRef="t{i}"/>')
        previous = f"t{i}"
    flows.append(f'<bpmn:sequenceFlow id="f{n + 1}" sourceRef="{previous}" targetRef="end"/>')
    refs = "".join(f"<bpmn:flowNodeRef>{x}</bpmn:flowNodeRef>" for x in ["start", *(f"t{i}" for i in range(1, n + 1)), "end"])
    bpmn = f'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_{process_id}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="C_{process_id}"><bpmn:participant id="P_{process_id}" processRef="{process_id}"/></bpmn:collaboration>
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:laneSet id="LS"><bpmn:lane id="L_reviewer" name="reviewer">{refs}</bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    {"".join(tasks)}
    <bpmn:endEvent id="end"><bpmn:incoming>f{n + 1}</bpmn:incoming></bpmn:endEvent>
    {"".join(flows)}
  </bpmn:process>
</bpmn:definitions>'''
    schema = {"type": "object", "required": ["note", "score"], "properties": {
        "note": {"type": "string", "maxLength": 200}, "score": {"type": "integer", "minimum": 0, "maximum": 3}}}
    model = {"display_name": f"Chain of {n}", "description": "benchmark", "primary_file_name": f"{process_id}.bpmn",
             "primary_process_id": process_id, "start_roles": ["coordinator"]}
    return {f"{process_id}.bpmn": bpmn, "step-schema.json": json.dumps(schema), "process_model.json": json.dumps(model)}
