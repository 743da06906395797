"""Bundle values that made the server count, parse or compile without bound, or answer 500 (issue 9, items 1, 3
and 10, as a review found them).

Reproductions:
- a timer ``P100000Y`` took 1.23 s to deploy-check and start; ``P99999999Y`` or a cycle ``R1/P99999999Y`` would
  take about 20 minutes (SpiffWorkflow counts a duration month by month, and a cycle is evaluated at deploy);
- ``dueIn=2000000WD`` took 5.7 s on each task creation (``add_working_days`` walks a day at a time, and scripts
  can call it); ``99999999WD`` raised OverflowError and ``P99999999Y`` ValueError: task creation answered 500;
- a DMN input cell of ``"`` + 20,000 ``?`` + ``"`` took 13 s (SpiffWorkflow's ``?`` rewrite is quadratic);
- a condition ``1+1+...`` of 5,000 terms raised RecursionError at deploy: 500;
- a priority ``²`` (``"²".isdigit()`` is true, ``int("²")`` raises) or of 5,000 digits: 500.

The class: every timer kind (duration, cycle, date), as a literal, a quoted literal and an expression evaluated at
run time; ``dueIn`` in working days and on the calendar, counted from creation or from a ``dueFrom`` date in
case data; every kind of DMN cell; expressions too deep to compile wherever a bundle holds one; every number,
date or period a bundle gives (priority, reminders, ``repeat_every``, process_model.json's names). At deploy each
answers 422 naming the file and element, never 500; at run time the case goes into ``error`` or the deadline is
refused, quickly.
"""
from __future__ import annotations

import json
import time
from datetime import date

import pytest

from engine import workdays
from engine.sandbox.bounded import is_bounded
from engine.sandbox.scripting import check_source
from tests.api.api_kit import bundle_files, check_error

from .sandbox_kit import bundle as runaway_bundle

DEEP = {
    "a sum of 5,000 terms": "+".join(["1"] * 5000),
    "5,000 unary minuses": "-" * 5000 + "1",
    "5,000 attribute lookups": "x" + ".a" * 5000,
    "5,000 calls": "f" + "()" * 5000,
    "5,000 subscripts": "x" + "[0]" * 5000,
    "2,000 lambdas": "lambda: " * 2000 + "1",
}


def _deploy(api, key, files):
    return api.post("/process-definitions", "dee", {"key": key, "files": files})


def _refused(response, file, element, *words):
    """422 with one problem in ``file`` at ``element`` whose message holds ``words``."""
    error = check_error(response, 422)
    found = [d for d in error["details"] if d["file"] == file and d["element"] == element]
    assert found, error["details"]
    assert all(w in found[0]["message"] for w in words), found[0]
    return found[0]["message"]


def _with(name, replace, file=None):
    files = bundle_files(name)
    file = file or f"{name}.bpmn"
    for old, new in replace.items():
        assert old in files[file], old
        files[file] = files[file].replace(old, new)
    return files


def _timer(tag, value):
    """The intermediate_timer bundle with its ``P2D`` duration replaced by ``<tag>value</tag>``."""
    return _with("intermediate_timer", {"<bpmn:timeDuration>P2D</bpmn:timeDuration>":
                                        f"<bpmn:{tag}>{value}</bpmn:{tag}>"})


# --- timers at deploy ---------------------------------------------------------------------------------------------

TIMERS_BEYOND = [
    ("timeDuration", "P101Y"), ("timeDuration", "P100000Y"), ("timeDuration", "P99999999Y"),
    ("timeDuration", "P1300M"), ("timeDuration", "P5300W"), ("timeDuration", "P40000D"),
    ("timeDuration", "PT1000000H"), ("timeDuration", "PT99999999999999S"), ("timeDuration", '"P99999999Y"'),
    ("timeDuration", "P" + "9" * 5000 + "D"),
    ("timeCycle", "R1/P99999999Y"), ("timeCycle", "R1/P101Y"), ("timeCycle", "R1001/PT1H"),
    ("timeCycle", "R99999999999999999999/PT1H"), ("timeCycle", "R3/2026-01-01T00:00:00Z/P99999999Y"),
    ("timeCycle", "R3/1800-01-01T00:00:00Z/P1D"), ("timeCycle", '"R1/P99999999Y"'),
    ("timeDate", "1899-12-31T23:59:59Z"), ("timeDate", "2201-01-01T00:00:00Z"), ("timeDate", "0001-01-01T00:00:00Z"),
    ("timeDate", "9999-12-31T23:59:59Z"), ("timeDate", '"9999-12-31T23:59:59Z"'),
]


