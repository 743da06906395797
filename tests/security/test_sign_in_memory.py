"""Password checks are bounded in number at once (issue 9, item 6; second review): each argon2 check takes
64 MiB, and once checks ran outside the database's write lock, ten tries from one address at once raised the
server's memory by 576 MB. A try that finds every check busy waits a moment, then answers 429 with
``Retry-After``, and is not counted against the account."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.errors import RateLimited
from engine.people import sign_in
from engine.store.db import transaction
from engine.store.models import SignInThrottle
from tests.conftest import NOW


@pytest.fixture
def busy_checks(monkeypatch):
    """Every password check taken, as by many tries at once."""
    monkeypatch.setattr(sign_in, "CHECK_WAIT_S", 0.05)
    taken = 0
    while sign_in._CHECKS.acquire(blocking=False):
        taken += 1
    yield
    for _ in range(taken):
        sign_in._CHECKS.release()


def test_a_try_that_finds_every_check_busy_is_told_to_come_back(factory, partnership, busy_checks):
    with pytest.raises(RateLimited) as raised:
        sign_in.authenticate(factory, "cora", "coordinator-pass", address="192.0.2.7", now=NOW)
    assert raised.value.retry_after == 1
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(SignInThrottle)) == 0  # nothing counted


def test_checks_are_free_again_after_each_try(factory, partnership):
    for _ in range(10):
        assert sign_in.authenticate(factory, "cora", "coordinator-pass", address="192.0.2.7", now=NOW)
    assert sign_in._CHECKS.acquire(blocking=False)
    sign_in._CHECKS.release()
