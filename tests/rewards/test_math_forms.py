r"""Answer forms read as meant (`math_forms`), each with the attacks that try to use it.

One table per class of misjudgement: the right forms that must earn 1, and next to them the
wrong answers that a policy would reach for through the same leniency (hedges hidden in prose,
lists smuggled as mixed numbers, extra solutions in a multi-box answer, reference-shaped
decoys), which must earn 0.
"""

from __future__ import annotations

import pytest

from reward_service.rewards.math import parse_reference
from reward_service.rewards.math_forms import read
from tests.conftest import runs_within
from tests.rewards.test_math import ENUMERATED, NO_ANSWER, OK, UNPARSEABLE, WRONG, check


def case(case_id: str, final: str, reference: str, value: float, reason):
    response = f"<think>\nLet me work it out step by step.\n</think>\n\n{final}"
    return pytest.param(response, reference, value, reason, id=case_id)


PROSE_ANSWERS = [
    case(
        "variable-in-passing",
        "<answer>Final Answer: The smallest $k$ is 12.</answer>",
        "12",
        1.0,
        OK,
    ),
    case("variable-in-passing-wrong", "<answer>The smallest $k$ is 13.</answer>", "12", 0.0, WRONG),
    case(
        "number-word-qualifying-a-noun",
        r"<answer>Here is a zero matrix: $\begin{pmatrix}0 & 0 \\ 0 & 0\end{pmatrix}$</answer>",
        r"\begin{bmatrix}0 & 0 \\ 0 & 0\end{bmatrix}",
        1.0,
        OK,
    ),
    case("number-word-after-a-is-a-value", "<answer>It is a five digit number: 12345.</answer>", "12345", 0.0, ENUMERATED),
    case("number-word-after-a-hides-nothing", "<answer>The answer is 12; a fifteen value also fits.</answer>", "12", 0.0, ENUMERATED),
    case("zero-after-a-hides-nothing", "<answer>12; a zero result would also be valid.</answer>", "12", 0.0, ENUMERATED),
    case("number-word-after-the-singular", "<answer>The total is 12; the fifteen total is also consistent.</answer>", "12", 0.0, ENUMERATED),
    case("number-words-after-a", "<answer>I rolled a five, or a six.</answer>", "5", 0.0, ENUMERATED),
    case("number-word-after-a-noun-and-value", "<answer>It is a two digit number, 12.</answer>", "2", 0.0, WRONG),
    case(
        "matrix-in-a-sentence",
        r"<answer>The inverse matrix is $\begin{pmatrix}1&2\\3&4\end{pmatrix}$.</answer>",
        r"\begin{pmatrix}1&2\\3&4\end{pmatrix}",
        1.0,
        OK,
    ),
    case(
        "not-this-but-that", "<answer>the total is not 2 but 2,500.75€</answer>", "2500.75", 1.0, OK
    ),
    case(
        "not-that-but-this",
        "<answer>the total is not 2500.75 but 2</answer>",
        "2500.75",
        0.0,
        WRONG,
    ),
    case("only-negated", "<answer>The answer is not 5.</answer>", "5", 0.0, NO_ANSWER),
    case("zh-negated", "<answer>答案是5，不是6</answer>", "5", 1.0, OK),
    case("hedge-two-values", "<answer>It is 5 or 6.</answer>", "5", 0.0, ENUMERATED),
    case("hedge-maybe", "<answer>maybe 5</answer>", "5", 0.0, ENUMERATED),
    case("hedge-zh", "<answer>答案可能是5</answer>", "5", 0.0, ENUMERATED),
    case("bound-at-least", "<answer>at least 5</answer>", "5", 0.0, ENUMERATED),
    case("bound-no-more-than", "<answer>no more than 5 apples</answer>", "5", 0.0, ENUMERATED),
    case("bound-zh", "<answer>至少5个</answer>", "5", 0.0, ENUMERATED),
    case("marker-then-answer", "<answer>3 + 4 = 7, so the answer is 7.</answer>", "7", 1.0, OK),
    case(
        "two-claims-after-markers",
        "<answer>The answer is $4$. The answer is $3$.</answer>",
        "3",
        0.0,
        ENUMERATED,
    ),
    case("names-only-are-the-answer", "<answer>The point is $P$.</answer>", "P", 1.0, OK),
    # A worked solution in <answer> that names its final answer (the Minerva format): the
    # steps before "Final Answer" are working, whatever "thus" and "not" they contain.
    case(
        "worked-solution-minerva",
        "<answer>The volume is $5 \\times 4 = 20$, which is not 21. Thus $h = 4$. Final Answer: "
        "The final answer is $4$. I hope it is correct.</answer>",
        "4",
        1.0,
        OK,
    ),
    case(
        "worked-solution-minerva-wrong",
        "<answer>Thus $h = 4$. Final Answer: The final answer is $5$. I hope it is correct.</answer>",
        "4",
        0.0,
        WRONG,
    ),
    case(
        "guess-before-final-answer",
        "<answer>It is 3 or 4. The final answer is 4.</answer>",
        "4",
        0.0,
        ENUMERATED,
    ),
    case(
        "two-claims-after-final-answer",
        "<answer>Final Answer: 7. Thus 8.</answer>",
        "7",
        0.0,
        ENUMERATED,
    ),
    # A worked solution without a named final answer concludes with it: its last "Therefore"
    # (or "So" opening a sentence) states it, and the steps before state nothing.
    case(
        "worked-solution-concludes",
        "<answer>Let $d$ be the difference, so $1 + nd = 91$. The divisors of 90 are 1, 2, 3, 5, 6, "
        "9, 10, 15, 18, 30, 45 and 90. Therefore, there are 12 distinct sequences that meet the "
        "three given conditions. I hope it is correct.</answer>",
        "12",
        1.0,
        OK,
    ),
    case(
        "worked-solution-so",
        "<answer>Then $x = 7$ and $y = 8.8 - 2.8 = 6$ So, the ordered pair $(x, y)$ that solves "
        "the system is $(7, 6)$.</answer>",
        "(7,6)",
        1.0,
        OK,
    ),
    case("conclusion-hedged", "<answer>3 + 4 = 7. Therefore it is 7 or 8.</answer>", "7", 0.0, ENUMERATED),
    case("guess-before-conclusion", "<answer>It is 7 or 8. Thus 8.</answer>", "8", 0.0, ENUMERATED),
    case("earlier-conclusion", "<answer>Thus 5. Thus 6.</answer>", "5", 0.0, WRONG),
    case("the-two-values", "<answer>Thus the two values are 5 and 6.</answer>", "5", 0.0, ENUMERATED),
    case("the-number-word", "<answer>Thus the five.</answer>", "5", 0.0, WRONG),
    case("the-number-word-said-of", "<answer>Thus 5, the six being also valid.</answer>", "5", 0.0, ENUMERATED),
    case("all-number-word", "<answer>So 5; all six also work.</answer>", "5", 0.0, ENUMERATED),
    case("aside-after-conclusion", "<answer>Thus 5. (Check: hence 6 is too small.)</answer>", "6", 0.0, ENUMERATED),
    case("check-after-conclusion", "<answer>Thus 5. Sanity check: So 5 + 1 = 6 is next.</answer>", "6", 0.0, ENUMERATED),
    case("case-before-conclusion", "<answer>If zero counts, the count is 5. Therefore 6.</answer>", "6", 0.0, ENUMERATED),
    case("unless-then-conclusion", "<answer>5, unless the set excludes zero, and thus 6.</answer>", "6", 0.0, ENUMERATED),
    case("guess-two-back", "<answer>It could be 5. It could also be 6. Thus 6.</answer>", "6", 0.0, ENUMERATED),
    case("names-then-two-pairs", "<answer>So $(x, y) = (7, 6)$ or $(6, 7)$.</answer>", "(7,6)", 0.0, WRONG),
    case("so-in-a-sentence", "<answer>It is so: 3 + 4 = 7, and so 8.</answer>", "8", 0.0, ENUMERATED),
]  # fmt: skip

