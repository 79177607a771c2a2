r"""Math accuracy on R1-style responses: `(response, reference, value, reason)` tables.

Grouped like Math-Verify's tests/test_all.py, one table per answer form. Every response is
what a reasoning model writes: a `<think>` block, then a short summary with the final answer.
The final-answer rules under test are DESIGN.md's ("Final-answer rules").
"""

from __future__ import annotations

import pytest

from reward_service.rewards.math import MathOptions, parse_reference, score_math
from reward_service.scores import Reason

OK = None
WRONG = Reason.WRONG_ANSWER
ENUMERATED = Reason.ENUMERATED
NO_ANSWER = Reason.NO_ANSWER
TRUNCATED = Reason.TRUNCATED
UNPARSEABLE = Reason.UNPARSEABLE


def r1(think: str, final: str) -> str:
    return f"<think>\n{think}\n</think>\n\n{final}"


def case(case_id: str, response: str, reference: str, value: float, reason: Reason | None):
    return pytest.param(response, reference, value, reason, id=case_id)


def check(response: str, reference: str, value: float, reason: Reason | None) -> None:
    parsed = parse_reference(reference)
    assert parsed is not None, f"reference {reference!r} did not parse"
    score = score_math(response, parsed, MathOptions())
    assert (score.value, score.reason) == (value, reason), score


# Integers
INTEGERS = [
    case("int", r1("6 * 7 = 42.", r"The answer is $\boxed{42}$."), "42", 1.0, OK),
    case("int-negative", r1("x = 5 - 12", r"So $x = \boxed{-7}$."), "-7", 1.0, OK),
    case("int-zero", r1("The terms cancel.", r"The sum is $\boxed{0}$."), "0", 1.0, OK),
    case("int-leading-plus", r1("Positive.", r"\boxed{+5}"), "5", 1.0, OK),
    case("int-big", r1("2^64 ...", r"\boxed{18446744073709551616}"), "2^{64}", 1.0, OK),
    case("int-power-ref", r1("2^10 = 1024.", r"\boxed{1024}"), "2^{10}", 1.0, OK),
    case("int-as-power", r1("It is 2^10.", r"\boxed{2^{10}}"), "1024", 1.0, OK),
    case("int-factorial", r1("5! = 120.", r"\boxed{5!}"), "120", 1.0, OK),
    case("int-binomial", r1("C(5,2).", r"\boxed{\binom{5}{2}}"), "10", 1.0, OK),
    case("int-decimal-zero", r1("Exactly 5.", r"\boxed{5.0}"), "5", 1.0, OK),
    case("int-off-by-one", r1("Counting fence posts: 10.", r"\boxed{10}"), "11", 0.0, WRONG),
    case("int-sign-wrong", r1("x = 7", r"\boxed{7}"), "-7", 0.0, WRONG),
    case("int-digits-swapped", r1("Sum is 54.", r"\boxed{54}"), "45", 0.0, WRONG),
    case("int-close-float", r1("About 42.1", r"\boxed{42.1}"), "42", 0.0, WRONG),
]

# Fractions, decimals and percentages
FRACTIONS = [
    # Valid TeX shorthand that models write: `\frac12` is \frac{1}{2}, `\sqrt2` is \sqrt{2}.
    case("frac-shorthand", r1("Half.", r"\boxed{\frac12}"), r"\frac{1}{2}", 1.0, OK),
    case("dfrac-shorthand", r1("Half.", r"\boxed{\dfrac12}"), "0.5", 1.0, OK),
    case("sqrt-shorthand", r1("Diagonal.", r"\boxed{\sqrt2}"), r"\sqrt{2}", 1.0, OK),
    case("frac-shorthand-wrong", r1("A third.", r"\boxed{\frac13}"), r"\frac{1}{2}", 0.0, WRONG),
    case(
        "frac",
        r1("1/2 of the time.", r"The probability is $\boxed{\frac{1}{2}}$."),
        r"\frac{1}{2}",
        1.0,
        OK,
    ),
    case("frac-vs-decimal", r1("3/4", r"\boxed{\frac{3}{4}}"), "0.75", 1.0, OK),
    case("decimal-vs-frac", r1("0.75", r"\boxed{0.75}"), r"\frac{3}{4}", 1.0, OK),
    case("dfrac", r1("3/4", r"\boxed{\dfrac{3}{4}}"), r"\frac{3}{4}", 1.0, OK),
    case("tfrac", r1("3/4", r"\boxed{\tfrac{3}{4}}"), r"\frac{3}{4}", 1.0, OK),
    case("slash-frac", r1("3/4", r"\boxed{3/4}"), r"\frac{3}{4}", 1.0, OK),
    case("frac-unreduced", r1("6/8", r"\boxed{\frac{6}{8}}"), r"\frac{3}{4}", 1.0, OK),
    case("frac-negative", r1("-3/4", r"\boxed{-\frac{3}{4}}"), r"\frac{-3}{4}", 1.0, OK),
    case("frac-reference-shorthand", r1("1/2", r"\boxed{\frac{1}{2}}"), r"\frac12", 1.0, OK),
    case("third-six-places", r1("1/3 ≈ 0.333333", r"\boxed{0.333333}"), r"\frac{1}{3}", 1.0, OK),
    case("third-two-places", r1("about 0.33", r"\boxed{0.33}"), r"\frac{1}{3}", 0.0, WRONG),
    case("frac-inverted", r1("4/3", r"\boxed{\frac{4}{3}}"), r"\frac{3}{4}", 0.0, WRONG),
    case("percent-vs-number", r1("Half of them.", r"\boxed{50\%}"), "50", 1.0, OK),
    case("percent-vs-fraction", r1("Half of them.", r"\boxed{50\%}"), "0.5", 1.0, OK),
    case("decimal-vs-percent", r1("Half of them.", r"\boxed{0.5}"), r"50\%", 1.0, OK),
    case("percent-wrong", r1("A quarter.", r"\boxed{25\%}"), r"50\%", 0.0, WRONG),
    case("mixed-decimal", r1("12.5", r"\boxed{12.50}"), "12.5", 1.0, OK),
    case(
        "repeating-decimal-bar",
        r1("0.1666...", r"\boxed{\frac{1}{6}}"),
        r"0.1\overline{6}",
        1.0,
        OK,
    ),
]

