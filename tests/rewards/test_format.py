"""The format reward: the reasoning template, case by case, adversarial cases included."""

from __future__ import annotations

import pytest

from reward_service.rewards.format import Tags, score_format
from reward_service.scores import Reason
from tests.conftest import runs_within

OK = None

THINK_ANSWER = [
    # well-formed
    ("<think>2 + 2 = 4</think><answer>4</answer>", OK),
    ("<think>\n2 + 2 = 4\n</think>\n<answer>\n4\n</answer>\n", OK),
    ("  \n<think>a<b and b>c, so a<c</think> <answer>a<c</answer>  ", OK),
    ("<think>I considered <thinking> and <answers> as words</think><answer>ok</answer>", OK),
    ("<think>x</think>\t<answer>\\boxed{4}</answer>", OK),
    # missing pieces
    ("<answer>4</answer>", Reason.MISSING_TAG),
    ("2 + 2 = 4 so 4", Reason.MISSING_TAG),
    ("<think>2 + 2 = 4</think> 4", Reason.MISSING_TAG),
    ("2 + 2 = 4</think><answer>4</answer>", Reason.MISSING_TAG),
    ("", Reason.MISSING_TAG),
    # truncated by the sampler
    ("<think>2 + 2 = 4, and then", Reason.TRUNCATED),
    ("<think>2 + 2 = 4</think><answer>4", Reason.TRUNCATED),
    # empty parts
    ("<think></think><answer>4</answer>", Reason.EMPTY_REASONING),
    ("<think> \n\t </think><answer>4</answer>", Reason.EMPTY_REASONING),
    ("<think>x</think><answer></answer>", Reason.EMPTY_ANSWER),
    ("<think>x</think><answer>\n  </answer>", Reason.EMPTY_ANSWER),
    # repeated and nested tags
    ("<think>a</think><think>b</think><answer>4</answer>", Reason.REPEATED_TAG),
    ("<think><think>a</think></think><answer>4</answer>", Reason.REPEATED_TAG),
    ("<think>a</think><answer>4</answer><answer>5</answer>", Reason.REPEATED_TAG),
    ("<think>a</think></think><answer>4</answer>", Reason.REPEATED_TAG),
    ("<think>a <answer>3</answer></think><answer>4</answer>", Reason.REPEATED_TAG),
    ("<think>a</think><answer><answer>4</answer></answer>", Reason.REPEATED_TAG),
    # order
    ("<answer>4</answer><think>a</think>", Reason.TAG_ORDER),
    ("</think>a<think><answer>4</answer>", Reason.TAG_ORDER),
    ("<think>a <answer>4</think></answer>", Reason.TAG_ORDER),
    ("<think>a</answer></think><answer>4", Reason.TAG_ORDER),
    # text outside the tags
    ("Sure! <think>a</think><answer>4</answer>", Reason.TEXT_OUTSIDE_TAGS),
    ("<think>a</think> so: <answer>4</answer>", Reason.TEXT_OUTSIDE_TAGS),
    ("<think>a</think><answer>4</answer> Hope this helps!", Reason.TEXT_OUTSIDE_TAGS),
    ("<think>a</think><answer>4</answer>\\boxed{5}", Reason.TEXT_OUTSIDE_TAGS),
    (".<think>a</think><answer>4</answer>", Reason.TEXT_OUTSIDE_TAGS),
    # near-miss tags are text, not tags
    ("<Think>a</Think><answer>4</answer>", Reason.MISSING_TAG),
    ("<think >a</think><answer>4</answer>", Reason.MISSING_TAG),
    ("< think>a</think><answer>4</answer>", Reason.MISSING_TAG),
]

THINK = [
    ("<think>2 + 2 = 4</think>The answer is 4.", OK),
    ("\n<think>\nhmm\n</think>\n\n**4**", OK),
    ("<think>x</think><answer>4</answer>", OK),
    ("<think>x</think>", Reason.EMPTY_ANSWER),
    ("<think>x</think>   \n ", Reason.EMPTY_ANSWER),
    ("<think> </think>4", Reason.EMPTY_REASONING),
    ("4 <think>x</think> 4", Reason.TEXT_OUTSIDE_TAGS),
    ("<think>x</think>4<think>y</think>4", Reason.REPEATED_TAG),
    ("<think>x</think>4</think>", Reason.REPEATED_TAG),
    ("<think>x", Reason.TRUNCATED),
    ("The answer is 4.", Reason.MISSING_TAG),
    ("</think>4<think>x", Reason.TAG_ORDER),
]


@pytest.mark.parametrize(("response", "reason"), THINK_ANSWER)
def test_think_answer_template(response, reason):
    score = score_format(response, "think_answer")
    assert (score.value, score.reason) == ((1.0, None) if reason is OK else (0.0, reason))


@pytest.mark.parametrize(("response", "reason"), THINK)
def test_think_template(response, reason):
    score = score_format(response, "think")
    assert (score.value, score.reason) == ((1.0, None) if reason is OK else (0.0, reason))


IN_PROMPT = Tags(think_in_prompt=True)


@pytest.mark.parametrize(
    ("response", "template", "reason"),
    [
        ("I add them: 4.</think>The answer is 4.", "think", OK),
        ("I add them.</think><answer>4</answer>", "think_answer", OK),
        ("<think>I add them.</think>4", "think", Reason.REPEATED_TAG),
        ("The answer is 4.", "think", Reason.TRUNCATED),
        ("</think>4", "think", Reason.EMPTY_REASONING),
        ("  </think>4", "think", Reason.EMPTY_REASONING),
    ],
    ids=["think", "think-answer", "reopened", "never-closed", "empty", "blank"],
)
def test_think_opened_by_the_prompt(response, template, reason):
    score = score_format(response, template, IN_PROMPT)
    assert score.reason is reason


CUSTOM = Tags(think="reasoning", answer="solution")


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        ("<reasoning>x</reasoning><solution>4</solution>", OK),
        ("<think>x</think><answer>4</answer>", Reason.MISSING_TAG),
        (
            "<reasoning>x</reasoning><solution>4</solution><solution>5</solution>",
            Reason.REPEATED_TAG,
        ),
        ("<reasoning>x <think>y</think></reasoning><solution>4</solution>", OK),
    ],
    ids=["custom", "default-tags-are-text", "repeated", "other-tags-are-text"],
)
def test_custom_tag_names(response, reason):
    assert score_format(response, "think_answer", CUSTOM).reason is reason


def test_standardize_maps_custom_tags_and_the_prompts_tag_for_extraction():
    tags = Tags(think="reasoning", answer="solution", think_in_prompt=True)
    standard = tags.standardize("x</reasoning><solution>\\boxed{4}</solution>")
    assert standard == "<think>x</think><answer>\\boxed{4}</answer>"


def test_format_is_linear_on_adversarial_input():
    hostile = "<think>" + "</think><think>" * 50_000 + "<answer>" * 50_000
    assert score_format(hostile, "think_answer").reason is Reason.REPEATED_TAG
    assert runs_within(0.2, score_format, hostile, "think_answer")
