"""Every message of every kind, rendered and compared with the text a person reads, whole: the plain-text and
HTML bodies and the subject, with each optional part (pseudonym, agency, due date, assignee, a chaser's words)
present and absent. Plain text is read line by line, so a template whose block tag eats a newline (the
"Case: CDOP-2026-0002 (Child P)Task: ..." of issue 13) fails here; one message also goes through the real
outbox and a real SMTP server, built from the database by ``task_context``."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from notifications import compose
from notifications.compose import render
from notifications.states import NotificationKind

from .conftest import START
from .notifications_kit import BASE_URL, delivered

LINK = "http://lif.test/tasks/t-1"
STYLE = 'style="font-family: Arial, sans-serif"'


def context(**changes: Any) -> dict[str, Any]:
    """What ``task_context`` gives for an agency's task with everything optional present, changed by ``changes``."""
    base = {"task_title": "Agency report", "business_key": "CDOP-2026-0002", "pseudonym": "Child P",
            "case": "CDOP-2026-0002, Child P", "agency_name": "Police", "due_on": "Thursday 24 December 2026",
            "days_left": 10, "days_left_text": "in 10 working days", "overdue_days": 0, "assignee": "pat",
            "assignee_name": "Pat Quinn", "link": LINK}
    return base | changes


BARE = {"task_title": "Chair’s decision", "business_key": "SCR-2026-0001", "pseudonym": None,
        "case": "SCR-2026-0001", "agency_name": None, "due_on": None, "days_left": None,
        "days_left_text": "with no deadline", "assignee": None, "assignee_name": None,
        "link": "http://lif.test/tasks/t-2"}
LATE = {"days_left": -3, "days_left_text": "3 working days ago", "overdue_days": 3,
        "due_on": "Monday 7 December 2026"}
CHASER = {"sender": "cora", "sender_name": "Cora Lane", "message": "Can you send it by Friday?"}

CASE_TEXT = ("Case: CDOP-2026-0002 (Child P)\n"
             "Task: Agency report for Police\n"
             "Due: Thursday 24 December 2026 (in 10 working days)\n"
             f"Open the task: {LINK}\n")
CASE_HTML = (f"<p {STYLE}><strong>Case:</strong> CDOP-2026-0002 (Child P)<br>\n"
             "<strong>Task:</strong> Agency report for Police<br>\n"
             "<strong>Due:</strong> Thursday 24 December 2026 (in 10 working days)<br>\n"
             f'<a href="{LINK}">Open the task</a></p>\n')
BARE_TEXT = ("Case: SCR-2026-0001\n"
             "Task: Chair’s decision\n"
             "Open the task: http://lif.test/tasks/t-2\n")
BARE_HTML = (f"<p {STYLE}><strong>Case:</strong> SCR-2026-0001<br>\n"
             "<strong>Task:</strong> Chair’s decision<br>\n"
             '<a href="http://lif.test/tasks/t-2">Open the task</a></p>\n')
LATE_TEXT = CASE_TEXT.replace("Thursday 24 December 2026 (in 10 working days)", "Monday 7 December 2026 (3 working "
                                                                                   "days ago)")
LATE_HTML = CASE_HTML.replace("Thursday 24 December 2026 (in 10 working days)", "Monday 7 December 2026 (3 working "
                                                                                   "days ago)")

