"""Weighted reward per item and GRPO group statistics (A_i = (r_i - mean) / std)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Below this spread a group is treated as all-equal: every advantage is 0, not noise / ~0.
_MIN_STD = 1e-6


@dataclass(frozen=True)
class GroupStats:
    mean: float
    std: float
    n: int


def weighted_reward(
    scores: Mapping[str, float | None], asked: Sequence[str], weights: Mapping[str, float]
) -> float | None:
    """Sum of weight * score over the scores that were asked for.

    None when nothing was asked for or any asked-for score could not be judged: a guessed
    value would poison the group baseline.

    >>> weighted_reward({"accuracy": 1.0, "format": 0.0}, ["accuracy", "format"],
    ...                 {"accuracy": 1.0, "format": 0.5})
    1.0
    >>> weighted_reward({"accuracy": None}, ["accuracy"], {"accuracy": 1.0}) is None
    True
    """
    if not asked or any(scores[name] is None for name in asked):
        return None
    return sum(weights[name] * scores[name] for name in asked)  # type: ignore[operator]


def group_advantages(
    rewards: Sequence[float | None], groups: Sequence[str | None]
) -> tuple[list[float | None], dict[str, GroupStats]]:
    """GRPO advantages within each group, and each group's statistics.

    Items without a group or without a reward get no advantage and stay out of the
    statistics. `std` is the population standard deviation of the group's rewards; a group
    whose rewards are all equal gets advantage 0 for every item.

    >>> advantages, stats = group_advantages([1.0, 0.0, None, 1.0], ["q", "q", "q", None])
    >>> advantages, stats["q"]
    ([1.0, -1.0, None, None], GroupStats(mean=0.5, std=0.5, n=2))
    """
    members: dict[str, list[int]] = defaultdict(list)
    for index, (reward, group) in enumerate(zip(rewards, groups, strict=True)):
        if group is not None and reward is not None:
            members[group].append(index)

    advantages: list[float | None] = [None] * len(rewards)
    stats: dict[str, GroupStats] = {}
    for group, indices in members.items():
        values = [rewards[i] for i in indices]
        mean = math.fsum(values) / len(values)  # type: ignore[arg-type]
        std = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))  # type: ignore[operator]
        stats[group] = GroupStats(mean, std, len(values))
        for i in indices:
            advantages[i] = 0.0 if std < _MIN_STD else (rewards[i] - mean) / std  # type: ignore[operator]
    return advantages, stats
