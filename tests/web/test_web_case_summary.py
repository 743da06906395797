"""The case page in words: the case summary (what was decided at each step the viewer may see, by whom, when, in
the forms' own labels), the steps table's names and states, and the timeline's sentences."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import update

from engine.store.db import transaction
from engine.store.models import User
from engine.work import tasks

from .web_kit import text

FULL_NAMES = {"cora": "Cora Coleman", "pat": "Pat Patel", "sam": "Sam Shah", "chad": "Chad Chowdhury"}
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def visible(page: str) -> str:
    """The words a person reads: without scripts, tags and attributes."""
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def section(page: str, start: str, end: str) -> str:
    return page[page.index(start):page.index(end, page.index(start))]


@pytest.fixture
def named(factory, partnership):
    with transaction(factory) as s:
        for username, name in FULL_NAMES.items():
            s.execute(update(User).where(User.username == username).values(full_name=name))


@pytest.fixture
def reported(cdop, factory, partnership, now, named):
    """The CDOP case with the police report done by pat and children's social care's by sam."""
    with transaction(factory) as s:
        tasks.complete_task(s, cdop.reports["police"], {"nil_return": True, "nil_reason": "No contact"},
                            actor=partnership["police"], now=now)
        tasks.complete_task(s, cdop.reports["csc"], {"nil_return": True, "nil_reason": "Closed in 2019"},
                            actor=partnership["csc"], now=now)
    return cdop


def test_the_coordinator_reads_every_step_in_words(as_user, reported):
    page = visible(text(as_user("cora").get(f"/cases/{reported.instance_id}")))
    summary = section(page, "Case summary", "Case actions")
    for step in ("Record the death notification", "Identify the agencies involved", "Agency report: Police",
                 "Agency report: Children's Social Care"):
        assert step in summary
    assert "Completed by Cora Coleman on 1 December 2026" in summary
    assert "Completed by Pat Patel on 1 December 2026" in summary and "Completed by Sam Shah" in summary
    assert "Date of death 28 November 2026" in summary  # the form's label, the date in words
    assert "Expected or unexpected death Unexpected" in summary  # the choice's name, not its key
    assert "Nil return Yes" in summary and "No contact" in summary and "Closed in 2019" in summary
    assert "What was decided" in summary


@pytest.mark.parametrize("username", ["cora", "chad", "scot"])
def test_the_summary_has_no_json_none_or_keys(as_user, reported, username):
    page = text(as_user(username).get(f"/cases/{reported.instance_id}"))
    assert 'id="case-data"' not in page and '<h2 class="govuk-heading-m">Case information' not in page  # no dump
    words = visible(section(page, 'id="case-summary"', "</ol>"))
    assert "{" not in words and "[" not in words and "None" not in words and "null" not in words
    assert not SNAKE.findall(words), SNAKE.findall(words)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", words)  # dates in words only
    assert "Agency report: Children's Social Care" in words and "Record the death notification" in words


def test_a_reviewer_reads_only_the_steps_they_may_see(as_user, reported):
    page = visible(text(as_user("pat").get(f"/cases/{reported.instance_id}")))
    summary = section(page, "Case summary", "Timeline") if page.index("Timeline") > page.index("Case summary") \
        else page[page.index("Case summary"):]
    assert "Agency report: Police" in summary and "No contact" in summary
    assert "Children's Social Care" not in summary and "Closed in 2019" not in summary
    assert "Record the death notification" not in summary and "Sudden collapse" not in page


def test_a_step_without_answers_says_so_and_a_case_without_done_steps_too(as_user, cdop, named):
    page = visible(text(as_user("pat").get(f"/cases/{cdop.instance_id}")))
    assert "No step you can see has been completed yet" in page


def test_steps_table_names_people_and_agencies_and_states_in_words(as_user, reported):
    page = text(as_user("cora").get(f"/cases/{reported.instance_id}"))
    steps = visible(re.sub(r"<details.*?</details>", " ", section(page, 'id="steps"', "</table>"), flags=re.S))
    assert "Pat Patel" in steps and "Sam Shah" in steps and "Cora Coleman" in steps
    assert "Police" in steps and "Children's Social Care" in steps
    assert "Done" in steps and "Current" in steps
    assert not re.search(r"\b(pat|sam|cora|completed|ready|current|done)\b", steps[len('id="steps">'):])


def test_timeline_credits_people_by_name_and_readiness_to_no_one(as_user, reported):
    page = text(as_user("cora").get(f"/cases/{reported.instance_id}"))
    timeline = visible(section(page, 'id="timeline"', "</ol>"))
    assert "Case started by Cora Coleman" in timeline
    assert "Agency report ready for Police" in timeline
    assert "Agency report ready for Children's Social Care" in timeline
    assert "Family's views ready for" in timeline
    entries = [visible(e) for e in section(page, 'id="timeline"', "</ol>").split("<li>")[1:]]
    ready = [e for e in entries if " ready for " in e]
    assert len(ready) == 5 and not [e for e in ready if " by " in e]
    assert "Agency report completed by Pat Patel" in timeline
    assert "Task ready" not in timeline and "by cora" not in timeline



def test_the_path_taken_is_marked_for_those_who_see_the_whole_case(as_user, reported):
    def marks(username):
        page = text(as_user(username).get(f"/cases/{reported.instance_id}"))
        return set(re.search(r'data-done="([^"]*)"', page).group(1).split())

    for username in ("cora", "chad", "scot"):
        assert {"gw_refer_notification", "prepare_case", "notification", "agency_report"} <= marks(username)
    # a gateway's way says what was decided at steps a reviewer may not read: they see their own step marked
    assert marks("pat") == {"agency_report"}


def test_the_summary_reads_the_partnership_once_however_many_steps(factory, partnership, reported, now):
    """Each step's form is rendered with the partnership's people; they are read once for the case, not per step
    (a few milliseconds a step on a long case)."""
    from sqlalchemy import event

    from engine.reads import case_summary
    from engine.store.models import ProcessInstance

    reads: list[str] = []
    engine = factory.kw["bind"]

    def count(conn, cursor, statement, *args):
        if "FROM user_account" in statement:
            reads.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with transaction(factory) as s:
            steps = case_summary.case_summary(s, s.get(ProcessInstance, reported.instance_id),
                                              partnership["coordinator"], now)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(steps) == 4 and all(step.schema for step in steps)
    assert len(reads) <= 2, reads  # the people who completed the steps, and the partnership's people
