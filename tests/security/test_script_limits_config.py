"""The script limits come from the configuration in every entry point, not only the web app (issue 9, item 1;
issue 10 names the bug): with ``LIF_SCRIPT_TIMEOUT=1``, ``lif tick`` ran diagram code under the 5 s default."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine.cases import runtime
from engine.store.db import make_engine
from engine.sandbox import pool
from engine.store.schema import create_schema
from web.cli import main


@pytest.fixture
def restored_limits():
    before = runtime.SCRIPT_TIMEOUT_S
    yield
    runtime.SCRIPT_TIMEOUT_S = before
    pool.configure(workers=2, memory_mb=256)


@pytest.mark.parametrize("command", [["tick", "--now", "2026-12-15T09:00:00Z"], ["init"]])
def test_the_command_line_applies_the_configured_script_limits(command, tmp_path, monkeypatch, restored_limits):
    url = f"sqlite:///{tmp_path / 'lif.sqlite3'}"
    if command[0] != "init":
        create_schema(make_engine(url))
    for name, value in {"LIF_DATABASE_URL": url, "LIF_SECRET_KEY": "x", "LIF_INSTANCE_DIR": str(tmp_path),
                        "LIF_WORKFLOWS_DIR": str(tmp_path / "none"), "LIF_SCRIPT_TIMEOUT": "1.5",
                        "LIF_SCRIPT_WORKERS": "3", "LIF_SCRIPT_MEMORY_MB": "128"}.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, command, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert runtime.SCRIPT_TIMEOUT_S == 1.5
    sandbox = pool.shared_pool()
    assert (sandbox.size, sandbox.memory_bytes) == (3, 128 * 1024 * 1024)