MULTI_VALUED = [
    case("box-per-pair", r"\boxed{(1, 3)} and \boxed{(5, 3)}", "(1, 3), (5, 3)", 1.0, OK),
    case("box-per-pair-reordered", r"\boxed{(5, 3)}, \boxed{(1, 3)}", "(1, 3), (5, 3)", 1.0, OK),
    case("box-per-pair-missing", r"\boxed{(1, 3)}", "(1, 3), (5, 3)", 0.0, WRONG),
    case(
        "box-per-pair-extra",
        r"\boxed{(1, 3)}, \boxed{(5, 3)}, \boxed{(2, 2)}",
        "(1, 3), (5, 3)",
        0.0,
        ENUMERATED,
    ),
    case(
        "box-per-root-with-pm",
        r"\boxed{\frac13}, \boxed{\frac{-2+\sqrt7}{3}}, \boxed{\frac{-2-\sqrt7}{3}}",
        r"x = \frac13, x = \frac{-2 \pm \sqrt{7}}{3}",
        1.0,
        OK,
    ),
    case(
        "pm-answer-for-pm-reference",
        r"\boxed{\frac13, \frac{-2 \pm \sqrt{7}}{3}}",
        r"x = \frac13, x = \frac{-2 \pm \sqrt{7}}{3}",
        1.0,
        OK,
    ),
    case(
        "one-root-of-three",
        r"\boxed{\frac{-2+\sqrt7}{3}}",
        r"x = \frac13, x = \frac{-2 \pm \sqrt{7}}{3}",
        0.0,
        WRONG,
    ),
    case("set-box-per-element", r"\boxed{2}, \boxed{4}, \boxed{6}", r"\{2,4,6\}", 1.0, OK),
    case("set-any-order", r"\boxed{6}, \boxed{2}, \boxed{4}", r"\{2,4,6\}", 1.0, OK),
    case("set-one-box", r"\boxed{\{6, 2, 4\}}", r"\{2,4,6\}", 1.0, OK),
    case(
        "set-duplicate-is-no-element", r"\boxed{2}, \boxed{2}, \boxed{4}", r"\{2,4,6\}", 0.0, WRONG
    ),
    case("set-superset", r"\boxed{2, 4, 6, 8}", r"\{2,4,6\}", 0.0, ENUMERATED),
    case("named-pair-values-only", r"\boxed{(4,1)}", "(m,n)=(4,1)", 1.0, OK),
    case("named-pair-swapped", r"\boxed{(1,4)}", "(m,n)=(4,1)", 0.0, WRONG),
    case("named-list-values-only", r"\boxed{-9,-5,2}", r"b=2,\,-5,\,-9", 1.0, OK),
    case("named-list-missing", r"\boxed{-9,2}", r"b=2,\,-5,\,-9", 0.0, WRONG),
    case("system-by-name", r"\boxed{y = 2, x = 1}", "x = 1, y = 2", 1.0, OK),
    case("system-values-in-order", r"\boxed{(1, 2)}", "x = 1, y = 2", 1.0, OK),
    case("system-values-swapped", r"\boxed{(2, 1)}", "x = 1, y = 2", 0.0, WRONG),
    case("system-names-swapped", r"\boxed{x = 2, y = 1}", "x = 1, y = 2", 0.0, WRONG),
    case(
        "reference-with-a-box-per-solution", r"\boxed{-2, 1}", r"\boxed{1} and \boxed{-2}", 1.0, OK
    ),
    case("single-valued-two-boxes", r"\boxed{3} and \boxed{4}", "3", 0.0, ENUMERATED),
    case("sequence-in-order", r"\boxed{1, 3, 5, \ldots, 2n-1}", r"1, 3, 5, \ldots, 2n-1", 1.0, OK),
    case("sequence-other", r"\boxed{1, 2, \ldots, n}", r"1, 3, 5, \ldots, 2n-1", 0.0, WRONG),
    case("ratio", r"\boxed{7:32}", "S_{1}:S_{2}=7:32", 1.0, OK),
    case("ratio-reversed", r"\boxed{32:7}", "7:32", 0.0, WRONG),
]

MIXED_NUMBERS = [
    case("mixed", r"\boxed{3 2/7}", "23/7", 1.0, OK),
    case("mixed-negative", r"\boxed{-3 2/7}", "-23/7", 1.0, OK),
    case("mixed-latex", r"\boxed{12\frac{1}{8}}", "97/8", 1.0, OK),
    case("mixed-grouped-whole", r"\boxed{1 000 2/3}", "3002/3", 1.0, OK),
    case("mixed-percent", r"\boxed{4 4/9\%}", "40/900", 1.0, OK),
    case("mixed-in-prose", "<answer>The answer is 4 4/9.</answer>", "40/9", 1.0, OK),
    case("mixed-is-not-a-product", r"\boxed{3 2/7}", "6/7", 0.0, WRONG),
    case("mixed-is-not-a-sum", r"\boxed{3 2/7}", "5/7", 0.0, WRONG),
    case("improper-is-no-mixed-number", r"\boxed{3 7/2}", "13/2", 0.0, UNPARSEABLE),
    case("digit-list-as-mixed", r"\boxed{1 2/3}", "1, 2/3", 0.0, WRONG),
    case("mixed-across-lines", "<answer>11\n5/6</answer>", "71/6", 0.0, UNPARSEABLE),
    case("mixed-across-lines-one-part", "\\boxed{11\n5/6}", "5/6", 0.0, UNPARSEABLE),
    case("digits-apart-are-no-sum", r"\boxed{5 6}", "11", 0.0, UNPARSEABLE),
    case("digits-apart-are-no-number", r"\boxed{5 6}", "56", 0.0, UNPARSEABLE),
    case("digits-apart-thin-space", r"\boxed{5\,6}", "11", 0.0, UNPARSEABLE),
    case("thousands-thin-space", r"\boxed{1\,000}", "1000", 1.0, OK),
    case("subscript-then-digit", r"\boxed{\log_2 8}", "3", 1.0, OK),
]

