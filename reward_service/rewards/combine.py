"""Weighted reward per item and GRPO group statistics (A_i = (r_i - mean) / (std + eps))."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

StdForm = Literal["population", "sample", "none"]


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
    rewards: Sequence[float | None],
    groups: Sequence[str | None],
    std_form: StdForm = "population",
    eps: float = 1e-6,
) -> tuple[list[float | None], dict[str, GroupStats]]:
    """GRPO advantages `(r - mean) / (std + eps)` within each group, and the groups' statistics.

    Items without a group or without a reward get no advantage and stay out of the
    statistics. `std_form` is "population" (divide by n), "sample" (by n - 1, as torch.std in
    TRL's GRPOTrainer and in verl; 0 for a group of one) or "none" (advantage = r - mean, as in
    Dr. GRPO; the reported `std` is then the population one). An all-equal group gets
    advantage 0 everywhere.

    >>> advantages, stats = group_advantages([1.0, 0.0, None, 1.0], ["q", "q", "q", None], eps=0)
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
        n = len(values)
        mean = math.fsum(values) / n  # type: ignore[arg-type]
        squares = math.fsum((v - mean) ** 2 for v in values)  # type: ignore[operator]
        divisor = n - 1 if std_form == "sample" else n
        std = math.sqrt(squares / divisor) if divisor else 0.0
        stats[group] = GroupStats(mean, std, n)
        scale = 1.0 if std_form == "none" else std + eps
        # An all-equal group carries no signal; rounding in `mean` must not invent one. Nor
        # does a spread too small for a float (rewards of weight 1e-200): with `eps` 0 its
        # std underflows to 0.
        no_signal = max(values) == min(values) or scale == 0  # type: ignore[type-var]
        for i in indices:
            advantages[i] = 0.0 if no_signal else (rewards[i] - mean) / scale  # type: ignore[operator]
    return advantages, stats