# (kind, what changes from ``context()``, subject, plain text, HTML)
GOLDEN: list[tuple[str, dict[str, Any], str, str, str]] = [
    ("new_task", {}, "New task: Agency report (CDOP-2026-0002, Child P)",
     "A new task is waiting for you in LIF.\n\n" + CASE_TEXT,
     f"<p {STYLE}>A new task is waiting for you in LIF.</p>\n" + CASE_HTML),
    ("new_task", BARE, "New task: Chair’s decision (SCR-2026-0001)",
     "A new task is waiting for you in LIF.\n\n" + BARE_TEXT,
     f"<p {STYLE}>A new task is waiting for you in LIF.</p>\n" + BARE_HTML),
    ("reminder", {"days_left": 2, "days_left_text": "in 2 working days", "due_on": "Monday 14 December 2026"},
     "Reminder: Agency report (CDOP-2026-0002, Child P) is due in 2 working days",
     "Reminder: this task is due in 2 working days.\n\n"
     + CASE_TEXT.replace("Thursday 24 December 2026 (in 10", "Monday 14 December 2026 (in 2"),
     f"<p {STYLE}>Reminder: this task is due in 2 working days.</p>\n"
     + CASE_HTML.replace("Thursday 24 December 2026 (in 10", "Monday 14 December 2026 (in 2")),
    ("reminder", {"days_left": 1, "days_left_text": "in 1 working day", "due_on": "Monday 14 December 2026"},
     "Reminder: Agency report (CDOP-2026-0002, Child P) is due in 1 working day",
     "Reminder: this task is due in 1 working day.\n\n"
     + CASE_TEXT.replace("Thursday 24 December 2026 (in 10 working days", "Monday 14 December 2026 (in 1 working day"),
     f"<p {STYLE}>Reminder: this task is due in 1 working day.</p>\n"
     + CASE_HTML.replace("Thursday 24 December 2026 (in 10 working days", "Monday 14 December 2026 (in 1 working day")),
    ("reminder", BARE | {"days_left": 0, "days_left_text": "today", "due_on": "Thursday 10 December 2026"},
     "Reminder: Chair’s decision (SCR-2026-0001) is due today",
     "Reminder: this task is due today.\n\n"
     + BARE_TEXT.replace("Open the task", "Due: Thursday 10 December 2026 (today)\nOpen the task"),
     f"<p {STYLE}>Reminder: this task is due today.</p>\n"
     + BARE_HTML.replace("<a href", "<strong>Due:</strong> Thursday 10 December 2026 (today)<br>\n<a href")),
    ("overdue", {"days_left": 0, "days_left_text": "today", "due_on": "Thursday 10 December 2026", "assignee": None,
                 "assignee_name": None},
     "Overdue: Agency report (CDOP-2026-0002, Child P)",
     "This task is now overdue. Complete it as soon as you can, or tell the coordinator what is holding it up.\n\n"
     + CASE_TEXT.replace("Thursday 24 December 2026 (in 10 working days)", "Thursday 10 December 2026 (today)"),
     f"<p {STYLE}>This task is now overdue. Complete it as soon as you can, or tell the coordinator what is holding "
     "it up.</p>\n"
     + CASE_HTML.replace("Thursday 24 December 2026 (in 10 working days)", "Thursday 10 December 2026 (today)")),
    ("overdue", BARE, "Overdue: Chair’s decision (SCR-2026-0001)",
     "This task is now overdue. Complete it as soon as you can, or tell the coordinator what is holding it up.\n\n"
     + BARE_TEXT,
     f"<p {STYLE}>This task is now overdue. Complete it as soon as you can, or tell the coordinator what is holding "
     "it up.</p>\n" + BARE_HTML),
    ("escalation", LATE,
     "Escalation: Agency report for Police (CDOP-2026-0002, Child P) is 3 working days overdue",
     "Escalation: this task is 3 working days overdue (assigned to Pat Quinn).\n\n" + LATE_TEXT,
     f"<p {STYLE}>Escalation: this task is 3 working days overdue (assigned to Pat Quinn).</p>\n" + LATE_HTML),
    ("escalation", LATE | {"days_left": -1, "days_left_text": "1 working day ago", "overdue_days": 1,
                           "assignee": None, "assignee_name": None},
     "Escalation: Agency report for Police (CDOP-2026-0002, Child P) is 1 working day overdue",
     "Escalation: this task is 1 working day overdue.\n\n" + LATE_TEXT.replace("3 working days", "1 working day"),
     f"<p {STYLE}>Escalation: this task is 1 working day overdue.</p>\n"
     + LATE_HTML.replace("3 working days", "1 working day")),
    ("escalation", LATE | {"task_title": "Police agency report"},  # the title names the agency already
     "Escalation: Police agency report (CDOP-2026-0002, Child P) is 3 working days overdue",
     "Escalation: this task is 3 working days overdue (assigned to Pat Quinn).\n\n"
     + LATE_TEXT.replace("Task: Agency report for Police", "Task: Police agency report"),
     f"<p {STYLE}>Escalation: this task is 3 working days overdue (assigned to Pat Quinn).</p>\n"
     + LATE_HTML.replace("Task:</strong> Agency report for Police", "Task:</strong> Police agency report")),
    ("escalation", BARE | {"days_left": -2, "days_left_text": "2 working days ago", "overdue_days": 2,
                           "due_on": "Tuesday 8 December 2026"},
     "Escalation: Chair’s decision (SCR-2026-0001) is 2 working days overdue",
     "Escalation: this task is 2 working days overdue.\n\n"
     + BARE_TEXT.replace("Open the task", "Due: Tuesday 8 December 2026 (2 working days ago)\nOpen the task"),
     f"<p {STYLE}>Escalation: this task is 2 working days overdue.</p>\n"
     + BARE_HTML.replace("<a href", "<strong>Due:</strong> Tuesday 8 December 2026 (2 working days ago)<br>\n<a href")),
    ("chaser", CHASER, "Chaser: Agency report (CDOP-2026-0002, Child P)",
     "Cora Lane is chasing this task.\n\n“Can you send it by Friday?”\n\n" + CASE_TEXT,
     f"<p {STYLE}>Cora Lane is chasing this task.</p>\n"
     f"<blockquote {STYLE}>Can you send it by Friday?</blockquote>\n" + CASE_HTML),
    ("chaser", BARE | CHASER | {"message": ""}, "Chaser: Chair’s decision (SCR-2026-0001)",
     "Cora Lane is chasing this task.\n\n" + BARE_TEXT,
     f"<p {STYLE}>Cora Lane is chasing this task.</p>\n" + BARE_HTML),
    ("challenge", {}, "Challenge from the independent scrutineer: Agency report (CDOP-2026-0002, Child P)",
     "The independent scrutineer has challenged this step. Read the challenge and answer it on the task's page.\n\n"
     + CASE_TEXT,
     f"<p {STYLE}>The independent scrutineer has challenged this step. Read the challenge and answer it on the "
     "task's page.</p>\n" + CASE_HTML),
    ("challenge", BARE, "Challenge from the independent scrutineer: Chair’s decision (SCR-2026-0001)",
     "The independent scrutineer has challenged this step. Read the challenge and answer it on the task's page.\n\n"
     + BARE_TEXT,
     f"<p {STYLE}>The independent scrutineer has challenged this step. Read the challenge and answer it on the "
     "task's page.</p>\n" + BARE_HTML),
]

