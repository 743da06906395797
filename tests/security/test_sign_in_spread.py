"""Sign-in tries spread over many addresses (issue 9, item 6, from the review of its fix): changing address must
not buy more tries, and the owner of an account under such an attack must still sign in at their usual address.

Reproduction: the throttles were keyed on the exact client address, so one IPv6 /64 (what any subscriber gets:
2^64 addresses) gave an attacker unlimited addresses, each with 10 tries a minute and 5 free failures per
account; and a botnet got 5 free failures on every account from each address it had."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.people.sign_in import address_group

from .accounts_kit import OK, PASSWORDS, SIGN_INS, api_sign_in, app, client, hasher, make_app, traveller  # noqa: F401

ROUTES = pytest.mark.parametrize("route", ["page", "api"])
OWN_NETWORK = "2001:db8:5:6::10"  # pat's usual addresses: an IPv6 one (her /64 is known) and an IPv4 one
OWN_ADDRESS = "198.51.100.7"


@pytest.mark.parametrize("address, group", [
    ("192.0.2.7", "192.0.2.7"),
    ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
    ("2001:0DB8:0001:0002:FFFF:FFFF:FFFF:FFFF", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:a:b:c:d", "2001:db8:1:2::/64"),
    ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
    ("fe80::1%eth0", "fe80::/64"),
    ("::1", "::/64"),
    ("::ffff:192.0.2.7", "192.0.2.7"),
    ("::ffff:c000:207", "192.0.2.7"),
    ("", "unknown"),
    ("unix:/run/lif.sock", "unix:/run/lif.sock"),
    ("x" * 100, "x" * 64),
])
def test_addresses_are_grouped_by_who_holds_them(address, group):
    """An IPv4 address stands alone (neighbours behind other NATs are other people); an IPv6 address counts as
    its /64, however it is written; an IPv4-mapped IPv6 address is its IPv4 address."""
    assert address_group(address) == group


@ROUTES
def test_addresses_in_one_ipv6_64_share_its_limit(client, route):
    """Ten failures from ten addresses of one /64 (whatever usernames), then the /64 waits, even with a right
    password from an eleventh address in it; the next /64 and the next IPv4 address carry on."""
    sign = SIGN_INS[route]
    for i in range(10):
        address = f"2001:db8:a:b:{i:x}:{i * 7919 % 65536:x}::1"
        assert sign(client, f"user{i}", "wrong-password", address).status_code == 401
    refused = sign(client, "cora", PASSWORDS["cora"], "2001:db8:a:b:ffff::42")
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert sign(client, "cora", PASSWORDS["cora"], "2001:db8:a:c::1").status_code == OK[route]
    for i in range(10):
        assert sign(client, f"user{i}", "wrong-password", "192.0.2.140").status_code == 401
    assert sign(client, "cora", PASSWORDS["cora"], "192.0.2.141").status_code == OK[route]


@ROUTES
def test_addresses_in_one_ipv6_64_share_an_accounts_free_failures(client, route):
    """Five failures on pat from five addresses of one /64: the sixth try on pat from that /64 waits."""
    sign = SIGN_INS[route]
    for i in range(5):
        assert sign(client, "pat", f"guess-{i}", f"2001:db8:b:1::{i + 1}").status_code == 401
    assert sign(client, "pat", PASSWORDS["pat"], "2001:db8:b:1:9::9").status_code == 429


def test_an_ipv4_mapped_address_is_its_ipv4_address(client):
    """A dual-stack listener sees ``::ffff:192.0.2.60`` for a client it sees elsewhere as ``192.0.2.60``."""
    for i in range(10):
        assert api_sign_in(client, f"user{i}", "wrong-password", ("::ffff:192.0.2.60", "192.0.2.60")[i % 2]
                           ).status_code == 401
    assert api_sign_in(client, "cora", PASSWORDS["cora"], "192.0.2.60").status_code == 429


def _botnet(client, username, failures, first=1):
    """``failures`` wrong passwords on ``username``, each from an address of its own."""
    for i in range(first, first + failures):
        assert api_sign_in(client, username, f"guess-{i}", f"203.0.113.{i}").status_code == 401


@ROUTES
def test_a_spread_attack_delays_new_addresses_but_not_the_owners(make_app, traveller, route):
    """pat has signed in before from her usual addresses (through another worker). A botnet tries twenty wrong
    passwords on her account, one from each address: from then on a try from any address that has never signed
    in to it waits (even with the right password), each failure doubling the wait up to 15 minutes; pat at a
    usual address (or a new address in her usual /64) signs in at once, every time; other accounts carry on."""
    sign, worker, bots = SIGN_INS[route], make_app().test_client(), make_app().test_client()
    for address in (OWN_ADDRESS, OWN_NETWORK):
        assert sign(worker, "pat", PASSWORDS["pat"], address).status_code == OK[route]
    _botnet(bots, "pat", 20)
    waits = []
    for i in range(13):
        refused = sign(bots, "pat", PASSWORDS["pat"], f"198.18.1.{i}")
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
        for address in (OWN_ADDRESS, f"2001:db8:5:6::{i + 100:x}"):
            assert sign(worker, "pat", PASSWORDS["pat"], address).status_code == OK[route], address
        assert sign(bots, "sam", PASSWORDS["sam"], f"198.18.2.{i}").status_code == OK[route]
        traveller.shift(timedelta(seconds=waits[-1]))
        assert sign(bots, "pat", f"guess-{i}", f"198.18.3.{i}").status_code == 401
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]


def test_after_a_wait_the_right_password_makes_a_new_address_known(client, traveller):
    """pat at a new address, waiting out the delay once, signs in; from then on that address is not delayed."""
    _botnet(client, "pat", 20)
    refused = api_sign_in(client, "pat", PASSWORDS["pat"], "198.51.100.99")
    assert refused.status_code == 429
    traveller.shift(timedelta(seconds=int(refused.headers["Retry-After"])))
    assert api_sign_in(client, "pat", PASSWORDS["pat"], "198.51.100.99").status_code == 200
    _botnet(client, "pat", 1, first=21)  # the next failure from a new address sets the next delay
    assert api_sign_in(client, "pat", PASSWORDS["pat"], "198.51.100.98").status_code == 429
    assert api_sign_in(client, "pat", PASSWORDS["pat"], "198.51.100.99").status_code == 200


def test_an_hour_without_failures_forgets_a_spread_attack(client, traveller):
    """Nineteen failures leave new addresses alone; the twentieth delays them, and so does each later failure
    while the count lasts (59 minutes apart: the wait still doubles); after an hour without failures, a failure
    from a new address counts from one again and delays no one."""
    _botnet(client, "pat", 19)
    assert api_sign_in(client, "pat", PASSWORDS["pat"], "198.51.100.50").status_code == 200
    _botnet(client, "pat", 1, first=20)
    assert api_sign_in(client, "pat", PASSWORDS["pat"], "198.51.100.51").headers["Retry-After"] == "1"
    traveller.shift(timedelta(minutes=59))
    _botnet(client, "pat", 1, first=21)
    assert api_sign_in(client, "pat", PASSWORDS["pat"], "198.51.100.51").headers["Retry-After"] == "2"
    traveller.shift(timedelta(hours=1))
    _botnet(client, "pat", 1, first=22)
    assert api_sign_in(client, "pat", PASSWORDS["pat"], "198.51.100.51").status_code == 200


def test_a_spread_attack_on_an_unknown_username_looks_the_same(client, traveller):
    """The same tries on pat (who has never signed in) and on a username nobody has get the same answers, with
    the same waits: the delay tells nothing about which accounts exist."""
    def answers(username):
        _botnet(client, username, 20)
        seen = []
        for i in range(4):
            response = api_sign_in(client, username, "guess", f"198.18.4.{i}")
            seen.append((response.status_code, response.headers.get("Retry-After")))
            traveller.shift(timedelta(seconds=int(response.headers.get("Retry-After", 0))))
        return seen

    pat, nobody = answers("pat"), answers("nobody-here")
    assert pat == nobody == [(429, "1"), (401, None), (429, "2"), (401, None)]