@pytest.mark.parametrize("tag,value", TIMERS_BEYOND, ids=lambda v: v[:40])
def test_a_timer_beyond_the_bounds_is_refused_at_deploy_naming_it(api, tag, value):
    _refused(_deploy(api, "intermediate_timer", _timer(tag, value)), "intermediate_timer.bpmn",
             "cooling_off_timer", "refused")


@pytest.mark.parametrize("tag,value", [("timeDuration", "P100Y"), ("timeDuration", "P1200M"),
                                       ("timeCycle", "R1000/PT1H"), ("timeCycle", "R/P1D"),
                                       ("timeDate", "1900-01-01T00:00:00Z"), ("timeDate", "2200-12-31T00:00:00Z")])
def test_a_timer_within_the_bounds_deploys(api, tag, value):
    assert _deploy(api, "intermediate_timer", _timer(tag, value)).status_code in (200, 201)


@pytest.mark.timing
@pytest.mark.parametrize("tag,value", [("timeCycle", "R1/P99999999Y"), ("timeDuration", "P99999999Y")])
def test_refusing_a_huge_timer_is_quick(api, tag, value):
    started = time.monotonic()
    check_error(_deploy(api, "intermediate_timer", _timer(tag, value)), 422)
    assert time.monotonic() - started < 1.0


# --- timers whose value an expression gives at run time -----------------------------------------------------------

@pytest.mark.parametrize("tag,value", [
    ("timeDuration", "P101Y"), ("timeDuration", "P100000Y"), ("timeDuration", "P99999999Y"),
    ("timeDuration", "P" + "9" * 5000 + "Y"), ("timeCycle", "R1/P99999999Y"), ("timeCycle", "R5000/PT1H"),
    ("timeDate", "9999-12-31T00:00:00Z"), ("timeDate", "0001-01-01T00:00:00"),
], ids=lambda v: v[:40])
def test_a_timer_value_from_case_data_beyond_the_bounds_puts_the_case_into_error(api, tag, value):
    api.deploy("intermediate_timer", files=_timer(tag, "period"))
    started = time.monotonic()
    case = api.start("intermediate_timer", {"period": value})
    assert time.monotonic() - started < 5  # generous: a step, not twenty minutes of month counting
    assert case["status"] == "error", case
    assert "cooling_off" in json.dumps(case["error"]), case["error"]


@pytest.mark.parametrize("name,literal,value,element", [
    ("boundary_timer", "<bpmn:timeDuration>P2D</bpmn:timeDuration>", "P99999999Y", "deadline"),
    ("cycle_ack", "<bpmn:timeCycle>R5/PT1H</bpmn:timeCycle>", "R1/P99999999Y", "tick"),
    ("cycle_ack", "<bpmn:timeCycle>R5/PT1H</bpmn:timeCycle>", "R99999/PT1H", "tick"),
    ("date_timer", "<bpmn:timeDate>2026-12-24T12:00:00Z</bpmn:timeDate>", "2201-01-01T00:00:00Z", "publication"),
])
def test_boundary_and_date_timers_from_case_data_beyond_the_bounds_put_the_case_into_error(
        api, name, literal, value, element):
    tag = literal[1:literal.index(">")]
    api.deploy(name, files=_with(name, {literal: f"<{tag}>period</{tag}>"}))
    case = api.start(name, {"period": value})
    assert case["status"] == "error", case
    assert element in json.dumps(case["error"]) and "refused" in json.dumps(case["error"]), case["error"]


def test_a_timer_value_from_case_data_within_the_bounds_waits(api):
    api.deploy("intermediate_timer", files=_timer("timeDuration", "period"))
    case = api.start("intermediate_timer", {"period": "P99Y"})
    assert case["status"] == "active", case


# --- dueIn and working days -------------------------------------------------------------------------------------

@pytest.mark.parametrize("due_in", ["10001WD", "2000000WD", "99999999WD", "9" * 5000 + "WD", "P101Y", "P99999999Y",
                                    "P5300W", "P1300M", "P" + "9" * 5000 + "D", "١٥WD", "P²D"])
