"""Settings checked at start: every problem in the ``LIF_*`` variables is found before anything runs, all of them
at once, one line each naming the variable, from ``Config.from_env`` and so from every ``lif`` command, the
app factory and the production server; good production settings start."""
from __future__ import annotations

import importlib.util
import os
import urllib.request

import pytest

from engine.config import Config
from engine.errors import InvalidData

from .ops_kit import instance_env, lif_serve, run_lif

STRONG = "k" * 40
PRODUCTION = {"LIF_ENV": "production", "LIF_SECRET_KEY": "s3cret-" + STRONG, "LIF_CHILD_MATCH_SECRET": "m" + STRONG,
              "LIF_BASE_URL": "https://lif.example.gov.uk", "LIF_HTTPS": "1"}

# Each bad setting, on top of good production settings: the variables that make it bad, and the variable its
# line must name.
PROBLEMS = {
    "secret key missing": ({"LIF_SECRET_KEY": ""}, "LIF_SECRET_KEY must be set when LIF_ENV=production"),
    "secret key weak": ({"LIF_SECRET_KEY": "x" * 31}, "LIF_SECRET_KEY is too short for production: 31 characters"),
    "child match secret missing": ({"LIF_CHILD_MATCH_SECRET": ""}, "LIF_CHILD_MATCH_SECRET must be set"),
    "child match secret weak": ({"LIF_CHILD_MATCH_SECRET": "short"}, "LIF_CHILD_MATCH_SECRET must be at least 32"),
    "base url missing": ({"LIF_BASE_URL": ""}, "LIF_BASE_URL must be set when LIF_ENV=production"),
    "base url not an address": ({"LIF_BASE_URL": "lif.example.gov.uk"}, "LIF_BASE_URL must be an http:// or"),
    "https base without LIF_HTTPS": ({"LIF_HTTPS": ""}, "LIF_HTTPS must be 1 when LIF_BASE_URL is https"),
    "LIF_HTTPS not a flag": ({"LIF_HTTPS": "yes", "LIF_BASE_URL": "http://lif.internal"},
                             "LIF_HTTPS must be 1 (on) or 0 (off), not 'yes'"),
    "unknown environment": ({"LIF_ENV": "prod"}, "LIF_ENV must be development or production, not 'prod'"),
    "unknown mail backend": ({"LIF_MAIL_BACKEND": "smpt"}, "LIF_MAIL_BACKEND must be console, file, smtp or notify"),
    "smtp without a host": ({"LIF_MAIL_BACKEND": "smtp"}, "LIF_SMTP_HOST must be set when LIF_MAIL_BACKEND=smtp"),
    "smtp unknown tls": ({"LIF_MAIL_BACKEND": "smtp", "LIF_SMTP_HOST": "mail", "LIF_SMTP_TLS": "tls"},
                         "LIF_SMTP_TLS must be none, starttls or ssl, not 'tls'"),
    "smtp user without password": ({"LIF_MAIL_BACKEND": "smtp", "LIF_SMTP_HOST": "mail", "LIF_SMTP_USERNAME": "u"},
                                   "LIF_SMTP_PASSWORD must be set when LIF_SMTP_USERNAME is"),
    "smtp port not a number": ({"LIF_SMTP_PORT": "twenty-five"}, "LIF_SMTP_PORT must be a whole number from 1 to"),
    "smtp port out of range": ({"LIF_SMTP_PORT": "70000"}, "LIF_SMTP_PORT must be a whole number from 1 to 65535"),
    "notify without key and template": ({"LIF_MAIL_BACKEND": "notify", "LIF_NOTIFY_API_KEY": "",
                                         "LIF_NOTIFY_TEMPLATE_ID": ""}, "LIF_NOTIFY_API_KEY and LIF_NOTIFY_TEMPLATE_ID "
                                                                        "must be set when LIF_MAIL_BACKEND=notify"),
    "timeout not a number": ({"LIF_SCRIPT_TIMEOUT": "5s"}, "LIF_SCRIPT_TIMEOUT must be a number above 0, not '5s'"),
    "timeout nan": ({"LIF_SCRIPT_TIMEOUT": "nan"}, "LIF_SCRIPT_TIMEOUT must be a number above 0, not 'nan'"),
    "timeout infinite": ({"LIF_SCRIPT_TIMEOUT": "inf"}, "LIF_SCRIPT_TIMEOUT must be a number above 0, not 'inf'"),
    "workers zero": ({"LIF_SCRIPT_WORKERS": "0"}, "LIF_SCRIPT_WORKERS must be a whole number above 0, not '0'"),
    "document store unknown": ({"LIF_DOCUMENT_STORE": "s3"}, "LIF_DOCUMENT_STORE must be db or dir:/path"),
    "log format unknown": ({"LIF_LOG_FORMAT": "xml"}, "LIF_LOG_FORMAT must be text or json, not 'xml'"),
}


