"""Sign-in (issue 9, item 6): what an outsider learns from timing, who can lock whom out, and how many tries one
address gets, on the pages and the API alike.

Reproduction: unknown usernames answered ``POST /api/v1/auth/token`` in 7 ms and known ones in 234 ms; six wrong
passwords from anywhere locked the account for 15 minutes (so anyone could lock anyone out); one address could try
unlimited usernames on ``/auth/token``; every failure wrote an audit row; the page's per-address limit lived in one
process's memory (Flask-Limiter), so each gunicorn worker kept its own count."""
from __future__ import annotations

import statistics
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.people import accounts
from engine.store.db import transaction
from engine.store.models import SignInThrottle, User

from .accounts_kit import (  # noqa: F401
    OK,
    PASSWORDS,
    SIGN_INS,
    CountingHasher,
    api_sign_in,
    app,
    at,
    audit_rows,
    client,
    hasher,
    make_app,
    page_sign_in,
    traveller,
)

ROUTES = pytest.mark.parametrize("route", ["page", "api"])


def _deactivate(factory, username):
    with transaction(factory) as s:
        s.scalar(select(User).where(User.username == username)).active = False


def _without_password(factory, username):
    with transaction(factory) as s:
        s.scalar(select(User).where(User.username == username)).password_hash = None


@ROUTES
def test_every_sign_in_costs_one_password_verification(client, hasher, factory, route):
    """Known, unknown, deactivated and password-less accounts: each try verifies one argon2 hash (unknown
    accounts against a dummy), so the answer's timing does not tell which accounts exist."""
    _deactivate(factory, "sam")
    _without_password(factory, "hana")
    sign = SIGN_INS[route]
    for username, password in [("pat", "wrong-password"), ("nobody", "wrong-password"), ("sam", "reviewer-pass"),
                               ("hana", "reviewer-pass"), ("x" * 64, "a")]:
        before = hasher.verified
        assert sign(client, username, password).status_code == 401, username
        assert hasher.verified - before == 1, username


@pytest.mark.timing  # measured on the wall clock: `make test` runs these alone, after the parallel suite
def test_unknown_usernames_take_as_long_as_known_ones(client, monkeypatch):
    """The reproduction itself, timed, with argon2 at a cost where the difference shows (about 20 ms a hash)."""
    costly = CountingHasher(time_cost=2, memory_cost=16384)
    monkeypatch.setattr(accounts, "_HASHER", costly)
    with transaction(client.application.extensions["lif"].factory) as s:
        accounts.find_user(s, "pat").password_hash = costly.hash("reviewer-pass")

    def timed(username, address):
        started = time.perf_counter()
        assert api_sign_in(client, username, "wrong-password", address).status_code == 401
        return time.perf_counter() - started

    known = statistics.median(timed("pat", f"10.0.1.{i}") for i in range(5))
    unknown = statistics.median(timed(f"ghost{i}", f"10.0.2.{i}") for i in range(5))
    assert unknown > known * 0.5, (known, unknown)


@ROUTES
def test_an_honest_user_elsewhere_is_never_locked_out(client, traveller, route):
    """An attacker hammers pat's account from one address, waiting out every delay; pat, at another address,
    signs in at once every time, with the right password (from the second round on, past twenty failures, only
    because she signed in there in the first: see test_sign_in_spread.py for addresses new to an account)."""
    sign = SIGN_INS[route]
    for _ in range(4):
        for attempt in range(12):
            response = sign(client, "pat", f"guess-{attempt}", "203.0.113.9")
            if response.status_code == 429:
                traveller.shift(timedelta(seconds=int(response.headers["Retry-After"])))
        assert sign(client, "pat", "reviewer-pass", "198.51.100.7").status_code == OK[route]


@ROUTES
def test_one_address_trying_many_usernames_is_throttled(client, traveller, route):
    """Ten failed sign-ins a minute from one address, whatever the usernames (known, unknown, one each); then
    429 with Retry-After, even for a right password, until the minute is over. Other addresses carry on."""
    sign = SIGN_INS[route]
    for i in range(10):
        assert sign(client, ["pat", "sam", f"user{i}"][i % 3], "wrong-password", "192.0.2.50").status_code == 401
    refused = sign(client, "cora", PASSWORDS["cora"], "192.0.2.50")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert sign(client, "cora", PASSWORDS["cora"], "192.0.2.51").status_code == OK[route]
    traveller.shift(timedelta(seconds=int(refused.headers["Retry-After"])))
    assert sign(client, "cora", PASSWORDS["cora"], "192.0.2.50").status_code == OK[route]