def test_a_due_in_beyond_the_bounds_is_refused_at_deploy_naming_the_task(api, due_in):
    files = _with("deadlines", {'name="dueIn" value="P21D"': f'name="dueIn" value="{due_in}"'})
    _refused(_deploy(api, "deadlines", files), "deadlines.bpmn", "calendar_days", "dueIn")


@pytest.mark.parametrize("due_in", ["10000WD", "P100Y"])
def test_a_due_in_within_the_bounds_deploys(api, due_in):
    files = _with("deadlines", {'name="dueIn" value="P21D"': f'name="dueIn" value="{due_in}"'})
    assert _deploy(api, "deadlines", files).status_code in (200, 201)


@pytest.mark.parametrize("due_in", ["15WD", "P1Y", "PT1H"])
@pytest.mark.parametrize("notified_on", ["9999-12-31", "9999-12-31T23:00:00+00:00", "0001-01-01T00:00:00+14:00"])
def test_a_due_from_date_at_the_end_of_the_calendar_refuses_the_deadline_not_the_start(api, due_in, notified_on):
    """``dueFrom`` names case data, which may hold any date: the deadline is refused (none is set), as for a
    date that is not one, and the task is created."""
    files = _with("deadlines", {'value="15WD"/>\n          <spiffworkflow:property name="dueFrom"':
                                f'value="{due_in}"/>\n          <spiffworkflow:property name="dueFrom"'})
    api.deploy("deadlines", files=files)
    case = api.start("deadlines", {"notified_on": notified_on})
    assert case["status"] == "active"
    task = api.ready(case, "from_notification")[0]
    assert task["due_at"] is None


def test_add_working_days_refuses_counts_beyond_the_bound():
    assert workdays.add_working_days(date(2026, 1, 1), workdays.MAX_WORKING_DAYS) > \
        date(2060, 1, 1)
    for count in (workdays.MAX_WORKING_DAYS + 1, -workdays.MAX_WORKING_DAYS - 1, 3 * 10**6, 10**100):
        with pytest.raises(ValueError, match="working days"):
            workdays.add_working_days(date(2026, 1, 1), count)


@pytest.mark.timing
def test_a_script_asking_for_millions_of_working_days_fails_its_case_quickly(api):
    api.post("/process-definitions", "dee", {"key": "runaway", "files": runaway_bundle(
        script="prepared = add_working_days('2026-01-01', 3 * 10**6) > ''")})
    started = time.monotonic()
    case = api.start("runaway")
    assert time.monotonic() - started < 1.0
    assert case["status"] == "error" and "10000" in json.dumps(case["error"]), case


# --- DMN cells --------------------------------------------------------------------------------------------------

DMN_CELLS = {  # the cell's text in grade.dmn: its element id, and the place the message names
    "inputEntry": ("<text>&lt; 3</text>", "r_low_a", "decision table 'grade_table', rule 'r_low'"),
    "outputEntry": ('<text>"low"</text>', "r_low_o", "decision table 'grade_table', rule 'r_low'"),
    "inputExpression": ("<text>score</text>", "ie_score", "decision table 'grade_table', input 'in_score'"),
}
BIG_CELLS = {
    "1,001 characters": '"' + "a" * 999 + '"',
    "21 question marks": '"' + "?" * 21 + '"',
    "20,000 question marks": '"' + "?" * 20_000 + '"',
    "21 question marks outside quotes": " and ".join(["? > 0"] * 21),
    "a long sum": "+".join(["1"] * 600),
}


@pytest.mark.parametrize("kind", sorted(DMN_CELLS))
@pytest.mark.parametrize("cell", sorted(BIG_CELLS))
def test_a_dmn_cell_too_long_or_with_too_many_question_marks_is_refused_naming_table_and_rule(api, kind, cell):
    old, element, place = DMN_CELLS[kind]
    value = BIG_CELLS[cell].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    files = _with("dmn_unique", {old: f"<text>{value}</text>"}, file="grade.dmn")
    message = _refused(_deploy(api, "dmn_unique", files), "grade.dmn", element, place, kind)
    assert "1000 characters" in message or "20 question marks" in message


