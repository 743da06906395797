"""Sign-in tries that arrive together (issue 9, item 6, from the review of its fix): the throttles must hold
however many tries come at once, and a try being checked must hold up nobody else.

Reproduction: ``engine/sign_in.py`` checked ``blocked_until`` with a plain SELECT and locked its throttle rows
only after the argon2 check, so on PostgreSQL N simultaneous tries from one address all passed the check and the
10-a-minute limit became argon2's throughput. On SQLite every try ran argon2 (234 ms at the production cost)
inside a unit of work that had begun with ``BEGIN IMMEDIATE``, so one wrong password from anyone stalled every
other user's writes for as long."""
from __future__ import annotations

import threading
import time

import pytest

from engine.people import accounts
from engine.store.db import transaction

from .accounts_kit import PASSWORDS, CountingHasher, api_sign_in, hasher, make_app, page_sign_in, traveller  # noqa: F401

# how many tries at once, (username, address) of the i-th, and how many of them may be tried
SCENARIOS = {
    "one address, many usernames": (16, lambda i: (f"user{i}", "192.0.2.130"), 10),
    "one /64, many usernames": (16, lambda i: (f"user{i}", f"2001:db8:7:7::{i + 1:x}"), 10),
    "one account at one address": (12, lambda i: ("pat", "192.0.2.131"), 5),
    "one account from many addresses": (30, lambda i: ("pat", f"198.18.0.{i + 1}"), 20),
}


class Stopwatch(CountingHasher):
    """A hasher that says when its first verification began and when each thread's last one ended."""

    def __init__(self, **costs: int) -> None:
        super().__init__(**costs)
        self.started, self.finished_at = threading.Event(), {}

    def verify(self, hash, password):  # noqa: A002  (argon2's own parameter name)
        self.started.set()
        try:
            return super().verify(hash, password)
        finally:
            self.finished_at[threading.get_ident()] = time.perf_counter()


def _costly_hashing(monkeypatch, factory, **costs):
    """Every verification at ``costs`` from now on: the dummy hash's, and pat's (whose hash is made again)."""
    costly = Stopwatch(**costs)
    monkeypatch.setattr(accounts, "_HASHER", costly)
    with transaction(factory) as s:
        accounts.find_user(s, "pat").password_hash = costly.hash(PASSWORDS["pat"])
    return costly


def _all_at_once(workers, count, attempt):
    """``attempt(client, i)`` for i in range(count), each in a thread of its own, released together."""
    barrier, answers = threading.Barrier(count), [None] * count

    def run(index):
        client = workers[index % len(workers)].test_client()
        barrier.wait(timeout=30)
        answers[index] = attempt(client, index).status_code

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_simultaneous_tries_never_pass_a_limit(make_app, monkeypatch, factory, scenario):
    """N wrong passwords at the same moment through two workers, each verification taking a few milliseconds
    so that they overlap: exactly as many are tried (401) as the limit allows, the rest wait (429)."""
    count, who, limit = SCENARIOS[scenario]
    _costly_hashing(monkeypatch, factory, time_cost=2, memory_cost=4096)
    workers = [make_app(), make_app()]
    answers = _all_at_once(workers, count, lambda client, i: api_sign_in(client, who(i)[0], f"guess-{i}", who(i)[1]))
    assert (answers.count(401), answers.count(429)) == (limit, count - limit), answers


@pytest.mark.timing  # measured on the wall clock: `make test` runs these alone, after the parallel suite
def test_a_password_being_checked_holds_up_no_one_elses_writes(make_app, monkeypatch, factory):
    """While a wrong password for pat is being verified (argon2 at about 200 ms, as in production), cora signs
    in on the page (three writes: her try, its outcome, her session) and finishes before that verification
    does, on SQLite as on PostgreSQL."""
    costly = _costly_hashing(monkeypatch, factory, time_cost=4, memory_cost=65536)
    app, answers = make_app(), {}
    attacker = threading.Thread(
        target=lambda: answers.update(pat=api_sign_in(app.test_client(), "pat", "guess", "203.0.113.5").status_code))
    attacker.start()
    assert costly.started.wait(timeout=10)
    signed_in = page_sign_in(app.test_client(), "cora", PASSWORDS["cora"], "198.51.100.20")  # her hash is cheap
    written_at = time.perf_counter()
    attacker.join(timeout=30)
    assert signed_in.status_code == 302 and answers["pat"] == 401
    assert written_at < costly.finished_at[attacker.ident], "cora's sign-in waited for pat's password check"