DIGEST_ITEMS = [{"subject": "New task: Agency report (CDOP-2026-0002, Child P)", "link": LINK},
                {"subject": "Chaser: Chair’s decision (SCR-2026-0001)", "link": "http://lif.test/tasks/t-2"}]
DIGESTS: list[tuple[list[dict[str, str]], str, str, str]] = [
    (DIGEST_ITEMS, "Your LIF digest for Friday 11 December 2026: 2 updates",
     "Your LIF digest for Friday 11 December 2026: 2 updates.\n\n"
     f"- New task: Agency report (CDOP-2026-0002, Child P)\n  {LINK}\n"
     "- Chaser: Chair’s decision (SCR-2026-0001)\n  http://lif.test/tasks/t-2\n",
     f"<p {STYLE}>Your LIF digest for Friday 11 December 2026: 2 updates.</p>\n<ul {STYLE}>\n"
     f'<li><a href="{LINK}">New task: Agency report (CDOP-2026-0002, Child P)</a></li>\n'
     '<li><a href="http://lif.test/tasks/t-2">Chaser: Chair’s decision (SCR-2026-0001)</a></li>\n</ul>\n'),
    (DIGEST_ITEMS[:1], "Your LIF digest for Friday 11 December 2026: 1 update",
     f"Your LIF digest for Friday 11 December 2026: 1 update.\n\n- New task: Agency report (CDOP-2026-0002, Child P)\n"
     f"  {LINK}\n",
     f"<p {STYLE}>Your LIF digest for Friday 11 December 2026: 1 update.</p>\n<ul {STYLE}>\n"
     f'<li><a href="{LINK}">New task: Agency report (CDOP-2026-0002, Child P)</a></li>\n</ul>\n'),
]


