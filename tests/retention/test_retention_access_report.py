"""The access report of a case: who viewed the case or its tasks, or downloaded its documents, and when, in words,
from the audit trail; as a page, JSON and CSV, for coordinators only; it outlives disposal."""
from __future__ import annotations

import csv
import io

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import update

from engine.store import audit
from engine.store.db import transaction
from engine.store.models import User

from .retention_kit import audit_rows, cancel


@pytest.fixture
def case(run):
    """A CDOP case at its agency reports, with full names for the people who will look at it."""
    with transaction(run.factory) as s:
        for username, name in (("pat", "Pat Oakes"), ("chad", "Chad Rivers")):
            s.execute(update(User).where(User.username == username).values(full_name=name))
    case = run.start("cdop")
    run.do(case, "notification", pseudonym="Child G")
    run.do(case, "identify_agencies", agencies_involved=["police"])
    return case


def _looked_at(web, run, case):
    """Pat opens the police report's task by the API at 10:15, the chair reads the case page at 14:05 (London,
    which is UTC in December), and a document of the task is downloaded at 16:30."""
    report = run.task(case, "agency_report", agency="police")
    run.traveller.move_to(run.now.replace(hour=10, minute=15))
    assert web.api("get", f"/tasks/{report.id}", "pat").status_code == 200
    run.traveller.move_to(run.now.replace(hour=14, minute=5))
    assert web.page("chad").get(f"/cases/{case}").status_code == 200
    run.traveller.move_to(run.now.replace(hour=16, minute=30))
    with transaction(run.factory) as s:  # as the documents room records a download
        audit.record(s, "document.downloaded", actor="pat", now=run.now, instance_id=case, task_id=report.id,
                     document_id="doc-1")
    return report


def test_the_report_says_who_looked_at_what_and_when(web, run, case):
    report = _looked_at(web, run, case)
    answer = web.api("get", f"/process-instances/{case}/access-report", "cora")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert (body["instance_id"], body["business_key"], body["process_name"], body["total"], body["cut_short"]) == (
        case, run.instance(case).business_key, "Child death review (CDOP)", 5, False)
    assert [(e["name"], e["agency"], e["what"], e["at"]) for e in body["items"]] == [
        ("cora", None, "Viewed the task ‘Record the death notification’", "2026-12-01T09:00:00+00:00"),
        ("cora", None, "Viewed the task ‘Identify the agencies involved’", "2026-12-01T09:00:00+00:00"),
        ("Pat Oakes", "Police", "Viewed the task ‘Agency report’",
         "2026-12-01T10:15:00+00:00"),
        ("Chad Rivers", None, "Viewed the case", "2026-12-01T14:05:00+00:00"),
        ("Pat Oakes", "Police", "Downloaded a document from the task ‘Agency report’",
         "2026-12-01T16:30:00+00:00")]
    assert [(e["username"], e["action"], e["task_id"], e["document_id"]) for e in body["items"]][2:] == [
        ("pat", "task.viewed", report.id, None), ("chad", "instance.viewed", None, None),
        ("pat", "document.downloaded", report.id, "doc-1")]


def test_the_report_downloads_as_csv_with_dates_in_words(web, run, case):
    _looked_at(web, run, case)
    answer = web.api("get", f"/process-instances/{case}/access-report?format=csv", "cora")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == \
        f'attachment; filename="access-report-{run.instance(case).business_key}.csv"'
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows[0] == ["Date and time (London)", "Person", "Username", "Agency", "What", "Task", "Document",
                       "At (UTC)"]
    assert rows[1][:5] == ["1 December 2026 at 9:00am", "cora", "cora", "", "Viewed the task ‘Record the death "
                                                                             "notification’"]
    assert rows[3] == ["1 December 2026 at 10:15am", "Pat Oakes", "pat", "Police",
                       "Viewed the task ‘Agency report’",
                       "Agency report", "", "2026-12-01T10:15:00+00:00"]
    assert [r[0] for r in rows[4:]] == ["1 December 2026 at 2:05pm", "1 December 2026 at 4:30pm"]
    page = web.page("cora")
    download = page.get(f"/cases/{case}/access.csv")
    assert download.status_code == 200 and download.get_data(as_text=True) == answer.get_data(as_text=True)


def test_a_spreadsheet_never_runs_a_name_as_a_formula(web, run, case):
    with transaction(run.factory) as s:
        s.execute(update(User).where(User.username == "pat").values(full_name="=HYPERLINK(\"http://x\")"))
    _looked_at(web, run, case)
    rows = list(csv.reader(io.StringIO(web.api("get", f"/process-instances/{case}/access-report?format=csv", "cora")
                                       .get_data(as_text=True))))
    assert rows[3][1] == "'=HYPERLINK(\"http://x\")"


def test_the_report_page_reads_in_words_and_outlives_disposal(web, run, case):
    _looked_at(web, run, case)
    page = web.page("cora").get(f"/cases/{case}/access").get_data(as_text=True)
    assert "Who has viewed" in page and "5 views and downloads" in page
    assert "1 December 2026 at 10:15am" in page and "Pat Oakes" in page and "(Police)" in page
    assert "Viewed the task ‘Agency report’" in page
    assert "Download as a spreadsheet (CSV)" in page
    cancel(run, case)
    business_key = run.instance(case).business_key
    run.traveller.move_to(run.now + relativedelta(years=16))
    assert web.api("post", f"/process-instances/{case}/dispose", "cora", {"business_key": business_key}) \
        .status_code == 200
    after = web.api("get", f"/process-instances/{case}/access-report", "cora").get_json()
    assert [e["what"] for e in after["items"]][2:5] == [
        "Viewed the task ‘Agency report’", "Viewed the case",
        "Downloaded a document from the task ‘Agency report’"]


def test_reading_the_report_is_audited_and_bad_formats_refused(web, run, case):
    assert web.api("get", f"/process-instances/{case}/access-report?format=xml", "cora").status_code == 400
    web.api("get", f"/process-instances/{case}/access-report", "cora")
    (event,) = [r for r in audit_rows(run.factory, case) if r.action == "instance.access_reported"]
    assert (event.actor, event.details) == ("cora", {"entries": 2})