# Equivalent expressions
EXPRESSIONS = [
    case("square-expanded", r1("Expand.", r"\boxed{x^2+2x+1}"), "(x+1)^2", 1.0, OK),
    case("square-factored", r1("Factor.", r"\boxed{(x+1)^2}"), "x^2+2x+1", 1.0, OK),
    case("square-wrong", r1("Forgot the cross term.", r"\boxed{x^2+1}"), "(x+1)^2", 0.0, WRONG),
    case("difference-of-squares", r1("Factor.", r"\boxed{(a-b)(a+b)}"), "a^2-b^2", 1.0, OK),
    case(
        "rationalized",
        r1("Rationalize.", r"\boxed{\frac{\sqrt{2}}{2}}"),
        r"\frac{1}{\sqrt{2}}",
        1.0,
        OK,
    ),
    case("simplified-root", r1("sqrt 12", r"\boxed{2\sqrt{3}}"), r"\sqrt{12}", 1.0, OK),
    case("cube-root", r1("27^(1/3)", r"\boxed{\sqrt[3]{27}}"), "3", 1.0, OK),
    case("pythagorean", r1("Identity.", r"\boxed{\sin^2 x + \cos^2 x}"), "1", 1.0, OK),
    case("log", r1("log2 8", r"\boxed{\log_2 8}"), "3", 1.0, OK),
    case("pi-multiple", r1("Area of radius 2.", r"\boxed{4\pi}"), r"4\pi", 1.0, OK),
    case("pi-commuted", r1("Area.", r"\boxed{\pi \cdot 4}"), r"4\pi", 1.0, OK),
    case("pi-approximate", r1("3.14 * 4", r"\boxed{12.56}"), r"4\pi", 0.0, WRONG),
    case("imaginary-unit", r1("sqrt(-1)", r"\boxed{\sqrt{-1}}"), "i", 1.0, OK),
    case("nested-frac", r1("1/(1/2)", r"\boxed{\frac{1}{\frac{1}{2}}}"), "2", 1.0, OK),
    case("polynomial-order", r1("Collect terms.", r"\boxed{1 + 3x - 2x^2}"), "-2x^2+3x+1", 1.0, OK),
    case(
        "polynomial-sign", r1("Collect terms.", r"\boxed{1 - 3x - 2x^2}"), "-2x^2+3x+1", 0.0, WRONG
    ),
    case("exp-log", r1("e^(ln 5)", r"\boxed{e^{\ln 5}}"), "5", 1.0, OK),
]

# Equations and relations
EQUATIONS = [
    case("assignment-vs-number", r1("Solve 2x = 6.", r"\boxed{x = 3}"), "3", 1.0, OK),
    case("number-vs-assignment", r1("Solve 2x = 6.", r"\boxed{3}"), "x = 3", 1.0, OK),
    case("assignment-both", r1("Solve.", r"\boxed{x = 3}"), "x = 3", 1.0, OK),
    case("assignment-wrong-value", r1("Solve.", r"\boxed{x = 4}"), "3", 0.0, WRONG),
    case("assignment-wrong-variable", r1("Solve.", r"\boxed{y = 3}"), "x = 3", 0.0, WRONG),
    case(
        "line-rearranged",
        r1("Slope 2, intercept 1.", r"\boxed{2x - y + 1 = 0}"),
        "y = 2x + 1",
        1.0,
        OK,
    ),
    case("line-wrong-slope", r1("Slope 3.", r"\boxed{y = 3x + 1}"), "y = 2x + 1", 0.0, WRONG),
    case("inequality", r1("Solve 3x - 1 <= 5.", r"\boxed{x \le 2}"), r"x \le 2", 1.0, OK),
    case("inequality-flipped", r1("Solve.", r"\boxed{2 \ge x}"), r"x \le 2", 1.0, OK),
    case("inequality-strictness", r1("Solve.", r"\boxed{x < 2}"), r"x \le 2", 0.0, WRONG),
    case("inequality-as-interval", r1("Solve.", r"\boxed{(-\infty, 2]}"), r"x \le 2", 1.0, OK),
    case("chained-inequality", r1("Solve.", r"\boxed{-1 < x \le 2}"), r"-1 < x \le 2", 1.0, OK),
    case("pm-both-sides", r1("x^2 = 4", r"\boxed{x = \pm 2}"), r"\pm 2", 1.0, OK),
]

