"""Every bad request gets a 4xx JSON message naming the problem; nothing answers 500."""

from __future__ import annotations

import json

import pytest

from reward_service.api.models import MAX_ITEMS

GOOD_ITEM = {"response": r"</think> \boxed{1}", "answer": "1"}
CASES = [{"stdin": "", "stdout": "1"}]


def code(**tests) -> dict:
    return {"items": [{"response": "x", "tests": {"cases": CASES, **tests}}]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "items"),
        ({"items": []}, "items"),
        ({"items": [{"answer": "1"}]}, "items.0.response"),
        ({"items": [{"response": 5, "answer": "1"}]}, "items.0.response"),
        ({"items": [{"response": "x", "answer": ["1"]}]}, "items.0.answer"),
        ({"items": [{"response": "x", "task": "poetry"}]}, "items.0.task"),
        ({"items": [{"response": "x", "answr": "1"}]}, "items.0.answr"),
        ({"items": [GOOD_ITEM], "weights": {"style": 1.0}}, "weights.style"),
        ({"items": [GOOD_ITEM], "weights": {"accuracy": "high"}}, "weights.accuracy"),
        ({"items": [GOOD_ITEM], "weights": {"accuracy": 1e999}}, "weights.accuracy"),
        ({"items": [GOOD_ITEM], "extra": 1}, "extra"),
        ({"items": GOOD_ITEM}, "items"),
        ([GOOD_ITEM], "body"),
        (code(compare="fuzzy"), "items.0.tests.compare"),
        (code(compare={"float": {"abs": 2}}), "items.0.tests.compare.float.abs"),
        (code(compare={"float": {"rel": -1}}), "items.0.tests.compare.float.rel"),
        (code(compare={"floats": {}}), "items.0.tests.compare.floats"),
        (code(scoring="most"), "items.0.tests.scoring"),
    ],
    ids=[
        "no-items",
        "empty-items",
        "missing-response",
        "response-not-string",
        "answer-not-string",
        "unknown-task",
        "misspelt-field",
        "unknown-weight",
        "weight-not-number",
        "weight-infinite",
        "unknown-top-level-field",
        "items-not-a-list",
        "body-not-an-object",
        "unknown-compare",
        "float-abs-too-large",
        "float-rel-negative",
        "compare-misspelt",
        "unknown-scoring",
    ],
)
@pytest.mark.parametrize("endpoint", ["/v1/score", "/v1/accuracy"])
def test_invalid_requests_get_422_naming_the_field(client, endpoint, body, field):
    # json.dumps writes 1e999 as `Infinity`, which a lenient JSON parser would accept.
    headers = {"content-type": "application/json"}
    response = client.post(endpoint, content=json.dumps(body), headers=headers)
    assert response.status_code == 422
    assert f"{field}:" in response.json()["message"]


def test_malformed_json_is_422(client):
    response = client.post(
        "/v1/score", content=b'{"items": [', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "JSON" in response.json()["message"]


def test_too_many_items_is_413(client):
    response = client.post("/v1/score", json={"items": [GOOD_ITEM] * (MAX_ITEMS + 1)})
    assert response.status_code == 413
    assert response.json()["message"] == (
        f"too many items: at most {MAX_ITEMS} per request; split it"
    )
    query = {"query": ["</think> 1"] * (MAX_ITEMS + 1)}
    assert client.post("/get_reward", json=query).status_code == 413


def test_oversized_response_field_is_422(client):
    item = {"response": "x" * 1_000_001, "answer": "1"}
    response = client.post("/v1/score", json={"items": [item]})
    assert response.status_code == 422
    assert "items.0.response:" in response.json()["message"]


def test_wrong_method_and_unknown_path_answer_json(client):
    assert client.get("/v1/score").status_code == 405
    assert "message" in client.get("/v1/score").json()
    assert client.get("/nope").status_code == 404
    assert "message" in client.get("/nope").json()
