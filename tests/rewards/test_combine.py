"""Weighted rewards and GRPO group statistics."""

from __future__ import annotations

import math

import pytest

from reward_service.rewards.combine import GroupStats, group_advantages, weighted_reward

WEIGHTS = {"accuracy": 1.0, "format": 0.25, "language": 0.5}


@pytest.mark.parametrize(
    ("scores", "asked", "expected"),
    [
        ({"accuracy": 1.0}, ["accuracy"], 1.0),
        ({"accuracy": 0.0}, ["accuracy"], 0.0),
        ({"accuracy": 1.0, "format": 1.0}, ["accuracy", "format"], 1.25),
        (
            {"accuracy": 0.0, "format": 1.0, "language": 0.5},
            ["accuracy", "format", "language"],
            0.5,
        ),
        ({"accuracy": 1.0, "format": 1.0}, ["accuracy"], 1.0),
        ({"accuracy": None}, ["accuracy"], None),
        ({"accuracy": None, "format": 1.0}, ["accuracy", "format"], None),
        ({}, [], None),
    ],
)
def test_weighted_reward(scores, asked, expected):
    assert weighted_reward(scores, asked, WEIGHTS) == expected


def test_advantages_are_normalised_within_each_group_only():
    rewards = [1.0, 0.0, 0.0, 0.0, 1.0, 1.0]
    groups = ["a", "a", "a", "a", "b", "b"]
    advantages, stats = group_advantages(rewards, groups)
    mean, std = 0.25, math.sqrt(0.1875)
    assert stats == {"a": GroupStats(mean, pytest.approx(std), 4), "b": GroupStats(1.0, 0.0, 2)}
    assert advantages[:4] == pytest.approx([(1 - mean) / std] + [(0 - mean) / std] * 3)
    assert advantages[4:] == [0.0, 0.0]
    assert sum(advantages[:4]) == pytest.approx(0.0)


def test_unjudged_and_ungrouped_items_stay_out():
    advantages, stats = group_advantages([1.0, None, 0.0, 1.0], ["g", "g", "g", None])
    assert advantages == [1.0, None, -1.0, None]
    assert stats == {"g": GroupStats(0.5, 0.5, 2)}


def test_a_group_of_only_unjudged_items_has_no_statistics():
    advantages, stats = group_advantages([None, None], ["g", "g"])
    assert advantages == [None, None] and stats == {}
