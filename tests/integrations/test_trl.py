"""The TRL adapter against a live service, called the way GRPOTrainer calls reward functions.

Shapes from trl v1.9.0 (`GRPOTrainer._calculate_rewards`): `prompts` and `completions` with one
entry per completion (num_generations consecutive completions per prompt), dataset columns as
lists in kwargs, plus `completion_ids`, `trainer_state`, `log_extra` and `log_metric`.
"""

from __future__ import annotations

import logging
import pickle
from types import SimpleNamespace

import pytest

from reward_service.integrations.trl import completion_text, reward_func

RIGHT = "<think>6 * 7 = 42</think> The answer is \\boxed{42}."
WRONG = "<think>6 * 6 = 36</think> The answer is \\boxed{36}."
THINK_ONLY = "<think>It is \\boxed{42}.</think> I am not sure."
HALF = "<think>Half of one.</think> \\boxed{0.5}"


def trainer_kwargs(columns: dict[str, list], size: int, metrics: dict) -> dict:
    """The extras GRPOTrainer adds next to the dataset columns."""
    return {
        **columns,
        "completion_ids": [[1, 2, 3]] * size,
        "trainer_state": SimpleNamespace(global_step=3, epoch=0.1),
        "log_extra": lambda name, values: None,
        "log_metric": lambda name, value: metrics.__setitem__(name, value),
    }


def chat(text: str) -> list[dict]:
    return [
        {"role": "system", "content": "Reason, then box the answer."},
        {"role": "user", "content": text},
    ]


def test_conversational_batch_scores_each_completion(server):
    prompts = [chat("What is 6 * 7?")] * 3 + [chat("What is 1/2?")] * 3
    texts = [RIGHT, WRONG, THINK_ONLY, HALF, WRONG, "\\boxed{1/2}"]
    completions = [[{"role": "assistant", "content": text}] for text in texts]
    answers = ["42"] * 3 + ["\\frac{1}{2}"] * 3
    metrics: dict = {}
    accuracy = reward_func(server)
    rewards = accuracy(
        prompts=prompts,
        completions=completions,
        **trainer_kwargs({"answer": answers, "level": [1] * 6}, 6, metrics),
    )
    assert rewards == [1.0, 0.0, 0.0, 1.0, 0.0, 1.0]
    assert metrics == {"service_accuracy/unjudged_frac": 0.0}
    accuracy.close()


def test_missing_reference_is_none_and_counted(server, caplog):
    prompts = ["Q: 6 * 7?"] * 2 + ["Q: no reference"] * 2
    completions = [RIGHT, WRONG, RIGHT, WRONG]
    metrics: dict = {}
    with caplog.at_level(logging.WARNING, logger="reward_service.integrations.trl"):
        rewards = reward_func(server, name="math_acc")(
            prompts, completions, **trainer_kwargs({"answer": ["42", "42", None, ""]}, 4, metrics)
        )
    assert rewards == [1.0, 0.0, None, None]
    assert metrics == {"math_acc/unjudged_frac": 0.5}
    assert "2 of 4 completions unjudged" in caplog.text


def test_groups_follow_the_prompt():
    accuracy = reward_func("http://unused")
    prompts = [chat("a")] * 2 + [chat("b")] * 2 + [chat("a")]
    items = accuracy.items(prompts, ["x"] * 5, {"answer": ["1"] * 5})
    assert [item["group"] for item in items] == ["p0", "p0", "p1", "p1", "p0"]


def test_format_and_weighted_reward(server):
    good = "<think>6 * 7</think> <answer>42</answer>"
    sloppy = "Sure! <think>6 * 7</think> <answer>42</answer>"
    prompts, completions = ["Q"] * 3, [good, sloppy, THINK_ONLY]
    fmt = reward_func(server, reward="format")
    assert fmt(prompts, completions, trainer_state=None) == [1.0, 0.0, 0.0]
    total = reward_func(
        server, reward="reward", format="think_answer", weights={"accuracy": 1.0, "format": 0.5}
    )
    assert total(prompts, completions, answer=["42"] * 3) == [1.5, 1.0, 0.0]


def test_think_in_prompt(server):
    # The R1 chat template ends the prompt with "<think>\n": the completion starts inside it.
    completion = "Box it early: \\boxed{42}</think> Final: \\boxed{36}"
    accuracy = reward_func(server, think_in_prompt=True)
    assert accuracy(["Q"], [completion], answer=["36"]) == [1.0]
    assert accuracy(["Q"], [completion], answer=["42"]) == [0.0]


def test_reasoning_content_stays_inside_think(server):
    split = [{"role": "assistant", "reasoning_content": "It is \\boxed{42}.", "content": "Hmm."}]
    joined = [{"role": "assistant", "reasoning_content": "6 * 7", "content": "\\boxed{42}"}]
    assert completion_text(split) == "<think>It is \\boxed{42}.</think>Hmm."
    assert reward_func(server)([chat("q")] * 2, [split, joined], answer=["42", "42"]) == [0.0, 1.0]


def test_code_task_reads_tests_column(server):
    tests = {"cases": [{"stdin": "2 3\n", "stdout": "5\n"}]}
    right = "<think>add</think>\n```python\na, b = map(int, input().split())\nprint(a + b)\n```"
    wrong = "<think>mul</think>\n```python\na, b = map(int, input().split())\nprint(a * b)\n```"
    code = reward_func(server, task="code", answer_key="tests")
    assert code(["Q"] * 2, [right, wrong], tests=[tests, tests]) == [1.0, 0.0]


def test_missing_column_names_it():
    with pytest.raises(KeyError, match="'solution'"):
        reward_func("http://unused", answer_key="solution")(["Q"], ["x"], answer=["1"])


def test_named_and_picklable(server):
    accuracy = reward_func(server)
    assert accuracy(["Q"], [RIGHT], answer=["42"]) == [1.0]  # opens the client
    copy = pickle.loads(pickle.dumps(accuracy))
    assert copy.__name__ == "service_accuracy"
    assert copy(["Q"], [RIGHT], answer=["42"]) == [1.0]
