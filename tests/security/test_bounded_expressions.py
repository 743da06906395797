"""Which diagram expressions run in the server's own process (issue 9, item 1): only those whose syntax tree
bounds their cost. Every runaway expression of the class goes to the sandbox pool; every condition of the
shipped processes, and the usual shapes of DMN cells, timers and payloads, stays in process (no round trip)."""
from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import unescape

import pytest

from engine.sandbox import bounded

from .test_runaway_code import RUNAWAY


@pytest.mark.parametrize("expression", RUNAWAY.values(), ids=RUNAWAY.keys())
def test_runaway_expression_never_runs_in_the_server_process(expression):
    assert not bounded.is_bounded(expression)


# --- what runs in the server's own process ----------------------------------------------------------------

ORDINARY = ["review_type == 'NONE'", "len(actions) > 0", "action.get('sign_off_by') == 'chair'",
            "panel_outcome == 'revise' and revision_count < max_revisions", "(child_outcome) == (\"died\")",
            "agency_count > 1", "'P21D'", "{'case_id': case_id, 'agency': agency}", "not notification_required"]


def test_division_of_numbers_runs_in_the_worker():
    """``x // y`` costs the square of the numbers' size: a script can build a 4-million-bit number in a third of
    a second, and a condition dividing it froze the server for 5 s."""
    assert not bounded.is_bounded("x // (x >> 1900000) > 1")


def test_a_big_number_is_not_small_data():
    from engine.sandbox import sizes
    assert not sizes.fits([(1 << 600_000) - 1], bounded.SMALL_DATA_CHARS)
    assert sizes.fits([2 ** 64, "x" * 100], bounded.SMALL_DATA_CHARS)


def test_escaped_text_is_counted_at_its_stored_length():
    from engine.sandbox import sizes
    assert sizes.fits(["a" * 10_000], 12_000)
    assert not sizes.fits([chr(1) * 10_000], 12_000)  # each becomes \u0001 in JSON


@pytest.mark.parametrize("expression", ORDINARY)
def test_ordinary_conditions_dmn_cells_timers_and_payloads_run_in_process(expression):
    assert bounded.is_bounded(expression)


def test_every_condition_of_the_shipped_processes_runs_in_process():
    workflows = Path(__file__).resolve().parents[2] / "workflows"
    found = [unescape(m) for path in workflows.glob("*/*.bpmn")
             for m in re.findall(r"<bpmn:conditionExpression[^>]*>([^<]*)<", path.read_text())]
    assert len(found) > 10
    assert [c for c in found if not bounded.is_bounded(c)] == []