# Tuples and ordered pairs
TUPLES = [
    case("pair", r1("Intersection point.", r"\boxed{(2, 3)}"), "(2, 3)", 1.0, OK),
    case("pair-swapped", r1("Mixed up x and y.", r"\boxed{(3, 2)}"), "(2, 3)", 0.0, WRONG),
    case("triple", r1("Vector.", r"\boxed{(1, 2, 3)}"), "(1, 2, 3)", 1.0, OK),
    case("triple-reordered", r1("Vector.", r"\boxed{(3, 2, 1)}"), "(1, 2, 3)", 0.0, WRONG),
    case("pair-as-assignments", r1("x = 2, y = 3", r"\boxed{x = 2, y = 3}"), "(2, 3)", 1.0, OK),
    case(
        "pair-fractions",
        r1("Midpoint.", r"\boxed{\left(\frac{1}{2}, -\frac{3}{2}\right)}"),
        r"(0.5, -1.5)",
        1.0,
        OK,
    ),
    case("pair-too-short", r1("Only x.", r"\boxed{(2)}"), "(2, 3)", 0.0, WRONG),
    case("indexed-roots", r1("Both roots.", r"\boxed{x_1 = 3, x_2 = 4}"), "3, 4", 1.0, OK),
]

# Sets: order must not matter
SETS = [
    case("set", r1("Roots.", r"\boxed{\{1, 2, 3\}}"), r"\{1, 2, 3\}", 1.0, OK),
    case("set-reordered", r1("Roots.", r"\boxed{\{3, 2, 1\}}"), r"\{1, 2, 3\}", 1.0, OK),
    case("set-left-right", r1("Roots.", r"\boxed{\left\{2, 1\right\}}"), r"\{1, 2\}", 1.0, OK),
    case("set-missing-element", r1("Roots.", r"\boxed{\{1, 2\}}"), r"\{1, 2, 3\}", 0.0, WRONG),
    case(
        "set-extra-element",
        r1("Roots.", r"\boxed{\{1, 2, 3, 4\}}"),
        r"\{1, 2, 3\}",
        0.0,
        ENUMERATED,
    ),
    case("bare-list-vs-set", r1("Roots.", r"\boxed{1, 2, 3}"), r"\{1, 2, 3\}", 1.0, OK),
    case("bare-list-reordered", r1("Roots.", r"\boxed{3, 2}"), "2, 3", 1.0, OK),
    case(
        "set-of-radicals",
        r1("Roots of x^2 - 2x - 1.", r"\boxed{1 - \sqrt{2}, 1 + \sqrt{2}}"),
        r"1 \pm \sqrt{2}",
        1.0,
        OK,
    ),
    case("set-pm-reference", r1("Roots.", r"\boxed{1 \pm \sqrt{2}}"), r"1 \pm \sqrt{2}", 1.0, OK),
]

# Intervals: open and closed ends must matter
INTERVALS = [
    case("open", r1("Solve.", r"\boxed{(1, 2)}"), "(1, 2)", 1.0, OK),
    case("open-vs-closed", r1("Solve.", r"\boxed{[1, 2]}"), "(1, 2)", 0.0, WRONG),
    case("half-open", r1("Solve.", r"\boxed{(1, 2]}"), "(1, 2]", 1.0, OK),
    case("half-open-flipped", r1("Solve.", r"\boxed{[1, 2)}"), "(1, 2]", 0.0, WRONG),
    case("closed", r1("Solve.", r"\boxed{[-3, 5]}"), "[-3, 5]", 1.0, OK),
    case("closed-left-right", r1("Solve.", r"\boxed{\left[-3, 5\right]}"), "[-3, 5]", 1.0, OK),
    case("ray", r1("Solve.", r"\boxed{[4, \infty)}"), r"[4, \infty)", 1.0, OK),
    # A decimal inside is judged as a decimal: rounded to 4 digits at least, or exact.
    case("decimal-ends", r1("Solve.", r"\boxed{(0.6, 2.6667]}"), r"(\frac35, \frac83]", 1.0, OK),
    case(
        "decimal-ends-short",
        r1("Solve.", r"\boxed{(0.6, 2.67]}"),
        r"(\frac35, \frac83]",
        0.0,
        WRONG,
    ),
    case(
        "decimal-ends-bracket",
        r1("Solve.", r"\boxed{(0.6, 2.6667)}"),
        r"(\frac35, \frac83]",
        0.0,
        WRONG,
    ),
    case("decimal-reference-ends", r1("Solve.", r"\boxed{(\frac32, 2)}"), "(1.5, 2)", 1.0, OK),
    case("decimal-ends-swapped", r1("Solve.", r"\boxed{(2, \frac32)}"), "(1.5, 2)", 0.0, WRONG),
    case(
        "union",
        r1("Solve.", r"\boxed{(-\infty, 0) \cup (1, \infty)}"),
        r"(-\infty, 0) \cup (1, \infty)",
        1.0,
        OK,
    ),
    case(
        "union-reordered",
        r1("Solve.", r"\boxed{(1, \infty) \cup (-\infty, 0)}"),
        r"(-\infty, 0) \cup (1, \infty)",
        1.0,
        OK,
    ),
    case(
        "union-one-end-closed",
        r1("Solve.", r"\boxed{(-\infty, 0] \cup (1, \infty)}"),
        r"(-\infty, 0) \cup (1, \infty)",
        0.0,
        WRONG,
    ),
    case("membership", r1("Solve.", r"\boxed{x \in (1, 2)}"), "(1, 2)", 1.0, OK),
    case("interval-vs-inequality-ref", r1("Solve.", r"\boxed{(-1, 2]}"), r"-1 < x \le 2", 1.0, OK),
]