@pytest.mark.timing
def test_refusing_a_cell_of_20000_question_marks_is_quick(api):
    files = _with("dmn_unique", {"<text>&lt; 3</text>": '<text>"' + "?" * 20_000 + '"</text>'}, file="grade.dmn")
    started = time.monotonic()
    check_error(_deploy(api, "dmn_unique", files), 422)
    assert time.monotonic() - started < 1.0


def test_dmn_cells_at_the_bounds_deploy(api):
    files = _with("dmn_unique", {'<text>"low"</text>': '<text>"' + "?" * 20 + "a" * 978 + '"</text>'},
                  file="grade.dmn")
    assert _deploy(api, "dmn_unique", files).status_code in (200, 201)


# --- expressions too deep to compile ------------------------------------------------------------------------------

@pytest.mark.parametrize("source", sorted(DEEP))
def test_an_expression_too_deep_to_compile_is_a_policy_reason_not_an_exception(source):
    for mode in ("eval", "exec"):
        assert "nested too deeply" in check_source(DEEP[source], mode)
    assert is_bounded(DEEP[source]) is False
    assert "null bytes" in check_source("x\x00", "eval")


@pytest.mark.parametrize("source", sorted(DEEP))
@pytest.mark.parametrize("where", ["condition", "script"])
def test_an_expression_too_deep_to_compile_is_refused_at_deploy(api, source, where):
    files = runaway_bundle(**{where: DEEP[source]})
    element = "f_yes" if where == "condition" else "prepare"
    _refused(_deploy(api, "runaway", files), "runaway.bpmn", element, "nested too deeply")


@pytest.mark.parametrize("source", sorted(DEEP))
def test_a_timer_or_dmn_expression_too_deep_to_compile_is_refused_at_deploy(api, source):
    _refused(_deploy(api, "intermediate_timer", _timer("timeDuration", DEEP[source])), "intermediate_timer.bpmn",
             "cooling_off_timer", "nested too deeply")
    if len(DEEP[source]) <= 1000:
        return
    files = _with("dmn_unique", {'<text>"low"</text>': f"<text>{DEEP[source]}</text>"}, file="grade.dmn")
    _refused(_deploy(api, "dmn_unique", files), "grade.dmn", "r_low_o", "1000 characters")


# --- numbers and periods a bundle gives ---------------------------------------------------------------------------

@pytest.mark.parametrize("priority", ["²", "٣", "9" * 5000, "0", "6", "-1", "3.0", "+3", "1e0"])
def test_a_priority_that_is_not_1_to_5_in_ascii_digits_is_refused_naming_the_task(api, priority):
    files = _with("deadlines", {'<spiffworkflow:property name="dueIn" value="P21D"/>':
                                f'<spiffworkflow:property name="dueIn" value="P21D"/>'
                                f'<spiffworkflow:property name="priority" value="{priority}"/>'})
    _refused(_deploy(api, "deadlines", files), "deadlines.bpmn", "calendar_days", "priority")


@pytest.mark.parametrize("ladder", ["-" + "9" * 5000, "+99999w", "-7,²", "١,2", "0,1,+" + "7" * 5 + "w"])
def test_a_reminder_ladder_with_huge_or_non_ascii_steps_is_refused_naming_the_task(api, ladder):
    files = _with("deadlines", {'<spiffworkflow:property name="dueIn" value="P21D"/>':
                                f'<spiffworkflow:property name="dueIn" value="P21D"/>'
                                f'<spiffworkflow:property name="reminders" value="{ladder}"/>'})
    _refused(_deploy(api, "deadlines", files), "deadlines.bpmn", "calendar_days", "reminders")


@pytest.mark.parametrize("field,value", [
    ("repeat_every", "P99999999Y"), ("repeat_every", "99999999WD"), ("repeat_every", "P101Y"),
    ("repeat_every", "P" + "9" * 5000 + "D"), ("repeat_every", 5), ("repeat_every", "every week"),
    ("primary_file_name", ["intermediate_timer.bpmn"]), ("primary_process_id", {"a": 1}),
    ("display_name", {"a": 1}), ("description", 5),
])
def test_process_model_fields_of_the_wrong_kind_or_beyond_the_bounds_are_refused(api, field, value):
    files = bundle_files("intermediate_timer")
    files["process_model.json"] = json.dumps({**json.loads(files["process_model.json"]), field: value})
    error = check_error(_deploy(api, "intermediate_timer", files), 422)
    assert [d["field"] for d in error["details"]] == [field], error["details"]


