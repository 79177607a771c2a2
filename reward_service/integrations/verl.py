"""verl reward functions backed by the service: `compute_score` and `compute_score_batch`.

Matched against volcengine/verl v0.7.0-125-gb178a3cd5 (commit
b178a3cd56f58b2d502255daba591e92833930a7):

- `verl/trainer/ppo/reward.py` `get_custom_reward_fn` loads `custom_reward_function.name`
  from `custom_reward_function.path` (a file, or `pkg://module`, see
  `verl/utils/import_utils.py` `load_module`) and calls it with the reward manager's
  arguments plus `custom_reward_function.reward_kwargs` as keyword arguments.
- `verl/workers/reward_manager/naive.py` (the default manager) calls it once per response:
  `compute_score(data_source=..., solution_str=..., ground_truth=..., extra_info=...)`, the
  response decoded with `skip_special_tokens=True`, `ground_truth` from
  `reward_model.ground_truth`, `extra_info` a dict (it adds `num_turns` and
  `rollout_reward_scores`). It takes a float, or a dict with a "score" key.
- `verl/workers/reward_manager/batch.py` (`reward_model.reward_manager=batch`) calls it
  once per batch: `compute_score(data_sources=..., solution_strs=..., ground_truths=...,
  extra_infos=..., **reward_kwargs)` (numpy object arrays for `data_sources`/`extra_infos`,
  `extra_infos` a list of None when the dataset has none) and takes one score per response.
- `verl/utils/reward_score/__init__.py` `default_compute_score(data_source, solution_str,
  ground_truth, extra_info=None, ...)` is the built-in it replaces.

verl has no "skip" value, so an unjudged response (the service's fault, e.g. no reference)
scores 0.0, counted and logged. The service URL comes from `REWARD_SERVICE_URL` (default
http://127.0.0.1:8000), its token, if any, from `REWARD_SERVICE_TOKEN`; each process opens one
client on first use (`close` releases it).

    custom_reward_function:
      path: pkg://reward_service.integrations.verl  # as in verl v0.7; older verl wants the
      # file: python -c "import reward_service.integrations.verl as m; print(m.__file__)"
      name: compute_score        # or compute_score_batch with reward_model.reward_manager=batch
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from reward_service.client import RewardClient
from reward_service.integrations import reference_fields

log = logging.getLogger(__name__)

URL_ENV = "REWARD_SERVICE_URL"
TOKEN_ENV = "REWARD_SERVICE_TOKEN"
DEFAULT_URL = "http://127.0.0.1:8000"

_lock = threading.Lock()
_client: RewardClient | None = None
_client_pid: int | None = None


def get_client() -> RewardClient:
    """This process's client for `$REWARD_SERVICE_URL` (several endpoints: comma-separated;
    with `$REWARD_SERVICE_TOKEN`, if set), opened on first use.

    Returns:
        The shared `RewardClient` (a fresh one in a forked child: connections are not shared
        across processes).

    Example:
        >>> get_client().base_urls  # doctest: +SKIP
        ['http://127.0.0.1:8000']
    """
    global _client, _client_pid
    with _lock:
        if _client is None or _client_pid != os.getpid():
            _client = RewardClient(
                os.environ.get(URL_ENV, DEFAULT_URL), token=os.environ.get(TOKEN_ENV)
            )
            _client_pid = os.getpid()
        return _client


def close() -> None:
    """Close this process's client; the next call opens a new one (from the current env)."""
    global _client
    with _lock:
        if _client is not None and _client_pid == os.getpid():
            _client.close()
        _client = None


def compute_score(
    data_source: Any,
    solution_str: str,
    ground_truth: Any,
    extra_info: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> float:
    """Score one response, as verl's `custom_reward_function` (naive reward manager).

    Args:
        data_source: the dataset name (unused: the task comes from `task`).
        solution_str: the decoded response.
        ground_truth: the reference: a math answer, or for task="code" the `tests` object.
        extra_info: the row's `extra_info` (unused).
        **kwargs: `custom_reward_function.reward_kwargs`: `task` ("math" default, "code"),
            `format` ("think_answer"/"think"), `weights` (e.g. `{"accuracy": 1, "format":
            0.2}`), `think_in_prompt` (bool). Other keys are ignored.

    Returns:
        The weighted reward; 0.0 when the service could not judge the response.

    Example:
        >>> compute_score("openai/gsm8k", "<think>6*12</think> \\\\boxed{72}",
        ...               "72")  # doctest: +SKIP
        1.0
    """
    (score,) = compute_score_batch(
        [data_source], [solution_str], [ground_truth], [extra_info], **kwargs
    )
    return score


def compute_score_batch(
    data_sources: Sequence[Any],
    solution_strs: Sequence[str],
    ground_truths: Sequence[Any],
    extra_infos: Sequence[Mapping[str, Any] | None] | None = None,
    *,
    task: str = "math",
    format: str | None = None,
    weights: Mapping[str, float] | None = None,
    think_in_prompt: bool = False,
    **kwargs: Any,
) -> list[float]:
    """Score a batch, as verl's `custom_reward_function` for the batch reward manager.

    Args:
        data_sources: one dataset name per response (unused).
        solution_strs: the decoded responses.
        ground_truths: one reference per response.
        extra_infos: one `extra_info` per response, or None (unused).
        task: "math" (references are answers), "code" (references are `tests`) or "none".
        format: the template to score too, "think_answer" or "think" (weight it in `weights`).
        weights: score weights, e.g. `{"accuracy": 1.0, "format": 0.2}`.
        think_in_prompt: the chat template already opened `<think>` in the prompt.
        **kwargs: other reward kwargs, ignored.

    Returns:
        One reward per response; 0.0 where the service could not judge it (logged).

    Example:
        >>> compute_score_batch(["gsm8k"] * 2, ["\\\\boxed{1}", "\\\\boxed{2}"], ["1", "1"],
        ...                     [None, None])  # doctest: +SKIP
        [1.0, 0.0]
    """
    if len(solution_strs) != len(ground_truths):
        raise ValueError(f"{len(solution_strs)} responses for {len(ground_truths)} ground truths")
    items = []
    for response, reference in zip(solution_strs, ground_truths, strict=True):
        item = {"response": str(response), **reference_fields(task, reference)}
        if format is not None:
            item["format"] = format
        items.append(item)
    options: dict[str, Any] = {"template": {"think_in_prompt": True}} if think_in_prompt else {}
    results = get_client().score(items, weights=weights, **options)
    rewards = [result.reward for result in results]
    unjudged = sum(reward is None for reward in rewards)
    if unjudged:
        log.warning(
            "%d of %d responses unjudged by the reward service; scored 0.0 (verl has no skip)",
            unjudged,
            len(rewards),
        )
    return [0.0 if reward is None else float(reward) for reward in rewards]
