"""pass@k, majority vote and summaries against hand computations."""

from __future__ import annotations

import math

import pytest

from reward_service.metrics import Sample, ks_for, majority_vote_correct, pass_at_k, summarize
from reward_service.rewards.math import equivalence_classes


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [
        (1, 1, 1, 1.0),
        (1, 0, 1, 0.0),
        (4, 2, 1, 0.5),
        (4, 2, 2, 1 - 1 / 6),  # 1 - C(2,2)/C(4,2)
        (4, 1, 2, 0.5),  # 1 - C(3,2)/C(4,2) = 1 - 3/6
        (4, 1, 3, 0.75),  # 1 - C(3,3)/C(4,3)
        (10, 3, 5, 1 - math.comb(7, 5) / math.comb(10, 5)),
        (16, 0, 16, 0.0),
        (16, 1, 16, 1.0),
    ],
)
def test_pass_at_k(n, c, k, expected):
    assert pass_at_k(n, c, k) == pytest.approx(expected)


def test_pass_at_1_is_the_mean_accuracy():
    assert pass_at_k(8, 3, 1) == pytest.approx(3 / 8)


@pytest.mark.parametrize(
    ("classes", "correct", "k", "expected"),
    [
        ([0, 0, 1], [True, True, False], 3, True),
        ([0, 1, 1], [True, False, False], 3, False),
        ([0, 1, 1], [True, False, False], 1, True),
        ([1, 0, 0, 1], [False, True, True, False], 4, False),  # tie 2-2: the first to vote wins
        ([None, None], [False, False], 2, False),
        ([None, 0, 1, 1], [False, True, False, False], 4, False),
        ([None, 0, 1, 1], [False, True, False, False], 2, True),
    ],
    ids=[
        "majority-right",
        "majority-wrong",
        "k1",
        "tie-first-wins",
        "no-votes",
        "abstain",
        "abstain-k2",
    ],
)
def test_majority_vote(classes, correct, k, expected):
    assert majority_vote_correct(classes, correct, k) is expected


def test_equivalent_answer_strings_vote_together():
    answers = ["1/2", "0.5", r"\frac{1}{2}", "3", "3", None, r"\dfrac{2}{4}"]
    assert equivalence_classes(answers) == [0, 0, 0, 1, 1, None, 0]


def test_ks():
    assert ks_for(64) == [1, 2, 4, 8, 16, 32, 64]
    assert ks_for(3) == [1, 2, 3]


def math_sample(problem: str, accuracy: float, extracted: str | None = None, **extra) -> Sample:
    return Sample(problem, "math", accuracy, extracted, **extra)


def test_summary_by_hand():
    samples = [
        # p1: 2 of 4 right; 0.5 and 1/2 vote together against 3, 3: a 2-2 tie, 0.5 came first
        math_sample("p1", 1.0, "0.5"),
        math_sample("p1", 1.0, "1/2"),
        math_sample("p1", 0.0, "3"),
        math_sample("p1", 0.0, "3"),
        # p2: 1 of 4 right; 5 wins the vote
        math_sample("p2", 0.0, "5"),
        math_sample("p2", 0.0, "5"),
        math_sample("p2", 1.0, "4"),
        math_sample("p2", 0.0, None, reason="no_answer"),
    ]
    classes = {"p1": [0, 0, 1, 1], "p2": [0, 0, 1, None]}
    summary = summarize(samples, classes)["math"]
    assert (summary.items, summary.problems) == (8, 2)
    assert summary.accuracy == pytest.approx(3 / 8)
    assert summary.pass_at == pytest.approx({1: 3 / 8, 2: (5 / 6 + 1 / 2) / 2, 4: 1.0})
    assert summary.cons_at == {1: 0.5, 2: 0.5, 4: 0.5}
    assert summary.reasons == {"no_answer": 1}


def test_unjudged_samples_stay_out_of_accuracy_and_pass_at_k():
    samples = [
        math_sample("p", 1.0),
        Sample("p", "math", None, unjudged=True, reason="sandbox_error"),
        math_sample("p", 0.0),
    ]
    summary = summarize(samples)["math"]
    assert summary.accuracy == 0.5 and summary.pass_at[2] == 1.0
    assert summary.unjudged == 1


def test_per_task_and_overall_with_rates():
    samples = [
        math_sample("m", 1.0, format=1.0, language=1.0),
        Sample("c", "code", 0.0, format=0.0, language=0.5),
    ]
    summaries = summarize(samples)
    assert set(summaries) == {"math", "code", "overall"}
    assert summaries["overall"].accuracy == 0.5
    assert summaries["overall"].format_rate == 0.5
    assert summaries["overall"].language_mean == 0.75


def test_problems_with_fewer_samples_join_only_the_ks_they_reach():
    samples = [math_sample("a", 1.0), math_sample("b", 0.0), math_sample("b", 1.0)]
    summary = summarize(samples)["math"]
    assert summary.pass_at == {1: pytest.approx((1 + 0.5) / 2), 2: 1.0}