# Matrices and vectors
MATRICES = [
    case(
        "pmatrix",
        r1("Multiply.", r"\boxed{\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}}"),
        r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}",
        1.0,
        OK,
    ),
    case(
        "bmatrix-vs-pmatrix",
        r1("Multiply.", r"\boxed{\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}}"),
        r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}",
        1.0,
        OK,
    ),
    case(
        "transposed",
        r1("Multiply.", r"\boxed{\begin{pmatrix} 1 & 3 \\ 2 & 4 \end{pmatrix}}"),
        r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}",
        0.0,
        WRONG,
    ),
    case(
        "fraction-entries",
        r1("Invert.", r"\boxed{\begin{pmatrix} \frac{1}{2} & 0 \\ 0 & \frac{1}{4} \end{pmatrix}}"),
        r"\begin{pmatrix} 0.5 & 0 \\ 0 & 0.25 \end{pmatrix}",
        1.0,
        OK,
    ),
    case(
        "column-vector",
        r1("Project.", r"\boxed{\begin{pmatrix} 2 \\ -1 \end{pmatrix}}"),
        r"\begin{pmatrix} 2 \\ -1 \end{pmatrix}",
        1.0,
        OK,
    ),
    case(
        "column-vector-sign",
        r1("Project.", r"\boxed{\begin{pmatrix} 2 \\ 1 \end{pmatrix}}"),
        r"\begin{pmatrix} 2 \\ -1 \end{pmatrix}",
        0.0,
        WRONG,
    ),
    case(
        "identity",
        r1("A A^{-1}.", r"\boxed{\begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix}}"),
        r"\begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix}",
        1.0,
        OK,
    ),
]

# Multiple-choice letters
CHOICES = [
    case("letter", r1("Only C satisfies both.", r"The answer is $\boxed{C}$."), "C", 1.0, OK),
    case("letter-parenthesized", r1("Option C.", r"\boxed{(C)}"), "C", 1.0, OK),
    case("letter-text", r1("Option C.", r"\boxed{\text{C}}"), "C", 1.0, OK),
    case("letter-text-parenthesized", r1("Option C.", r"\boxed{\text{(C)}}"), "C", 1.0, OK),
    case("letter-textbf", r1("Option C.", r"\boxed{\textbf{(C)}}"), "C", 1.0, OK),
    case("letter-reference-parenthesized", r1("Option C.", r"\boxed{C}"), "(C)", 1.0, OK),
    case("letter-wrong", r1("D looks right.", r"\boxed{D}"), "C", 0.0, WRONG),
    case("letter-glued", r1("A, C and D?", r"\boxed{ACD}"), "C", 0.0, WRONG),
    case("letter-answer-tag", r1("Option C.", "<answer>C</answer>"), "C", 1.0, OK),
    case("letter-answer-tag-parenthesized", r1("Option C.", "<answer>(C)</answer>"), "C", 1.0, OK),
    case("letter-answer-tag-wrong", r1("Option B.", "<answer>B</answer>"), "C", 0.0, WRONG),
    case("letters-multi-select", r1("A and C both hold.", r"\boxed{AC}"), "AC", 1.0, OK),
]

# Text answers
TEXT = [
    case("han-text", r1("甲先走并获胜。", r"\boxed{甲}"), "甲", 1.0, OK),
    case("han-text-wrapped", r1("甲先走并获胜。", r"\boxed{\text{甲}}"), "甲", 1.0, OK),
    case("han-text-wrong", r1("乙先走。", r"\boxed{乙}"), "甲", 0.0, WRONG),
    case("han-text-hedged", r1("甲或乙。", r"\boxed{甲或乙}"), "甲", 0.0, ENUMERATED),
    case("yes", r1("The sequence converges.", r"\boxed{\text{yes}}"), r"\text{yes}", 1.0, OK),
    case("yes-capitalized", r1("It converges.", r"\boxed{\text{Yes}}"), "yes", 1.0, OK),
    case("yes-plain", r1("It converges.", r"\boxed{yes}"), "yes", 1.0, OK),
    case("yes-answer-tag", r1("It converges.", "<answer>Yes</answer>"), r"\text{yes}", 1.0, OK),
    case("no-vs-yes", r1("It diverges.", r"\boxed{\text{no}}"), "yes", 0.0, WRONG),
    case("no-answer-tag", r1("It diverges.", "<answer>No</answer>"), "yes", 0.0, WRONG),
    case(
        "name", r1("Alice moves first and wins.", r"\boxed{\text{Alice}}"), r"\text{Alice}", 1.0, OK
    ),
    case("name-answer-tag", r1("Alice wins.", "<answer>Alice</answer>"), "Alice", 1.0, OK),
    case("name-wrong", r1("Bob wins.", r"\boxed{\text{Bob}}"), r"\text{Alice}", 0.0, WRONG),
    case(
        "weekday",
        r1("Count 10 days from Monday.", r"\boxed{\text{Thursday}}"),
        r"\text{Thursday}",
        1.0,
        OK,
    ),
    case(
        "weekday-wrong",
        r1("Count 10 days.", r"\boxed{\text{Friday}}"),
        r"\text{Thursday}",
        0.0,
        WRONG,
    ),
]

