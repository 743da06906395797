"""Users and sign-in: passwords and tokens stored only as hashes, expired or revoked tokens refused, and failed
sign-ins delayed per account at an address (tests/security has the attacks)."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from engine.errors import Conflict, InvalidData, RateLimited, Unauthorized
from engine.people import accounts, sign_in, tokens
from engine.store.db import transaction
from engine.store.models import ApiToken, User

from .engine_kit import NOW

pytestmark = pytest.mark.postgres  # runs on PostgreSQL as well, when it is configured


def _sign_in(factory, username, password, now=NOW, address="10.0.0.1"):
    return sign_in.authenticate(factory, username, password, address=address, now=now).username


def _fail(factory, username, times, now=NOW, address="10.0.0.1"):
    for _ in range(times):
        with pytest.raises(Unauthorized):
            _sign_in(factory, username, "not the password", now, address)


def _issue(factory, username, ttl=timedelta(hours=12), now=NOW) -> str:
    with transaction(factory) as s:
        token, expires_at = tokens.issue_token(s, accounts.find_user(s, username), now=now, ttl=ttl)
    assert expires_at == now + ttl
    return token


def _token_actor(factory, token, now):
    with transaction(factory) as s:
        return tokens.actor_for_token(s, token, now=now)


def test_password_is_stored_hashed(partnership, factory):
    with transaction(factory) as s:
        stored = accounts.find_user(s, "pat").password_hash
        raw = s.execute(text("SELECT * FROM user_account WHERE username = 'pat'")).mappings().one()
    assert stored.startswith("$argon2id$")
    assert "reviewer-pass" not in stored
    assert not any("reviewer-pass" in str(value) for value in raw.values())
    assert accounts.password_matches(stored, "reviewer-pass")
    assert not accounts.password_matches(stored, "reviewer-pasS")


def test_same_password_hashes_differently(partnership, factory):
    with transaction(factory) as s:
        pat, sam = (accounts.find_user(s, u).password_hash for u in ("pat", "sam"))
    assert pat != sam  # both use "reviewer-pass": salted


def test_sign_in_with_right_password(partnership, factory):
    assert _sign_in(factory, "pat", "reviewer-pass") == "pat"


@pytest.mark.parametrize("username,password", [("pat", "wrong-pass"), ("nobody", "reviewer-pass"), ("pat", "")])
def test_sign_in_refused(partnership, factory, username, password):
    with pytest.raises(Unauthorized):
        _sign_in(factory, username, password)


def test_sign_in_of_inactive_user_refused(partnership, factory):
    with transaction(factory) as s:
        accounts.find_user(s, "pat").active = False
    with pytest.raises(Unauthorized):
        _sign_in(factory, "pat", "reviewer-pass")


def test_failed_sign_ins_delay_that_account_at_that_address(partnership, factory):
    _fail(factory, "pat", 5)
    with pytest.raises(RateLimited):
        _sign_in(factory, "pat", "reviewer-pass")  # even the right password, for now, from there
    assert _sign_in(factory, "pat", "reviewer-pass", address="10.9.9.9") == "pat"  # its owner elsewhere
    assert _sign_in(factory, "sam", "reviewer-pass") == "sam"  # other accounts are unaffected
    _fail(factory, "sam", 1)
    assert _sign_in(factory, "sam", "reviewer-pass") == "sam"


def test_delay_doubles_and_lifts(partnership, factory):
    _fail(factory, "pat", 5)  # the fifth failure sets a 1 s delay
    with pytest.raises(RateLimited):
        _sign_in(factory, "pat", "reviewer-pass", NOW + timedelta(milliseconds=500))
    _fail(factory, "pat", 1, NOW + timedelta(seconds=2))  # the sixth: 2 s
    with pytest.raises(RateLimited):
        _sign_in(factory, "pat", "reviewer-pass", NOW + timedelta(seconds=3, milliseconds=500))
    assert _sign_in(factory, "pat", "reviewer-pass", NOW + timedelta(seconds=4)) == "pat"


def test_successful_sign_in_clears_failures(partnership, factory):
    _fail(factory, "pat", 4)
    assert _sign_in(factory, "pat", "reviewer-pass") == "pat"
    _fail(factory, "pat", 4)
    assert _sign_in(factory, "pat", "reviewer-pass") == "pat"


def test_unknown_accounts_are_rate_limited_too(partnership, factory):
    _fail(factory, "ghost", 5)
    with pytest.raises(RateLimited):
        _sign_in(factory, "ghost", "anything")


def test_token_is_stored_hashed(partnership, factory):
    token = _issue(factory, "pat")
    with transaction(factory) as s:
        (row,) = s.scalars(select(ApiToken))
        raw = s.execute(text("SELECT * FROM api_token")).mappings().one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in str(value) for value in raw.values())
    assert len(token) >= 32


def test_token_identifies_its_user(partnership, factory):
    token = _issue(factory, "pat")
    actor = _token_actor(factory, token, NOW + timedelta(hours=1))
    assert (actor.username, actor.roles, actor.agency) == ("pat", frozenset({"reviewer"}), "police")


def test_expired_token_refused(partnership, factory):
    token = _issue(factory, "pat", ttl=timedelta(hours=12))
    assert _token_actor(factory, token, NOW + timedelta(hours=11, minutes=59)).username == "pat"
    for moment in (NOW + timedelta(hours=12), NOW + timedelta(days=3)):
        with pytest.raises(Unauthorized):
            _token_actor(factory, token, moment)


def test_revoked_or_unknown_token_refused(partnership, factory):
    token = _issue(factory, "pat")
    with transaction(factory) as s:
        s.scalar(select(ApiToken)).revoked_at = NOW
    with pytest.raises(Unauthorized):
        _token_actor(factory, token, NOW)
    with pytest.raises(Unauthorized):
        _token_actor(factory, "not-a-token", NOW)


def test_token_of_deactivated_user_refused(partnership, factory):
    token = _issue(factory, "pat")
    with transaction(factory) as s:
        s.scalar(select(User).where(User.username == "pat")).active = False
    with pytest.raises(Unauthorized):
        _token_actor(factory, token, NOW)


def test_add_user_validates_and_refuses_duplicates(partnership, factory):
    with transaction(factory) as s:
        with pytest.raises(InvalidData):
            accounts.add_user(s, "newbie", roles=["reviewer"], password="short", actor="adam", now=NOW)
        with pytest.raises(InvalidData):
            accounts.add_user(s, "newbie", roles=["superuser"], password="long-enough-pw", actor="adam", now=NOW)
        with pytest.raises(InvalidData):
            accounts.add_user(s, "newbie", roles=["reviewer"], agency_key="mi5", password="long-enough-pw",
                              actor="adam", now=NOW)
        with pytest.raises(Conflict):
            accounts.add_user(s, "pat", roles=["reviewer"], password="long-enough-pw", actor="adam", now=NOW)


def test_set_password_replaces_hash(partnership, factory):
    with transaction(factory) as s:
        accounts.set_password(s, "pat", "a-new-password", actor="adam", now=NOW)
    assert _sign_in(factory, "pat", "a-new-password") == "pat"
    with pytest.raises(Unauthorized):
        _sign_in(factory, "pat", "reviewer-pass")
