"""Administration of users, roles and agencies: admins only."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.people import accounts
from engine.store.db import transaction
from engine.store.models import Agency

from .web_kit import sign_in, text


@pytest.mark.parametrize("who", ["cora", "chad", "pat", "dee", "lena", "scot"])
def test_admin_pages_are_for_admins_only(as_user, who):
    client = as_user(who)
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/users/pat").status_code == 403
    assert client.post("/admin/users", data={"username": "x", "roles": "admin"}).status_code == 403
    assert client.post("/admin/agencies", data={"key": "x", "name": "X"}).status_code == 403
    assert client.post("/admin/agencies/police/partner", data={"partner_kind": ""}).status_code == 403


def test_mark_an_agency_as_a_statutory_partner(as_user, factory):
    adam = as_user("adam")
    assert adam.post("/admin/agencies", data={"key": "icb", "name": "Integrated Care Board"}).status_code == 302
    assert adam.post("/admin/agencies/icb/partner", data={"partner_kind": "icb"}).status_code == 302
    page = text(adam.get("/admin/"))
    assert "The statutory partner has been saved" in page and "The integrated care board" in page
    wrong = adam.post("/admin/agencies/icb/partner", data={"partner_kind": "ccg"})
    assert wrong.status_code == 422 and "give one of la, icb, police" in text(wrong)
    kept = adam.post("/admin/agencies/police/partner", data={"partner_kind": ""})  # paul is its partner
    assert kept.status_code == 409 and "remove that role first" in text(kept)
    assert 'href="#partner_kind_police"' in kept.get_data(as_text=True)  # the message is under the police
    assert 'id="partner_kind_police-error"' in kept.get_data(as_text=True)
    with transaction(factory) as s:
        assert s.scalar(select(Agency.partner_kind).where(Agency.key == "icb")) == "icb"


def test_admin_lists_users_and_agencies(as_user):
    page = text(as_user("adam").get("/admin/"))
    assert "pat" in page and "reviewer" in page and "Police" in page and "Health Trust" in page


def test_add_a_user_who_can_then_sign_in(as_user, app):
    adam = as_user("adam")
    response = adam.post("/admin/users", data={"username": "yan", "full_name": "Yan Lee", "roles": ["reviewer"],
                                               "agency": "health", "password": "a-long-password"})
    assert response.status_code == 302
    assert "User yan has been added" in text(adam.get("/admin/"))
    sign_in(app.test_client(), "yan", "a-long-password")


def test_adding_an_invalid_user_shows_the_problems(as_user):
    response = as_user("adam").post("/admin/users", data={"username": "bad name!", "password": "short"})
    page = text(response)
    assert response.status_code == 422 and "There is a problem" in page
    assert "use letters, digits" in page and "at least 12 characters" in page
    assert as_user("adam").post("/admin/users", data={"username": "pat", "roles": "reviewer"}).status_code == 409


def test_add_an_agency(as_user, factory):
    adam = as_user("adam")
    assert adam.post("/admin/agencies", data={"key": "probation", "name": "Probation"}).status_code == 302
    with transaction(factory) as s:
        assert accounts.agency_names(s)["probation"] == "Probation"
    assert adam.post("/admin/agencies", data={"key": "Bad Key", "name": "X"}).status_code == 422
    assert adam.post("/admin/agencies", data={"key": "probation", "name": "Again"}).status_code == 409


def test_change_roles_agency_and_active(as_user, factory, app):
    adam = as_user("adam")
    response = adam.post("/admin/users/pat", data={"full_name": "Pat Quinn", "roles": ["reviewer", "chair"],
                                                   "agency": "csc", "active": "yes"})
    assert response.status_code == 302
    with transaction(factory) as s:
        user = accounts.find_user(s, "pat")
        assert user.roles == {"reviewer", "chair"} and user.agency.key == "csc" and user.full_name == "Pat Quinn"
    assert adam.post("/admin/users/pat", data={"roles": [], "active": "yes"}).status_code == 422
    assert adam.post("/admin/users/adam", data={"roles": ["reviewer"], "active": "yes"}).status_code == 422
    adam.post("/admin/users/pat", data={"roles": ["reviewer"], "agency": "csc", "active": "no"})
    assert app.test_client().post("/sign-in", data={"username": "pat", "password": "reviewer-pass"}).status_code == 401


def test_set_a_users_password(as_user, app):
    adam = as_user("adam")
    assert adam.post("/admin/users/sam/password", data={"password": "brand-new-pass"}).status_code == 302
    sign_in(app.test_client(), "sam", "brand-new-pass")
    response = adam.post("/admin/users/sam/password", data={"password": "short"})
    assert "at least 12 characters" in text(adam.get(response.location))
