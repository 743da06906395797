"""``lif tick --now <ISO 8601>`` runs one sweep as if at that time: any ISO 8601 date-time with an offset, with
or without fractions of a second; a time without an offset is refused."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from web.cli import main

from .conftest import START
from .notifications_kit import delivered, london

POLICE = {"lead_agency": "police"}


@pytest.fixture
def lif(db_url, smtp, tmp_path, monkeypatch):
    for name, value in {"LIF_DATABASE_URL": db_url, "LIF_SECRET_KEY": "x", "LIF_INSTANCE_DIR": str(tmp_path),
                        "LIF_MAIL_BACKEND": "smtp", "LIF_SMTP_HOST": "127.0.0.1", "LIF_SMTP_PORT": str(smtp.port),
                        "LIF_BASE_URL": "http://lif.test"}.items():
        monkeypatch.setenv(name, value)

    def _lif(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    return _lif


@pytest.fixture
def task_id(deploy, room):
    deploy("notif_agency")
    return room.task_id(room.start("notif_agency", now=START, data=POLICE))


def test_tick_runs_one_sweep_at_the_given_time(lif, room, task_id, smtp):
    result = lif("tick", "--now", "2026-12-15T09:00:00.250Z")  # fractions of a second
    assert result.exit_code == 0, result.output
    assert "sweep at 2026-12-15T09:00:00.250000+00:00: timer 0, ladder 1, process_start 0, digests 0, sent 2, " \
           "failed 0" in result.output
    [reminder] = room.notes(kind="reminder", channel="inapp")
    assert reminder.created_at == london(2026, 12, 15, 9, 0, 0).replace(microsecond=250000)

    result = lif("tick", "--now", "2026-12-22T10:00:00+01:00")  # 09:00 UTC
    assert result.exit_code == 0, result.output
    assert "sweep at 2026-12-22T09:00:00+00:00: timer 0, ladder 1" in result.output

    result = lif("tick", "--now", "2027-01-04T09:00:00Z")  # overdue (24 Dec) and escalation (29 Dec) at once
    assert result.exit_code == 0, result.output
    assert "ladder 2" in result.output
    assert [n.kind for n in room.notes(task_id=task_id, channel="inapp")] == [
        "new_task", "reminder", "reminder", "overdue", "escalation", "escalation"]
    assert room.rungs(task_id) == [("escalation", "2027-01-11 09:00")]  # a week after this late one
    assert len(delivered(room, smtp)) == 6 and sorted(smtp.keys()) == sorted(n.key for n in room.notes(channel="email"))

    again = lif("tick", "--now", "2027-01-04T09:00:00Z")
    assert again.exit_code == 0 and "ladder 0" in again.output and "sent 0" in again.output


@pytest.mark.parametrize("when", ["2027-01-04T09:00:00", "2027-01-04", "2027-01-04T09:00:00.5", "next monday"])
def test_tick_refuses_a_time_without_an_offset(lif, room, task_id, when):
    result = lif("tick", "--now", when)
    assert result.exit_code == 2, result.output
    assert "--now" in result.output
    assert room.notes(kind="reminder") == []
    assert len(room.rungs(task_id)) == 4
