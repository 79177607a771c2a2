"""The fast paths (exact numbers; far-apart arithmetic values) decide only where math-verify
would give the same verdict."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from math_verify import verify

from reward_service.extract import MathAnswer, Source
from reward_service.rewards.exact import exact_value, fast_verdict
from reward_service.rewards.math import (
    _far_apart,
    _parse_candidate,
    parse_reference,
    quick_score,
    score_answer,
)


def forms(value: Fraction) -> st.SearchStrategy[str]:
    """Ways a model or a dataset writes `value`."""
    options = [
        rf"\frac{{{value.numerator}}}{{{value.denominator}}}",
        f"{value.numerator}/{value.denominator}",
    ]
    if value.denominator == 1:
        n = value.numerator
        options += [
            str(n),
            f"{n}.0",
            f"x = {n}",
            f"{n:,}",
            f"{n:,}".replace(",", "{,}"),
            f"+{n}" if n >= 0 else str(n),
        ]
    if 10**6 % value.denominator == 0:
        options += [f"{float(value):.6f}".rstrip("0").rstrip("."), f"y = {float(value)}"]
    if value < 0:
        options.append(rf"-\dfrac{{{-value.numerator}}}{{{value.denominator}}}")
    return st.sampled_from(options)


values = st.builds(
    Fraction, st.integers(-20000, 20000), st.sampled_from([1, 1, 1, 2, 3, 4, 5, 8, 10, 16, 25, 7])
)


def math_verify_says(candidate: str, reference: str) -> bool:
    gold = parse_reference(reference)
    assert gold is not None
    return verify(
        gold=list(gold.parsed),
        target=_parse_candidate(candidate, Source.BOXED),
        timeout_seconds=None,
    )


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), value=values, same=st.booleans(), delta=values)
def test_fast_path_agrees_with_math_verify(data, value, same, delta):
    other = value if same else value + delta
    candidate = data.draw(forms(other))
    reference = data.draw(forms(value))
    verdict = fast_verdict(candidate, reference)
    if verdict is not None:
        assert verdict == math_verify_says(candidate, reference), (candidate, reference)


@pytest.mark.parametrize(
    ("candidate", "reference", "verdict"),
    [
        ("0.5", r"\frac{1}{2}", True),
        ("1,000", "1000", True),
        ("1{,}000", "1000", True),
        ("x = 7", "7", True),
        ("-\\frac{3}{4}", "-0.75", True),
        ("8", "7", False),
        ("y = 7", "x = 7", None),  # the variable matters to math-verify
        ("7", "x = 7", True),  # a bare value answers an assignment
        ("8", "x = 7", False),
        ("0.3333", r"\frac{1}{3}", None),  # math-verify rounds floats: not ours to say
        ("3.4", "7/5", False),  # a decimal far from the reference
        ("14.0", "1400", False),
        ("50\\%", "0.5", None),
        ("2x", "2", None),
        ("1, 2", "1", None),
        ("\\frac{1}{0}", "1", None),
    ],
)
def test_fast_path_table(candidate, reference, verdict):
    assert fast_verdict(candidate, reference) is verdict


def test_exact_values():
    assert exact_value("$-12.50$") == (None, Fraction(-25, 2))
    assert exact_value(r"\tfrac{2}{4}") == (None, Fraction(1, 2))
    assert exact_value("1,2") is None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    value=values,
    others=st.lists(values, max_size=2),
    source=st.sampled_from(Source),
    prose=st.sampled_from(["{}", "It is {}.", "x = {} or so", "{} apples"]),
)
def test_quick_score_is_score_answer_where_it_answers(data, value, others, source, prose):
    reference = data.draw(forms(value))
    candidates = tuple(
        dict.fromkeys(
            prose.format(data.draw(forms(v)))
            if source is Source.ANSWER_TAG
            else data.draw(forms(v))
            for v in [value, *others]
        )
    )
    answer = MathAnswer(candidates, source)
    quick = quick_score(answer, reference)
    if quick is not None:
        assert quick == score_answer(answer, parse_reference(reference)), (candidates, reference)


def test_quick_score_leaves_the_parser_its_cases():
    boxed = lambda *candidates: MathAnswer(candidates, Source.BOXED)  # noqa: E731
    assert quick_score(boxed("7"), "7").value == 1.0
    assert quick_score(boxed("7", "8"), "7").reason.value == "enumerated"
    assert quick_score(boxed("8"), "7").reason.value == "wrong_answer"
    assert quick_score(MathAnswer((), None), "7").reason.value == "no_answer"
    assert quick_score(boxed("1" * 2000), "7").reason.value == "answer_too_long"
    assert quick_score(boxed(r"\sqrt{49}"), "7") is None
    assert quick_score(boxed("7"), r"\sqrt{49}") is None
    tagged = lambda body: MathAnswer((body,), Source.ANSWER_TAG)  # noqa: E731
    assert quick_score(tagged("It is 7."), "7").value == 1.0
    assert quick_score(tagged(r"\sqrt{49}"), "7") is None


def arithmetic_forms(coefficient: Fraction, basis: str) -> list[str]:
    """Ways to write coefficient * basis, basis one of "1", "sqrt3" (any radicand), "pi"."""
    a, b = coefficient.numerator, coefficient.denominator
    if basis == "pi":
        return [rf"\frac{{{a}\pi}}{{{b}}}", rf"\frac{{{a}}}{{{b}}}\pi"] + (
            [rf"{a}\pi", rf"{a} \cdot \pi"] if b == 1 else []
        )
    if basis.startswith("sqrt"):
        r = int(basis[4:])
        forms = [rf"\frac{{{a}\sqrt{{{r}}}}}{{{b}}}", rf"\frac{{{a}}}{{{b}}} \sqrt{{{r}}}"]
        if b == 1:
            forms += [rf"{a}\sqrt{{{r}}}", rf"{a} \times \sqrt{{{r}}}"]
            if a > 0:
                forms.append(rf"\sqrt{{{a * a * r}}}")
        return forms
    return [rf"\frac{{{a}}}{{{b}}}", f"({a})/({b})"]


coefficients = st.builds(
    Fraction, st.integers(-60, 60).filter(bool), st.sampled_from([1, 1, 2, 3, 4, 7])
)
bases = st.sampled_from(["1", "sqrt2", "sqrt3", "sqrt6", "sqrt12", "pi"])


@st.composite
def arithmetic(draw, terms):
    """A sum of terms written in one of their forms: (text, the terms)."""
    parts = [draw(st.sampled_from(arithmetic_forms(c, basis))) for c, basis in terms]
    return " + ".join(f"({part})" if len(parts) > 1 else part for part in parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    terms=st.lists(st.tuples(coefficients, bases), min_size=1, max_size=2),
    change=st.sampled_from([0, 0, 1, -3]),
)
def test_far_apart_values_are_unequal_to_math_verify(data, terms, change):
    reference = data.draw(arithmetic(terms))
    changed = [(c + change, basis) if i == 0 else (c, basis) for i, (c, basis) in enumerate(terms)]
    changed = [(c, basis) for c, basis in changed if c]
    if not changed:
        return
    candidate = data.draw(arithmetic(changed))
    parsed = _parse_candidate(candidate, Source.BOXED)
    gold = parse_reference(reference)
    if parsed and gold and _far_apart(candidate, parsed[0], gold.text, gold.parsed[0]):
        assert not math_verify_says(candidate, reference), (candidate, reference)


@pytest.mark.parametrize(
    ("candidate", "reference", "apart"),
    [
        (r"15\sqrt{6}", r"12\sqrt{6}", True),
        (r"21 \cdot \sqrt{6}", r"12\sqrt{6}", True),
        (r"\frac{9\pi}{2}", r"4\pi", True),
        (r"\sqrt{2}", r"1.4142", False),  # near: math-verify's rounding decides
        (r"\sqrt{864}", r"12\sqrt{6}", False),  # equal
        (r"\frac{14\pi}{2}", r"7\pi", False),
        (r"50\%", "50", False),  # not plain arithmetic: left to math-verify
        (r"30^\circ", r"\frac{\pi}{6}", False),
        (r"x + 1", "2", False),
        (r"e^{2}", "7", False),
    ],
)
def test_far_apart_table(candidate, reference, apart):
    parsed = _parse_candidate(candidate, Source.BOXED)
    gold = parse_reference(reference)
    assert _far_apart(candidate, parsed[0], gold.text, gold.parsed[0]) is apart
    if apart:
        assert not math_verify_says(candidate, reference)