def test_a_repeat_every_within_the_bounds_deploys(api):
    files = bundle_files("intermediate_timer")
    files["process_model.json"] = json.dumps({**json.loads(files["process_model.json"]), "repeat_every": "P2Y"})
    assert _deploy(api, "intermediate_timer", files).status_code in (200, 201)


# --- multi-instance loop cardinality --------------------------------------------------------------------------------

def _cardinality(value):
    return _with("multi_instance", {"<bpmn:loopDataInputRef>agencies</bpmn:loopDataInputRef>":
                                    f"<bpmn:loopCardinality>{value}</bpmn:loopCardinality>"})


@pytest.mark.parametrize("literal", ["1001", "99999999999", "9" * 5000])
def test_a_literal_loop_cardinality_beyond_the_bound_is_refused_at_deploy(api, literal):
    _refused(_deploy(api, "multi_instance", _cardinality(literal)), "multi_instance.bpmn", "agency_return",
             "loopCardinality")


@pytest.mark.parametrize("count", [1001, 10**6, 10**12, -1, "3", 2.5])
def test_a_loop_cardinality_from_case_data_beyond_the_bound_puts_the_case_into_error(api, count):
    """Reproduction: SpiffWorkflow makes a parallel multi-instance task's children at once, in the server."""
    api.deploy("multi_instance", files=_cardinality("count"))
    started = time.monotonic()
    case = api.start("multi_instance", {"count": count})
    assert time.monotonic() - started < 5
    assert case["status"] == "error" and "loop cardinality" in json.dumps(case["error"]), case


def test_a_loop_cardinality_within_the_bound_makes_its_tasks(api):
    api.deploy("multi_instance", files=_cardinality("count"))
    case = api.start("multi_instance", {"count": 3})
    assert case["status"] == "active" and len(api.ready(case, "agency_return")) == 3


# --- how often a cycle may fire (second review) -----------------------------------------------------------------
# ``R/PT0S`` on a boundary timer gained the case two tasks on every sweep, forever; ``repeat_every: PT0S`` would
# start a case on every sweep.

@pytest.mark.parametrize("cycle", ["R/PT0S", "R3/PT1S", "R5/PT59M", "R/PT1H", "R/PT23H", "R/2026-01-01T00:00:00Z/PT1S"])
def test_a_cycle_that_fires_too_often_is_refused_at_deploy(api, cycle):
    files = _with("cycle_ack", {"<bpmn:timeCycle>R5/PT1H</bpmn:timeCycle>":
                                f"<bpmn:timeCycle>{cycle}</bpmn:timeCycle>"})
    _refused(_deploy(api, "cycle_ack", files), "cycle_ack.bpmn", "tick_def", "more often")


@pytest.mark.parametrize("cycle", ["R5/PT1H", "R/P1D", "R/P1W"])
def test_a_cycle_within_the_bounds_deploys(api, cycle):
    files = _with("cycle_ack", {"<bpmn:timeCycle>R5/PT1H</bpmn:timeCycle>":
                                f"<bpmn:timeCycle>{cycle}</bpmn:timeCycle>"})
    assert _deploy(api, "cycle_ack", files).status_code in (200, 201)


def test_a_cycle_from_case_data_that_fires_too_often_puts_the_case_into_error(api):
    api.deploy("cycle_ack", files=_with("cycle_ack", {"<bpmn:timeCycle>R5/PT1H</bpmn:timeCycle>":
                                                     "<bpmn:timeCycle>period</bpmn:timeCycle>"}))
    case = api.start("cycle_ack", {"period": "R/PT0S"})
    assert case["status"] == "error", case
    assert "more often" in json.dumps(case["error"]), case["error"]


@pytest.mark.parametrize("period", ["PT0S", "PT1H", "PT23H59M", "0WD"])
def test_a_process_that_would_start_itself_more_than_daily_is_refused(api, period):
    files = bundle_files("intermediate_timer")
    files["process_model.json"] = json.dumps({**json.loads(files["process_model.json"]), "repeat_every": period})
    error = check_error(_deploy(api, "intermediate_timer", files), 422)
    assert [d["field"] for d in error["details"]] == ["repeat_every"], error["details"]
