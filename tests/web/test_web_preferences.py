"""A user switches to the daily digest; an admin names an agency's senior lead."""
from engine.people import accounts
from engine.store.db import transaction
from engine.store.models import Agency


def _user(factory, username):
    with transaction(factory) as s:
        return accounts.find_user(s, username).daily_digest


def test_a_user_switches_to_the_daily_digest_and_back(as_user, factory):
    client = as_user("pat")
    page = client.get("/account")
    assert page.status_code == 200 and "One daily digest" in page.get_data(as_text=True)
    assert client.post("/account/notifications", data={"delivery": "digest"}).status_code in (302, 303)
    assert _user(factory, "pat") is True
    assert client.post("/account/notifications", data={"delivery": "single"}).status_code in (302, 303)
    assert _user(factory, "pat") is False


def test_a_digest_choice_without_a_value_is_refused_and_changes_nothing(as_user, factory):
    client = as_user("pat")
    response = client.post("/account/notifications", data={})
    assert response.status_code == 400
    assert "Choose how you get emails" in response.get_data(as_text=True)
    assert _user(factory, "pat") is False


def test_an_admin_names_a_senior_lead_from_the_agency(as_user, factory):
    client = as_user("adam")
    assert client.post("/admin/agencies/police/lead", data={"senior_lead": "pat"}).status_code in (302, 303)
    with transaction(factory) as s:
        assert s.query(Agency).filter_by(key="police").one().senior_lead == "pat"


def test_a_senior_lead_from_another_agency_is_refused(as_user, factory):
    client = as_user("adam")
    response = client.post("/admin/agencies/police/lead", data={"senior_lead": "sam"})
    assert response.status_code == 422
    with transaction(factory) as s:
        assert s.query(Agency).filter_by(key="police").one().senior_lead is None


def test_a_reviewer_cannot_name_a_senior_lead(as_user, factory):
    client = as_user("pat")
    assert client.post("/admin/agencies/police/lead", data={"senior_lead": "pat"}).status_code in (403, 404)
    with transaction(factory) as s:
        assert s.query(Agency).filter_by(key="police").one().senior_lead is None