NUMBERS = [
    case("decimal-comma", r"\boxed{2,75}", "2.75", 1.0, OK),
    case("decimal-comma-long-whole", r"\boxed{3000,25}", "3000.25", 1.0, OK),
    case("decimal-comma-reference", r"\boxed{1.22}", "1,22", 1.0, OK),
    case("thousands", r"\boxed{1,000}", "1000", 1.0, OK),
    case("thousands-latex", r"\boxed{11,\! 111,\! 100}", "11111100", 1.0, OK),
    case("list-stays-a-list", r"\boxed{1, 2}", "1,2", 1.0, OK),
    case("decimal-comma-not-for-integers", r"\boxed{2,75}", "275", 0.0, ENUMERATED),
    case("plain-exp", "<answer>exp(3)+1</answer>", "e^3+1", 1.0, OK),
    case("plain-pi", "<answer>pi/4</answer>", r"\frac{\pi}{4}", 1.0, OK),
    case("plain-times-pi", "<answer>3*pi</answer>", r"3\pi", 1.0, OK),
    case("plain-sqrt", r"\boxed{sqrt(2)/2}", r"\frac{\sqrt{2}}{2}", 1.0, OK),
    case("plain-wrong", "<answer>exp(2)+1</answer>", "e^3+1", 0.0, WRONG),
    case("upright-e", r"\boxed{2 - \frac{1}{\mathrm{e}}}", r"2 - \frac{1}{e}", 1.0, OK),
    case("upright-e-reference", r"\boxed{2 - \frac{1}{e}}", r"2 - \frac{1}{\mathrm{e}}", 1.0, OK),
    case(
        "upright-e-sign",
        r"\boxed{2 + \frac{1}{\mathrm{e}}}",
        r"$2 - \frac{1}{\mathrm{e}}$",
        0.0,
        WRONG,
    ),
    case("tiny-factorials", r"\boxed{\frac{1}{3001!}}", r"\frac{1}{3003!}", 0.0, WRONG),
    case("tiny-powers", r"\boxed{\frac{1}{2^{121}}}", r"\frac{1}{2^{120}}", 0.0, WRONG),
    case("tiny-equal", r"\boxed{2^{-120}}", r"\frac{1}{2^{120}}", 1.0, OK),
    case("tiny-decimals", r"\boxed{2 \times 10^{-30}}", r"1 \times 10^{-30}", 0.0, WRONG),
    case("tiny-exponentials", r"\boxed{e^{-1001}}", r"e^{-1000}", 0.0, WRONG),
    case("scientific", r"\boxed{1.5e-30}", r"1.5 \times 10^{-30}", 1.0, OK),
    case("rounded-pi", r"\boxed{3.1416}", r"\pi", 1.0, OK),
    case("rounded-pi-short", r"\boxed{3.14}", r"\pi", 0.0, WRONG),
    case("cut-pi", r"\boxed{3.1415}", r"\pi", 1.0, OK),
    case("cut-long", r"\boxed{125.663}", r"40\pi", 1.0, OK),
    case("rounded-badly", r"\boxed{3.1417}", r"\pi", 0.0, WRONG),
    case("cut-short", r"\boxed{125.6}", r"40\pi", 0.0, WRONG),
    case("rounded-short", r"\boxed{125.7}", r"40\pi", 1.0, OK),
    case("cut-below", r"\boxed{125.662}", r"40\pi", 0.0, WRONG),
    case(
        "scientific-rounded-reference",
        r"\boxed{\frac{1}{432}}",
        r"2.315 \times 10^{-3}",
        0.0,
        WRONG,
    ),
    case(
        "scientific-rounded-reference-off",
        r"\boxed{\frac{1}{431}}",
        r"2.315 \times 10^{-3}",
        0.0,
        WRONG,
    ),
    case("scientific-rounded-answer", r"\boxed{2.315 \times 10^{-3}}", r"\frac{1}{432}", 1.0, OK),
    case("scientific-too-few-digits", r"\boxed{2.3 \times 10^{-3}}", r"\frac{1}{432}", 0.0, WRONG),
    case("scientific-e", r"\boxed{6.2832e0}", r"2\pi", 1.0, OK),
    case("complex-unsimplified", r"\boxed{i(2-i)}", "1+2i", 1.0, OK),
    case("complex-decimal", r"\boxed{14.0 - 1.0i}", "14 - i", 1.0, OK),
    case("complex-conjugate", r"\boxed{2i - i^2}", "1-2i", 0.0, WRONG),
    case("complex-with-another-symbol", r"\boxed{1 + 2i + x - x}", "1+2i", 1.0, OK),
    case("complex-with-a-free-symbol", r"\boxed{1 + 2i + x}", "1+2i", 0.0, WRONG),
    case("index-i-is-no-unit", r"\boxed{0}", "i^2+1", 0.0, WRONG),
    case("index-i-polynomial", r"\boxed{i^4 + 2i^2 + 1}", "i^2+1", 0.0, WRONG),
    case("escaped-twice", r"\boxed{\\dfrac{2}{3} + \\sqrt{5}}", r"\frac23+\sqrt5", 1.0, OK),
    case("escaped-twice-wrong", r"\boxed{\\dfrac{2}{5}}", r"\frac23", 0.0, WRONG),
    case("row-break-stays", r"\boxed{3 \\ 4}", "3", 0.0, ENUMERATED),
    case("exact-for-rounded-reference", r"\boxed{\frac{100}{3}}", "33.3", 0.0, WRONG),
    case("exact-for-its-decimal-reference", r"\boxed{\frac{3}{8}}", "0.375", 1.0, OK),
    case("exact-for-a-precise-rounding", r"\boxed{\frac{1}{432}}", r"2.314814814815 \times 10^{-3}", 1.0, OK),
    case("exact-for-a-six-digit-rounding", r"\boxed{\frac{1}{3}}", "0.333333", 1.0, OK),
    case("exact-off-a-precise-rounding", r"\boxed{\frac{1}{433}}", r"2.314814814815 \times 10^{-3}", 0.0, WRONG),
    case("exact-finer-than-a-rounding", r"\boxed{\frac{333334}{1000001}}", "0.333333", 0.0, WRONG),
    case("exact-for-an-amount", r"\boxed{\frac{11111}{9}}", "1234.56", 0.0, WRONG),
    case("exact-for-few-places", r"\boxed{\frac{\sqrt{999999}}{10}}", "100.000", 0.0, WRONG),
    case("exact-for-a-cut-reference", r"\boxed{\pi}", "3.141592", 1.0, OK),
    case("exact-with-a-negligible-offset", r"\boxed{\pi + \frac{1}{10^{7}}}", "3.14159", 0.0, WRONG),
    case("exact-for-a-printed-float", r"\boxed{\frac{2}{3}}", "0.6666666666666666", 1.0, OK),
    case("root-for-a-printed-float", r"\boxed{\sqrt{2}}", "1.4142135623730951", 1.0, OK),
    case("integer-for-a-printed-float", r"\boxed{3}", "2.9999999999999996", 1.0, OK),
    case("exact-off-a-printed-float", r"\boxed{\frac{2}{3}}", "0.6666666666666686", 0.0, WRONG),
    # Decimals are the values they write, inside an expression too.
    case("decimal-inside-a-fraction", r"\boxed{\frac{5.0000002}{2}}", "2.5", 0.0, WRONG),
    case("decimal-inside-for-a-fraction", r"\boxed{\frac{5.0000002}{2}}", r"\frac52", 0.0, WRONG),
    case("decimal-plus-a-hidden-offset", r"\boxed{7.5 + 10^{-7}x^0}", "7.5", 0.0, WRONG),
    case("decimal-near-a-decimal", r"\boxed{2.4999999}", "2.5", 0.0, WRONG),
    case("decimal-finer-than-a-decimal", r"\boxed{0.290243}", "0.29", 0.0, WRONG),
    case("decimal-fraction-equal", r"\boxed{\frac{5.0}{2}}", "2.5", 1.0, OK),
    case("decimal-sum-equal", r"\boxed{0.1 + 0.2}", "0.3", 1.0, OK),
    case("decimal-for-a-rounding", r"\boxed{0.3333333}", "0.333333", 1.0, OK),
    case("decimal-trailing-zero", r"\boxed{2.50}", "2.5", 1.0, OK),
    case("root-of-a-near-decimal", r"\boxed{\sqrt{6.250001}}", "2.5", 0.0, WRONG),
    case("decimal-times-pi", r"\boxed{0.7957747\pi}", "2.5", 0.0, WRONG),
    case("root-of-a-square-decimal", r"\boxed{\sqrt{6.25}}", "2.5", 1.0, OK),
    case("decimal-times-pi-for-pi", r"\boxed{1.0\pi}", r"\pi", 1.0, OK),
    case("wordy-subscript", r"\boxed{5_{est}}", "5", 0.0, ENUMERATED),
    case("base-subscript", r"\boxed{1011_2}", "11", 1.0, OK),
    case("plus-minus-typed-inside", r"\boxed{\frac{-4 +- \sqrt{4}}{2}}", "-3", 0.0, ENUMERATED),
    case("exact-off-for-rounded-reference", r"\boxed{\frac{101}{3}}", "33.3", 0.0, WRONG),
    case("symbolic-equal", r"\boxed{\frac{\sqrt{2}}{2}}", r"\frac{1}{\sqrt2}", 1.0, OK),
]

