"""``business_key_variable`` in process_model.json: a case starts with its business key in that variable, so a
bundle can correlate a message from outside on it (scr's ``panel_response``); a value that is not a variable name
is refused at deploy."""
from __future__ import annotations

import json

import pytest

from engine.bundles import definitions
from engine.bundles.parsing import read_bundle_dir
from engine.errors import InvalidData
from engine.store.db import transaction
from tests.conftest import NOW


def _with_model(bundle_copy, **extra):
    folder = bundle_copy("agency_task")
    model = json.loads((folder / "process_model.json").read_text())
    (folder / "process_model.json").write_text(json.dumps({**model, **extra}))
    return folder


def test_a_case_starts_with_its_business_key_in_the_named_variable(factory, partnership, bundle_copy, cases):
    folder = _with_model(bundle_copy, business_key_variable="case_key")
    with transaction(factory) as s:
        definitions.deploy_bundle(s, "agency_task", read_bundle_dir(folder), actor="dee", now=NOW)
    given = cases.start("agency_task", data={"lead_agency": "police"}, business_key="SCR-2026-0042")
    generated = cases.start("agency_task", data={"lead_agency": "police", "case_key": "someone else's"})
    for case in (given, generated):
        row = cases.instance(case)
        assert row.data["case_key"] == row.business_key
    assert cases.instance(given).business_key == "SCR-2026-0042"


@pytest.mark.parametrize("bad", ["", "1st", "case key", 7, ["case_key"], "x" * 65], ids=repr)
def test_a_business_key_variable_that_is_not_a_variable_name_is_refused(factory, partnership, bundle_copy, bad):
    folder = _with_model(bundle_copy, business_key_variable=bad)
    with pytest.raises(InvalidData) as refused, transaction(factory) as s:
        definitions.deploy_bundle(s, "agency_task", read_bundle_dir(folder), actor="dee", now=NOW)
    assert [d["field"] for d in refused.value.details if d.get("field")] == ["business_key_variable"]
