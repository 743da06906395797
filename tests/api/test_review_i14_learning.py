"""Review of issue 14: a date the server cannot count from is a 400 naming it, never a 500."""
from __future__ import annotations

import pytest

from .test_api_learning import seeded  # noqa: F401


@pytest.mark.parametrize("params", [{"to": "9999-12-31"}, {"from": "0001-01-01"}])
def test_a_date_out_of_range_on_the_learning_log_is_400(client, auth, seeded, params):  # noqa: F811
    answer = client.get("/api/v1/learning-log", headers=auth("cora"), query_string=params)
    assert answer.status_code == 400, answer.get_data(as_text=True)[:300]
    assert answer.json["error"]["details"]["parameter"] == next(iter(params))