# Units and degrees
UNITS = [
    case("unit-text", r1("Perimeter.", r"\boxed{5 \text{ cm}}"), "5", 1.0, OK),
    case("unit-squared", r1("Area.", r"\boxed{5\text{ cm}^2}"), "5", 1.0, OK),
    case("unit-mbox", r1("Speed.", r"\boxed{60 \mbox{ km/h}}"), "60", 1.0, OK),
    case("unit-wrong-number", r1("Perimeter.", r"\boxed{6 \text{ cm}}"), "5", 0.0, WRONG),
    case("degrees", r1("Angle sum.", r"\boxed{30^\circ}"), "30", 1.0, OK),
    case("degrees-braced", r1("Angle sum.", r"\boxed{30^{\circ}}"), r"30^\circ", 1.0, OK),
    case("degrees-reference-only", r1("Angle sum.", r"\boxed{30}"), r"30^\circ", 1.0, OK),
    case("degrees-wrong", r1("Supplement.", r"\boxed{150^\circ}"), r"30^\circ", 0.0, WRONG),
    case("dollars", r1("Cost.", r"\boxed{\$12.50}"), "12.5", 1.0, OK),
    case("dollars-wrong", r1("Cost.", r"\boxed{\$12.05}"), "12.5", 0.0, WRONG),
]

# Thousands separators
THOUSANDS = [
    case("comma", r1("Sum is 1000.", r"\boxed{1,000}"), "1000", 1.0, OK),
    case("braced-comma", r1("Sum is 1000.", r"\boxed{1{,}000}"), "1000", 1.0, OK),
    case("thin-space", r1("Sum is 1000.", r"\boxed{1\,000}"), "1000", 1.0, OK),
    case("plain-space", r1("Sum is 1000.", r"\boxed{1 000}"), "1000", 1.0, OK),
    case("millions", r1("Large.", r"\boxed{12,345,678}"), "12345678", 1.0, OK),
    case("millions-thin-space", r1("Large.", r"\boxed{12\,345\,678}"), "12345678", 1.0, OK),
    case("reference-with-comma", r1("Sum is 1000.", r"\boxed{1000}"), "1,000", 1.0, OK),
    case("thin-space-is-not-zero", r1("Sum is 1000.", r"\boxed{1\,000}"), "0", 0.0, WRONG),
    case(
        "decimal-comma-is-not-thousands",
        r1("One and a half?", r"\boxed{1,5}"),
        "15",
        0.0,
        ENUMERATED,
    ),
    case("answer-tag-comma", r1("Sum is 1000.", "<answer>1,000</answer>"), "1000", 1.0, OK),
]

# Chinese text around the answer
CHINESE = [
    case("zh-box", r1("计算得 5。", r"答案是 \boxed{5}。"), "5", 1.0, OK),
    case(
        "zh-box-fraction",
        r1("概率为二分之一。", r"所以概率为 $\boxed{\frac{1}{2}}$。"),
        "0.5",
        1.0,
        OK,
    ),
    case("zh-answer-tag", r1("计算得 5。", "<answer>答案是5</answer>"), "5", 1.0, OK),
    case(
        "zh-answer-tag-measure-word",
        r1("一共 12 个。", "<answer>所以答案为 12 个。</answer>"),
        "12",
        1.0,
        OK,
    ),
    case(
        "zh-answer-tag-latex",
        r1("x 等于二分之一", r"<answer>答案是 $x = \frac{1}{2}$。</answer>"),
        "0.5",
        1.0,
        OK,
    ),
    case("zh-answer-tag-wrong", r1("计算得 6。", "<answer>答案是6</answer>"), "5", 0.0, WRONG),
    case(
        "zh-answer-tag-negated-value",
        r1("5 或 6", "<answer>答案是5，不是6</answer>"),
        "5",
        1.0,
        OK,
    ),
    case(
        "zh-answer-tag-two-values",
        r1("5 或 6", "<answer>答案是5，6</answer>"),
        "5",
        0.0,
        ENUMERATED,
    ),
    case("zh-answer-tag-full-stop", r1("计算得 5。", "<answer>5。</answer>"), "5", 1.0, OK),
    case("zh-box-in-answer-tag", r1("计算。", r"<answer>答案：\boxed{5}</answer>"), "5", 1.0, OK),
    case("zh-or-in-box", r1("两个都试试", r"\boxed{3 \text{ 或 } 4}"), "3", 0.0, ENUMERATED),
]

