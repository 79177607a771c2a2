r"""Final-answer extraction (DESIGN.md, "Final-answer rules"): which text counts as the answer."""

from __future__ import annotations

import pytest

from reward_service.extract import (
    MathAnswer,
    Source,
    answer_tag_bodies,
    extract_math_answer,
    final_part,
    find_boxed,
    is_prose,
    stated_values,
)
from reward_service.scores import Reason
from tests.conftest import runs_within

# final_part: the text after the last </think>
FINAL_PARTS = [
    ("<think>a</think> b", " b"),
    ("<think>a</think>b</think> c", " c"),
    ("no tags at all", "no tags at all"),
    ("prompt opened think </think> answer", " answer"),
    ("<think>a</think>", ""),
    ("<think>still going", None),
    ("<think>a</think> b <think>reopened", None),
    ("<think>a <think>nested</think> b", " b"),
    ("<think>a</THINK> b", None),
]
FINAL_PART_IDS = [
    "one-block",
    "last-close-wins",
    "no-tags",
    "think-in-prompt",
    "nothing-after",
    "truncated",
    "reopened",
    "nested-open",
    "wrong-case-close-is-no-close",
]


@pytest.mark.parametrize(("response", "expected"), FINAL_PARTS, ids=FINAL_PART_IDS)
def test_final_part(response, expected):
    assert final_part(response) == expected


# find_boxed: every top-level box, in order
BOXES = [
    (r"\boxed{42}", ["42"]),
    (r"\boxed{ 42 }", ["42"]),
    (r"a \boxed{1} b \boxed{2}", ["1", "2"]),
    (r"\boxed{\frac{1}{2}}", [r"\frac{1}{2}"]),
    (r"\boxed{\boxed{3}}", ["3"]),
    (r"\boxed{6 \boxed{5}}", [r"6 \boxed{5}"]),
    (r"\boxed{\{1, 2\}}", [r"\{1, 2\}"]),
    (r"\boxed{a \} b}", [r"a \} b"]),
    (r"\fbox{7}", ["7"]),
    (r"\boxed {7}", ["7"]),
    (r"\boxed 7", ["7"]),
    (r"\boxed 7.", ["7"]),
    (r"\boxed 7.5,", ["7.5"]),
    (r"$\boxed 7$", ["7"]),
    (r"\boxed{}", []),
    (r"\boxed{   }", []),
    (r"\boxed{7", []),
    (r"\boxed{1} and \boxed{2", ["1"]),
    (r"\boxedx{7}", []),
    (r"\boxed{\text{yes}}", [r"\text{yes}"]),
    ("no box here", []),
]
BOX_IDS = [
    "plain",
    "padded",
    "two",
    "nested-braces",
    "box-holding-only-a-box",
    "box-in-box",
    "escaped-braces",
    "escaped-close-is-content",
    "fbox",
    "space-before-brace",
    "bare",
    "bare-full-stop",
    "bare-decimal-comma",
    "bare-in-math",
    "empty",
    "blank",
    "unclosed",
    "second-unclosed",
    "other-command",
    "text",
    "none",
]


@pytest.mark.parametrize(("text", "expected"), BOXES, ids=BOX_IDS)
def test_find_boxed(text, expected):
    assert find_boxed(text) == expected


# answer_tag_bodies: every closed <answer> body, in order
BODIES = [
    ("<answer>42</answer>", ["42"]),
    ("<answer> 42 </answer>", ["42"]),
    ("<answer>1</answer><answer>2</answer>", ["1", "2"]),
    ("<answer>1</answer><answer>2", ["1"]),
    ("<answer>42", []),
    ("42</answer>", []),
    ("<answer></answer>", [""]),
    ("<answer><answer>5</answer>", ["<answer>5"]),
]
BODY_IDS = [
    "one",
    "padded",
    "two",
    "second-unclosed",
    "unclosed",
    "close-only",
    "empty",
    "double-open",
]


@pytest.mark.parametrize(("text", "expected"), BODIES, ids=BODY_IDS)
def test_answer_tag_bodies(text, expected):
    assert answer_tag_bodies(text) == expected


