"""The retention pages, as a coordinator uses them without JavaScript: the list of cases past their date, the
legal hold on the case page, the disposal confirmation (type the business key), and the words on each page."""
from __future__ import annotations

import re

import pytest
from dateutil.relativedelta import relativedelta

from .retention_kit import cancel


@pytest.fixture
def case(run):
    case = run.start("cdop")
    run.do(case, "notification", pseudonym="Child F")
    cancel(run, case)
    return case


def text(response) -> str:
    return response.get_data(as_text=True)


def words(html: str) -> str:
    """The page's visible words, roughly: tags and attributes gone."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1].split("</main>", 1)[0]))


def assert_plain_words(html: str) -> None:
    """GOV.UK style: no None, no JSON, no code words on the page."""
    seen = words(html)
    for bad in ("None", "{", "criminal_proceedings", "case_held", "_at", "P15Y"):
        assert bad not in seen, (bad, seen[:2000])


def test_the_case_page_places_and_lifts_a_legal_hold(web, run, case):
    cora = web.page("cora")
    page = text(cora.get(f"/cases/{case}"))
    assert "Retention and legal hold" in page and "Place a legal hold" in page
    assert f"due for disposal on {(run.now + relativedelta(years=15)).day} December 2041" in page
    assert_plain_words(page)
    response = cora.post(f"/cases/{case}/hold", data={"kind": "criminal_proceedings", "details": "Trial in May"})
    assert response.status_code == 302
    page = text(cora.get(response.headers["Location"]))
    assert "The case is under a legal hold" in page
    assert "Under a legal hold (criminal proceedings)" in page and "Trial in May" in page
    assert "Legal hold for criminal proceedings" in page and "Reason: Trial in May" in page  # the timeline
    assert "Lift the legal hold" in page and "Place a legal hold" not in page
    assert_plain_words(page)
    page = text(cora.get(cora.post(f"/cases/{case}/release-hold", data={"reason": "Trial over"})
                         .headers["Location"]))
    assert "The legal hold has been lifted" in page and "Reason: Trial over" in page
    assert "Place a legal hold" in page


@pytest.mark.parametrize("form, message", [({}, "Choose why the case is being held"),
                                           ({"kind": "other", "details": " "}, "Enter the reason for the legal hold"),
                                           ({"kind": "coroner"}, "Choose why the case is being held")])
def test_a_hold_without_a_reason_is_explained(web, case, form, message):
    cora = web.page("cora")
    page = text(cora.get(cora.post(f"/cases/{case}/hold", data=form).headers["Location"]))
    assert "There is a problem" in page and message in page and "Place a legal hold" in page


def test_a_hold_of_a_named_kind_needs_no_details(web, case):
    cora = web.page("cora")
    page = text(cora.get(cora.post(f"/cases/{case}/hold", data={"kind": "inquest"}).headers["Location"]))
    assert "Under a legal hold (inquest)" in page
    page = text(cora.get(cora.post(f"/cases/{case}/release-hold", data={"reason": ""}).headers["Location"]))
    assert "Enter the reason for lifting the legal hold" in page
    page = text(cora.get(cora.post(f"/cases/{case}/hold", data={"kind": "inquest"}).headers["Location"]))
    assert "already under a legal hold" in page


def test_a_case_past_its_date_is_listed_and_disposed_of_after_confirmation(web, run, case):
    business_key = run.instance(case).business_key
    cora = web.page("cora")
    assert "No cases are past their retention date." in text(cora.get("/retention"))
    run.traveller.move_to(run.now + relativedelta(years=15, days=1))
    cora = web.page("cora")  # a fresh sign-in: fifteen years have passed
    listing = text(cora.get("/retention"))
    assert "1 case past its retention date" in listing and business_key in listing
    assert "Child death review (CDOP)" in listing and "1 December 2041" in listing and "Not held" in listing
    assert f"/cases/{case}/dispose" in listing
    assert_plain_words(listing)
    confirm = text(cora.get(f"/cases/{case}/dispose"))
    assert f"To confirm, type the case’s business key, {business_key}" in confirm and "cannot be undone" in confirm
    assert_plain_words(confirm)
    wrong = cora.post(f"/cases/{case}/dispose", data={"business_key": business_key.lower()})
    assert wrong.status_code == 200 and "There is a problem" in text(wrong)
    assert "Type the case&#39;s business key exactly as shown to confirm" in text(wrong)
    done = cora.post(f"/cases/{case}/dispose", data={"business_key": business_key})
    assert done.status_code == 302 and done.headers["Location"].endswith("/retention")
    page = text(cora.get("/retention"))
    assert f"{business_key} has been disposed of" in page and "No cases are past their retention date." in page
    page = text(cora.get(f"/cases/{case}"))
    assert "Disposed case" in page and "Child F" not in page and "was disposed of on 2 December 2041" in page
    assert "Case disposed" in page  # the timeline
    assert "Place a legal hold" not in page


def test_a_held_case_is_listed_as_held_and_refused_with_its_reason(web, run, case):
    cora = web.page("cora")
    cora.post(f"/cases/{case}/hold", data={"kind": "inquiry", "details": "Independent inquiry, ref 77"})
    run.traveller.move_to(run.now + relativedelta(years=20))
    cora = web.page("cora")
    listing = text(cora.get("/retention"))
    assert "Held" in listing and "Inquiry" in listing and f"/cases/{case}/dispose" not in listing
    confirm = text(cora.get(f"/cases/{case}/dispose"))
    assert "under a legal hold (inquiry): Independent inquiry, ref 77" in confirm
    assert "Dispose of the case" not in confirm
    refused = cora.post(f"/cases/{case}/dispose", data={"business_key": run.instance(case).business_key})
    page = text(cora.get(refused.headers["Location"]))
    assert "Independent inquiry, ref 77" in page and "until the hold is lifted" in page
    assert run.instance(case).title != "Disposed case"


@pytest.mark.parametrize("username", ["chad", "adam", "pat"])
def test_the_retention_pages_are_for_coordinators(web, case, username):
    client = web.page(username)
    assert client.get("/retention").status_code == 403
    for path in (f"/cases/{case}/dispose", f"/cases/{case}/access", f"/cases/{case}/access.csv"):
        assert client.get(path).status_code in (403, 404), path
    assert client.post(f"/cases/{case}/hold", data={"kind": "inquest"}).status_code == 403
    assert client.post(f"/cases/{case}/dispose", data={"business_key": "x"}).status_code == 403
    assert "Retention and legal hold" not in text(client.get(f"/cases/{case}"))
    assert 'href="/retention"' not in text(client.get("/"))


def test_a_coordinator_finds_the_retention_page_from_the_menu(web):
    assert 'href="/retention"' in text(web.page("cora").get("/"))
