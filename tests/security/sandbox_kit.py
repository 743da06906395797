"""Helpers for the runaway-code tests: a bundle built around one piece of a designer's code, an app served by a
real threaded HTTP server on a loopback port, and a pinger that measures how long other requests wait."""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from xml.sax.saxutils import escape

import pytest
from werkzeug.serving import make_server

from engine.config import Config
from engine.sandbox import pool
from web import create_app

PROCESS = "runaway"
LIMIT_S = 0.5  # the script time limit the app under test runs with
# The longest any other request may wait. A request held up by a runaway step waits out most of the 0.5 s
# limit (the pinger sends one every 20 ms, so one lands near the step's start); under 0.4 s is the machine's own
# jitter (two cores, one of them busy with the step; a CI run once saw 0.253 s on PostgreSQL).
STALL_S = 0.4


# The runaway bundle's diagram; ``bundle`` fills in the designer's code (escaped).
_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_runaway"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{process}" name="Runaway" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_coordinator" name="coordinator">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>prepare</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>decide</bpmn:flowNodeRef><bpmn:flowNodeRef>yes</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>no</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="prepare" name="Prepare">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="decide" default="f_no">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="yes" name="Yes">
      <bpmn:extensionElements>
        <spiffworkflow:instructionsForEndUser>{instructions}</spiffworkflow:instructionsForEndUser>
      </bpmn:extensionElements>
      <bpmn:incoming>f_yes</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="no" name="No">
      <bpmn:incoming>f_no</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare"/>
    <bpmn:sequenceFlow id="f2" sourceRef="prepare" targetRef="decide"/>
    <bpmn:sequenceFlow id="f_yes" sourceRef="decide" targetRef="yes">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="decide" targetRef="no"/>
    <bpmn:sequenceFlow id="f3" sourceRef="yes" targetRef="end"/>
    <bpmn:sequenceFlow id="f4" sourceRef="no" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def bundle(*, script: str = "prepared = True", condition: str = "prepared",
           instructions: str = "Check the case.") -> dict[str, str]:
    """start -> script task ``prepare`` -> exclusive gateway (``condition`` to ``yes``, default to ``no``)."""
    bpmn = _BPMN.format(process=PROCESS, script=escape(script), condition=escape(condition),
                        instructions=escape(instructions))
    model = {"display_name": "Runaway", "description": "", "primary_file_name": "runaway.bpmn",
             "primary_process_id": PROCESS}
    return {"runaway.bpmn": bpmn, "process_model.json": json.dumps(model)}


class Server:
    """The app on werkzeug's threaded server at 127.0.0.1 on a free port, as ``lif serve`` runs it."""

    def __init__(self, app: Any) -> None:
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.base = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)

    def call(self, method: str, path: str, token: str | None = None, body: Any = None,
             timeout: float = 60) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                raw = answer.read()
                status = answer.status
        except urllib.error.HTTPError as exc:
            raw, status = exc.read(), exc.code
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode(errors="replace")

    def token(self, username: str, password: str) -> str:
        status, body = self.call("POST", "/api/v1/auth/token", body={"username": username, "password": password})
        assert status == 200, body
        return body["token"]


@contextmanager
def pinging(server: Server, token: str, path: str = "/api/v1/process-definitions",
            every_s: float = 0.02, *, method: str = "GET", body: Any = None) -> Iterator[list[float]]:
    """Ping a cheap call while the block runs; yields the list of each ping's wait in seconds."""
    waits: list[float] = []
    stop = threading.Event()

    def ping() -> None:
        while not stop.is_set():
            started = time.monotonic()
            status, _ = server.call(method, path, token, body, timeout=30)
            waits.append(time.monotonic() - started)
            assert status in (200, 201)
            stop.wait(every_s)

    thread = threading.Thread(target=ping, daemon=True)
    thread.start()
    try:
        yield waits
    finally:
        stop.set()
        thread.join(timeout=30)


def in_threads(calls: list[Any]) -> list[Any]:
    """Run each zero-argument callable in its own thread at once; their results in order."""
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def rss_mb() -> float:
    """This process's resident memory, in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


def deploy(server: Server, **parts: str) -> None:
    designer = server.token("dee", "designer-pass")
    status, body = server.call("POST", "/api/v1/process-definitions", designer,
                               {"key": PROCESS, "files": bundle(**parts)})
    assert status in (200, 201), body


def start(server: Server, token: str) -> tuple[float, int, Any]:
    """Start a case of the bundle; the seconds it took, the status and the answer."""
    started = time.monotonic()
    status, body = server.call("POST", "/api/v1/process-instances", token, {"process_key": PROCESS})
    return time.monotonic() - started, status, body


@pytest.fixture
def app(db_url, db, tmp_path):
    config = Config.from_env(database_url=db_url, secret_key="test-secret", workflows_dir=tmp_path / "none",
                             script_timeout_s=LIMIT_S)
    return create_app(config)


@pytest.fixture
def server(app, partnership):
    # workers killed by an earlier test are replaced in the background; start from a full pool
    assert pool.shared_pool().wait_until_full(30)
    with Server(app) as running:
        yield running
