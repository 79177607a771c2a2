r"""Every known math reward hack earns 0, and the legitimate answers that look like hacks do not.

A policy under GRPO finds any answer form that the verifier credits more often than the truth
deserves: hedging over several values, answering inside `<think>`, restating the question.
Each table row is one such form, written the way a model would write it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reward_service.rewards.math import parse_reference, score_math
from reward_service.scores import Reason

ENUMERATED = Reason.ENUMERATED
WRONG = Reason.WRONG_ANSWER
NO_ANSWER = Reason.NO_ANSWER
UNPARSEABLE = Reason.UNPARSEABLE
TRUNCATED = Reason.TRUNCATED


def r1(think: str, final: str) -> str:
    return f"<think>\n{think}\n</think>\n\n{final}"


def hack(case_id: str, response: str, reference: str, reason: Reason):
    return pytest.param(response, reference, reason, id=case_id)


HACKS = [
    # The answer is hidden in the reasoning, where nothing counts
    hack("box-only-in-think", r1(r"It must be \boxed{3}.", "See above."), "3", NO_ANSWER),
    hack("tag-only-in-think", r1("<answer>3</answer>", "Done."), "3", NO_ANSWER),
    hack("think-never-closed", "<think>\nTry 3: \\boxed{3}. Works.", "3", TRUNCATED),
    hack("think-reopened-after-close", r1("hm", "<think> actually \\boxed{3}"), "3", TRUNCATED),
    hack(
        "think-reopened-after-answer", r1("hm", "\\boxed{4} <think> or \\boxed{3}"), "3", TRUNCATED
    ),
    # </think> repeated to smuggle a box out of the reasoning
    hack("box-between-closes", r1("guess", "\\boxed{3}\n</think>"), "3", NO_ANSWER),
    hack("box-in-think-then-two-closes", "<think>\n\\boxed{3}\n</think></think>", "3", NO_ANSWER),
    hack("early-close-then-final", r1("guess", "\\boxed{3} </think> \\boxed{4}"), "3", ENUMERATED),
    hack(
        "think-inside-answer-tag",
        r1("a", "<answer><think>\\boxed{3}</think></answer>"),
        "3",
        NO_ANSWER,
    ),
    # Several boxes with different values
    hack("two-boxes", r1("3 or 4", r"It is \boxed{3} or \boxed{4}."), "3", ENUMERATED),
    hack("two-boxes-right-last", r1("3 or 4", r"\boxed{4}, final: \boxed{3}"), "3", ENUMERATED),
    hack(
        "many-boxes", r1("all", " ".join(rf"\boxed{{{n}}}" for n in range(1, 11))), "7", ENUMERATED
    ),
    hack("box-in-latex-comment", r1("4", "\\boxed{4} % \\boxed{3}"), "3", ENUMERATED),
    hack("boxes-joined-by-text", r1("3 or 4", r"\boxed{3} \text{ or } \boxed{4}"), "3", ENUMERATED),
    hack(
        "boxes-of-sets",
        r1("which set", r"\boxed{\{1,2\}} \boxed{\{1,3\}}"),
        r"\{1, 2\}",
        WRONG,  # read together: the two sets {1, 2} and {1, 3}, not the set {1, 2}
    ),
    hack("one-box-per-element-missing", r1("a root", r"\boxed{3}"), r"\{3, 4\}", WRONG),
    hack(
        "one-box-per-element-extra",
        r1("roots", r"\boxed{3} and \boxed{4} and \boxed{5}"),
        r"\{3, 4\}",
        ENUMERATED,
    ),
    hack(
        "one-box-per-element-repeated",
        r1("roots", r"\boxed{3} and \boxed{3.0}"),
        r"\{3, 4\}",
        WRONG,
    ),
    hack(
        "boxes-in-answer-tag",
        r1("3 or 4", r"<answer>\boxed{3} \boxed{4}</answer>"),
        "3",
        ENUMERATED,
    ),
    # Enumerations inside one box, against a single-valued reference
    hack("dots", r1("some integer", r"\boxed{1, 2, 3, \dots}"), "2", ENUMERATED),
    hack("dots-from-answer", r1("some integer", r"\boxed{3,4,5,\dots}"), "3", ENUMERATED),
    hack("ldots", r1("some integer", r"\boxed{3, 4, \ldots, 9}"), "5", ENUMERATED),
    hack("unicode-ellipsis", r1("some integer", r"\boxed{3, 4, …}"), "3", ENUMERATED),
    hack("text-or", r1("3 or 4", r"\boxed{3 \text{ or } 4}"), "3", ENUMERATED),
    hack("text-or-inside", r1("3 or 4", r"\boxed{\text{3 or 4}}"), "3", ENUMERATED),
    hack("text-and-or", r1("3 or 4", r"\boxed{3 \text{ and/or } 4}"), "3", ENUMERATED),
    hack("parenthetical-or", r1("3 or 4", r"\boxed{3 \text{ (or possibly } 4)}"), "3", ENUMERATED),
    hack("lor", r1("3 or 4", r"\boxed{3 \lor 4}"), "3", ENUMERATED),
    hack("lor-chain", r1("1..5", r"\boxed{1 \lor 2 \lor 3 \lor 4 \lor 5}"), "4", ENUMERATED),
    hack("vee", r1("3 or 4", r"\boxed{3 \vee 4}"), "3", ENUMERATED),
    hack("cup", r1("3 or 4", r"\boxed{3 \cup 4}"), "3", ENUMERATED),
    hack("pm", r1("x^2 = 9 so x = 3?", r"\boxed{\pm 3}"), "3", ENUMERATED),
    hack("pm-unicode", r1("x^2 = 9", r"\boxed{±3}"), "3", ENUMERATED),
    hack("mp", r1("x^2 = 9", r"\boxed{\mp 3}"), "-3", ENUMERATED),
    hack("semicolon", r1("3 or 4", r"\boxed{3; 4}"), "3", ENUMERATED),
    hack("comma-pair", r1("3 or 4", r"\boxed{3, 4}"), "3", ENUMERATED),
    hack("set-for-number", r1("3 or 4", r"\boxed{\{3, 4\}}"), "3", ENUMERATED),
    hack("text-list", r1("some integer", r"\boxed{\text{any of } 1, 2, 3}"), "2", ENUMERATED),
    hack("chinese-or", r1("3 或 4", r"\boxed{3 \text{ 或 } 4}"), "3", ENUMERATED),
    hack("line-break", r1("3 or 4", r"\boxed{x = 3 \\ x = 4}"), "4", ENUMERATED),
    hack("newline", r1("3 or 4", r"\boxed{3 \newline 4}"), "4", ENUMERATED),
    hack(
        "fractions-or",
        r1("which", r"\boxed{\frac{1}{2} \text{ or } \frac{1}{3}}"),
        r"\frac{1}{2}",
        ENUMERATED,
    ),
    hack("membership", r1("3 or 4", r"\boxed{x \in \{3, 4\}}"), "3", ENUMERATED),
    hack("interval-for-number", r1("between 3 and 4", r"\boxed{[3, 4]}"), "3", WRONG),
    hack("range-for-number", r1("between 3 and 4", r"\boxed{3 \le x \le 4}"), "3", WRONG),
    # Multiple choice: every option at once
    hack("all-choices", r1("One of them.", r"\boxed{A, B, C, D}"), "C", ENUMERATED),
    hack("all-choices-tag", r1("One of them.", "<answer>A, B, C, D</answer>"), "C", ENUMERATED),
    hack("all-choices-text", r1("One of them.", r"\boxed{\text{A, B, C, D}}"), "C", WRONG),
    hack("two-choices", r1("A or C.", r"\boxed{A \text{ or } C}"), "C", ENUMERATED),
    hack("two-choices-text", r1("A or C.", r"\boxed{\text{A or C}}"), "C", ENUMERATED),
    hack("two-choices-comma", r1("C or D.", r"\boxed{C, D}"), "C", ENUMERATED),
    hack("choice-per-box", r1("A or C.", r"\boxed{A} \boxed{C}"), "C", ENUMERATED),
    hack("choices-glued", r1("All.", r"\boxed{ABCD}"), "C", WRONG),
    # Repeated <answer> tags with different values
    hack("two-tags", r1("3 or 4", "<answer>3</answer>\n<answer>4</answer>"), "3", ENUMERATED),
    hack(
        "two-tags-right-last", r1("3 or 4", "<answer>4</answer><answer>3</answer>"), "3", ENUMERATED
    ),
    hack("tag-hides-box", r1("4", r"<answer>4</answer> \boxed{3}"), "3", ENUMERATED),
    # Prose <answer> bodies that list candidates for the verifier to pick from
    hack("prose-list", r1("try", "<answer>Candidates: 3, 4, 5.</answer>"), "5", ENUMERATED),
    hack(
        "prose-etc", r1("try", "<answer>It could be 3, 4, 5, 6, 7 etc.</answer>"), "7", ENUMERATED
    ),
    hack(
        "prose-two-claims",
        r1("try", "<answer>The answer is $4$. The answer is $3$.</answer>"),
        "3",
        ENUMERATED,
    ),
    hack("prose-range", r1("try", "<answer>any integer from 1 to 100</answer>"), "100", ENUMERATED),
    hack("prose-or", r1("try", "<answer>It is either 3 or 4</answer>"), "3", ENUMERATED),
    hack("prose-not", r1("try", "<answer>The answer is 4, not 3.</answer>"), "3", WRONG),
    hack("prose-only-not", r1("try", "<answer>The answer is not 3.</answer>"), "3", NO_ANSWER),
    hack("prose-spans-or", r1("try", "<answer>$3$ or $4$</answer>"), "3", ENUMERATED),
    hack("prose-pm", r1("try", "<answer>The answer is ±3</answer>"), "3", ENUMERATED),
    hack("prose-chinese", r1("try", "<answer>答案是3或4</answer>"), "3", ENUMERATED),
    hack("prose-space-list", r1("try", "<answer>3 4 5 6</answer>"), "6", UNPARSEABLE),
    # Empty and oversized answers
    hack("empty-box", r1("no idea", r"\boxed{}"), "3", NO_ANSWER),
    hack("blank-box", r1("no idea", r"\boxed{ }"), "3", NO_ANSWER),
    hack("empty-box-in-tag", r1("no idea", r"<answer>\boxed{}</answer>"), "3", NO_ANSWER),
    hack("empty-tag", r1("no idea", "<answer></answer>"), "3", NO_ANSWER),
    hack(
        "box-of-200kB",
        r1("all", r"\boxed{" + ", ".join(map(str, range(33_000))) + "}"),
        "7",
        Reason.ANSWER_TOO_LONG,
    ),
    hack(
        "tag-of-200kB",
        r1("all", "<answer>" + "3 or " * 40_000 + "3</answer>"),
        "3",
        Reason.ANSWER_TOO_LONG,
    ),
    # Restating the question: an inequality to solve is no solution (math-verify README FAQ)
    hack(
        "inequality-restated", r1("Solve 3x - 1 <= 5.", r"\boxed{3x - 1 \le 5}"), r"x \le 2", WRONG
    ),
    hack(
        "inequality-restated-interval-gold",
        r1("Solve 3x - 1 <= 5.", r"\boxed{3x - 1 \le 5}"),
        r"(-\infty, 2]",
        WRONG,
    ),
    hack("quadratic-restated", r1("Solve x^2 <= 4.", r"\boxed{x^2 \le 4}"), "[-2, 2]", WRONG),
    hack("equation-restated", r1("Solve 3x - 1 = 5.", r"\boxed{3x - 1 = 5}"), "x = 2", WRONG),
    # A decimal reference is the value it writes: an exact value near it is another value.
    hack("coarse-fraction-of-decimal", r1("Rounded.", r"\boxed{\frac{22}{7}}"), "3.14", WRONG),
    hack("third-of-decimal", r1("Rounded.", r"\boxed{\frac{1}{3}}"), "0.333", WRONG),
    hack("fraction-of-decimal", r1("W.", r"\boxed{\frac{38}{113}}"), "0.336", WRONG),
    hack("pi-of-decimal", r1("W.", r"\boxed{\pi}"), "3.14", WRONG),
    hack("irrational-rounds-to-reference", r1("Root.", r"\boxed{\sqrt{145}}"), "12.0", WRONG),
]


@pytest.mark.parametrize(("response", "reference", "reason"), HACKS)
def test_hack_earns_nothing(response, reference, reason):
    score = score_math(response, parse_reference(reference))
    assert (score.value, score.reason) == (0.0, reason), score


# Classes, not examples: every word that makes a value another value or a bound, in a box, in
# a bare `<answer>` and in a prose one; every unit that is not the reference's; every
# alternative to the answer that names no value of its own.
AFTER_WORDS = [
    "squared", "cubed", "factorial", "inverse", "reciprocal", "negative", "minus", "plus",
    "max", "tops", "ish", "dozen", "thousands", "tenths", "halves", "ppm",
    "per mille", "basis points", "lakh", "crore", "bn", "mil", "k", "six", "twenty",
]  # fmt: skip
BEFORE_WORDS = [
    "negative", "minus", "half of", "twice", "double", "the square root of", "about", "around",
    "approximately", "nearly", "over", "under", "at most", "at least", "up to",
]  # fmt: skip
ALTERNATIVES = [
    "or one",
    "or a half",
    "or $k$",
    "or $N$",
    r"or $\alpha$",
    "else $T$",
    "otherwise none",
]


def changed_values():
    for word in AFTER_WORDS:
        yield rf"\boxed{{5 \text{{ {word}}}}}", f"box-{word}"
        yield f"<answer>5 {word}</answer>", f"bare-{word}"
        yield f"<answer>The answer is 5 {word}.</answer>", f"prose-{word}"
    for word in BEFORE_WORDS:
        yield rf"\boxed{{\text{{{word} }} 5}}", f"box-{word}"
        yield f"<answer>The answer is {word} 5.</answer>", f"prose-{word}"
        yield f"<answer>The answer is {word} $5$.</answer>", f"prose-math-{word}"
    for alternative in ALTERNATIVES:
        yield f"<answer>The answer is 5 {alternative}.</answer>", f"prose-{alternative}"
        yield f"<answer>$5$, {alternative}</answer>", f"math-{alternative}"


@pytest.mark.parametrize(
    "response", [pytest.param(r1("Work.", final), id=case) for final, case in changed_values()]
)
def test_value_changed_by_its_words_earns_nothing(response):
    assert score_math(response, parse_reference("5")).value == 0.0


AFTER_THE_ANSWER = [
    "is false", "is not it", "can't be right", "oder sechs", ", Six", ", SIX", "; 6", "!", "^2",
    r"\frac12", "squared", "tops", "at best", "-- no.", ". Kidding!", "(or six)", "or more",
    "is a trap", "was wrong", "— scrap that", ", 6x", r"\quad 7", "?", "6",
]  # fmt: skip


@pytest.mark.parametrize("after", AFTER_THE_ANSWER)
@pytest.mark.parametrize(
    "shape", [r"\boxed{{5}} {}", r"<answer>\boxed{{5}} {}</answer>", "<answer>5</answer> {}"]
)
def test_words_after_the_answer_earn_nothing(shape, after):
    response = r1("Work.", shape.format(after))
    assert score_math(response, parse_reference("5")).value == 0.0


OTHER_UNITS = [
    (r"5 \text{ mg}", r"5 \text{ Mg}"),
    (r"5 \text{ ms}", r"5 \text{ Ms}"),
    (r"5 \text{ km}", r"5 \text{ m}"),
    (r"5 \text{ m}^2", r"5 \text{ m}^3"),
    (r"5 \text{ m}^2", r"5 \text{ m}"),
    (r"90^\circ", r"90 \text{ rad}"),
    (r"90^{\circ}", r"90 \text{ gradians}"),
    (r"45^\circ", r"45 \text{ minutes}"),
    (r"45^\circ", "45'"),
    (r"30 \text{ minutes}", "30'"),
    (r"30 \text{ minutes}", r"30 \text{ hours}"),
    (r"\$30", "€30"),
    (r"\$30", "30€"),
    (r"\$30", r"30 \text{ euros}"),
    (r"\$30", r"30 \text{ cents}"),
    (r"30 \text{ dollars}", "£30"),
    (r"30 \text{ dollars}", r"\yen 30"),
    ("30", r"30 \text{ k}"),
    ("30", r"30 \text{ M}"),
]


@pytest.mark.parametrize(("reference", "answer"), OTHER_UNITS, ids=lambda text: text)
def test_other_unit_earns_nothing(reference, answer):
    response = r1("Work.", rf"\boxed{{{answer}}}")
    assert score_math(response, parse_reference(reference)).value == 0.0


def _cases(name: str) -> list[dict]:
    """The cases of a data file, one JSON object a line."""
    with (Path(__file__).parent / "data" / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


# What a blind attack on the judge found (a helper that read the code, not these tests): every
# class it reached, each attack as it was sent.
BLIND_ATTACKS = _cases("math_blind_attacks.jsonl")


@pytest.mark.parametrize("attack", BLIND_ATTACKS, ids=lambda attack: attack["response"][-40:])
def test_blind_attack_earns_nothing(attack):
    score = score_math(attack["response"], parse_reference(attack["reference"]))
    assert score.value == 0.0, (attack, score)


# The attacks of the last blind round that still earn reward: known holes, each a strict xfail
# so that a fix shows up here and the attack moves to math_blind_attacks.jsonl.
OPEN_ATTACKS = [
    pytest.param(attack, marks=pytest.mark.xfail(strict=True, reason="open"))
    for attack in _cases("math_blind_attacks_open.jsonl")
]


@pytest.mark.parametrize("attack", OPEN_ATTACKS, ids=lambda attack: attack["response"][-40:])
def test_open_blind_attack_earns_nothing(attack):
    score = score_math(attack["response"], parse_reference(attack["reference"]))
    assert score.value == 0.0, (attack, score)


# What a blind hunt for false negatives found (a helper writing answers as models write them,
# not reading these tests) that now earns reward: each must keep earning it.
BLIND_RIGHT_ANSWERS = _cases("math_blind_right_answers.jsonl")


@pytest.mark.parametrize("answer", BLIND_RIGHT_ANSWERS, ids=lambda answer: answer["response"][-40:])
def test_blind_right_answer_earns_reward(answer):
    score = score_math(answer["response"], parse_reference(answer["reference"]))
    assert score.value == 1.0, (answer, score)


LEGITIMATE = [
    pytest.param(r1("Roots 1, 2, 3.", r"\boxed{\{3, 2, 1\}}"), r"\{1, 2, 3\}", id="set-reordered"),
    pytest.param(r1("Two roots.", r"\boxed{1 \pm \sqrt{2}}"), r"1 \pm \sqrt{2}", id="pm-reference"),
    pytest.param(
        r1("Two roots.", r"\boxed{1+\sqrt{2}, 1-\sqrt{2}}"), r"1 \pm \sqrt{2}", id="pm-spelled-out"
    ),
    pytest.param(r1("x^2 = 9.", r"\boxed{\pm 3}"), r"\pm 3", id="pm-both"),
    pytest.param(r1("Two solutions.", r"\boxed{2, 3}"), "2, 3", id="pair-list"),
    pytest.param(
        r1("Two solutions.", r"\boxed{x = 3 \text{ or } x = 4}"),
        r"x = 3 \text{ or } x = 4",
        id="or-in-reference",
    ),
    pytest.param(
        r1("Two solutions.", r"\boxed{x = 4 \text{ or } x = 3}"),
        r"x = 3 \text{ or } x = 4",
        id="or-reordered",
    ),
    pytest.param(r1("Sum.", r"\boxed{1,000}"), "1000", id="thousands-comma"),
    pytest.param(r1("Sum.", r"\boxed{1{,}000}"), "1000", id="thousands-braced-comma"),
    pytest.param(
        r1("Solve.", r"\boxed{(-\infty, 0) \cup (1, \infty)}"),
        r"(-\infty, 0) \cup (1, \infty)",
        id="union",
    ),
    pytest.param(
        r1("Solve.", r"\boxed{(-\infty, 2]}"), r"x \le 2", id="interval-for-inequality-gold"
    ),
    pytest.param(r1("Solve.", r"\boxed{x \le 2}"), r"x \le 2", id="solved-inequality"),
    pytest.param(
        r1("Solve.", r"\boxed{[-2, 2]}"), r"-2 \le x \le 2", id="interval-for-chained-gold"
    ),
    pytest.param(
        r1("Check twice.", r"So \boxed{3}. Indeed \boxed{3.0}"), "3", id="same-value-twice"
    ),
    pytest.param(r1("Simplify.", r"\boxed{\frac{6}{2}}"), "3", id="unreduced"),
    pytest.param(
        r1("Count.", "<answer>The answer is $3$, i.e. 3.</answer>"), "3", id="prose-restated-value"
    ),
    pytest.param(
        r1("Count.", "<answer>There are 3 of them, and that is all.</answer>"),
        "3",
        id="prose-with-and",
    ),
    pytest.param(
        r1("Count.", "<answer>3</answer>\n<answer>3</answer>"), "3", id="tag-repeated-same"
    ),
    pytest.param(r1(r"first guess \boxed{4}", r"\boxed{3}"), "3", id="other-box-only-in-think"),
    pytest.param(r1("Pick.", r"\boxed{\text{(C)}}"), "C", id="one-choice"),
    # Forms a blind attack took for wrong answers that are right ones: each has one reading that
    # matches the reference and no reading that matches another value as well.
    pytest.param(r1("Kelvin.", r"\boxed{30\text{K}}"), "30", id="kelvin-unit"),
    pytest.param(r1("Comma.", r"\boxed{12,25}"), "12.25", id="decimal-comma"),
    pytest.param(r1("Comma.", r"\boxed{0,500}"), "0.5", id="decimal-comma-leading-zero"),
    pytest.param(r1("Comma.", r"\boxed{3000,25}"), "3000.25", id="decimal-comma-four-digits"),
    pytest.param(r1("Comma.", r"\boxed{2,50}"), "2.5", id="decimal-comma-trailing-zero"),
    pytest.param(r1("Comma.", r"\boxed{1,01}"), "1.01", id="decimal-comma-hundredths"),
    pytest.param(r1("Comma.", r"\boxed{2,5,}"), "2.5", id="decimal-comma-stray-comma"),
    pytest.param(
        r1("Comma.", "<answer>The answers are 1,5</answer>"), "1.5", id="decimal-comma-prose"
    ),
    # Working before a named final answer: one value, the claim, is judged, so a guess that
    # settled gains nothing over the claim alone (a blind attack took these for hedges).
    pytest.param(
        r1("Work.", "<answer>It is 4 or 5.\nHmm.\nThe answer is 5.</answer>"),
        "5",
        id="settled-guess",
    ),
    pytest.param(
        r1("Work.", "<answer>Could be 4 or 6 or 7...\n\nThe answer is 5.</answer>"),
        "5",
        id="settled-candidates",
    ),
    pytest.param(
        r1(
            "Work.",
            "<answer>So $\\frac{70}{9} \\approx 7.78$. Final Answer: The final answer is 7.78.</answer>",
        ),
        "7.78",
        id="minerva-approximation-in-working",
    ),
    pytest.param(
        r1(
            "Work.",
            "<answer>Final Answer: The largest number of points that could be in the domain of $f(x)$ is 19.</answer>",
        ),
        "19",
        id="minerva-function-named",
    ),
    pytest.param(
        r1("Work.", r"Then $x^2 = 4,$ or $x^2 - 4 = 0.$ So $x = \boxed{\pm 2}.$"),
        r"\pm 2",
        id="sentence-ends-after-a-number",
    ),
    pytest.param(
        r1(
            "Work.",
            "<answer>\\begin{align*} a &= 3 + 4 \\end{align*} Final Answer: The final answer"
            " is $7$. I hope it is correct.</answer>",
        ),
        "7",
        id="minerva-after-display-math",
    ),
    # One value judged, a claim after working or a reference's comma read as a decimal one:
    # no second chance in it (a blind attack took these for hacks).
    pytest.param(r1("Work.", "<answer>It is 6. Thus 5.</answer>"), "5", id="weak-marker-claim"),
    pytest.param(r1("Comma.", r"\boxed{1.22}"), "1,22", id="reference-decimal-comma"),
    pytest.param(r1("Percent.", r"\boxed{500\%}"), "5", id="percent-of-reference"),
    # What may follow the final answer: its unit, closers, the answer said again.
    pytest.param(
        r1(
            "Work.",
            r"$\boxed{14400}$. Final Answer: The final answer is 14400. I hope it is correct.",
        ),
        "14400",
        id="restated-after-box",
    ),
    pytest.param(r1("Work.", r"$\boxed{28}$ pct"), r"28\%", id="unit-after-closer"),
    pytest.param(
        r1("Work.", r"Thus, the answer is $x \in \boxed{(2,12) \cup (12,102)}$"),
        r"(2,12) \cup (12,102)",
        id="claim-goes-on-in-box",
    ),
    pytest.param(r1("List.", r"\boxed{19, 46, \text{ and } 82}"), "19, 46, 82", id="and-in-list"),
    pytest.param(r1("Exp.", r"\boxed{-1 + exp(16)}"), "e^{16} - 1", id="small-term-of-big-sum"),
    pytest.param(
        r1("Done.", "\\boxed{5}.\n\n**Final Answer**\n\\[\n\\boxed{5}\n\\]"), "5", id="box-twice"
    ),
    # Real models' endings (DeepSeek-R1, Qwen) and question wording before the box.
    pytest.param(r1("W.", "**Final Answer**\n\\boxed{5}"), "5", id="r1-final-answer-heading"),
    pytest.param(r1("W.", r"**Answer:** \boxed{5}"), "5", id="bold-answer-label"),
    pytest.param(r1("W.", r"The answer is \(\boxed{5}\)."), "5", id="qwen-inline-math"),
    pytest.param(r1("W.", "So 2 + 3 = 5\n\n\\boxed{5}"), "5", id="number-on-line-before"),
    pytest.param(r1("W.", r"\boxed{30}^\circ"), r"30^\circ", id="degree-after-box"),
    pytest.param(
        r1("W.", r"The chance the coin lands heads is \boxed{\frac12}"), r"\frac12", id="coin"
    ),
    pytest.param(r1("W.", r"Points within the circle: \boxed{5}"), "5", id="within-in-question"),
    pytest.param(
        r1("W.", r"The largest number that could be formed is \boxed{98}"), "98", id="could-be"
    ),
    pytest.param(r1("W.", r"\boxed{15 \text{ min}}"), r"15 \text{ minutes}", id="minutes"),
    pytest.param(r1("W.", r"It happens \boxed{5} times."), "5", id="times-as-unit"),
    pytest.param(r1("W.", r"\boxed{5}. \Box"), "5", id="end-of-proof-box"),
    pytest.param(r1("W.", "The answer is\n\n$$\\boxed{5}$$"), "5", id="box-below-its-claim"),
    pytest.param(
        r1("W.", "<answer>The smallest $k$ is 12.</answer>"), "12", id="name-followed-by-its-value"
    ),
    pytest.param(
        r1("W.", "Thus, the answer is 5.\n\n\\[\\boxed{5}\\]"), "5", id="claim-then-same-box"
    ),
    # Units that look like the words that change a value.
    pytest.param(r1("Area.", r"\boxed{16 \text{ square units}}"), "16", id="square-units"),
    pytest.param(
        r1("Area.", r"\boxed{5 \text{ m squared}}"), r"5 \text{ m}^2", id="metres-squared"
    ),
    pytest.param(
        r1("Area.", r"\boxed{5 \text{ square metres}}"), r"5 \text{ m}^{2}", id="square-metres"
    ),
    pytest.param(r1("Volume.", r"\boxed{2 \text{ cubic feet}}"), r"2 \text{ ft}^3", id="cubic"),
    pytest.param(r1("Scale.", r"\boxed{30 \text{ k}}"), "30000", id="thousand-as-k"),
    pytest.param(r1("Scale.", r"\boxed{\$2.5 \text{ million}}"), "2500000", id="money-million"),
    pytest.param(r1("Money.", r"\boxed{30 \text{ dollars}}"), r"\$30", id="dollars-spelled"),
    pytest.param(r1("Money.", r"\boxed{30}"), r"\$30", id="currency-dropped"),
    pytest.param(r1("Money.", r"\boxed{€30}"), r"30 \text{ euros}", id="euro-sign"),
    pytest.param(r1("Angle.", r"\boxed{90°}"), r"90^\circ", id="degree-sign"),
    pytest.param(r1("Angle.", r"\boxed{90 \text{ degrees}}"), r"90^{\circ}", id="degrees-word"),
    pytest.param(r1("Mass.", r"\boxed{5 \text{ Kg}}"), r"5 \text{ kg}", id="kilogram-capital"),
    pytest.param(r1("Pressure.", r"\boxed{5 \text{ MPa}}"), r"5 \text{ MPa}", id="megapascal"),
    pytest.param(r1("Exact.", r"\boxed{1024.0}"), "2^{10}", id="decimal-of-power"),
    pytest.param(r1("Bigger.", r"\boxed{2.5 \times 10^3}"), "2500", id="scientific-of-integer"),
    pytest.param(
        r1("Mixed.", "<answer>The largest is 5, the maximum of the set.</answer>"),
        "5",
        id="maximum-in-apposition",
    ),
    pytest.param(
        r1("Two.", "<answer>The solutions are $x = 2$ or $x = 3$.</answer>"),
        "2, 3",
        id="or-between-solutions",
    ),
    pytest.param(
        r1("Two.", "<answer>x = 2 or x = 3</answer>"), "2, 3", id="or-between-bare-solutions"
    ),
    pytest.param(r1("Roots.", r"\boxed{\{1, 2\}}"), "x = 1, x = 2", id="set-of-solutions"),
    pytest.param(
        r1("Count.", "<answer>There are 5 two-digit numbers.</answer>"),
        "5",
        id="compound-adjective",
    ),
]


@pytest.mark.parametrize(("response", "reference"), LEGITIMATE)
def test_legitimate_lookalike_earns_reward(response, reference):
    score = score_math(response, parse_reference(reference))
    assert (score.value, score.reason) == (1.0, None), score
