"""Item 14: the ``Server`` header disclosed Werkzeug's and Python's versions.

Reproduction: ``lif serve``, then ``curl -sI http://127.0.0.1:5000/sign-in`` answered
``Server: Werkzeug/3.1.9 Python/3.11.2`` on every answer (pages, API, static files, errors).
Every kind of answer from the real server on a loopback port must carry no ``Server`` header at all: the
development server's (``lif serve --dev``) and, since issue 16, the production server's (gunicorn writes
``Server: gunicorn``). And ``HEAD /sign-in``, which answered 400 under gunicorn (the view took any method but GET
for a form sent empty), answers as GET does, on every page.
"""
from __future__ import annotations

import http.client
import socket
import threading

import pytest

from tests.ops.ops_kit import instance_env, lif_serve
from web.server import make_server

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
    assert not any(word in answer.lower() for word in (b"\r\nserver:", b"werkzeug", b"python", b"gunicorn"))


def test_the_server_lif_serve_runs_sends_no_server_header(app, partnership):
    server = make_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _assert_no_server_header(server.port)
    finally:
        server.shutdown()
        thread.join(10)


@pytest.mark.slow  # a real lif serve process: make test-ci
def test_the_production_server_sends_no_server_header(tmp_path, db_url, partnership):
    """gunicorn writes ``Server: gunicorn`` on every answer it frames and has no setting against it
    (web/production.py replaces its response class); its own answers to requests it cannot parse carry none."""
    with lif_serve(instance_env(tmp_path, db_url), "--workers", "1", "--no-scheduler",
                   log_path=tmp_path / "serve.log") as served:
        port = int(served.base.rsplit(":", 1)[1])
        _assert_no_server_header(port)
        status, headers = _headers(port, "HEAD", "/sign-in")
        assert status == 200 and "server" not in headers
        answer = _raw(port, b"GET /sign-in HTTP/1.0\r\n\r\n")  # HTTP/1.0: the server closes, so _raw returns
        assert answer.startswith(b"HTTP/1.0 200") and b"\r\nserver:" not in answer.lower()
        assert b"gunicorn" not in answer.lower()


def _addresses_without_arguments(app) -> list[str]:
    return sorted({rule.rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())
                   and not rule.arguments and not rule.rule.startswith("/api/")})


def test_every_page_answers_head_as_it_answers_get(app, pages):
    """A monitor's or curl -I's HEAD is a GET without the body (RFC 9110): the sign-in page took it for a form
    sent empty and answered 400. Every page without arguments, for a visitor and for the coordinator."""
    addresses = _addresses_without_arguments(app)
    assert "/sign-in" in addresses and len(addresses) > 10
    for who, client in (("a visitor", app.test_client()), ("cora", pages("cora"))):
        for address in addresses:
            got, head = client.get(address), client.head(address)
            assert (head.status_code, head.data) == (got.status_code, b""), (who, address, got.status_code,
                                                                             head.status_code)