UNITS_LABELS_CHAINS = [
    case("approximation-after-the-value", r"\boxed{\frac{\sqrt{3}}{3} \approx 0.577}", r"\frac{\sqrt{3}}{3}", 1.0, OK),
    case("approximation-misrounded", r"\boxed{\frac{\sqrt{3}}{3} \approx 0.578}", r"\frac{\sqrt{3}}{3}", 0.0, WRONG),
    case("approximation-of-another-value", r"\boxed{\frac{1}{3} \approx 0.577}", r"\frac{\sqrt{3}}{3}", 0.0, WRONG),
    case("approximation-alone", r"\boxed{x \approx 0.577}", r"\frac{\sqrt{3}}{3}", 0.0, WRONG),
    case("approximation-then-link", r"\boxed{\frac{\sqrt{3}}{3} \approx 0.577 = 0.6}", r"\frac{\sqrt{3}}{3}", 0.0, WRONG),
    case("stray-backslash", "<answer>185\\</answer>", "185", 1.0, OK),
    case("stray-backslash-reference", r"\boxed{185}", "185\\", 1.0, OK),
    case("square-metres-attached", r"\boxed{1,000.99m²}", "1000.99", 1.0, OK),
    case("square-metres-power", r"\boxed{12 m^2}", "12", 1.0, OK),
    case("square-for-cubic-metres", r"\boxed{5m^2}", r"5 \text{ m}^3", 0.0, WRONG),
    case("variable-squared-no-unit", r"\boxed{5x^2}", "5", 0.0, WRONG),
    case("unit-same", r"\boxed{5 \text{ m}}", r"5 \text{ m}", 1.0, OK),
    case("unit-spelled", r"\boxed{5 \text{ meters}}", r"5 \text{ m}", 1.0, OK),
    case("unit-other", r"\boxed{5 \text{ km}}", r"5 \text{ m}", 0.0, WRONG),
    case("unit-hours-for-minutes", r"\boxed{30 \text{ hours}}", r"30 \text{ minutes}", 0.0, WRONG),
    case("unit-dropped", r"\boxed{5}", r"5 \text{ m}", 1.0, OK),
    case("unit-added", r"\boxed{12 \text{ apples}}", "12", 1.0, OK),
    case("degrees", r"\boxed{90^\circ}", r"90^{\circ}", 1.0, OK),
    case("percent-words", r"\boxed{50 \text{ percent}}", r"50\%", 1.0, OK),
    case("label-same", r"\boxed{x = 5}", "x = 5", 1.0, OK),
    case("label-other", r"\boxed{y = 5}", "x = 5", 0.0, WRONG),
    case("label-y-for-function", r"\boxed{y = 2x + 3}", "f(x) = 2x + 3", 1.0, OK),
    case("label-function-for-y", r"\boxed{f(x) = 2x + 3}", "y = 2x + 3", 1.0, OK),
    case("label-function-wrong", r"\boxed{y = 2x + 4}", "f(x) = 2x + 3", 0.0, WRONG),
    case("label-function-for-x", r"\boxed{f(x) = 5}", "x = 5", 0.0, WRONG),
    case("equation-rearranged", r"\boxed{2x - y + 1 = 0}", "y = 2x + 1", 1.0, OK),
    case("chain-equal-links", r"\boxed{x = 2 + 3 = 5}", "5", 1.0, OK),
    case("chain-last-link-right", r"\boxed{x = 5 = 6}", "6", 0.0, WRONG),
    case("chain-first-link-right", r"\boxed{x = 5 = 6}", "5", 0.0, WRONG),
    case("chain-without-label", r"\boxed{5 = 6}", "6", 0.0, WRONG),
]

