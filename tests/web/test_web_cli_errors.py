"""The ``lif`` commands report an engine error the same way, from one place (``LifGroup``): its message on one line
of stderr, each detail indented on a line below, exit status 1, nothing on stdout and never a traceback."""
from __future__ import annotations

from collections import defaultdict

import pytest
from click.testing import CliRunner

from engine import events
from tests.conftest import FIXTURES
from web.cli import main


@pytest.fixture
def lif(tmp_path, monkeypatch):
    """``lif(*args)``: the command's result, on a fresh SQLite database made by ``lif init``."""
    monkeypatch.setattr(events, "_handlers", defaultdict(list))  # each command installs notifications
    for name, value in {"LIF_DATABASE_URL": f"sqlite:///{tmp_path / 'lif.sqlite3'}", "LIF_SECRET_KEY": "x",
                        "LIF_INSTANCE_DIR": str(tmp_path / "instance"),
                        "LIF_WORKFLOWS_DIR": str(tmp_path / "none")}.items():
        monkeypatch.setenv(name, value)

    def _lif(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert _lif("init").exit_code == 0
    return _lif


def _failed(result) -> list[str]:
    assert (result.exit_code, result.stdout) == (1, ""), (result.exit_code, result.output)
    assert "Traceback" not in result.output
    return result.stderr.splitlines()


def test_a_conflict_is_one_line(lif):
    assert lif("agency", "add", "police", "Police").stdout == "agency police added\n"
    assert _failed(lif("agency", "add", "police", "Police")) == ["error: agency 'police' already exists"]


def test_invalid_input_lists_each_problem_below_the_message(lif):
    assert _failed(lif("agency", "add", "Bad Key", "Police")) == [
        "error: invalid agency key", "  {'field': 'key', 'message': 'use lower-case letters, digits, - and _'}"]


def test_something_missing_is_one_line(lif):
    assert _failed(lif("agency", "lead", "nowhere", "bob")) == ["error: no agency 'nowhere'"]
    assert _failed(lif("user", "add", "bob", "--role", "reviewer", "--agency", "nowhere", "--password",
                       "long-enough-pass")) == ["error: unknown agency", "  {'field': 'agency', 'message': \"no "
                                                "agency 'nowhere'\"}"]


def test_a_broken_bundle_is_refused_with_its_problems(lif, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "process_model.json").write_text((FIXTURES / "simple_review" / "process_model.json").read_text())
    lines = _failed(lif("deploy", str(broken)))
    assert lines[0].startswith("error: ") and len(lines) >= 2, lines
    assert all(line.startswith("  ") for line in lines[1:]), lines


def test_the_run_commands_empty_database_check_works_outside_a_command(lif):
    """`make run` calls ``database_is_empty`` as a plain function (no click context) to decide on the demo."""
    from web.cli import database_is_empty

    assert database_is_empty() is True
    assert lif("agency", "add", "police", "Police").exit_code == 0
    assert lif("user", "add", "cora", "--role", "coordinator", "--password", "a-long-pass-phrase-9").exit_code == 0
    assert database_is_empty() is False


def test_an_unexpected_failure_is_one_line_and_prints_no_exception_message(lif, monkeypatch, caplog):
    """Not an engine error (a database error whose message quotes SQL parameters, say): one line naming its kind;
    the log has where it happened but not the message, which may name a child."""
    import notifications.scheduler

    def fails(*args, **kwargs):
        raise RuntimeError("Jasmine Featherstonehaugh")
    monkeypatch.setattr(notifications.scheduler, "sweep", fails)
    with caplog.at_level("ERROR"):
        lines = _failed(lif("tick"))
    assert lines[-1] == "error: lif tick failed unexpectedly (RuntimeError); the lines above say where"
    assert "Featherstonehaugh" not in "\n".join(lines)
    [record] = [r for r in caplog.records if r.name == "lif"]
    assert record.exc_info is not None and "Featherstonehaugh" not in record.getMessage()
