"""``lif retention report``: the cases past their retention date, each with its business key, process, the date
it was due for disposal in words, and whether it is held."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from dateutil.relativedelta import relativedelta

from engine.retention import holds
from engine.store.db import transaction
from web.cli import main

from .retention_kit import cancel


@pytest.fixture
def lif(db_url, tmp_path, monkeypatch):
    for name, value in {"LIF_DATABASE_URL": db_url, "LIF_SECRET_KEY": "x", "LIF_INSTANCE_DIR": str(tmp_path)}.items():
        monkeypatch.setenv(name, value)

    def _lif(*args: str):
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output
    return _lif


def test_the_report_lists_the_cases_past_their_date(lif, run):
    assert lif("retention", "report") == "No cases are past their retention date.\n"
    first = run.start("cdop")
    cancel(run, first)
    run.later(days=40)
    second = run.start("section11")
    cancel(run, second)
    with transaction(run.factory) as s:
        holds.place_hold(s, second, "Inquiry into the partnership", kind="inquiry", actor=run.coordinator,
                         now=run.now)
    run.start("cdop")  # still running: no date
    run.traveller.move_to(run.now + relativedelta(years=6, days=1))
    assert lif("retention", "report").splitlines() == [
        "1 case is past its retention date.",
        "Business key         Process                     Due for disposal  Legal hold",
        "SECTION11-2027-0001  Section 11 self-evaluation  10 January 2033   held (inquiry)"]
    run.traveller.move_to(run.now + relativedelta(years=10))
    assert lif("retention", "report").splitlines() == [
        "2 cases are past their retention date.",
        "Business key         Process                     Due for disposal  Legal hold",
        "SECTION11-2027-0001  Section 11 self-evaluation  10 January 2033   held (inquiry)",
        "CDOP-2026-0001       Child death review (CDOP)   1 December 2041   not held"]
