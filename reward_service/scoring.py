"""Score a batch: run the asked-for reward rules in the worker pool, then combine.

The one scoring path for every front end (HTTP routes, offline CLI). Items are judged one
per worker task, so a pathological item costs its own time limit and nothing else.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass

from reward_service.api.models import (
    Details,
    GroupStats,
    ItemResult,
    RewardName,
    ScoreItem,
    ScoreRequest,
    ScoreResponse,
    Scores,
)
from reward_service.rewards.combine import group_advantages, weighted_reward
from reward_service.rewards.math import MathOptions, parse_reference, score_math
from reward_service.scores import Reason, Score
from reward_service.workers import TaskFailure, WorkerPool

ALL_REWARDS: frozenset[RewardName] = frozenset({"accuracy", "format", "language"})

# Failures of a worker task that are the item's own doing score 0; anything else is ours.
_ITEM_FAULTS = {Reason.TIMEOUT, Reason.MEMORY, Reason.WORKER_CRASHED}


@dataclass(frozen=True)
class MathJob:
    response: str
    answer: str
    options: MathOptions


def judge_math(job: MathJob) -> Score:
    """Worker-side: math accuracy of one response (the reference parse is cached per worker)."""
    reference = parse_reference(job.answer)
    if reference is None:
        return Score.unknown(Reason.BAD_REFERENCE)
    return score_math(job.response, reference, job.options)


async def score_items(
    request: ScoreRequest,
    pool: WorkerPool,
    math_options: MathOptions,
    rewards: Collection[RewardName] = ALL_REWARDS,
) -> ScoreResponse:
    """Score every item of the request; per-item trouble never fails the batch."""
    accuracies = (
        await asyncio.gather(*(_accuracy(item, pool, math_options) for item in request.items))
        if "accuracy" in rewards
        else [None] * len(request.items)
    )

    weights = request.weights.model_dump()
    results = []
    for item, accuracy in zip(request.items, accuracies, strict=True):
        asked = {"accuracy": accuracy} if accuracy is not None else {}
        values = {name: score.value for name, score in asked.items()}
        unjudged = any(value is None for value in values.values())
        results.append(
            ItemResult(
                id=item.id,
                group=item.group,
                reward=weighted_reward(values, list(asked), weights),
                scores=Scores(**values),
                details=Details(
                    extracted=accuracy.extracted if accuracy else None,
                    reason=accuracy.reason.value if accuracy and accuracy.reason else None,
                    status="unjudged" if unjudged else "scored",
                ),
            )
        )

    advantages, stats = group_advantages(
        [result.reward for result in results], [result.group for result in results]
    )
    for result, advantage in zip(results, advantages, strict=True):
        result.advantage = advantage
    return ScoreResponse(
        results=results,
        groups={name: GroupStats(mean=s.mean, std=s.std, n=s.n) for name, s in stats.items()},
    )


async def _accuracy(item: ScoreItem, pool: WorkerPool, options: MathOptions) -> Score | None:
    if item.task != "math":
        return None
    if item.answer is None or not item.answer.strip():
        return Score.unknown(Reason.NO_REFERENCE)
    outcome = await pool.run(judge_math, MathJob(item.response, item.answer, options))
    if isinstance(outcome, TaskFailure):
        if outcome.reason in _ITEM_FAULTS:
            return Score.zero(outcome.reason)
        return Score.unknown(outcome.reason)
    return outcome
