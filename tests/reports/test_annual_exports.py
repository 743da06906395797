"""The annual pack through the API, the page and ``lif report annual``: the JSON of the figures, the Word document and
the workbook read back (python-docx, openpyxl) with the same numbers as the JSON, who may have them (coordinators and
chairs) and the 400s that name a bad or unknown parameter."""
from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from docx import Document
from sqlalchemy import delete

from engine.store.db import transaction
from engine.store.models import Lesson
from tests.retention.conftest import app, web  # noqa: F401  (the app on the scenario's database, as any user)
from tests.scenarios.conftest import run, shipped, traveller  # noqa: F401
from tests.scenarios.scenarios_kit import at
from web.cli import main
from web.documents_out.annual_xlsx import SHEETS

from .annual_kit import (
    action_rows,
    add_lesson,
    docx_tables,
    docx_text,
    expected_docx_tables,
    moment,
    xlsx_sheets,
)
from .test_annual_figures import NO_DEATHS, seed_actions

# test_annual_figures runs in make test; this module runs in make test-ci
pytestmark = pytest.mark.slow  # the pack as files, page and command

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def seeded(run):
    """A year of work: child death reviews (one done, one cancelled), lessons and actions; then 1 February 2027."""
    run.move_to(at("2026-03-02"))
    done = run.start("cdop")
    run.run_to_end(done, plan=NO_DEATHS)
    run.start("cdop")
    with transaction(run.factory) as s:  # only the lessons below (the review's own are the learning log tests')
        s.execute(delete(Lesson).where(Lesson.instance_id == done))
    add_lesson(run.factory, done, 0, "neglect", moment("2026-04-01"), good_practice="Early help offered")
    add_lesson(run.factory, done, 1, "safe_sleep", moment("2026-04-01"))
    add_lesson(run.factory, done, 2, "safe_sleep", moment("2026-05-01"))
    seed_actions(run)
    run.move_to(at("2027-02-01"))
    return run


def pack(web, username="cora", query="year=2026"):
    response = web.api("get", f"/reports/annual?{query}", username)
    assert response.status_code == 200, response.get_json()
    return response


def test_the_json_holds_the_years_figures(web, seeded):
    found = pack(web).get_json()
    assert found["year"] == 2026 and found["generated_at"].startswith("2027-02-01")
    assert (found["as_at"], found["year_over"]) == ("2026-12-31", True)
    cdop = next(c for c in found["cases"] if c["process_key"] == "cdop")
    assert (cdop["name"], cdop["started"], cdop["completed"], cdop["open_at_end"]) == (
        "Child death review (CDOP)", 2, 1, 1)
    assert cdop["outcomes"][0] == {"name": "Category of death", "counts": [
        {"key": "sudden_unexpected_unexplained", "label": "10. Sudden unexpected, unexplained death", "count": 1},
        {"key": "not_decided", "label": "Not decided by the end of the year", "count": 1}]}
    assert [(t["name"], t["lessons"], t["cases"], t["good_practice"]) for t in found["learning_themes"]] == [
        ("Safe sleep", 2, 1, 0), ("Neglect", 1, 1, 1)]
    assert found["lessons"] == 3
    assert found["actions"]["total"] == {"agency": "", "name": "All agencies", "raised": 6, "signed_off": 2,
                                         "withdrawn": 1, "closed": 3, "open_at_end": 4, "overdue_at_end": 2}
    assert all({"key", "label", "numerator", "denominator", "percent", "notes", "breakdowns"} <= set(m)
               for m in found["measures"])


