"""`POST /get_reward` against a live service, with the bodies OpenRLHF sends.

OpenRLHF v0.11.0 (`openrlhf/utils/agent.py`, `_fetch_rewards_via_http`) posts one sample per
request: `{"query": [prompt + response decoded with special tokens], "prompts": [prompt],
"labels": [label]}`, and reads `rewards`, `scores` and `extra_logs`.
"""

from __future__ import annotations

import pytest

from reward_service.api.routes.openrlhf import response_text

PROMPT = "<|im_start|>user\nWhat is 12 * 6? Box the answer.<|im_end|>\n<|im_start|>assistant\n"
RIGHT = "<think>12 * 6 = 72</think> The answer is \\boxed{72}.<|im_end|>"
WRONG = "<think>12 * 5 = 60</think> The answer is \\boxed{60}.<|im_end|>"
THINK_ONLY = "<think>So \\boxed{72}.</think> I give up.<|im_end|>"
# The prompt's own example answer must never be taken for the response's.
BOXED_PROMPT = "Example: \\boxed{72}. What is 12 * 5?\n"


def test_one_sample_as_openrlhf_sends_it(client):
    body = {"query": [PROMPT + RIGHT], "prompts": [PROMPT], "labels": ["72"]}
    answer = client.post("/get_reward", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "rewards": [1.0],
        "scores": [1.0],
        "extra_logs": {"accuracy": [1.0], "unjudged": [0.0]},
    }


def test_batch_strips_prompts_and_counts_unjudged(client):
    queries = [
        PROMPT + RIGHT,
        PROMPT + WRONG,
        PROMPT + THINK_ONLY,
        BOXED_PROMPT + "No idea.",
        PROMPT + RIGHT,
    ]
    body = {
        "query": queries,
        "prompts": [PROMPT, PROMPT, PROMPT, BOXED_PROMPT, PROMPT],
        "labels": ["72", "72", "72", "72", None],
    }
    data = client.post("/get_reward", json=body).json()
    assert data["rewards"] == [1.0, 0.0, 0.0, 0.0, 0.0]
    assert data["scores"] == data["rewards"]
    assert data["extra_logs"]["unjudged"] == [0.0, 0.0, 0.0, 0.0, 1.0]


def test_bos_in_front_and_numeric_labels(client):
    body = {"query": ["<s>" + PROMPT + RIGHT], "prompts": [PROMPT], "labels": [72]}
    assert client.post("/get_reward", json=body).json()["rewards"] == [1.0]


def test_format_from_the_query_string(client):
    formatted = "<think>12 * 6</think> <answer>72</answer><|im_end|>"
    body = {
        "query": [PROMPT + formatted, PROMPT + RIGHT],
        "prompts": [PROMPT] * 2,
        "labels": ["72"] * 2,
    }
    data = client.post("/get_reward?format=think_answer&format_weight=0.5", json=body).json()
    assert data["rewards"] == [1.5, 1.0]
    assert data["scores"] == [1.0, 1.0]
    assert data["extra_logs"]["format"] == [1.0, 0.0]


def test_think_in_prompt(client):
    prompt = PROMPT + "<think>\n"
    response = "Early guess \\boxed{60}</think> \\boxed{72}<|im_end|>"
    body = {"query": [prompt + response], "prompts": [prompt], "labels": ["72"]}
    assert client.post("/get_reward?think_in_prompt=true", json=body).json()["rewards"] == [1.0]


def test_query_only_body_is_unjudged_not_an_error(client):
    # Releases before labels existed posted only {"query": [...]}.
    data = client.post("/get_reward", json={"query": [PROMPT + RIGHT]}).json()
    assert data["rewards"] == [0.0] and data["extra_logs"]["unjudged"] == [1.0]


@pytest.mark.parametrize(
    "body",
    [
        {"query": ["a", "b"], "prompts": ["a"], "labels": ["1", "2"]},
        {"query": ["a"], "prompts": ["a"], "labels": ["1", "2"]},
        {"query": []},
        {"prompts": ["a"]},
    ],
)
def test_bad_bodies_are_422(client, body):
    answer = client.post("/get_reward", json=body)
    assert answer.status_code == 422
    assert answer.json()["message"].startswith("invalid request")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"query": ["\\boxed{1}", "x" * 1_000_001], "labels": ["1", "1"]}, "query.1"),
        ({"query": ["\\boxed{1}"], "labels": ["1" * 100_001]}, "labels.0"),
    ],
    ids=["response-too-long", "label-too-long"],
)
def test_an_item_past_a_limit_is_a_422_naming_it(client, body, field):
    answer = client.post("/get_reward", json=body)
    assert answer.status_code == 422
    assert answer.json()["message"].startswith(f"invalid request: {field}: ")


def test_response_text():
    assert response_text("P: 1+1?\n\\boxed{2}<|im_end|>", "P: 1+1?\n") == "\\boxed{2}"
    assert response_text("R\u3000<｜end▁of▁sentence｜>", None) == "R"
    assert response_text("other text", "missing prompt") == "other text"