# Box syntax: \boxed 5, \fbox, nested braces
BOX_SYNTAX = [
    case("bare-box", r1("Count.", r"The answer is \boxed 7"), "7", 1.0, OK),
    case("bare-box-full-stop", r1("Count.", r"The answer is \boxed 7."), "7", 1.0, OK),
    case("bare-box-in-math", r1("Count.", r"The answer is $\boxed 7$."), "7", 1.0, OK),
    case("bare-box-decimal", r1("Measure.", r"The answer is \boxed 7.5."), "7.5", 1.0, OK),
    case("fbox", r1("Count.", r"The answer is \fbox{7}."), "7", 1.0, OK),
    case("space-before-brace", r1("Count.", r"The answer is \boxed {7}."), "7", 1.0, OK),
    case(
        "nested-braces",
        r1("Simplify.", r"\boxed{\frac{\sqrt{3}}{2}}"),
        r"\frac{\sqrt{3}}{2}",
        1.0,
        OK,
    ),
    case(
        "nested-braces-deep",
        r1("Simplify.", r"\boxed{\frac{1}{1+\frac{1}{1+\frac{1}{2}}}}"),
        r"\frac{3}{5}",
        1.0,
        OK,
    ),
    case("double-braces", r1("Count.", r"\boxed{{7}}"), "7", 1.0, OK),
    case("escaped-braces", r1("Roots.", r"\boxed{ \{ 7 \} }"), r"\{7\}", 1.0, OK),
    case("display-math", r1("Count.", "Therefore\n\\[\n\\boxed{7}\n\\]"), "7", 1.0, OK),
    case("same-value-twice", r1("Count.", r"So \boxed{7}. Final answer: \boxed{7}"), "7", 1.0, OK),
    case(
        "same-value-two-forms",
        r1("Count.", r"So \boxed{0.5}, i.e. \boxed{\frac{1}{2}}"),
        "0.5",
        1.0,
        OK,
    ),
    case("box-never-closed", r1("Count.", r"The answer is \boxed{7"), "7", 0.0, NO_ANSWER),
    case("box-closed-after-a-backslash", r1("Count.", r"The answer is \boxed{7 \}."), "7", 1.0, OK),
]

# <answer> tags
ANSWER_TAGS = [
    case("answer-short-prose", r1("6 * 7.", "<answer>It is 42</answer>"), "42", 1.0, OK),
    case("answer-short-prose-dot", r1("6 * 7.", "<answer>It is 42.</answer>"), "42", 1.0, OK),
    case("answer-short-prose-wrong", r1("6 * 7.", "<answer>It is 41</answer>"), "42", 0.0, WRONG),
    case("box-text-not-searched", r1("...", r"\boxed{I got 42}"), "42", 0.0, WRONG),
    case("tag-plain", r1("6 * 7", "<answer>42</answer>"), "42", 1.0, OK),
    case("tag-spaces", r1("6 * 7", "<answer>\n42\n</answer>"), "42", 1.0, OK),
    case("tag-fraction", r1("half", r"<answer>\frac{1}{2}</answer>"), "0.5", 1.0, OK),
    case("tag-slash", r1("half", "<answer>1/2</answer>"), r"\frac{1}{2}", 1.0, OK),
    case("tag-assignment", r1("solve", "<answer>x = 3</answer>"), "3", 1.0, OK),
    case("tag-inline-math", r1("half", r"<answer>$\frac{1}{2}$</answer>"), "0.5", 1.0, OK),
    case("tag-paren-math", r1("half", r"<answer>\(\frac{1}{2}\)</answer>"), "0.5", 1.0, OK),
    case("tag-display-math", r1("half", r"<answer>$$\frac{1}{2}$$</answer>"), "0.5", 1.0, OK),
    case("tag-sentence", r1("6 * 7", "<answer>The answer is 42.</answer>"), "42", 1.0, OK),
    case(
        "tag-sentence-with-math",
        r1("half", r"<answer>The probability is $\frac{1}{2}$.</answer>"),
        "0.5",
        1.0,
        OK,
    ),
    case(
        "tag-sentence-with-unit-words",
        r1("3 * 4", "<answer>The area is 12 square units.</answer>"),
        "12",
        1.0,
        OK,
    ),
    case(
        "tag-sentence-with-and",
        r1("check", "<answer>After simplifying and checking, the answer is 55.</answer>"),
        "55",
        1.0,
        OK,
    ),
    case("tag-markdown-bold", r1("6 * 7", "<answer>**42**</answer>"), "42", 1.0, OK),
    case("tag-markdown-label", r1("6 * 7", "<answer>**Answer:** 42</answer>"), "42", 1.0, OK),
    case(
        "tag-box-wins",
        r1("4 or 5?", r"<answer>The count is 4, so \boxed{5}</answer>"),
        "5",
        1.0,
        OK,
    ),
    case(
        "tag-box-wins-wrong-body",
        r1("4 or 5?", r"<answer>The count is 5, so \boxed{4}</answer>"),
        "5",
        0.0,
        WRONG,
    ),
    case("tag-and-box-disagree", r1("4?", r"\boxed{5} <answer>4</answer>"), "5", 0.0, ENUMERATED),
    case("tag-and-box-agree", r1("5", r"\boxed{5} <answer>5</answer>"), "5", 1.0, OK),
    case("tag-empty", r1("hmm", "<answer></answer>"), "42", 0.0, NO_ANSWER),
    case("tag-empty-box", r1("hmm", r"<answer>\boxed{}</answer>"), "42", 0.0, NO_ANSWER),
    case("tag-never-closed", r1("6 * 7", "<answer>42"), "42", 0.0, NO_ANSWER),
    case(
        "tag-repeated-same", r1("6 * 7", "<answer>42</answer>\n<answer>42</answer>"), "42", 1.0, OK
    ),
    case("tag-wrong", r1("6 * 8", "<answer>48</answer>"), "42", 0.0, WRONG),
    case("tag-tuple", r1("point", "<answer>The point is (2, 3).</answer>"), "(2, 3)", 1.0, OK),
    case(
        "tag-restated-question",
        r1("first 10 terms", "<answer>The sum of the first 10 terms is 55.</answer>"),
        "55",
        1.0,
        OK,
    ),
    case(
        "tag-second-number-stated",
        r1("first 10 terms", "<answer>The sum is 10 and the product is 55.</answer>"),
        "55",
        0.0,
        ENUMERATED,
    ),
]