def test_the_word_document_has_the_same_numbers_as_the_json(web, seeded):
    expected = pack(web).get_json()
    response = pack(web, query="year=2026&format=docx")
    assert response.mimetype == DOCX
    assert response.headers["Content-Disposition"] == 'attachment; filename="annual-report-2026.docx"'
    assert docx_tables(response.data) == expected_docx_tables(expected)
    text = docx_text(response.data)
    assert text[0] == "[Partnership] annual report figures, 2026"
    assert "Generated on 1 February 2027." in text
    assert {"Cases", "Compliance and performance", "Learning themes", "Actions"} <= set(text)
    assert ("In 2026, 6 actions were raised; 2 were signed off and 1 withdrawn. At the end of the year 4 actions were "
            "open, 2 of them overdue.") in text
    assert "In 2026 the partnership recorded 3 lessons under 2 themes." in text
    words = " ".join(text) + " ".join(c.text for t in Document(io.BytesIO(response.data)).tables
                                      for row in t.rows for c in row.cells)
    assert not {"{", "}", "_"} & set(words) and "None" not in words.split(), "keys or JSON in the document"


def test_the_workbook_has_the_same_numbers_as_the_json(web, seeded):
    expected = pack(web, username="chad").get_json()
    response = pack(web, username="chad", query="year=2026&format=xlsx")
    assert response.mimetype == XLSX
    assert response.headers["Content-Disposition"] == 'attachment; filename="annual-report-2026.xlsx"'
    sheets = xlsx_sheets(response.data)
    assert list(sheets) == list(SHEETS)
    cases = [[c["name"], c["started"], c["completed"], c["cancelled"], c["open_at_end"]] for c in expected["cases"]]
    assert sheets["Cases"] == cases + [["All processes", *(sum(r[i] for r in cases) for i in range(1, 5))]]
    assert sheets["Case outcomes"] == [[c["name"], o["name"], n["label"], n["count"]] for c in expected["cases"]
                                       for o in c["outcomes"] for n in o["counts"]]
    assert sheets["Measures"] == [[m["label"], m["numerator"], m["denominator"], m["percent"],
                                   " ".join(m["notes"]) or None] for m in expected["measures"]]
    assert sheets["Measure breakdowns"] == [
        [m["label"], b["name"][:1].upper() + b["name"][1:], s["label"], s["numerator"], s["denominator"], s["percent"]]
        for m in expected["measures"] for b in m["breakdowns"] for s in b["shares"]]
    assert sheets["Learning themes"] == [[t["name"], t["lessons"], t["cases"], t["good_practice"]]
                                         for t in expected["learning_themes"]]
    assert sheets["Actions"] == action_rows(expected)


def test_a_quiet_year_gives_a_pack_of_zeros(web, run):
    found = pack(web, query="year=2000").get_json()
    assert {c["started"] for c in found["cases"]} == {0} and found["learning_themes"] == []
    tables = docx_tables(pack(web, query="year=2000&format=docx").data)
    assert tables == expected_docx_tables(found)
    assert xlsx_sheets(pack(web, query="year=2000&format=xlsx").data)["Learning themes"] == []


def test_without_a_year_the_pack_is_this_years(web, run):
    assert pack(web, query="").get_json()["year"] == 2026  # tests/conftest.py's NOW: 1 December 2026


@pytest.mark.parametrize("username", ["pat", "lena", "scot", "adam", "dee"])
def test_only_coordinators_and_chairs_get_the_pack(web, run, username):
    for query in ("year=2026", "year=2026&format=docx", "year=1999&bad=1"):
        response = web.api("get", f"/reports/annual?{query}", username)
        assert response.status_code == 403, (username, query)


@pytest.mark.parametrize(("query", "parameter"), [
    ("year=2026&agency=police", "agency"), ("year=abc", "year"), ("year=1999", "year"), ("year=2028", "year"),
    ("year=20260", "year"), ("year=%C2%B2", "year"), ("year=2026&format=pdf", "format"), ("format=", "format"),
])
def test_a_bad_or_unknown_parameter_is_a_400_naming_it(web, run, query, parameter):
    response = web.api("get", f"/reports/annual?{query}", "cora")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert (error["code"], error["details"]) == ("bad_request", {"parameter": parameter})


def test_the_openapi_document_describes_the_pack(web, run):
    spec = web.app.test_client().get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/reports/annual"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"year", "format"}
    assert set(operation["responses"]["200"]["content"]) == {"application/json", DOCX, XLSX}
    assert {"400", "401", "403"} <= set(operation["responses"])


