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


@pytest.mark.parametrize("padding", [0, 1 << 20], ids=["small", "large"])
def test_a_body_that_is_not_utf8_is_422_saying_so(client, padding):
    body = b'{"items": [{"response": "' + b" " * padding + b'\xff\xfe", "answer": "1"}]}'
    response = client.post("/v1/score", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["message"] == (
        "invalid request: body: not valid UTF-8 (invalid start byte); send JSON as UTF-8"
    )


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


@pytest.mark.parametrize(
    ("endpoint", "body", "says"),
    [
        (
            "/v1/score",
            {"items": [GOOD_ITEM, {"response": "x"}]},
            "items.1: asks for no score here; give it an `answer` or `tests` or a `format` or a "
            "`language`",
        ),
        ("/v1/score", {"items": [{"response": "x", "task": "none"}]}, "items.0: asks for no"),
        (
            "/v1/format",
            {"items": [GOOD_ITEM]},
            "items.0: asks for no score here; give it a `format`",
        ),
        ("/v1/language", {"items": [{**GOOD_ITEM, "format": "think"}]}, "give it a `language`"),
        ("/v1/accuracy", {"items": [{"response": "x", "format": "think"}]}, "items.0: asks for no"),
        (
            "/v1/score",
            {"items": [GOOD_ITEM], "weights": {"format": 0.5}},
            "weights.format: no item asks for format; give the items a `format`",
        ),
        (
            "/v1/accuracy",
            {"items": [{**GOOD_ITEM, "language": "en"}], "weights": {"language": 1}},
            "weights.language: no item asks for language",
        ),
    ],
    ids=[
        "item-without-reference",
        "task-none",
        "format-endpoint",
        "language-endpoint",
        "accuracy-endpoint",
        "format-weight",
        "weight-not-scored-here",
    ],
)
def test_nothing_asked_for_is_a_422_saying_what_to_add(client, endpoint, body, says):
    """DESIGN: an item that asks for no score, or a weight for a score no item asks for, would
    leave the reward silently short of what the caller meant."""
    response = client.post(endpoint, json=body)
    assert response.status_code == 422
    assert says in response.json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"items": [GOOD_ITEM], "weights": {"format": 0.0, "language": 0}},
        {"items": [{"response": "x", "format": "think"}], "weights": {"accuracy": 1.0}},
        {"items": [{"response": "x", "format": "think"}, GOOD_ITEM], "weights": {"format": 0.5}},
        {"items": [{"response": "x", "task": "none", "language": "en"}]},
    ],
    ids=[
        "zero-weights-for-unasked",
        "default-weight-for-unasked",
        "asked-by-one-item",
        "language-only",
    ],
)
def test_what_is_asked_somewhere_is_scored(client, body):
    assert client.post("/v1/score", json=body).status_code == 200


def test_openrlhf_format_weight_without_format_is_422(client):
    body = {"query": [r"\boxed{1}"], "labels": ["1"]}
    response = client.post("/get_reward?format_weight=0.5", json=body)
    assert response.status_code == 422
    assert "format_weight without format" in response.json()["message"]


@pytest.mark.parametrize(
    ("endpoint", "content", "says"),
    [
        (
            "/get_reward",
            b'{"query": ["x"], "labels": [' + b"9" * 5_000 + b"]}",
            "digits; send it as a string",
        ),
        ("/v1/score", b'{"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
        # Large bodies are parsed in turns (`json_in_turns`): the same answers.
        (
            "/get_reward",
            b" " * 300_000 + b'{"query": ["x"], "labels": [' + b"9" * 5_000 + b"]}",
            "digits; send it as a string",
        ),
        ("/v1/score", b'{"items": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", "nested too deeply"),
        (
            "/v1/score",
            b'{"items": [], "weights": {"format": 0.' + b"1" * 300_000 + b"}}",
            "characters; send it as a string",
        ),
    ],
    ids=["giant-number", "deep-nesting", "large-giant-number", "large-deep-nesting", "long-number"],
)
def test_json_past_pythons_limits_is_a_422_saying_why(client, endpoint, content, says):
    headers = {"content-type": "application/json"}
    response = client.post(endpoint, content=content, headers=headers)
    assert response.status_code == 422, response.text
    assert says in response.json()["message"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_body_not_in_utf8_is_a_415(client, encoding):
    """Its JSON values cannot be counted by their bytes: in UTF-16, 4.6 million of them got
    past the bound of 250,000 and held the event loop 5 s."""
    content = json.dumps({"items": [{"response": "\\boxed{1}", "answer": "1"}]}).encode(encoding)
    response = client.post(
        "/v1/score", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 415
    assert "send JSON as UTF-8" in response.json()["message"]
