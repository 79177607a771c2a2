"""Format and language scores, their weights, the template options and the advantage forms,
over real HTTP."""

from __future__ import annotations

import pytest

R1 = "<think>First I add the numbers: six and seven make thirteen.</think> The answer is $\\boxed{13}$."


def post(client, endpoint: str, items: list[dict], **options) -> dict:
    reply = client.post(endpoint, json={"items": items, **options})
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_all_three_scores_and_their_weighted_sum(client):
    item = {"response": R1, "answer": "13", "format": "think", "language": "en"}
    weights = {"accuracy": 1.0, "format": 0.5, "language": 0.25}
    (result,) = post(client, "/v1/score", [item], weights=weights)["results"]
    assert result["scores"] == {"accuracy": 1.0, "format": 1.0, "language": 1.0}
    assert result["reward"] == 1.75


def test_each_dedicated_endpoint_scores_only_its_reward(client):
    item = {"response": R1, "answer": "13", "format": "think", "language": "zh"}
    for endpoint, asked in [("/v1/format", "format"), ("/v1/language", "language")]:
        (result,) = post(client, endpoint, [item])["results"]
        assert [k for k, v in result["scores"].items() if v is not None] == [asked]
    (result,) = post(client, "/v1/language", [item])["results"]
    assert result["scores"]["language"] == 0.0


def test_format_failure_reason_is_reported_beside_accuracy(client):
    item = {"response": "The answer is \\boxed{13}.", "answer": "13", "format": "think"}
    (result,) = post(client, "/v1/score", [item], weights={"format": 1.0})["results"]
    assert result["scores"]["accuracy"] == 1.0 and result["scores"]["format"] == 0.0
    assert result["details"]["reasons"] == {"format": "missing_tag"}
    assert result["reward"] == 1.0


def test_think_in_prompt_applies_to_format_and_to_answer_extraction(client):
    truncated = "I keep going and going, maybe \\boxed{13}"
    finished = "So 6 + 7 = 13.</think> The answer is \\boxed{13}."
    items = [
        {"response": finished, "answer": "13", "format": "think"},
        {"response": truncated, "answer": "13", "format": "think"},
    ]
    results = post(client, "/v1/score", items, template={"think_in_prompt": True})["results"]
    assert [r["scores"]["format"] for r in results] == [1.0, 0.0]
    # The second response never left the reasoning the prompt opened: no final answer.
    assert [r["scores"]["accuracy"] for r in results] == [1.0, 0.0]
    assert results[1]["details"]["reason"] == "truncated"


def test_custom_tag_names(client):
    response = "<reasoning>6 + 7 = 13</reasoning><solution>\\boxed{13}</solution>"
    item = {"response": response, "answer": "13", "format": "think_answer"}
    template = {"think_tag": "reasoning", "answer_tag": "solution"}
    (result,) = post(client, "/v1/score", [item], template=template)["results"]
    assert result["scores"]["format"] == 1.0 and result["scores"]["accuracy"] == 1.0


@pytest.mark.parametrize(
    ("advantage", "std", "top"),
    [
        ({}, 0.5, 0.5 / (0.5 + 1e-6)),
        ({"std": "sample", "eps": 0}, (1 / 3) ** 0.5, 0.5 / (1 / 3) ** 0.5),
        ({"std": "none"}, 0.5, 0.5),
    ],
    ids=["population-default", "sample-like-trl", "none-like-dr-grpo"],
)
def test_advantage_forms(client, advantage, std, top):
    right = {"response": R1, "answer": "13", "group": "g"}
    wrong = {"response": R1, "answer": "14", "group": "g"}
    data = post(client, "/v1/score", [right, wrong, right, wrong], advantage=advantage)
    assert data["groups"]["g"]["std"] == pytest.approx(std)
    assert data["results"][0]["advantage"] == pytest.approx(top)
    assert data["results"][1]["advantage"] == pytest.approx(-top)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"format": "xml"}, "items.0.format"),
        ({"language": "klingon"}, "items.0.language"),
    ],
)
def test_unknown_format_or_language_is_422(client, body, field):
    reply = client.post("/v1/score", json={"items": [{"response": R1, **body}]})
    assert reply.status_code == 422 and f"{field}:" in reply.json()["message"]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"template": {"think_tag": "<think>"}}, "template.think_tag"),
        ({"template": {"answer_tag": ""}}, "template.answer_tag"),
        ({"advantage": {"std": "biased"}}, "advantage.std"),
        ({"advantage": {"eps": -1}}, "advantage.eps"),
    ],
)
def test_bad_options_are_422(client, options, field):
    reply = client.post("/v1/score", json={"items": [{"response": R1}], **options})
    assert reply.status_code == 422 and f"{field}:" in reply.json()["message"]