# --- the page -------------------------------------------------------------------------------------------------------

def test_the_page_shows_the_headline_figures_and_the_downloads(web, seeded):
    client = web.page("cora")
    page = client.get("/reports/annual?year=2026").get_data(as_text=True)
    assert "Annual report: 2026" in page
    compliance = client.get("/reports/compliance").get_data(as_text=True)
    assert 'href="/reports/annual"' in compliance  # reached from the compliance report, for coordinators and chairs
    for table in ('id="cases"', 'id="measures"', 'id="themes"', 'id="actions"', 'id="outcomes-cdop-1"'):
        assert table in page
    assert "6 actions were raised" in page and "10. Sudden unexpected, unexplained death" in page
    assert 'href="/reports/annual.docx?year=2026"' in page and 'href="/reports/annual.xlsx?year=2026"' in page
    document = client.get("/reports/annual.docx?year=2026")
    assert document.mimetype == DOCX
    assert docx_tables(document.data) == docx_tables(pack(web, query="year=2026&format=docx").data)
    workbook = client.get("/reports/annual.xlsx?year=2026")
    assert xlsx_sheets(workbook.data)["Actions"] == action_rows(pack(web).get_json())
    assert client.get("/reports/annual.pdf?year=2026").status_code == 404


def test_the_chair_sees_the_page_and_others_do_not(web, run):
    assert "Annual report: 2026" in web.page("chad").get("/reports/annual").get_data(as_text=True)
    for username in ("pat", "lena", "scot", "adam"):
        client = web.page(username)
        assert client.get("/reports/annual?year=2026").status_code == 403
        assert client.get("/reports/annual.docx?year=2026").status_code == 403
        assert 'href="/reports/annual"' not in client.get("/notifications").get_data(as_text=True)


@pytest.mark.parametrize("year", ["abc", "1999", "2028", "²"])
def test_a_bad_year_on_the_page_shows_the_problem_at_the_field(web, run, year):
    for path in ("/reports/annual", "/reports/annual.docx"):
        response = web.page("cora").get(path, query_string={"year": year})
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "There is a problem" in page and 'href="#year"' in page
        assert "The year must be a whole number from 2000 to 2027" in page


# --- lif report annual ----------------------------------------------------------------------------------------------

@pytest.fixture
def lif(db_url, tmp_path, monkeypatch):
    for name, value in {"LIF_DATABASE_URL": db_url, "LIF_SECRET_KEY": "x", "LIF_INSTANCE_DIR": str(tmp_path)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)

    def _lif(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    return _lif


def test_the_command_writes_a_document_that_opens(lif, web, seeded, tmp_path):
    result = lif("report", "annual", "--year", "2026")
    assert (result.exit_code, result.output) == (0, "annual report for 2026 written to annual-report-2026.docx\n")
    content = (tmp_path / "annual-report-2026.docx").read_bytes()
    assert docx_text(content)[0] == "[Partnership] annual report figures, 2026"
    assert docx_tables(content) == expected_docx_tables(pack(web).get_json())
    result = lif("report", "annual", "--year", "2026", "--format", "xlsx", "--output", str(tmp_path / "out.xlsx"))
    assert result.exit_code == 0 and result.output.endswith("out.xlsx\n")
    assert xlsx_sheets((tmp_path / "out.xlsx").read_bytes())["Actions"] == action_rows(pack(web).get_json())


@pytest.mark.parametrize(("args", "message"), [
    (("--year", "1999"), "error: the year must be a whole number from 2000 to 2027\n"),
    (("--year", "twenty"), "error: the year must be a whole number from 2000 to 2027\n"),
    (("--year", "2026", "--output", "/no/such/folder/pack.docx"),
     "error: cannot write /no/such/folder/pack.docx (No such file or directory)\n"),
])
def test_the_command_says_what_is_wrong_in_one_line(lif, run, args, message):
    result = lif("report", "annual", *args)
    assert (result.exit_code, result.output) == (1, message)