@ROUTES
def test_failures_on_one_account_from_one_address_wait_longer_each_time(client, traveller, route):
    """After five failures, each failure doubles the wait before the next try from that address on that
    account (1 s, 2 s, 4 s ...), up to 15 minutes; the right password waits too; a success clears it."""
    sign = SIGN_INS[route]
    for _ in range(5):
        assert sign(client, "pat", "wrong-password", "192.0.2.80").status_code == 401
    waits = []
    for _ in range(13):
        refused = sign(client, "pat", "reviewer-pass", "192.0.2.80")
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
        traveller.shift(timedelta(seconds=waits[-1]))
        assert sign(client, "pat", "wrong-password", "192.0.2.80").status_code == 401
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]
    traveller.shift(timedelta(minutes=15))
    assert sign(client, "pat", "reviewer-pass", "192.0.2.80").status_code == OK[route]
    assert sign(client, "pat", "wrong-password", "192.0.2.80").status_code == 401  # counting from zero again
    assert sign(client, "pat", "reviewer-pass", "192.0.2.80").status_code == OK[route]


def test_throttles_hold_across_worker_processes(make_app):
    """Two web workers (two apps on one database): failures at one count at the other, on the page and the API."""
    first, second = make_app().test_client(), make_app().test_client()
    for i in range(10):
        worker = (first, second)[i % 2]
        assert SIGN_INS[("page", "api")[i % 2]](worker, f"user{i}", "wrong-password", "192.0.2.90").status_code == 401
    assert page_sign_in(first, "pat", "reviewer-pass", "192.0.2.90").status_code == 429
    assert api_sign_in(second, "pat", "reviewer-pass", "192.0.2.90").status_code == 429


@ROUTES
def test_failed_sign_ins_are_audited_in_aggregate(client, traveller, factory, route):
    """A hundred failures on one account from one address leave a handful of audit rows (the 1st, 2nd, 4th ...
    each with the count so far), not a hundred; an address reaching its limit is recorded once a minute. The
    page and the API record them alike, through the one engine call."""
    sign_in = SIGN_INS[route]
    for _ in range(100):
        response = sign_in(client, "pat", "wrong-password", "192.0.2.99")
        if response.status_code == 429:
            traveller.shift(timedelta(seconds=int(response.headers["Retry-After"])))
            assert sign_in(client, "pat", "wrong-password", "192.0.2.99").status_code == 401
    failed = [row for row in audit_rows(factory, "auth.failed") if row.details["address"] == "192.0.2.99"]
    assert [row.details["failures"] for row in failed] == [1, 2, 4, 8, 16, 32, 64]
    assert {row.actor for row in failed} == {"pat"}
    for i in range(25):
        sign_in(client, f"ghost{i}", "wrong-password", "192.0.2.100")
    throttled = [row for row in audit_rows(factory, "auth.throttled") if row.details["address"] == "192.0.2.100"]
    assert len(throttled) == 1 and throttled[0].details["failures"] == 10


def test_a_wrong_current_password_is_a_failed_sign_in_on_record(client, factory):
    """Changing one's password checks the current one through the same engine call as signing in, which records
    the failure in its own transaction (no view commits one)."""
    assert page_sign_in(client, "pat", PASSWORDS["pat"], "192.0.2.7").status_code == 302
    response = client.post("/account/password", data={"current": "wrong", "new": "a-new-password-1",
                                                      "again": "a-new-password-1"}, **at("192.0.2.7"))
    assert response.status_code == 400
    failed = [row for row in audit_rows(factory, "auth.failed") if row.details["address"] == "192.0.2.7"]
    assert [(row.actor, row.details["failures"]) for row in failed] == [("pat", 1)]


def test_simultaneous_failures_are_each_counted_once(make_app, factory):
    """Eight wrong passwords for one account from one address at the same moment, through two workers: every
    one answers 401 (none 500 on the first row's insert), and the counts are exact."""
    workers = [make_app(), make_app()]
    barrier, answers = threading.Barrier(8), [None] * 8

    def attempt(index):
        client = workers[index % 2].test_client()
        barrier.wait(timeout=10)
        answers[index] = api_sign_in(client, "pat", f"guess-{index}", "192.0.2.120").status_code

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers.count(401) + answers.count(429) == 8, answers
    with transaction(factory) as s:
        counts = dict(s.execute(select(SignInThrottle.username, SignInThrottle.failures)
                                .where(SignInThrottle.address == "192.0.2.120")).all())
    assert counts == {"": answers.count(401), "pat": answers.count(401)}


def test_throttle_rows_are_forgotten_after_a_day_without_failures(client, traveller, factory):
    """The throttles' table does not grow with every address and username ever tried: a day after their last
    failure, rows go (the next try's transaction removes them)."""
    for i in range(3):
        assert api_sign_in(client, f"ghost{i}", "wrong-password", f"192.0.2.{150 + i}").status_code == 401
    traveller.shift(timedelta(hours=24, seconds=1))
    assert api_sign_in(client, "pat", "wrong-password", "192.0.2.160").status_code == 401
    with transaction(factory) as s:
        left = set(s.execute(select(SignInThrottle.address, SignInThrottle.username)).all())
    assert left == {("192.0.2.160", ""), ("", "pat"), ("192.0.2.160", "pat")}
