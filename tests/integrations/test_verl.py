"""The verl adapter against a live service, called the way verl's reward managers call it.

Shapes from verl v0.7.0 (commit b178a3cd): NaiveRewardManager calls
`compute_score(data_source=, solution_str=, ground_truth=, extra_info=)` per response;
BatchRewardManager calls `compute_score(data_sources=, solution_strs=, ground_truths=,
extra_infos=, **reward_kwargs)` with numpy object arrays; `get_custom_reward_fn` loads the
function from a file path and appends `custom_reward_function.reward_kwargs`.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Iterator
from functools import partial

import numpy as np
import pytest

from reward_service.integrations import verl

RIGHT = "<think>12 * 6 = 72</think> The answer is \\boxed{72}."
WRONG = "<think>12 * 5 = 60</think> The answer is \\boxed{60}."
THINK_ONLY = "<think>So \\boxed{72}.</think> I give up."


@pytest.fixture
def service(server: str, monkeypatch) -> Iterator[str]:
    monkeypatch.setenv(verl.URL_ENV, server)
    verl.close()
    yield server
    verl.close()


def naive_extra_info(index: int) -> dict:
    """What NaiveRewardManager passes: the row's extra_info plus num_turns/rollout scores."""
    return {"index": index, "split": "train", "num_turns": None, "rollout_reward_scores": {}}


@pytest.mark.parametrize(
    ("solution", "ground_truth", "expected"),
    [(RIGHT, "72", 1.0), (WRONG, "72", 0.0), (THINK_ONLY, "72", 0.0), (RIGHT, 72, 1.0)],
)
def test_compute_score_as_the_naive_manager_calls_it(service, solution, ground_truth, expected):
    score = verl.compute_score(
        data_source="openai/gsm8k",
        solution_str=solution,
        ground_truth=ground_truth,
        extra_info=naive_extra_info(0),
    )
    assert score == expected and isinstance(score, float)


def test_unjudged_is_zero_and_logged(service, caplog):
    with caplog.at_level(logging.WARNING, logger="reward_service.integrations.verl"):
        score = verl.compute_score(
            data_source="openai/gsm8k", solution_str=RIGHT, ground_truth="", extra_info=None
        )
    assert score == 0.0
    assert "1 of 1 responses unjudged" in caplog.text


def test_batch_as_the_batch_manager_calls_it(service, caplog):
    solutions = [RIGHT, WRONG, THINK_ONLY, RIGHT]
    with caplog.at_level(logging.WARNING, logger="reward_service.integrations.verl"):
        scores = verl.compute_score_batch(
            data_sources=np.array(["openai/gsm8k"] * 4, dtype=object),
            solution_strs=solutions,
            ground_truths=["72", "72", "72", None],
            extra_infos=np.array([naive_extra_info(i) for i in range(4)], dtype=object),
        )
    assert scores == [1.0, 0.0, 0.0, 0.0]
    assert "1 of 4 responses unjudged" in caplog.text


def test_loaded_from_a_file_path_with_reward_kwargs(service):
    # What verl's get_custom_reward_fn does: import the file, take `name`, append reward_kwargs.
    spec = importlib.util.spec_from_file_location("custom_module", verl.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    reward_kwargs = {"format": "think_answer", "weights": {"accuracy": 1.0, "format": 0.5}}
    fn = partial(module.compute_score_batch, **reward_kwargs)
    scores = fn(
        data_sources=["math"] * 3,
        solution_strs=["<think>12 * 6</think><answer>72</answer>", RIGHT, THINK_ONLY],
        ground_truths=["72"] * 3,
        extra_infos=[None] * 3,
    )
    assert scores == [1.5, 1.0, 0.0]
    module.close()


def test_code_task(service):
    tests = {"cases": [{"stdin": "3\n", "stdout": "9\n"}]}
    square = "<think>n*n</think>\n```python\nn = int(input())\nprint(n * n)\n```"
    double = "<think>2n</think>\n```python\nn = int(input())\nprint(2 * n)\n```"
    scores = verl.compute_score_batch(
        ["code"] * 2, [square, double], [tests, tests], None, task="code"
    )
    assert scores == [1.0, 0.0]


def test_one_client_per_process(service):
    assert verl.get_client() is verl.get_client()
    first = verl.get_client()
    verl.close()
    assert verl.get_client() is not first


def test_the_token_comes_from_the_environment_too(monkeypatch):
    from tests.api.test_operations import AUTH, TOKEN
    from tests.conftest import running_server

    env = {"REWARD_SERVICE_TOKEN": TOKEN, "REWARD_SANDBOX__BACKEND": "local"}
    with running_server(env, workers=1) as guarded:
        monkeypatch.setenv(verl.URL_ENV, guarded.url)
        monkeypatch.setenv(verl.TOKEN_ENV, TOKEN)
        verl.close()
        try:
            assert verl.compute_score("math", RIGHT, "72") == 1.0
            assert verl.get_client().headers == {"authorization": AUTH["Authorization"]}
        finally:
            verl.close()
