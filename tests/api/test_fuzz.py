"""The whole HTTP API fuzzed from its own OpenAPI schema (schemathesis): whatever arrives, the
answer is a 2xx or a 4xx that says why, never a 5xx, never a stack trace."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings


@pytest.fixture(scope="module")
def api_schema(server):
    return schemathesis.openapi.from_url(server + "/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_gets_a_5xx_or_a_stack_trace(case):
    response = case.call(timeout=120)
    assert response.status_code < 500, (case.path, case.body, response.text[:500])
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    if response.status_code >= 400:
        assert response.json()["message"]