@pytest.mark.parametrize(("kind", "changes", "subject", "text", "html"), GOLDEN,
                         ids=[f"{g[0]}-{i}" for i, g in enumerate(GOLDEN)])
def test_each_message_reads_as_written(kind, changes, subject, text, html):
    rendered = render(kind, context(**changes))
    assert rendered.subject == subject
    assert rendered.text == text
    assert rendered.html == html


@pytest.mark.parametrize(("items", "subject", "text", "html"), DIGESTS, ids=["two", "one"])
def test_the_digest_reads_as_written(items, subject, text, html):
    rendered = render(NotificationKind.DIGEST, {"day": "Friday 11 December 2026", "items": items, "subject": subject})
    assert (rendered.subject, rendered.text, rendered.html) == (subject, text, html)


def test_every_kind_and_every_template_is_compared():
    """A new kind, or a new template file, is not left out of the comparisons above."""
    kinds = {g[0] for g in GOLDEN} | {NotificationKind.DIGEST}
    assert kinds == set(NotificationKind)
    folder = Path(compose.__file__).parent / "templates"
    assert {p.name for p in folder.iterdir()} == {f"{k}.{ext}" for k in kinds for ext in ("txt", "html")} | {
        "_case.txt", "_case.html"}
    for kind in kinds - {NotificationKind.DIGEST}:  # both sides of every optional part, in every kind
        assert any(g[0] == kind and g[1].get("pseudonym", 1) is None for g in GOLDEN), kind
        assert any(g[0] == kind and "pseudonym" not in g[1] for g in GOLDEN), kind


@pytest.mark.parametrize("kind", sorted(set(NotificationKind) - {NotificationKind.DIGEST}))
@pytest.mark.parametrize("days", [1, 2])
def test_working_days_are_counted_in_words(kind, days):
    """'1 working day', '2 working days', ahead and overdue: never 'working day(s)'."""
    for days_left in (days, -days):
        values = context(days_left=days_left, days_left_text=compose.days_left_text(days_left),
                         overdue_days=max(-days_left, 0), **CHASER)
        rendered = render(kind, values)
        words = " ".join((rendered.subject, rendered.text, rendered.html))
        assert "(s)" not in words and "day(" not in words
        said = set(re.findall(r"\b(\d+) working (days?)\b", words))
        assert said == {(str(days), "day" if days == 1 else "days")}, (kind, words)


def test_a_real_email_reads_as_lines(deploy, room, smtp):
    """From the database through the outbox to a real SMTP server: names, not usernames; dates in words."""
    deploy("notif_agency")
    room.set_user("pat", full_name="Pat Quinn")
    instance_id = room.start("notif_agency", now=START, data={"lead_agency": "police", "pseudonym": "Child P"})
    task_id = room.task_id(instance_id)
    room.sweep(START)
    [message] = delivered(room, smtp)
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == (
        "A new task is waiting for you in LIF.\n\n"
        "Case: NOTIF-AGENCY-2026-0001 (Child P)\n"
        "Task: Agency return for Police\n"
        "Due: Thursday 24 December 2026 (in 10 working days)\n"
        f"Open the task: {BASE_URL}/tasks/{task_id}\n")
