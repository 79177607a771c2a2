"""/v1/score and /v1/accuracy over real HTTP against a running `reward-service serve`."""

from __future__ import annotations

import time

import pytest

from tests.conftest import SERVER_ITEM_TIMEOUT_S

RIGHT = r"<think>6 times 7 is 42.</think> The answer is $\boxed{42}$."
WRONG = r"<think>6 times 7 is 41?</think> The answer is $\boxed{41}$."


def item(response: str = RIGHT, **fields) -> dict:
    return {"response": response, "answer": "42", **fields}


def test_a_group_gets_rewards_advantages_and_statistics(client):
    body = {
        "items": [
            item(id="q1-0", group="q1"),
            item(WRONG, id="q1-1", group="q1"),
            item(id="q1-2", group="q1"),
            item(WRONG, id="q1-3", group="q1"),
        ]
    }
    response = client.post("/v1/score", json=body)
    assert response.status_code == 200
    data = response.json()
    assert [r["id"] for r in data["results"]] == ["q1-0", "q1-1", "q1-2", "q1-3"]
    assert [r["reward"] for r in data["results"]] == [1.0, 0.0, 1.0, 0.0]
    unit = 0.5 / (0.5 + 1e-6)  # (r - mean) / (std + eps), population std, eps 1e-6
    assert [r["advantage"] for r in data["results"]] == [unit, -unit, unit, -unit]
    assert data["groups"] == {"q1": {"mean": 0.5, "std": 0.5, "n": 4}}
    first, second = data["results"][:2]
    assert first["scores"] == {"accuracy": 1.0, "format": None, "language": None}
    assert first["details"] == {"extracted": "42", "reason": None, "status": "scored"}
    assert second["details"] == {"extracted": "41", "reason": "wrong_answer", "status": "scored"}


def test_items_without_group_get_no_advantage(client):
    data = client.post("/v1/score", json={"items": [item()]}).json()
    assert data["results"][0]["advantage"] is None
    assert data["groups"] == {}


def test_an_all_equal_group_has_zero_advantages(client):
    body = {"items": [item(group="g"), item(group="g")]}
    data = client.post("/v1/score", json=body).json()
    assert [r["advantage"] for r in data["results"]] == [0.0, 0.0]
    assert data["groups"]["g"]["std"] == 0.0


def test_weights_scale_the_reward(client):
    body = {"items": [item()], "weights": {"accuracy": 0.5}}
    assert client.post("/v1/score", json=body).json()["results"][0]["reward"] == 0.5


def test_accuracy_endpoint_scores_only_accuracy(client):
    data = client.post("/v1/accuracy", json={"items": [item(), item(WRONG)]}).json()
    assert [r["scores"]["accuracy"] for r in data["results"]] == [1.0, 0.0]


def test_missing_reference_is_null_with_a_reason_and_left_out_of_the_group(client):
    body = {
        "items": [
            {"response": RIGHT, "task": "math", "group": "g"},
            item(group="g"),
            item(WRONG, group="g"),
        ]
    }
    data = client.post("/v1/score", json=body).json()
    missing = data["results"][0]
    assert missing["scores"]["accuracy"] is None
    assert missing["reward"] is None and missing["advantage"] is None
    assert missing["details"]["reason"] == "no_reference"
    assert missing["details"]["status"] == "unjudged"
    assert data["groups"]["g"]["n"] == 2


def test_unparseable_reference_is_null_not_a_free_reward(client):
    body = {"items": [{"response": RIGHT, "answer": r"\frac{"}]}
    result = client.post("/v1/score", json=body).json()["results"][0]
    assert result["scores"]["accuracy"] is None
    assert result["details"]["reason"] == "bad_reference"


def test_a_pathological_answer_times_out_without_stalling_the_batch(client):
    bomb = r"<think>big</think> \boxed{9^{9^{9^{99}}}}"
    body = {"items": [item(bomb, id="bomb")] + [item(id=str(i)) for i in range(20)]}
    started = time.monotonic()
    data = client.post("/v1/score", json=body).json()
    elapsed = time.monotonic() - started
    bomb_result = data["results"][0]
    assert bomb_result["scores"]["accuracy"] == 0.0
    assert bomb_result["details"]["reason"] == "timeout"
    assert all(r["scores"]["accuracy"] == 1.0 for r in data["results"][1:])
    assert elapsed < SERVER_ITEM_TIMEOUT_S + 3


def test_a_200kB_answer_is_refused_quickly(client):
    huge = r"<think>long</think> \boxed{" + "1+" * 100_000 + "1}"
    started = time.monotonic()
    result = client.post("/v1/score", json={"items": [item(huge)]}).json()["results"][0]
    assert result["details"]["reason"] == "answer_too_long"
    assert time.monotonic() - started < 2


@pytest.mark.slow
def test_a_batch_of_2048_items_is_answered_without_error(client):
    answers = ["42", r"\frac{1}{2}", "x = 3", r"\{1, 2\}", r"30^\circ", "1,000"]

    def response(i: int) -> str:
        if i % 3:
            return f"<think>step {i}</think> So it is $\\boxed{{{answers[i % len(answers)]}}}$."
        return f"<think>step {i}</think> I think it is \\boxed{{-{i + 7}}}."

    items = [
        {"id": str(i), "group": f"q{i // 16}", "answer": answers[i % 6], "response": response(i)}
        for i in range(2048)
    ]
    reply = client.post("/v1/score", json={"items": items})
    assert reply.status_code == 200
    results = reply.json()["results"]
    assert len(results) == 2048
    assert [r["id"] for r in results] == [str(i) for i in range(2048)]
    assert all(r["details"]["status"] == "scored" for r in results)
    assert all(r["scores"]["accuracy"] == (1.0 if i % 3 else 0.0) for i, r in enumerate(results))
