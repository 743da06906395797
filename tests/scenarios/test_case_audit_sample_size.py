"""case_audit: the coordinator chooses the sample size within the bundle's range (8 to 12, held as the bundle's
data in ``init_audit`` and read by the set-up form): 7 and 13 are refused with a message naming the bound, 8 and
12 are drawn."""
from __future__ import annotations

import pytest

from demo import form_data
from engine.errors import InvalidData
from engine.store.db import transaction
from engine.work import tasks

from .scenarios_kit import PEOPLE


def _set_up(run, size):
    case = run.start("case_audit")
    task = run.task(case, "set_audit")
    data = form_data("case_audit", "set_audit", run.shown(task), PEOPLE, run.today, doer="cora", sample_size=size,
                     sample_seed=4242)
    with transaction(run.factory) as s:
        tasks.complete_task(s, task.id, data, actor=PEOPLE.actor("cora"), now=run.now)
    return case


@pytest.mark.parametrize("size, keyword, bound", [(7, "minimum", 8), (13, "maximum", 12)])
def test_a_sample_outside_the_range_is_refused_naming_the_bound(run, size, keyword, bound):
    with pytest.raises(InvalidData) as refused:
        _set_up(run, size)
    (problem,) = [d for d in refused.value.details if d["field"] == "sample_size"]
    assert (problem["keyword"], problem["expected"]) == (keyword, bound)
    assert str(bound) in problem["message"] and str(size) in problem["message"]


@pytest.mark.parametrize("size", [8, 12])
def test_a_sample_at_either_end_of_the_range_is_drawn(run, size):
    case = _set_up(run, size)
    data = run.instance(case).data
    assert data["sample_size_used"] == size and len(data["sample_refs"]) == size
    assert data["sample_size_range"] == {"min": 8, "max": 12, "default": 10}


def test_the_form_states_the_range_from_the_bundle_s_data(run):
    case = run.start("case_audit")
    task = run.task(case, "set_audit")
    from engine.reads import task_forms
    with transaction(run.factory) as s:
        schema = task_forms.task_form(s, task.id, actor=PEOPLE.actor("cora")).schema
    size = schema["properties"]["sample_size"]
    assert (size["minimum"], size["maximum"], size["default"]) == (8, 12, 10)
    assert size["description"] == "How many cases to audit: from 8 to 12."
    assert schema["properties"]["cohort"]["minItems"] == 8
