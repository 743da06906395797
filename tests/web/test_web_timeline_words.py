"""Every action a case's timeline can show reads as words: a table entry for each audited action recorded against a
case (found in the source, so a new action without words fails here), each sentence checked, and the page's
sentences for the actions a case goes through."""
from __future__ import annotations

import ast
import re

import pytest

from engine.reads import timeline

from .web_kit import REPO

STEP = timeline._Step("Individual Management Review", "Police")


def _case_actions() -> set[str]:
    """Every action the code audits with an ``instance_id``: what a case's timeline can show."""
    found = set()
    for folder in ("engine", "notifications", "web"):
        for path in (REPO / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "record" \
                        and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) \
                        and any(k.arg == "instance_id" for k in node.keywords):
                    found.add(node.args[1].value)
    return found


def test_every_action_a_case_records_has_words_or_is_hidden():
    actions = _case_actions()
    assert {"task.ready", "instance.cancelled", "task.chased"} <= actions  # the scan finds them
    missing = actions - set(timeline.WORDS) - set(timeline.HIDDEN)
    assert not missing, f"actions without words in engine.reads.timeline.WORDS: {sorted(missing)}"


@pytest.mark.parametrize("action", sorted(timeline.WORDS))
def test_each_action_reads_as_a_sentence(action):
    for step in (STEP, None):
        words = timeline.headline(action, step, "Sam Shah")
        assert words[0].isupper() and "{" not in words and "_" not in words and "." not in words
        assert "None" not in words and "task" not in words.lower().split()
        if "{task}" in timeline.WORDS[action]:
            assert ("Individual Management Review" in words) == (step is not None)
    if "{who}" in timeline.WORDS[action]:
        assert timeline.headline(action, STEP).endswith("for Police")


def test_readiness_names_whom_the_step_is_for_and_no_one_is_credited():
    assert timeline.headline("task.ready", STEP) == "Individual Management Review ready for Police"
    assert "task.ready" in timeline.ENGINE_ACTIONS and "instance.completed" in timeline.ENGINE_ACTIONS
    assert timeline.headline("task.assigned", STEP, "Sam Shah") == "Individual Management Review assigned to Sam Shah"


def test_an_action_without_words_still_reads_as_words():
    assert timeline.headline("task.escalated_twice", STEP) == "Task escalated twice"


def test_the_page_shows_each_coordinators_action_in_words(as_user, cdop):
    cora, case = as_user("cora"), f"/cases/{cdop.instance_id}"
    police = cdop.reports["police"]
    cora.post(f"/tasks/{police}/chase", data={"instance_id": cdop.instance_id, "message": "Please reply"})
    cora.post(f"/tasks/{police}/extend", data={"instance_id": cdop.instance_id, "due-day": "15", "due-month": "1",
                                               "due-year": "2027", "reason": "Records offsite"})
    cora.post(f"/tasks/{cdop.reports['csc']}/assign", data={"username": "sam", "instance_id": cdop.instance_id})
    cora.post(f"/tasks/{police}/comments", data={"instance_id": cdop.instance_id, "body": "Rang them"})
    cora.post(f"{case}/pause", data={"reason": "Criminal proceedings"})
    cora.post(f"{case}/resume", data={"reason": "Proceedings ended"})
    cora.post(f"{case}/cancel", data={"reason": "Duplicate notification"})
    page = cora.get(case).get_data(as_text=True)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[page.index('id="timeline"'):page.index("</ol>",
                                                                                   page.index('id="timeline"'))]))
    for sentence in ("Reminder sent about Agency report by cora", "Message: Please reply",
                     "Deadline extended for Agency report by cora", "New deadline 15 January 2027",
                     "Agency report assigned to sam by cora", "Comment added to Agency report by cora",
                     "Case paused: the clock stopped by cora", "Case resumed: the clock started again by cora",
                     "Case cancelled by cora", "Reason: Duplicate notification"):
        assert sentence in words, sentence
    assert not re.search(r"\b[a-z]+\.[a-z_]+\b", words) and "2027-01-15" not in words