@pytest.fixture
def settings(monkeypatch, tmp_path):
    """Good production settings in a clean environment; a test spoils some of them."""
    for name in [name for name in os.environ if name.startswith("LIF_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("LIF_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("LIF_DATABASE_URL", f"sqlite:///{tmp_path / 'lif.sqlite3'}")

    def apply(values: dict[str, str]) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
    apply(PRODUCTION)
    return apply


def refusal(**overrides: object) -> list[str]:
    """The lines the refusal would print: its message, then each detail."""
    with pytest.raises(InvalidData) as refused:
        Config.from_env(**overrides)
    return [refused.value.message, *(refused.value.details or [])]


def test_good_production_settings_pass(settings):
    config = Config.from_env()
    assert (config.production, config.https, config.base_url) == (True, True, "https://lif.example.gov.uk")


@pytest.mark.parametrize("problem", PROBLEMS)
def test_each_problem_is_one_line_naming_its_variable(settings, problem):
    values, line = PROBLEMS[problem]
    settings(values)
    lines = refusal()
    if problem.startswith("notify") and NOTIFY_CLIENT_MISSING:
        assert lines[2] == NOTIFY_CLIENT_LINE
        lines = [lines[1]]
    [message] = lines
    assert message.startswith(line) and "\n" not in message


NOTIFY_CLIENT_MISSING = importlib.util.find_spec("notifications_python_client") is None
NOTIFY_CLIENT_LINE = "LIF_MAIL_BACKEND=notify needs GOV.UK Notify's client: pip install 'lif[notify]'"


def test_notify_needs_its_client_and_settings(settings):
    settings({"LIF_MAIL_BACKEND": "notify", "LIF_NOTIFY_API_KEY": "key", "LIF_NOTIFY_TEMPLATE_ID": "template"})
    if NOTIFY_CLIENT_MISSING:
        assert refusal() == [NOTIFY_CLIENT_LINE]
    else:
        assert Config.from_env().mail_backend == "notify"


def test_every_problem_is_reported_at_once(settings, tmp_path):
    wanted = ["secret key weak", "https base without LIF_HTTPS", "smtp without a host", "log format unknown",
              "timeout not a number", "document store unknown"]
    for problem in wanted:
        settings(PROBLEMS[problem][0])
    lines = refusal()
    assert lines[0] == f"LIF cannot start: {len(wanted)} settings need changing"
    assert len(lines) == 1 + len(wanted) and all("\n" not in line for line in lines)
    for problem in wanted:
        assert [line for line in lines[1:] if line.startswith(PROBLEMS[problem][1])] != [], problem
    assert not (tmp_path / "instance" / "secret_key").exists()  # nothing was generated on the way


def test_production_never_generates_a_secret(settings, tmp_path):
    settings({"LIF_SECRET_KEY": "", "LIF_CHILD_MATCH_SECRET": ""})
    assert len(refusal()) == 3  # the count, then one line for each secret
    assert not (tmp_path / "instance").exists()


def test_production_without_a_child_match_secret_points_to_the_one_its_instance_already_has(settings, tmp_path):
    """An instance upgraded from a version that generated the key into its folder: a new key would stop its open
    cases matching, so the line says where the one in use is."""
    settings({"LIF_CHILD_MATCH_SECRET": ""})
    [line] = refusal()
    assert line.endswith("would never match")
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "child_match_secret").write_text("m" + STRONG)
    [line] = refusal()
    assert line.startswith(PROBLEMS["child match secret missing"][1])
    assert f"set it to the key in {tmp_path / 'instance' / 'child_match_secret'}, which" in line


def test_development_generates_secrets_and_accepts_a_short_key(settings, tmp_path):
    settings({"LIF_ENV": "development", "LIF_SECRET_KEY": "dev", "LIF_CHILD_MATCH_SECRET": "",
              "LIF_BASE_URL": "", "LIF_HTTPS": ""})
    settings({"LIF_MAIL_BACKEND": "smtp"})
    refusal()
    assert not (tmp_path / "instance").exists()  # a refused start generates nothing either
    settings({"LIF_SMTP_HOST": "mail.example.gov.uk"})
    config = Config.from_env()
    assert config.secret_key == "dev"
    assert config.child_match_secret == (tmp_path / "instance" / "child_match_secret").read_text()


def test_overrides_are_checked_too(settings):
    assert refusal(mail_backend="smtp", smtp_host="") == [PROBLEMS["smtp without a host"][1] +
                                                           ": the SMTP server to send email through"]
    assert Config.from_env(mail_backend="smtp", smtp_host="mail.example.gov.uk").smtp_host == "mail.example.gov.uk"


# --- a real `lif` process -------------------------------------------------------------------------------------

BROKEN = {"LIF_SECRET_KEY": "too-short", "LIF_HTTPS": "", "LIF_MAIL_BACKEND": "smtp", "LIF_LOG_FORMAT": "yaml"}


def _broken_env(tmp_path):
    env = instance_env(tmp_path, f"sqlite:///{tmp_path / 'lif.sqlite3'}", **PRODUCTION)
    env.update(BROKEN)
    env.pop("LIF_MAIL_FILE_DIR")
    return env


@pytest.mark.slow
@pytest.mark.parametrize("command", [("serve", "--port", "0"), ("scheduler",), ("init",), ("tick",)])
def test_a_command_prints_every_problem_one_line_each_and_starts_nothing(tmp_path, command):
    result = run_lif(_broken_env(tmp_path), *command, timeout=60)
    lines = result.stderr.splitlines()
    assert result.returncode == 1, result.stderr
    assert lines[0] == "error: LIF cannot start: 4 settings need changing"
    assert [line.split(" ", 3)[2] for line in lines[1:]] == ["LIF_SECRET_KEY", "LIF_HTTPS", "LIF_SMTP_HOST",
                                                             "LIF_LOG_FORMAT"]
    assert all(line.startswith("  LIF_") for line in lines[1:]) and "Traceback" not in result.stderr
    assert "serving" not in result.stdout
    assert not (tmp_path / "lif.sqlite3").exists() and not (tmp_path / "instance").exists()


@pytest.mark.slow
def test_good_production_settings_start_the_production_server(tmp_path):
    env = instance_env(tmp_path, f"sqlite:///{tmp_path / 'lif.sqlite3'}", **PRODUCTION, LIF_MAIL_BACKEND="smtp",
                       LIF_SMTP_HOST="127.0.0.1", LIF_SMTP_PORT="2525", LIF_WORKFLOWS_DIR=str(tmp_path / "none"))
    initialised = run_lif(env, "init")
    assert initialised.returncode == 0, initialised.stderr
    with lif_serve(env, "--workers", "1", "--no-scheduler", log_path=tmp_path / "serve.log") as served:
        with urllib.request.urlopen(served.base + "/sign-in", timeout=10) as answer:
            assert answer.status == 200
            assert "Secure" in answer.headers["Set-Cookie"] and "__Host-" in answer.headers["Set-Cookie"]
    assert "Traceback" not in served.log()