# Committed answers a blind attack on the judge found scoring 0, in forms models write.
WRITTEN_FORMS = [
    case("spacing-before-unit", r"\boxed{5\;\text{cm}}", "5", 1.0, OK),
    case("leading-zero-decimal-comma", r"\boxed{0,123}", "0.123", 1.0, OK),
    case("leading-zero-is-no-thousands", r"\boxed{0,123}", "123", 0.0, ENUMERATED),
    case("scale-word", r"\boxed{5 \text{ thousand}}", "5000", 1.0, OK),
    case("scale-word-is-no-unit", r"\boxed{5 \text{ thousand}}", "5", 0.0, WRONG),
    case("underlined", r"\boxed{\underline{5}}", "5", 1.0, OK),
    case("bold", r"\boxed{\text{\textbf{5}}}", "5", 1.0, OK),
    case("bold-switch", r"\boxed{\bf 5}", "5", 1.0, OK),
    case("invisible-delimiters", r"\boxed{\left. 5 \right.}", "5", 1.0, OK),
    case("unicode-half", r"\boxed{½}", "0.5", 1.0, OK),
    case("unicode-square", r"\boxed{5²}", "25", 1.0, OK),
    case("unicode-minus", r"\boxed{−3}", "-3", 1.0, OK),
    case("base-digits", r"\boxed{1011_2}", "1011_2", 1.0, OK),
    case("base-digits-without-subscript", r"\boxed{1011}", "1011_2", 1.0, OK),
    case("base-digits-other", r"\boxed{1001_2}", "1011_2", 0.0, WRONG),
    case("base-digits-as-a-value", r"\boxed{12_6}", "8", 1.0, OK),
    case("base-digits-are-not-their-digits", r"\boxed{12_6}", "12", 0.0, WRONG),
    case("names-in-another-order", r"\boxed{(n,m) = (1,4)}", "(m,n) = (4,1)", 1.0, OK),
    case("names-in-another-order-wrong", r"\boxed{(n,m) = (4,1)}", "(m,n) = (4,1)", 0.0, WRONG),
    case("approximately-equal", r"\boxed{x \approx 11}", "11", 1.0, OK),
    case("approximately-another", r"\boxed{5 \approx 6}", "6", 0.0, WRONG),
    case(
        "named-ratio", r"\boxed{\frac{1}{\sqrt{6}}}", r"\frac{NO}{BO}=\frac{1}{\sqrt{6}}", 1.0, OK
    ),
    case("equation-reference-answered-zero", r"\boxed{0}", "2x+4y-3=0", 0.0, WRONG),
    case("equation-for-a-value", r"\boxed{x + 1 = 5}", "5", 0.0, WRONG),
    case("choice-with-a-name", r"\boxed{B = A}", "A", 0.0, WRONG),
    case("ratio-for-a-list", r"\boxed{1:2}", "1, 2", 0.0, WRONG),
    case("rounding-reference-needs-digits", r"\boxed{\frac{11}{20}}", "0.5", 0.0, WRONG),
    case("rounding-reference-one-way", r"\boxed{\frac{11}{20}}", "0.6", 0.0, WRONG),
    case("rounding-reference", r"\boxed{\frac{2}{3}}", "0.667", 0.0, WRONG),
    case("inequality-for-interval", r"\boxed{x<3}", r"(-\infty, 3)", 1.0, OK),
    case("two-sided-inequality", r"\boxed{0 < x \leq 12.5}", "(0, 12.5]", 1.0, OK),
    case("inequality-for-a-pair-or-interval", r"\boxed{0 < x < 12.5}", "(0, 12.5)", 1.0, OK),
    case("inequality-half-open-for-a-pair", r"\boxed{0 < x \le 12.5}", "(0, 12.5)", 0.0, WRONG),
    case("descending-inequality", r"\boxed{12.5 > x \ge 0}", "[0, 12.5)", 1.0, OK),
    case("descending-inequality-open", r"\boxed{12.5 > x > 0}", "[0, 12.5)", 0.0, WRONG),
    case("unicode-closed-inequality", r"\boxed{0 ≤ x ≤ 1}", "[0, 1]", 1.0, OK),
    case("unicode-closed-for-open", r"\boxed{0 ≤ x ≤ 1}", "(0, 1)", 0.0, WRONG),
    case("mixed-directions", r"\boxed{0 < x > 1}", "(0, 1)", 0.0, WRONG),
    case("slanted-inequality", r"\boxed{0 \leqslant x \leqslant 1}", "[0, 1]", 1.0, OK),
    case("unicode-slanted-inequality", r"\boxed{0 ⩽ x ⩽ 1}", "[0, 1]", 1.0, OK),
    case("inequality-with-a-guess", r"\boxed{0 < x < 12.5\text{ (perhaps 13)}}", "(0, 12.5)", 0.0, ENUMERATED),
    case("inequality-after-a-guess", r"\boxed{\text{maybe } 0 < x < 12.5}", "(0, 12.5)", 0.0, ENUMERATED),
    case("inequality-then-approximation", r"\boxed{x < 3 \approx 13}", r"(-\infty, 3)", 0.0, WRONG),
    case(
        "inequality-for-membership",
        r"\boxed{m \geq \sqrt{2}}",
        r"m \in [\sqrt{2}, +\infty)",
        1.0,
        OK,
    ),
    case("inequality-closed-for-open", r"\boxed{x \geq 5}", "x > 5", 0.0, WRONG),
    case("inequality-for-a-value", r"\boxed{x > 5}", "5", 0.0, WRONG),
]

