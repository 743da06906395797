"""The sweep's cost against the number of cases: seeds 10,000 and then 100,000 active instances, each with a
waiting BPMN timer in ``due_item``, of which 100 are due now, and prints the selection time and the total
time of a sweep that fires those 100 (on SQLite).

Targets (issue 4): selection under 50 ms at 100,000; the total at 100,000 within 1.2x the total at 10,000.

    python bench/sweep.py [--sizes 10000 100000] [--due 100]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from engine import clock
from engine.bundles import definitions
from engine.cases import instances
from engine.cases.due import select_due
from engine.config import Config
from engine.records import SYSTEM
from engine.store.db import transaction
from engine.store.models import DueItem, ProcessInstance
from notifications.sweep import DUE_KINDS, sweep
from web.boot import boot  # noqa: E402

START = datetime(2026, 12, 1, 9, tzinfo=UTC)
BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">
  <bpmn:process id="waits" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="follow_up" name="Follow up">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="follow_up"/>
    <bpmn:sequenceFlow id="f3" sourceRef="follow_up" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""
MODEL = {"display_name": "Waits a day", "primary_file_name": "waits.bpmn", "primary_process_id": "waits"}


def seed(factory, size: int, due: int) -> None:
    """``due`` real instances whose timer is due, then ``size - due`` copies whose timers wait a year."""
    with transaction(factory) as s:
        definitions.deploy_bundle(s, "waits", {"waits.bpmn": BPMN, "process_model.json": json.dumps(MODEL)},
                                  actor="bench", now=START)
        with clock.frozen_at(START):  # SpiffWorkflow reads the engine's clock for the timer's start
            for _ in range(due):
                instances.start_instance(s, "waits", actor=SYSTEM, now=START)
        template = s.scalar(select(ProcessInstance).limit(1))
        state, definition_id = template.state, template.definition_id
    later = START + timedelta(days=365)
    batch = 5000
    for first in range(0, size - due, batch):
        count = min(batch, size - due - first)
        ids = [str(uuid.uuid4()) for _ in range(count)]
        with transaction(factory) as s:
            s.execute(insert(ProcessInstance), [dict(
                id=i, definition_id=definition_id, process_key="waits", process_id="waits",
                business_key=f"WAITS-{first + n:06d}", title="Waits a day", status="active", data={}, state=state,
                revision=uuid.uuid4().hex, created_at=START, updated_at=START) for n, i in enumerate(ids)])
            s.execute(insert(DueItem), [dict(kind="timer", instance_id=i, due_at=later, payload={}, attempts=0)
                                        for i in ids])


def measure(size: int, due: int) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as folder:
        config = Config.from_env(database_url=f"sqlite:///{Path(folder) / 'sweep.sqlite3'}", secret_key="bench",
                                 mail_backend="console")
        wired = boot(config, create_tables=True)  # notifications installed, step settings configured
        engine, factory = wired.engine, wired.factory
        seed(factory, size, due)
        now = START + timedelta(days=1, minutes=1)
        selections = []
        for _ in range(20):
            with transaction(factory) as s:
                started = time.perf_counter()
                found = select_due(s, now, DUE_KINDS)
                selections.append(time.perf_counter() - started)
        assert len(found) == due, (len(found), due)
        started = time.perf_counter()
        result = sweep(factory, config, now, worker="bench")
        total = time.perf_counter() - started
        engine.dispose()
    return statistics.median(selections), total, result["timer"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--due", type=int, default=100)
    args = parser.parse_args()
    results = {}
    for size in args.sizes:
        selection, total, fired = measure(size, args.due)
        results[size] = (selection, total)
        print(f"{size:>7} instances, {args.due} due: selection {selection * 1000:7.2f} ms   "
              f"sweep total {total * 1000:8.1f} ms   timers fired {fired}")
    if len(args.sizes) >= 2:
        small, large = results[args.sizes[0]], results[args.sizes[-1]]
        print(f"target 1: selection at {args.sizes[-1]} = {large[0] * 1000:.2f} ms (< 50 ms)   "
              f"{'MET' if large[0] < 0.05 else 'MISSED'}")
        print(f"target 2: total ratio {large[1] / small[1]:.2f} (<= 1.2)   "
              f"{'MET' if large[1] / small[1] <= 1.2 else 'MISSED'}")


if __name__ == "__main__":
    sys.exit(main())