# extract_math_answer: DESIGN.md's rules end to end
ANSWERS = [
    (r"<think>a</think> \boxed{42}", MathAnswer(("42",), Source.BOXED)),
    (r"<think>\boxed{41}</think> \boxed{42}", MathAnswer(("42",), Source.BOXED)),
    (r"<think>\boxed{42}</think> no box", MathAnswer((), reason=Reason.NO_ANSWER)),
    (r"<think>\boxed{42}", MathAnswer((), reason=Reason.TRUNCATED)),
    (r"<think>a</think><think>\boxed{42}", MathAnswer((), reason=Reason.TRUNCATED)),
    ("<think>a</think><answer>42</answer>", MathAnswer(("42",), Source.ANSWER_TAG)),
    (
        r"<think>a</think><answer>4, \boxed{5}</answer>",
        MathAnswer(("5",), Source.BOXED, hedged=True),
    ),
    (r"<think>a</think>\boxed{5}<answer>4</answer>", MathAnswer(("4", "5"), Source.ANSWER_TAG)),
    (r"<think>a</think><answer>4 \boxed{}</answer>", MathAnswer((), reason=Reason.NO_ANSWER)),
    (r"<think>a</think><answer>4 \boxed{5</answer>", MathAnswer((), reason=Reason.NO_ANSWER)),
    ("<think>a</think><answer> </answer>", MathAnswer((), reason=Reason.NO_ANSWER)),
    (r"<think>a</think><answer> </answer>\boxed{5}", MathAnswer((), reason=Reason.NO_ANSWER)),
    ("<think>a</think><answer>42", MathAnswer((), reason=Reason.NO_ANSWER)),
    (r"<think>a</think>\boxed{5} then \boxed{6}", MathAnswer(("5", "6"), Source.BOXED)),
    (r"<think>a</think>\boxed{5} then \boxed{ 5 }", MathAnswer(("5",), Source.BOXED)),
    (r"<think>a</think>\boxed{x  =  5}", MathAnswer(("x = 5",), Source.BOXED)),
    (
        "<think>a</think><answer>3</answer><answer>4</answer>",
        MathAnswer(("3", "4"), Source.ANSWER_TAG),
    ),
    ("<think><answer>3</answer></think><answer>4</answer>", MathAnswer(("4",), Source.ANSWER_TAG)),
    (r"<think>a</think>\boxed{3}</think>", MathAnswer((), reason=Reason.NO_ANSWER)),
]
ANSWER_IDS = [
    "box",
    "think-box-ignored",
    "box-only-in-think",
    "truncated",
    "reopened-think",
    "tag",
    "box-in-tag-ends-a-list",
    "tag-and-box-outside-both-count",
    "empty-box-in-tag",
    "unclosed-box-in-tag",
    "blank-tag",
    "blank-tag-box-outside",
    "unclosed-tag",
    "two-boxes",
    "repeated-box",
    "whitespace-normalized",
    "two-tags",
    "tag-in-think-ignored",
    "box-before-stray-close",
]


@pytest.mark.parametrize(("response", "expected"), ANSWERS, ids=ANSWER_IDS)
def test_extract_math_answer(response, expected):
    assert extract_math_answer(response) == expected