BOXES_AND_HEDGES = [
    case("unparseable-around-a-fraction", r"\boxed{1 + \frac{3}{4} \S}", r"\frac{3}{4}", 0.0, UNPARSEABLE),
    case("two-fractions-unparseable", r"\boxed{\frac{7}{9} \mid \frac{3}{4}}", r"\frac{3}{4}", 0.0, UNPARSEABLE),
    case("fraction-percent", r"\boxed{\frac{40}{9}\%}", "40/900", 1.0, OK),
    case("approximately-alone", r"\boxed{\approx 5}", "5", 0.0, ENUMERATED),
    case("not-equal-alone", r"\boxed{\not= 5}", "5", 0.0, ENUMERATED),
    case("tends-to", r"\boxed{\to \frac{1}{2}}", r"\frac{1}{2}", 0.0, ENUMERATED),
    case("box-in-box", r"\boxed{6 \boxed{5}}", "5", 0.0, ENUMERATED),
    case("stray-backslash-closing-box", r"The final answer is $\boxed{185\}$.", "185", 1.0, OK),
    case("stray-backslash-then-box", r"\boxed{185\}\boxed{186}", "185", 0.0, ENUMERATED),
    case("stray-backslash-then-value", r"\boxed{185\} or 186", "185", 0.0, ENUMERATED),
    case("escaped-brace-inside-box", r"\boxed{185\} 6}", "185", 0.0, UNPARSEABLE),
    case("stray-backslash-and-hidden-brace", r"\boxed{185 \phantom{\}, 186\}", "185", 0.0, NO_ANSWER),
    case("box-holding-a-box", r"\boxed{\boxed{5}}", "5", 1.0, OK),
    case("phantom", r"\boxed{\phantom{5}}", "5", 0.0, UNPARSEABLE),
    case("phantom-around-the-answer", r"\boxed{4\phantom{5}}", "5", 0.0, WRONG),
    case("cancelled", r"\boxed{\cancel{4} 5}", "5", 1.0, OK),
    case("hedge-after-box", r"\boxed{7} (or possibly 8)", "7", 0.0, ENUMERATED),
    case(
        "retraction-after-box",
        r"\boxed{7}. Wait, that is wrong: the answer is 8.",
        "7",
        0.0,
        ENUMERATED,
    ),
    case("retraction-after-box-zh", r"\boxed{7}。不对，应该是8。", "7", 0.0, ENUMERATED),
    case("plain-words-after-box", r"\boxed{7}. I hope it is correct.", "7", 1.0, OK),
    case("tag-and-box-disagree", r"<answer>9</answer> and so \boxed{2}", "9", 0.0, ENUMERATED),
    case(
        "tag-and-box-disagree-other", r"<answer>9</answer> and so \boxed{2}", "2", 0.0, ENUMERATED
    ),
    case("tag-and-box-agree", r"<answer>9</answer> so \boxed{9}", "9", 1.0, OK),
    case("retraction-after-tag", "<answer>7</answer> Actually, 8.", "7", 0.0, ENUMERATED),
    case("bound-in-box", r"\boxed{\text{at least } 5}", "5", 0.0, ENUMERATED),
    case("relation-in-box", r"\boxed{\geq 5}", "5", 0.0, ENUMERATED),
    case("guess-in-box", r"\boxed{\text{probably } 5}", "5", 0.0, ENUMERATED),
    case("or-in-box", r"\boxed{5 \text{ or } 6}", "5", 0.0, ENUMERATED),
    case("plus-minus-drawn", r"\boxed{\underline{+}5}", "5", 0.0, ENUMERATED),
    case("plus-minus-typed", r"\boxed{+-5}", "-5", 0.0, ENUMERATED),
    case("plus-minus-typed-for-both", r"\boxed{x = +-5}", r"\pm 5", 1.0, OK),
]

