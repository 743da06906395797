"""Fixtures for the scheduler and notification tests: a real SMTP server, the notifications room installed on
the test database (and uninstalled afterwards), a frozen clock moved with time-machine, and a ``Room`` driver
with e-mail addresses for the partnership and a senior lead for the police."""
from __future__ import annotations

import pytest
import time_machine

import notifications
from engine import events

from .notifications_kit import Room, SmtpServer, london, mail_config

START = london(2026, 12, 10, 10, 0)  # Thursday 10 December 2026, 10:00 London (= UTC in winter)


@pytest.fixture(autouse=True)
def isolated_room():
    """Each test installs the room itself; put the engine's subscribers back after, so no other test inherits
    this test's handlers (and the address their links point at)."""
    handlers = {kind: list(found) for kind, found in events._handlers.items()}
    yield
    events._handlers.clear()
    events._handlers.update(handlers)


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def config(db_url, smtp):
    return mail_config(db_url, smtp.port)


@pytest.fixture
def installed(config):
    notifications.install(config)
    return config


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def room(factory, partnership, installed, clock):
    """The partnership with e-mail addresses, and ``polly`` (chair, police) as the police's senior lead."""
    driver = Room(factory, partnership, installed)
    driver.give_emails()
    driver.add_user("polly", ["chair"], "police", email="polly@police.test", now=START)
    driver.set_senior_lead("police", "polly")
    return driver
