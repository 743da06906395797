"""API tokens (issue 9, item 8): a password change or an admin's reset revokes the user's tokens and ends their
other sessions; a caller can revoke its own token; an admin can revoke all of a user's tokens.

Reproduction: after pat changed a password (or an admin reset it), every token pat had been issued still worked
until it expired, 12 hours later; there was no way to give a token up, nor for an admin to withdraw them."""
from __future__ import annotations

import pytest

from engine.errors import Forbidden
from engine.people import tokens
from engine.store.db import transaction

from .accounts_kit import (  # noqa: F401
    API,
    PASSWORDS,
    api_sign_in,
    app,
    as_user,
    audit_rows,
    client,
    hasher,
    make_app,
    sign_in,
    text,
    traveller,
)


def _token(client, username, password=None):
    response = api_sign_in(client, username, password or PASSWORDS[username])
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def _works(client, headers):
    return client.get(f"{API}/tasks", headers=headers).status_code == 200


def test_changing_ones_password_revokes_every_token_and_other_session(as_user, client):
    first, second = _token(client, "pat"), _token(client, "pat")
    sam = _token(client, "sam")
    here, elsewhere = as_user("pat"), as_user("pat")
    response = here.post("/account/password", data={"current": "reviewer-pass", "new": "a-new-long-password",
                                                     "again": "a-new-long-password"})
    assert response.status_code == 302
    assert not _works(client, first) and not _works(client, second)
    assert _works(client, sam)  # nobody else's
    assert here.get("/tasks").status_code == 200 and elsewhere.get("/tasks").status_code == 302
    assert _works(client, _token(client, "pat", "a-new-long-password"))


def test_an_admins_reset_revokes_every_token_and_every_session(as_user, client, factory):
    token, pat = _token(client, "pat"), as_user("pat")
    adam = as_user("adam")
    assert adam.post("/admin/users/pat/password", data={"password": "reset-by-the-admin"}).status_code == 302
    assert not _works(client, token)
    assert pat.get("/tasks").status_code == 302
    (revoked,) = audit_rows(factory, "auth.tokens_revoked")
    assert (revoked.actor, revoked.details["username"], revoked.details["tokens"]) == ("adam", "pat", 1)


def test_a_caller_revokes_its_own_token(client):
    token, other = _token(client, "pat"), _token(client, "pat")
    response = client.post(f"{API}/auth/token/revoke", headers=token)
    assert response.status_code == 204 and response.data == b""
    assert not _works(client, token)
    assert _works(client, other)  # only the token presented
    again = client.post(f"{API}/auth/token/revoke", headers=token)
    assert again.status_code == 401 and again.json["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}])
def test_revoking_without_a_live_token_is_401(client, headers):
    response = client.post(f"{API}/auth/token/revoke", headers=headers)
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"


def test_revoking_is_in_the_openapi_document(client):
    operation = client.get(f"{API}/openapi.json").json["paths"]["/auth/token/revoke"]["post"]
    assert {"204", "401"} <= set(operation["responses"]) and operation["security"] == [{"bearer": []}]


def test_an_admin_revokes_all_of_a_users_tokens(as_user, client, factory):
    first, second, sam = _token(client, "pat"), _token(client, "pat"), _token(client, "sam")
    adam = as_user("adam")
    assert "Revoke API tokens" in text(adam.get("/admin/users/pat"))
    response = adam.post("/admin/users/pat/tokens/revoke")
    assert response.status_code == 302
    assert "API tokens have been revoked (2)" in text(adam.get(response.location))
    assert not _works(client, first) and not _works(client, second) and _works(client, sam)
    assert "had no API tokens in use" in text(adam.get(adam.post("/admin/users/pat/tokens/revoke").location))


def test_only_admins_revoke_other_peoples_tokens(as_user, client, factory, partnership, now):
    token = _token(client, "pat")
    assert as_user("cora").post("/admin/users/pat/tokens/revoke").status_code == 403
    with transaction(factory) as s, pytest.raises(Forbidden):
        tokens.revoke_tokens_for(s, "pat", actor=partnership["coordinator"], now=now)
    assert _works(client, token)