# What may follow the final answer in its sentence (what it counts, when, its modulus), the
# answer said again, and a chat template's end of turn; next to each, what a policy would say
# through the same door: a second value, a range, a ratio, a retraction.
AFTER_THE_ANSWER = [
    case("counted", r"there are $\boxed{2}$ distinct possible values for $B$.", "2", 1.0, OK),
    case("when", r"Paula's investment is worth $\boxed{\$16386.17}$ after 5 years.", "16386.17", 1.0, OK),
    case("end-of-period", r"worth $\boxed{16386.16}$ dollars at the end of the 5 years.", "16386.16", 1.0, OK),
    case("modulus", r"$129^{34}+96^{38} \equiv \boxed{9} \pmod{11}.$", "9", 1.0, OK),
    case("modulus-text", r"\boxed{9} (mod 11)", "9", 1.0, OK),
    case("is-our-answer", r"Therefore, $\boxed{\text{Evelyn}}$ is our answer.", "Evelyn", 1.0, OK),
    case(
        "said-again",
        r"Thus $(p,q) = \boxed{\left( \frac{1}{5}, \frac{1}{6} \right)}.$ Final Answer: The final "
        r"answer is $\left( \frac{1}{5}, \frac{1}{6} \right)$. I hope it is correct.",
        r"\left(\frac{1}{5},\frac{1}{6}\right)",
        1.0,
        OK,
    ),
    case("end-of-turn", r"\boxed{7}<|im_end|>", "7", 1.0, OK),
    case("next-turn", "\\boxed{7}. I hope it is correct. <|im_start|>user\nAnd 8?", "7", 1.0, OK),
    case("deepseek-end", r"\boxed{7}<｜end▁of▁sentence｜>\boxed{8}", "7", 1.0, OK),
    case("end-of-turn-open-answer", "<answer>7<|im_end|>8</answer>", "7", 1.0, OK),
    case("llama-end-of-turn", r"\boxed{7}<|eot_id|><|start_header_id|>user", "7", 1.0, OK),
    case("other-token-is-no-end", r"\boxed{7}<|begin_of_box|>8<|end_of_box|>", "7", 0.0, ENUMERATED),
    case("turn-ended-before-the-box", r"<|im_end|>\boxed{8}", "8", 0.0, NO_ANSWER),
    case("turn-ended-before-the-box-other", r"\boxed{8}<|im_end|>\boxed{7}", "7", 0.0, WRONG),
    case("said-again-other", r"\boxed{7}. Final Answer: The final answer is $8$.", "7", 0.0, ENUMERATED),
    case("said-again-other-number", r"\boxed{7}. The final answer is 8.", "8", 0.0, ENUMERATED),
    case("is-not-our-answer", r"\boxed{7} is not our answer.", "7", 0.0, ENUMERATED),
    case("is-the-wrong-answer", r"\boxed{7} is the wrong answer.", "7", 0.0, ENUMERATED),
    case("is-our-answer-asked", r"\boxed{7} is our answer?", "7", 0.0, ENUMERATED),
    case("range-to", r"\boxed{7} to 8 years", "7", 0.0, ENUMERATED),
    case("ratio-over", r"\boxed{7} over 8 days", "7", 0.0, ENUMERATED),
    case("for-a-number", r"\boxed{7} for 8", "8", 0.0, ENUMERATED),
    case("context-then-or", r"\boxed{7} after 8 years or 9", "7", 0.0, ENUMERATED),
    case("context-or-number", r"\boxed{7} for 8 or 9 days", "7", 0.0, ENUMERATED),
    case("context-of-a-guess", r"\boxed{7} for maybe 8 days", "7", 0.0, ENUMERATED),
    case("counted-and-hedged", r"there are \boxed{2} possible values, maybe 3.", "2", 0.0, ENUMERATED),
    case("modulus-then-value", r"\boxed{9} \pmod{11}, or 20", "9", 0.0, ENUMERATED),
    case("modulus-of-a-word", r"\boxed{5} (mod maybe)", "5", 0.0, ENUMERATED),
    case("for-a-case", r"\boxed{5} for $n$ even", "5", 0.0, ENUMERATED),
    case("times-of", r"\boxed{5} times of $x$", "5", 0.0, ENUMERATED),
    case("counted-guesses", r"\boxed{5} after 3 guesses", "5", 0.0, ENUMERATED),
    case("answer-closed-by-end-of-turn", "<answer>The answer is 5.<|im_end|>", "5", 1.0, OK),
    case("gemma-end-of-turn", r"\boxed{5}<end_of_turn>", "5", 1.0, OK),
    case("next-turn-reasons-again", r"\boxed{5}<|im_end|><|im_start|>assistant<think>b</think>\boxed{6}", "5", 1.0, OK),
    case("said-again-in-parentheses", r"\boxed{5}. The answer is \(5\).", "5", 1.0, OK),
    case("said-again-other-in-parentheses", r"\boxed{5}. The answer is \(6\).", "5", 0.0, ENUMERATED),
    case("modulus-command", r"\boxed{9} \mod 11", "9", 1.0, OK),
    case("unit-power-after-text", r"The area is \boxed{12}\text{ cm}^2.", "12", 1.0, OK),
    case("unit-power-in-math", r"The area is $\boxed{12}$ m$^2$.", "12", 1.0, OK),
    case("unit-power-then-value", r"The area is \boxed{12}\text{ cm}^2 or 13.", "12", 0.0, ENUMERATED),
    case("power-of-the-answer", r"The area is \boxed{12}$^2$.", "12", 0.0, ENUMERATED),
    case("modulus-in-text", r"\boxed{9} \ (\text{mod } 11)", "9", 1.0, OK),
    case("upper-bound-after", r"\boxed{5} upper bound", "5", 0.0, ENUMERATED),
    case("fifths-after", r"\boxed{3} fifths", "3", 0.0, ENUMERATED),
    case("symbol-after", r"\boxed{5} pi", "5", 0.0, ENUMERATED),
    case("variable-after", r"\boxed{5} x^2", "5", 0.0, ENUMERATED),
    case("foreign-retraction-after", r"\boxed{5} falsch", "5", 0.0, ENUMERATED),
    case("other-answer-in-words-before", r"The answer is six. \boxed{5}", "5", 0.0, ENUMERATED),
    case("other-answer-emphasised-before", "**Answer**: 6\n\n\\boxed{5}", "5", 0.0, ENUMERATED),
    case("other-answer-foreign-before", r"Ответ: 6. \boxed{5}", "5", 0.0, ENUMERATED),
    # A unit after the answer ends in a unit's name or a plural noun; any other word hedges.
    case("counted-people", r"\boxed{4} people.", "4", 1.0, OK),
    case("counted-things", r"\boxed{3} red apples.", "3", 1.0, OK),
    case("unit-per-unit", r"\boxed{50} km/h", "50", 1.0, OK),
    case("percent-word-after", r"\boxed{20} percent", "20%", 1.0, OK),
    case("adverb-after", r"The answer is \boxed{5} ostensibly for $n$.", "5", 0.0, ENUMERATED),
    case("adverb-before-things", r"\boxed{5} supposedly valid values", "5", 0.0, ENUMERATED),
    case("bound-adjective-after", r"The answer is \boxed{5} maximal for $n$.", "5", 0.0, ENUMERATED),
    case("foreign-word-after", r"The answer is \boxed{5} salah.", "5", 0.0, ENUMERATED),
    case("foreign-bound-after", r"\boxed{5} und mehr", "5", 0.0, ENUMERATED),
    case("direction-after", r"\boxed{5} onward", "5", 0.0, ENUMERATED),
    case("letter-after", r"\boxed{5} t", "5", 0.0, ENUMERATED),
    case("thin-space-before-unit", r"The area is $\boxed{12}\,\text{cm}^2$.", "12", 1.0, OK),
    case("space-command-before-unit", r"The area is $\boxed{12}\ \text{cm}^2$.", "12", 1.0, OK),
    case("superscript-unit", r"\boxed{12} cm².", "12", 1.0, OK),
    case("si-unit", r"\boxed{5} kPa", "5", 1.0, OK),
    case("years-old", r"\boxed{12} years old.", "12", 1.0, OK),
    case("ordinal-plural-after", r"\boxed{5} sixteenths", "5", 0.0, ENUMERATED),
    case("two-word-scale-after", r"\boxed{5} basis points", "5", 0.0, ENUMERATED),
    case("bound-noun-after", r"\boxed{5} upper bounds", "5", 0.0, ENUMERATED),
    case("foreign-plural-refutation-after", r"\boxed{5} incorrectos", "5", 0.0, ENUMERATED),
    case("frequency-adverb-after", r"\boxed{5} sometimes", "5", 0.0, ENUMERATED),
    case("foreign-adverb-after", r"\boxed{5} aproximadamente metros", "5", 0.0, ENUMERATED),
    case("earlier-marked-answer", r"The answer is 6. Let me redo it. The final answer is \boxed{5}.", "5", 0.0, ENUMERATED),
    case("short-marker-before", "Ans: 6\n\n\\boxed{5}", "5", 0.0, ENUMERATED),
    case("other-tag-before", r"<result>6</result> \boxed{5}", "5", 0.0, ENUMERATED),
    case("bound-word-before-box", r"Capped at \boxed{5}.", "5", 0.0, ENUMERATED),
    case("relation-before-box", r"$x \geq \boxed{5}$", "5", 0.0, ENUMERATED),
    case("approximately-before-box", r"It is worth approximately $\boxed{16386.16}$ dollars.", "16386.16", 1.0, OK),
    case("list-ending-in-box", r"$4, 5, \boxed{6}$", "6", 0.0, ENUMERATED),
    case("versus-before-box", r"4 vs 5 vs \boxed{6}", "6", 0.0, ENUMERATED),
    case("doubt-in-other-words-before", "I'm not really sure.\n\nAnyway:\n\n\\boxed{5}", "5", 0.0, ENUMERATED),
    # Another answer named before the box, and doubt anywhere before it.
    case("other-answer-after-a-dash", r"Answer — 6. \boxed{5}", "5", 0.0, ENUMERATED),
    case("other-solution-before", "Solution: 6\n\n\\boxed{5}", "5", 0.0, ENUMERATED),
    case("other-final-value-before", r"The final value is 6. \boxed{5}", "5", 0.0, ENUMERATED),
    case("same-final-value-before", r"The final value is 5. \boxed{5}", "5", 1.0, OK),
    case("empty-set-named-before", r"The answer is $\emptyset$. \boxed{5}", "5", 0.0, ENUMERATED),
    case("empty-set-named-and-boxed", r"The answer is $\emptyset$. \boxed{\emptyset}", r"\emptyset", 1.0, OK),
    case("doubt-paragraphs-before", "I am not sure whether it is 5 or 6.\n\nAnyway, here goes.\n\n\\boxed{5}", "5", 0.0, ENUMERATED),
    # The same in a prose answer: a word after the value that changes it, bounds it or refutes it.
    case("prose-fraction-word-after-comma", "<answer>Thus 5, fifths.</answer>", "5", 0.0, ENUMERATED),
    case("prose-fraction-word-after-fraction", r"<answer>The answer is \frac{3}{4} fifths.</answer>", r"\frac{3}{4}", 0.0, ENUMERATED),
    case("prose-bound-after", "<answer>So the count is $12$ maximal.</answer>", "12", 0.0, ENUMERATED),
    case("prose-foreign-refutation", "<answer>The answer is 5 incorrecto.</answer>", "5", 0.0, ENUMERATED),
    case("prose-things-counted", "<answer>So there are 5 apples left.</answer>", "5", 1.0, OK),
    case("prose-bold-value", "<answer>The answer is **42**.</answer>", "42", 1.0, OK),
]  # fmt: skip

