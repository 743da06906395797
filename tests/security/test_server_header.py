"""Item 14: the ``Server`` header disclosed Werkzeug's and Python's versions.

Reproduction: ``lif serve``, then ``curl -sI http://127.0.0.1:5000/sign-in`` answered
``Server: Werkzeug/3.1.9 Python/3.11.2`` on every answer (pages, API, static files, errors).
Every kind of answer from the real server on a loopback port must carry no ``Server`` header at all.
"""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import REPO
from web.server import make_server

LIF = (sys.executable, "-c", "from web.cli import main; main()")
PATHS = ("/sign-in", "/tasks", "/static/lif.css", "/no-such-page", "/api/v1/openapi.json", "/api/v1/tasks",
         "/api/v1/no-such-thing")


def _headers(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _assert_no_server_header(port: int) -> None:
    statuses = set()
    for path in PATHS:
        status, headers = _headers(port, "GET", path)
        statuses.add(status)
        assert "server" not in headers, (path, headers["server"])
    status, headers = _headers(port, "POST", "/api/v1/auth/token", b"{not json")
    assert status == 400 and "server" not in headers
    statuses.add(status)
    assert {200, 302, 401, 404} <= statuses
    # the server's own error answer to a request it cannot parse
    answer = _raw(port, b"GET / HTTP/1.1 HTTP/1.1\r\n\r\n")
    assert answer.startswith(b"HTTP/1.") and b" 400 " in answer.split(b"\r\n")[0], answer[:200]
    assert not any(word in answer.lower() for word in (b"\r\nserver:", b"werkzeug", b"python"))


def test_the_server_lif_serve_runs_sends_no_server_header(app, partnership):
    server = make_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _assert_no_server_header(server.port)
    finally:
        server.shutdown()
        thread.join(10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow  # a real lif serve process: make test-ci
def test_lif_serve_itself_sends_no_server_header(tmp_path):
    port = _free_port()
    env = dict(os.environ, LIF_DATABASE_URL=f"sqlite:///{tmp_path / 'lif.sqlite3'}", LIF_SECRET_KEY="test-secret",
               LIF_INSTANCE_DIR=str(tmp_path), LIF_WORKFLOWS_DIR=str(tmp_path / "none"))
    subprocess.run([*LIF, "init"], cwd=REPO, env=env, check=True, capture_output=True)
    process = subprocess.Popen([*LIF, "serve", "--port", str(port), "--no-scheduler"],
                               cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _headers(port, "GET", "/sign-in")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("lif serve did not start")
                time.sleep(0.1)
        _assert_no_server_header(port)
    finally:
        process.terminate()
        process.wait(10)
