"""Where links in emails point. Mail is written by the sweep (often in ``lif scheduler``, with no request to
read an address from), so the address comes from the settings: ``LIF_BASE_URL``, else the address a local
server listens on (``LIF_HOST`` and ``LIF_PORT``). In production (``LIF_ENV=production``) there is no guessing:
without ``LIF_BASE_URL`` the app and every command refuse to start, with one line saying why."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

import notifications
from engine.config import Config, local_base_url
from engine.errors import InvalidData
from web import create_app
from web.cli import main

from .conftest import START
from .notifications_kit import Room, delivered

PRODUCTION_ERROR = ("LIF_BASE_URL must be set when LIF_ENV=production: it is the address links in emails point to, "
                    "e.g. https://lif.example.gov.uk")


@pytest.fixture
def env(monkeypatch, tmp_path, db_url):
    """A clean environment: none of the address settings, a throwaway instance folder."""
    for name in ("LIF_BASE_URL", "LIF_HOST", "LIF_PORT", "LIF_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LIF_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("LIF_SECRET_KEY", "base-url-test-secret-" + "x" * 32)  # production refuses a weak one
    monkeypatch.setenv("LIF_CHILD_MATCH_SECRET", "base-url-test-child-match-" + "y" * 32)
    monkeypatch.setenv("LIF_HTTPS", "1")  # an https LIF_BASE_URL needs it (engine.config checks)
    monkeypatch.setenv("LIF_DATABASE_URL", db_url)
    return monkeypatch


@pytest.mark.parametrize(("host", "port", "expected"), [
    (None, None, "http://127.0.0.1:5000"),
    (None, "8123", "http://127.0.0.1:8123"),
    ("0.0.0.0", "8123", "http://127.0.0.1:8123"),  # every interface: the loopback address is the local one
    ("::", "8080", "http://127.0.0.1:8080"),
    ("lif.local", "8000", "http://lif.local:8000"),
    ("::1", "8000", "http://[::1]:8000"),
])
def test_the_default_follows_where_the_server_listens(env, host, port, expected):
    if host is not None:
        env.setenv("LIF_HOST", host)
    if port is not None:
        env.setenv("LIF_PORT", port)
    assert Config.from_env().base_url == expected
    assert Config.from_env(host="localhost", port=9000).base_url == "http://localhost:9000"  # lif serve's own
    assert local_base_url(host or "127.0.0.1", port or 5000) == expected


def test_lif_base_url_wins_in_any_mode(env):
    env.setenv("LIF_PORT", "8123")
    env.setenv("LIF_BASE_URL", "https://lif.example.gov.uk/")
    assert Config.from_env().base_url == "https://lif.example.gov.uk"
    env.setenv("LIF_ENV", "production")
    config = Config.from_env()
    assert (config.production, config.base_url) == (True, "https://lif.example.gov.uk")
    assert Config.from_env(base_url="http://lif.test").base_url == "http://lif.test"  # tests may still say


def test_production_without_a_base_url_refuses_to_start(env):
    env.setenv("LIF_ENV", "production")
    with pytest.raises(InvalidData) as refused:
        Config.from_env()
    assert refused.value.message == PRODUCTION_ERROR
    with pytest.raises(InvalidData):
        create_app()
    result = CliRunner().invoke(main, ["init"])
    assert (result.exit_code, result.output) == (1, f"error: {PRODUCTION_ERROR}\n")
    env.setenv("LIF_ENV", "Production ")  # however it is written
    assert CliRunner().invoke(main, ["tick"]).output == f"error: {PRODUCTION_ERROR}\n"
    env.setenv("LIF_ENV", "development")
    assert Config.from_env().production is False


def test_an_unknown_environment_is_refused(env):
    env.setenv("LIF_ENV", "prod")
    result = CliRunner().invoke(main, ["init"])
    assert (result.exit_code, result.output) == (1, "error: LIF_ENV must be development or production, not 'prod'\n")


def test_an_email_links_to_the_port_the_server_uses(env, deploy, factory, partnership, smtp, clock):
    env.setenv("LIF_PORT", "8123")
    config = Config.from_env(mail_backend="smtp", smtp_host="127.0.0.1", smtp_port=smtp.port)
    notifications.install(config)
    room = Room(factory, partnership, config)
    room.give_emails()
    deploy("notif_agency")
    task_id = room.task_id(room.start("notif_agency", now=START, data={"lead_agency": "police"}))
    room.sweep(START)
    [message] = delivered(room, smtp)
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert f"Open the task: http://127.0.0.1:8123/tasks/{task_id}\n" in text