# A reference that is a sentence around math states the values of its math, as an answer does.
# A multiple-choice letter with what its option says, and the hedges that hide in it.
LETTERED_CHOICES = [
    case("letter-and-option", r"\boxed{C. x = 42}", "C", 1.0, OK),
    case("parenthesised-letter-and-option", r"\boxed{(B) 12}", "B", 1.0, OK),
    case("other-letter-and-option", r"\boxed{D. x = 42}", "C", 0.0, WRONG),
    case("letter-and-another-letter", r"\boxed{C. or D}", "C", 0.0, ENUMERATED),
    case("letter-and-doubt", r"\boxed{C. probably}", "C", 0.0, ENUMERATED),
    case("letter-then-retraction", r"\boxed{C. not sure, maybe}", "C", 0.0, ENUMERATED),
    case("letter-for-lettered-reference", r"\boxed{C}", "C. x = 42", 1.0, OK),
    case("parenthesised-letter-for-lettered-reference", r"\boxed{(C)}", "(C) x = 42", 1.0, OK),
    case("other-letter-for-lettered-reference", r"\boxed{D}", "C. x = 42", 0.0, WRONG),
    case("letters-for-lettered-reference", r"\boxed{C \text{ or } D}", "C. x = 42", 0.0, ENUMERATED),
    case("letter-with-doubt-for-lettered-reference", r"\boxed{C. maybe}", "C. x = 42", 0.0, ENUMERATED),
    case("letter-for-a-named-curve", r"\boxed{C}", "C: x^2 + y^2 = 4", 0.0, WRONG),
    case("letter-for-parts", r"\boxed{I}", r"(I) a_n = 2n - 1; (II) T_n = \frac{n}{2n+1}", 0.0, WRONG),
    case("parts-for-parts", r"\boxed{(I) a_n = 3n; (II) T_n = n}", r"(I) a_n = 2n - 1; (II) T_n = \frac{n}{2n+1}", 0.0, WRONG),
    case("initial-for-a-name", r"\boxed{J. Smith}", "J. K. Rowling", 0.0, WRONG),
    case("letter-for-a-species", r"\boxed{E}", "E. coli", 0.0, WRONG),
    case("letter-and-lower-case-letter", r"\boxed{C. d}", "C", 0.0, ENUMERATED),
    case("letter-and-cyrillic-letter", r"\boxed{C. (Д)}", "C", 0.0, ENUMERATED),
    case("letter-and-command-letter", r"\boxed{C. \D}", "C", 0.0, ENUMERATED),
    case("letter-and-what-it-says", r"\boxed{C. a function}", "C", 1.0, OK),
    case("letter-for-an-initial", r"\boxed{A}", "A. Lincoln", 0.0, WRONG),
    case("letter-in-text-for-lettered-reference", r"\boxed{\text{C}}", "C. x = 42", 1.0, OK),
    case("letter-with-period-for-lettered-reference", r"\boxed{C.}", "C. x = 42", 1.0, OK),
    case("option-word-for-lettered-reference", "<answer>Option C</answer>", "C. x = 42", 1.0, OK),
    case("other-option-word-for-lettered-reference", "<answer>Option D</answer>", "C. x = 42", 0.0, WRONG),
]  # fmt: skip

PROSE_REFERENCES = [
    case(
        "sentence-reference",
        r"Final Answer \[ \boxed{m \geq \sqrt{2}} \]",
        r"the solution to the problem is $m \in [\sqrt{2}, +\infty)$",
        1.0,
        OK,
    ),
    case(
        "sentence-reference-open-for-closed",
        r"\boxed{m > \sqrt{2}}",
        r"the solution to the problem is $m \in [\sqrt{2}, +\infty)$",
        0.0,
        WRONG,
    ),
    case("sentence-reference-values", r"\boxed{x = 3, y = 4}", "We get $x = 3$ and $y = 4$.", 1.0, OK),
    case("sentence-reference-one-value", r"\boxed{3}", "We get $x = 3$ and $y = 4$.", 0.0, WRONG),
    case("sentence-reference-number", r"\boxed{5}", "The answer is $5$.", 1.0, OK),
    case("sentence-reference-other-number", r"\boxed{6}", "The answer is $5$.", 0.0, WRONG),
]  # fmt: skip

TABLES = {
    "prose": PROSE_ANSWERS,
    "multi-valued": MULTI_VALUED,
    "mixed-numbers": MIXED_NUMBERS,
    "numbers": NUMBERS,
    "units-labels-chains": UNITS_LABELS_CHAINS,
    "written": WRITTEN_FORMS,
    "boxes-hedges": BOXES_AND_HEDGES,
    "after-the-answer": AFTER_THE_ANSWER,
    "prose-references": PROSE_REFERENCES,
    "lettered-choices": LETTERED_CHOICES,
}


@pytest.mark.parametrize(
    ("response", "reference", "value", "reason"),
    [
        pytest.param(*param.values, id=f"{table}:{param.id}")
        for table, params in TABLES.items()
        for param in params
    ],
)
def test_answer_forms(response, reference, value, reason):
    check(response, reference, value, reason)


@pytest.mark.parametrize(
    "reference",
    [
        "(1, 3), (5, 3)",
        r"x = \frac13, x = \frac{-2 \pm \sqrt{7}}{3}",
        r"\{2,4,6\}",
        "(m,n)=(4,1)",
        r"b=2,\,-5,\,-9",
        r"2 - \frac{1}{\mathrm{e}}",
        r"\boxed{1} and \boxed{-2}",
    ],
)
def test_multi_solution_references_are_good_references(reference):
    assert parse_reference(reference) is not None


def test_reading_is_linear_in_the_answer_length():
    """Adversarial 1000-character answers (the longest judged) read in well under a second."""
    for text in ("5 " * 500, "a" * 999 + "!", r"\text{x}" * 120, "{" * 500 + "}" * 500, "1," * 500):
        assert runs_within(0.5, read, text), text[:20]


def test_case_ids_are_unique():
    ids = [param.id for params in TABLES.values() for param in params]
    assert len(ids) == len(set(ids))