# Where the answer sits: <think> never counts; truncation
PLACEMENT = [
    case(
        "box-only-in-think", r1(r"So it is \boxed{42}.", "I hope this helps."), "42", 0.0, NO_ANSWER
    ),
    case("tag-only-in-think", r1("<answer>42</answer>", "Done."), "42", 0.0, NO_ANSWER),
    case(
        "box-in-think-and-after",
        r1(r"maybe \boxed{41}", r"The answer is \boxed{42}."),
        "42",
        1.0,
        OK,
    ),
    case(
        "wrong-after-right-in-think",
        r1(r"maybe \boxed{42}", r"The answer is \boxed{41}."),
        "42",
        0.0,
        WRONG,
    ),
    case(
        "truncated-think",
        "<think>\nLet me compute 6 * 7. That is \\boxed{42}",
        "42",
        0.0,
        TRUNCATED,
    ),
    case(
        "truncated-think-no-box", "<think>\nLet me compute 6 * 7 step by step", "42", 0.0, TRUNCATED
    ),
    case("think-reopened", r1("6 * 7", "<think>wait, \\boxed{42}"), "42", 0.0, TRUNCATED),
    case("no-think-tags", r"6 * 7 = 42, so the answer is \boxed{42}.", "42", 1.0, OK),
    case("think-in-prompt", "6 * 7 = 42.\n</think>\n\nThe answer is \\boxed{42}.", "42", 1.0, OK),
    case("no-answer-at-all", r1("6 * 7 = 42", "The answer is forty-two."), "42", 0.0, NO_ANSWER),
    case("empty-final", r1("6 * 7 = 42", ""), "42", 0.0, NO_ANSWER),
    case("empty-box", r1("6 * 7 = 42", r"\boxed{}"), "42", 0.0, NO_ANSWER),
]

# Wrong answers of every form
WRONG_ANSWERS = [
    case("wrong-int", r1("6 * 7 = 48?", r"\boxed{48}"), "42", 0.0, WRONG),
    case("wrong-frac", r1("2/3", r"\boxed{\frac{2}{3}}"), r"\frac{1}{3}", 0.0, WRONG),
    case("wrong-expression", r1("(x-1)^2", r"\boxed{(x-1)^2}"), "(x+1)^2", 0.0, WRONG),
    case("wrong-set", r1("{1, 4}", r"\boxed{\{1, 4\}}"), r"\{1, 2\}", 0.0, WRONG),
    case("wrong-interval", r1("(0, 3)", r"\boxed{(0, 3)}"), "(0, 2)", 0.0, WRONG),
    case("wrong-variable", r1("Wrote the unknown.", r"\boxed{x}"), "8", 0.0, WRONG),
    case("wrong-real-line", r1("All reals?", r"\boxed{\mathbb{R}}"), "8", 0.0, WRONG),
    case("wrong-text", r1("Unsure.", r"\boxed{\text{all real numbers}}"), "8", 0.0, WRONG),
    case("wrong-sqrt", r1("sqrt 3", r"\boxed{\sqrt{3}}"), r"\sqrt{2}", 0.0, WRONG),
    case("wrong-tag-prose", r1("6 * 8", "<answer>So the answer is 48.</answer>"), "42", 0.0, WRONG),
]

# Answers the verifier cannot read
UNPARSEABLE_ANSWERS = [
    case("unbalanced-paren", r1("...", r"\boxed{)(}"), "2", 0.0, UNPARSEABLE),
    case("dangling-operator", r1("...", r"\boxed{3 +}"), "3", 0.0, UNPARSEABLE),
    case("empty-frac", r1("...", r"\boxed{\frac{1}{}}"), r"\frac{1}{2}", 0.0, UNPARSEABLE),
    case("empty-sqrt", r1("...", r"\boxed{\sqrt{}}"), r"\sqrt{2}", 0.0, UNPARSEABLE),
    case("question-marks", r1("...", "<answer>???</answer>"), "7", 0.0, UNPARSEABLE),
    case(
        "prose-tag-without-value",
        r1("...", "<answer>See the reasoning above.</answer>"),
        "7",
        0.0,
        UNPARSEABLE,
    ),
    case(
        "too-long", r1("...", r"\boxed{" + "1+" * 600 + "1}"), "1201", 0.0, Reason.ANSWER_TOO_LONG
    ),
]

# Hedged answers (the full list of hacks is in tests/test_hacking.py)
HEDGED = [
    case("two-boxes", r1("5 or 6", r"\boxed{5} or \boxed{6}"), "5", 0.0, ENUMERATED),
    case("two-boxes-both-wrong", r1("7 or 8", r"\boxed{7} or \boxed{8}"), "5", 0.0, ENUMERATED),
    case("or-in-box", r1("3 or 4", r"\boxed{3 \text{ or } 4}"), "3", 0.0, ENUMERATED),
    case("or-in-tag", r1("3 or 4", "<answer>3 or 4</answer>"), "3", 0.0, ENUMERATED),
    case(
        "list-in-tag-prose",
        r1("try them", "<answer>Candidates: 3, 4, 5.</answer>"),
        "5",
        0.0,
        ENUMERATED,
    ),
    case(
        "two-sentences",
        r1("4 then 3", "<answer>The answer is $4$. The answer is $3$.</answer>"),
        "3",
        0.0,
        ENUMERATED,
    ),
    case("pm-for-single", r1("x^2 = 9", r"\boxed{\pm 3}"), "3", 0.0, ENUMERATED),
]


