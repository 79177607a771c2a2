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
    advantages, stats = group_advantages(rewards, groups, eps=0.0)
    # By hand: group a has mean 1/4, squares 3/16 + 3 * 1/16 = 3/4, population var 3/16.
    mean, std = 0.25, math.sqrt(3 / 16)
    assert stats == {"a": GroupStats(mean, pytest.approx(std), 4), "b": GroupStats(1.0, 0.0, 2)}
    assert advantages[:4] == pytest.approx([0.75 / std, -0.25 / std, -0.25 / std, -0.25 / std])
    assert advantages[4:] == [0.0, 0.0]
    assert sum(advantages[:4]) == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("std_form", "eps", "std", "top"),
    [
        # rewards 1, 0, 0, 0.5: mean 3/8; squares 25/64 + 9/64 + 9/64 + 1/64 = 44/64
        ("population", 0.0, math.sqrt(44 / 64 / 4), (5 / 8) / math.sqrt(44 / 64 / 4)),
        ("sample", 0.0, math.sqrt(44 / 64 / 3), (5 / 8) / math.sqrt(44 / 64 / 3)),
        ("sample", 1e-4, math.sqrt(44 / 64 / 3), (5 / 8) / (math.sqrt(44 / 64 / 3) + 1e-4)),
        ("none", 0.0, math.sqrt(44 / 64 / 4), 5 / 8),
    ],
)
def test_std_forms_against_a_hand_computation(std_form, eps, std, top):
    advantages, stats = group_advantages([1.0, 0.0, 0.0, 0.5], ["g"] * 4, std_form, eps)
    assert stats["g"].mean == 3 / 8
    assert stats["g"].std == pytest.approx(std)
    assert advantages[0] == pytest.approx(top)


def test_sample_std_matches_torch_std_as_trl_uses_it():
    rewards = [0.2, 0.9, 0.4, 0.4, 1.0, 0.0, 0.7, 0.1]
    _, stats = group_advantages(rewards, ["g"] * len(rewards), "sample")
    import statistics

    assert stats["g"].std == pytest.approx(statistics.stdev(rewards))


def test_a_group_of_one_has_no_spread():
    advantages, stats = group_advantages([0.7], ["g"], "sample")
    assert advantages == [0.0] and stats["g"] == GroupStats(0.7, 0.0, 1)


def test_rounding_never_invents_a_signal_in_an_all_equal_group():
    advantages, _ = group_advantages([0.1, 0.1, 0.1], ["g"] * 3, eps=0.0)
    assert advantages == [0.0, 0.0, 0.0]


def test_unjudged_and_ungrouped_items_stay_out():
    advantages, stats = group_advantages([1.0, None, 0.0, 1.0], ["g", "g", "g", None], eps=0.0)
    assert advantages == [1.0, None, -1.0, None]
    assert stats == {"g": GroupStats(0.5, 0.5, 2)}


def test_a_group_of_only_unjudged_items_has_no_statistics():
    advantages, stats = group_advantages([None, None], ["g", "g"])
    assert advantages == [None, None] and stats == {}


def test_a_spread_too_small_for_a_float_carries_no_signal_and_divides_nothing():
    """Rewards of weight 1e-200 differ, yet their std underflows to 0: with `eps` 0 the
    advantage once divided by zero and the whole batch was a 503."""
    rewards = [1e-200, 0.0]
    advantages, stats = group_advantages(rewards, ["g"] * 2, eps=0.0)
    assert stats["g"].std == 0.0 and rewards[0] != rewards[1]
    assert advantages == [0.0, 0.0]