# is_prose / stated_values: what a bare <answer> body states
STATED = [
    ("42", ["42"]),
    (r"x = \frac{1}{2}", [r"x = \frac{1}{2}"]),
    (r"\text{yes}", [r"\text{yes}"]),
    ("3 or 4", ["3 or 4"]),
    ("**42**", ["42"]),
    ("The answer is 42.", ["42"]),
    ("**Answer:** 42", ["42"]),
    ("The answer is $x = 3$.", ["x = 3"]),
    (r"It is \(\frac{1}{2}\).", [r"\frac{1}{2}"]),
    (r"It is \[\frac{1}{2}\]", [r"\frac{1}{2}"]),
    ("It is $$7$$ total", ["7"]),
    ("We get 12 apples, so 7.", ["12", "7"]),
    ("It could be 3, 4, 5 etc.", ["3, 4, 5"]),
    ("The answer is $4$. No, $3$.", ["4", "3"]),
    ("Therefore x = 3.", ["x = 3"]),
    ("The point is (2, 3).", ["(2, 3)"]),
    ("The answer is 2x+1.", ["2x+1"]),
    ("So sqrt(2) it is", ["sqrt(2)"]),
    ("The 2nd root is 5", ["5"]),
    ("There is a 50% chance", ["50%"]),
    (r"It costs \$12.50 in all", [r"\$12.50"]),
    ("The answer is ±3", ["±3"]),
    ("答案是5", ["5"]),
    ("5。", ["5"]),
    ("答案是 $\\frac{1}{2}$。", [r"\frac{1}{2}"]),
    ("所以答案为 12 个。", ["12"]),
    ("答案：５", ["5"]),
    ("Yes", ["Yes"]),
    ("Alice", ["Alice"]),
    ("甲", ["甲"]),
    ("It is $3$ or $ unclosed", ["3"]),
]
STATED_IDS = [
    "number",
    "expression",
    "text-command",
    "short-words-are-no-prose",
    "markdown-bold",
    "sentence",
    "markdown-label",
    "dollar-span",
    "paren-span",
    "bracket-span",
    "display-span",
    "two-numbers",
    "list",
    "two-spans",
    "assignment-run",
    "tuple-run",
    "expression-run",
    "function-word",
    "ordinal-is-a-word",
    "percent",
    "escaped-dollar-is-no-span",
    "plus-minus",
    "chinese",
    "chinese-full-stop",
    "chinese-with-span",
    "chinese-measure-word",
    "fullwidth-digit",
    "word-only",
    "name-only",
    "cjk-only",
    "unclosed-dollar",
]


@pytest.mark.parametrize(("body", "expected"), STATED, ids=STATED_IDS)
def test_stated_values(body, expected):
    assert stated_values(body) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", False),
        (r"\frac{1}{2}", False),
        (r"5 \text{ cm}", False),
        ("3 or 4", False),
        ("The answer", True),
        ("$5$", True),
        ("答案是5", True),
        ("5。", True),
        (r"\sqrt{2}", False),
    ],
    ids=[
        "number",
        "latex",
        "text-unit",
        "short-words",
        "words",
        "math-span",
        "cjk",
        "cjk-punctuation",
        "command",
    ],
)
def test_is_prose(text, expected):
    assert is_prose(text) is expected


# Linear time on adversarial input: a 200 kB response must not turn extraction quadratic.
ADVERSARIAL = {
    "unclosed-boxes": "</think>" + "\\boxed{" * 30_000,
    "unclosed-answer-tags": "</think>" + "<answer>" * 25_000,
    "answer-tags-one-close": "</think>" + "<answer>" * 25_000 + "1</answer>",
    "open-braces": "</think>\\boxed{" + "{" * 200_000,
    "think-closes": "</think>" * 25_000 + "\\boxed{1}",
    "think-opens": "<think>" * 30_000,
    "bare-boxes": "</think>" + "\\boxed 1" * 25_000,
    "escaped-braces": "</think>\\boxed{" + "\\{" * 100_000,
    "boxes-in-boxes": "</think>" + "\\boxed{" * 30_000 + "7" + "}" * 30_000,
}


@pytest.mark.parametrize("response", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_extraction_is_linear(response):
    assert len(response) >= 200_000
    assert runs_within(0.5, extract_math_answer, response)


def test_a_box_in_a_box_is_that_box_however_deep():
    """Unwrapped once recursively, 2,000 levels ran out of stack: the item came back
    `internal_error`, the service's fault, instead of its own answer."""
    for depth in (1, 2, 2_000, 30_000):
        answer = extract_math_answer("</think>" + "\\boxed{" * depth + "7" + "}" * depth)
        assert answer.candidates == ("7",), depth


@pytest.mark.parametrize(
    "body",
    [
        "x " + "\\(" * 100_000,
        "x " + "$$ " * 70_000,
        "x " + "$1$ " * 50_000,
        "x " + "1, " * 70_000,
        "答" * 200_000,
    ],
    ids=["unclosed-paren-spans", "empty-display-spans", "many-spans", "long-list", "cjk"],
)
def test_stated_values_is_linear(body):
    assert runs_within(0.5, stated_values, body)
