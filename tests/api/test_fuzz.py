"""The whole HTTP API fuzzed from its own OpenAPI schema (schemathesis): whatever arrives, the
answer is a 2xx or a 4xx that says why, never a 5xx, never a stack trace."""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


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


# Values at the edges of what a request may hold: strings at their size limits built from the
# characters the rules look for, JSON nested deeper than any parser recurses, integers past
# Python's int-string limit, NaN-like numbers and odd Unicode.
PIECES = [" ", "\\boxed{1}", "{", "[", "1", "1,", "$", "\u202e", "\x00", "\ud800", "NaN", "9" * 50]
sized_text = st.builds(
    lambda piece, size: (piece * (size // len(piece) + 1))[:size],
    st.sampled_from(PIECES),
    st.sampled_from([1, 4_300, 4_301, 16_384, 99_999]),
)
nested_json = st.integers(1, 100_000).map(lambda depth: "[" * depth + "]" * depth)
giant_number = st.sampled_from(["9" * 5_000, "-" + "1" * 4_301, "1e999999", "NaN", "-Infinity"])
hostile_text = st.one_of(st.text(max_size=50), sized_text, nested_json, giant_number)
math_item = st.fixed_dictionaries(
    {"response": hostile_text, "answer": hostile_text},
    optional={"format": st.sampled_from(["think", "think_answer"]), "id": hostile_text},
)
code_tests = st.one_of(
    st.fixed_dictionaries({"input_output": hostile_text}),
    st.fixed_dictionaries(
        {
            "test_cases": st.lists(
                st.fixed_dictionaries(
                    {
                        "input": hostile_text,
                        "output": hostile_text,
                        "testtype": st.sampled_from(["stdin", "functional"]),
                    }
                ),
                max_size=2,
            )
        }
    ),
)
code_item = st.fixed_dictionaries(
    {"response": hostile_text, "task": st.just("code"), "tests": code_tests}
)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(items=st.lists(st.one_of(math_item, code_item), min_size=1, max_size=4))
def test_hostile_values_get_item_outcomes_or_a_4xx_never_a_5xx(client, items):
    body = json.dumps({"items": items})  # \u escapes: lone surrogates travel too
    response = client.post(
        "/v1/score", content=body, headers={"content-type": "application/json"}, timeout=120
    )
    assert response.status_code < 500, response.text[:500]
    assert "Traceback" not in response.text
    if response.status_code == 200:
        assert len(response.json()["results"]) == len(items)
    else:
        assert response.json()["message"]


# Raw JSON: a client's json.dumps could write none of these numbers.
GIANT, DEEP = "9" * 5_000, "[" * 100_000 + "]" * 100_000
BOXED = '"\\\\boxed{1}"'


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/score", f'{{"items": [{{"response": {BOXED}, "answer": {GIANT}}}]}}'),
        ("/v1/score", '{"items": [{"response": "x", "answer": "1", "id": 1e999999}]}'),
        ("/v1/score", f'{{"items": [{{"response": "x"}}], "weights": {{"accuracy": {GIANT}}}}}'),
        (
            "/v1/score",
            '{"items": [{"group": "g", "response": "x", "answer": "1"}, {"group": "g", '
            '"response": "\\\\boxed{1}", "answer": "1"}], "weights": {"accuracy": 1e200}}',
        ),
        ("/get_reward", f'{{"query": [{BOXED}], "labels": [{GIANT}]}}'),
        ("/get_reward", f'{{"query": [{BOXED}], "labels": [NaN]}}'),
        ("/get_reward", f'{{"query": [{BOXED}], "labels": [1e999999]}}'),
        ("/get_reward", f'{{"query": ["x"], "labels": [{DEEP}]}}'),
    ],
    ids=[
        "giant-answer",
        "infinite-id",
        "giant-weight",
        "weight-overflowing-the-group",
        "giant-label",
        "nan-label",
        "infinite-label",
        "deep-label",
    ],
)
def test_numbers_no_parser_holds_and_deep_json_are_a_4xx_or_an_outcome(client, path, body):
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code < 500, response.text[:500]
    assert "Traceback" not in response.text


def test_a_lone_surrogate_in_test_data_is_a_422_naming_the_field(client):
    """Typed strings refuse one; inside `input_output`'s JSON it once reached the sandbox,
    which could not encode it, and the item came back unjudged (the service's fault)."""
    tests = {"input_output": json.dumps({"inputs": ["\ud800"], "outputs": ["x"]})}
    body = {"items": [{"response": "```python\nprint(1)\n```", "tests": tests}]}
    response = client.post(
        "/v1/score", content=json.dumps(body), headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text[:300]
    assert "items.0.tests.input_output" in response.text
    assert "lone surrogate" in response.text
