"""Item 10: find the rest of the bad-input class with schemathesis against ``/api/v1/openapi.json``.

Reproduction: the probe found 500s for deep JSON, lone surrogates, huge offsets, ids and versions and far dates
by hand. Here schemathesis generates valid and invalid requests (positive and negative modes) for every operation
in the document, sends them in-process to the app (WSGI) with a signed-in coordinator's token, and checks every
answer: never a 5xx, a status code the document lists, its content type, and a body matching the document's
schema for that status. It runs on SQLite and, when ``LIF_TEST_POSTGRES_URL`` is set, on PostgreSQL. Examples
are bounded per operation, derandomized and not shrunk, so a run is stable and quick; every operation is tried
and all failures are reported together.

(schemathesis' pytest integration, ``schemathesis.pytest.from_fixture``, does not run under pytest 9: it reads
``request.node._nodeid``, which pytest 9 removed; so the operations are driven with Hypothesis here.)
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [pytest.mark.postgres,  # runs on PostgreSQL as well, when it is configured
              pytest.mark.slow]  # schemathesis over every operation: CI's slower stage (make test-ci)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 100  # per operation; under a minute for the whole document on each database
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


def _fuzz(operation, headers):
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                         operation.as_strategy(GenerationMode.NEGATIVE))

    @SETTINGS
    @given(case=strategy)
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_every_operation_answers_what_the_document_says_and_never_5xx(app, api):
    api.deploy("simple_review")  # so lists and reads have rows to answer with
    api.start("simple_review", business_key="FUZZ-1")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:
        try:
            _fuzz(operation, api.headers("cora"))
        except (Exception, BaseExceptionGroup) as exc:  # report every operation that fails, not only the first
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)