@pytest.mark.parametrize(("response", "reference", "value", "reason"), INTEGERS)
def test_integers(response, reference, value, reason):
    check(response, reference, value, reason)


@pytest.mark.parametrize(("response", "reference", "value", "reason"), FRACTIONS)
def test_fractions_decimals_percent(response, reference, value, reason):
    check(response, reference, value, reason)


@pytest.mark.parametrize(("response", "reference", "value", "reason"), EXPRESSIONS)
def test_expressions(response, reference, value, reason):
    check(response, reference, value, reason)


@pytest.mark.parametrize(("response", "reference", "value", "reason"), EQUATIONS)
def test_equations(response, reference, value, reason):
    check(response, reference, value, reason)


@pytest.mark.parametrize(("response", "reference", "value", "reason"), TUPLES)
def test_tuples(response, reference, value, reason):
    check(response, reference, value, reason)


@pytest.mark.parametrize(("response", "reference", "value", "reason"), SETS)
def test_sets(response, reference, value, reason):
    check(response, reference, value, reason)


@pytest.mark.parametrize(("response", "reference", "value", "reason"), INTERVALS)
def test_intervals(response, reference, value, reason):
    check(response, reference, value, reason)


@pytest.mark.parametrize(("response", "reference", "value", "reason"), MATRICES)
def test_matrices(response, reference, value, reason):
    check(response, reference, value, reason)


@pytest.mark.parametrize(("response", "reference", "value", "reason"), CHOICES)
def test_multiple_choice(response, reference, value, reason):
    check(response, reference, value, reason)


@pytest.mark.parametrize(("response", "reference", "value", "reason"), TEXT)
def test_text_answers(response, reference, value, reason):
    check(response, reference, value, reason)


@pytest.mark.parametrize(("response", "reference", "value", "reason"), UNITS)
def test_units_and_degrees(response, reference, value, reason):
    check(response, reference, value, reason)


@pytest.mark.parametrize(("response", "reference", "value", "reason"), THOUSANDS)
def test_thousands_separators(response, reference, value, reason):
    check(response, reference, value, reason)


@pytest.mark.parametrize(("response", "reference", "value", "reason"), CHINESE)
def test_chinese_around_the_answer(response, reference, value, reason):
    check(response, reference, value, reason)


@pytest.mark.parametrize(("response", "reference", "value", "reason"), BOX_SYNTAX)
def test_box_syntax(response, reference, value, reason):
    check(response, reference, value, reason)


@pytest.mark.parametrize(("response", "reference", "value", "reason"), ANSWER_TAGS)
def test_answer_tags(response, reference, value, reason):
    check(response, reference, value, reason)


@pytest.mark.parametrize(("response", "reference", "value", "reason"), PLACEMENT)
def test_placement_and_truncation(response, reference, value, reason):
    check(response, reference, value, reason)


@pytest.mark.parametrize(("response", "reference", "value", "reason"), WRONG_ANSWERS)
def test_wrong_answers(response, reference, value, reason):
    check(response, reference, value, reason)


@pytest.mark.parametrize(("response", "reference", "value", "reason"), UNPARSEABLE_ANSWERS)
def test_unparseable_answers(response, reference, value, reason):
    check(response, reference, value, reason)


@pytest.mark.parametrize(("response", "reference", "value", "reason"), HEDGED)
def test_hedged_answers(response, reference, value, reason):
    check(response, reference, value, reason)


ALL_CASES = (
    INTEGERS
    + FRACTIONS
    + EXPRESSIONS
    + EQUATIONS
    + TUPLES
    + SETS
    + INTERVALS
    + MATRICES
    + CHOICES
    + TEXT
    + UNITS
    + THOUSANDS
    + CHINESE
    + BOX_SYNTAX
    + ANSWER_TAGS
    + PLACEMENT
    + WRONG_ANSWERS
    + UNPARSEABLE_ANSWERS
    + HEDGED
)


def test_case_ids_are_unique():
    ids = [param.id for param in ALL_CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    "reference", ["", "   ", r"\frac{", r"\boxed{}"], ids=["empty", "blank", "broken", "empty-box"]
)
def test_unparseable_reference_is_none(reference):
    assert parse_reference(reference) is None


def test_a_long_reference_is_not_kept_by_the_caches():
    """Cached, 65,536 verdicts on references of 100,000 characters filled a worker."""
    parse_reference.cache_clear()
    long = "1" + "0" * 2_500
    options = MathOptions(max_answer_chars=3_000)
    assert score_math(rf"</think> \boxed{{{long}}}", parse_reference(long), options).value == 1.0
    assert parse_reference.cache_info().currsize == 0


def test_reference_is_parsed_once():
    parse_reference.cache_clear()
    first = parse_reference(r"\frac{1}{2}")
    assert parse_reference(r"\frac{1}{2}") is first
    assert parse_reference.cache_info().hits == 1
