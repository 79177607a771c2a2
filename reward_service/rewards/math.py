"""Math accuracy: is the response's final answer equivalent to the reference?

Extraction (which text counts) lives in `reward_service.extract`; this module judges the
extracted candidates with math-verify under the strict normalization its README suggests for
rewards. Pure functions, no I/O: the time limit is enforced by the worker process around them
(`reward_service.workers`), because math-verify's own SIGALRM timeout only works in a main
thread and cannot interrupt C-level big-integer work.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from latex2sympy2_extended.latex2sympy2 import NormalizationConfig
from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify
from sympy import And, Expr, FiniteSet, Interval, Or, Tuple, Union
from sympy.matrices import MatrixBase

from reward_service.extract import (
    MathAnswer,
    Source,
    extract_math_answer,
    is_prose,
    stated_values,
)
from reward_service.rewards.exact import fast_verdict
from reward_service.scores import Reason, Score

# Strict normalization for rewards (math-verify README): no repair of malformed operators and
# no "nits", which could turn a sloppy string into the right answer.
_STRICT_LATEX = LatexExtractionConfig(
    boxed_match_priority=0,
    normalization_config=NormalizationConfig(
        basic_latex=True,
        units=True,
        malformed_operators=True,
        nits=False,
        boxed="all",
    ),
)
_LATEX_ONLY = (_STRICT_LATEX,)
_LATEX_OR_TEXT = (_STRICT_LATEX, ExprExtractionConfig())
# References are trusted data, not model output: math-verify's default normalization repairs
# `\frac12` and the like, where the strict one would turn a valid reference into no reference.
_REFERENCE_LATEX = LatexExtractionConfig(boxed_match_priority=0)
_REFERENCE_LATEX_ONLY = (_REFERENCE_LATEX,)
_REFERENCE_LATEX_OR_TEXT = (_REFERENCE_LATEX, ExprExtractionConfig())

# Words that join alternatives. A single-valued reference answered with one of these is an
# enumeration ("3 or 4", "3 \lor 4", "1, 2, 3, \dots"), which math-verify alone would not always
# refuse: it reads `3 \lor 4` as 4 and `3,4,5,\dots` as 3.4.
# A line break (`x = 3 \\ x = 4`) puts several answers on separate lines of one box.
_ENUMERATION_MARKERS = re.compile(
    r"\\(?:lor|vee|land|wedge|cup|dots|ldots|cdots|pm|mp|newline)(?![A-Za-z])|\\\\"
    r"|\b(?:or|and)\b|\.\.\.|[…±∓;；或和及]"
)
# Digit groups joined by a (thin) space: `1\,000` and `1 000` are 1000, where the parser would
# read a product (1 * 000 = 0) and so credit a response that means a thousand with zero.
_GROUPED_DIGITS = re.compile(r"(?<![\d.,])\d{1,3}(?:(?:\\[,;: !]|~| )\d{3})+(?!\d)")
_GROUP_SEPARATOR = re.compile(r"\\[,;: !]|~| ")
_LATEX_SYNTAX = re.compile(r"[\\{}^_$]")
_TEXT_WRAPPER = re.compile(r"\\(?:text|textbf|mathrm)\{([^{}]*)\}")
_MULTI_VALUED = (FiniteSet, Tuple, Interval, Union, MatrixBase, And, Or)
# Plain arithmetic: numbers, roots, fractions, pi. For two such values math-verify's verdict is
# string, float-rounded or symbolic equality, so values far apart are certainly unequal.
_ARITHMETIC = re.compile(
    r"(?:[\d\s.+\-*/^{}()]|\\(?:[dt]?frac|sqrt|pi|cdot|times|left|right)(?![A-Za-z]))+"
)
# "Far apart": far beyond math-verify's float rounding, relative to the values' size.
_APART = 1e-4


@dataclass(frozen=True)
class MathOptions:
    """How strictly math answers are judged.

    Attributes:
        max_answer_chars: longer extracted answers score 0 (`answer_too_long`) unparsed: no
            real final answer is that long, and parsing it only burns the time limit.
        float_rounding: decimal places math-verify rounds floats to before comparing.
    """

    max_answer_chars: int = 1000
    float_rounding: int = 6


@dataclass(frozen=True)
class Reference:
    """A reference answer parsed once, reused for every response of its group."""

    text: str
    parsed: tuple
    single_valued: bool


@lru_cache(maxsize=4096)
def parse_reference(answer: str) -> Reference | None:
    r"""Parse a reference answer (plain text or LaTeX); None when nothing can be parsed.

    Args:
        answer: the gold answer, e.g. `"42"`, `"\frac{1}{2}"`, `"x = 3"`, `"\boxed{(1, 2)}"`.

    Returns:
        A `Reference`, cached: a group of 16 responses parses its reference once per worker.

    >>> parse_reference(r"\frac{1}{2}").single_valued
    True
    >>> parse_reference(r"\{1, 2\}").single_valued
    False
    """
    text = answer.strip()
    if not text:
        return None
    if "\\boxed" in text or "$" in text:
        parsed = parse(text, extraction_config=_REFERENCE_LATEX_OR_TEXT, parsing_timeout=None)
    else:
        parsed = _parse_expression(text, _REFERENCE_LATEX_ONLY) or parse(
            text, extraction_config=_REFERENCE_LATEX_OR_TEXT, parsing_timeout=None
        )
    # math-verify falls back to the raw string when parsing fails. For plain text (`甲`, a
    # name) that string is the reference, compared as text; for broken LaTeX (`\frac{`) string
    # equality would be no equivalence check, so it counts as unparsed.
    if all(isinstance(value, str) for value in parsed):
        if _LATEX_SYNTAX.search(text):
            return None
        return Reference(text, (_plain(text),), True)
    return Reference(text, tuple(parsed), _is_single_valued(parsed[0]))


def score_math(response: str, reference: Reference, options: MathOptions = MathOptions()) -> Score:
    r"""Score a response's final answer against a parsed reference: 1.0 or 0.0 with a reason.

    Every distinct final answer the response gives must be equivalent to the reference, so
    boxing several different values earns nothing; so does listing candidates for a
    single-valued reference. A prose `<answer>` body gives every value it states
    (`extract.stated_values`), so "the sum of the first 10 terms is 55" states 10 and 55.

    Args:
        response: the full model response, `<think>` part included.
        reference: from `parse_reference`.
        options: strictness knobs, see `MathOptions`.

    >>> ref = parse_reference("42")
    >>> score_math(r"<think>6*7</think> The answer is \boxed{42}.", ref).value
    1.0
    >>> score_math(r"<think>\boxed{42}</think> no idea", ref).reason
    <Reason.NO_ANSWER: 'no_answer'>
    >>> score_math(r"</think> \boxed{41} or maybe \boxed{42}", ref).reason
    <Reason.ENUMERATED: 'enumerated'>
    >>> score_math("</think> <answer>It is 42.</answer>", ref).value
    1.0
    """
    return score_answer(extract_math_answer(response), reference, options)


def score_answer(
    answer: MathAnswer, reference: Reference, options: MathOptions = MathOptions()
) -> Score:
    """`score_math` for an answer already extracted (`extract.extract_math_answer`)."""
    candidates = _candidates(answer, options)
    if isinstance(candidates, Score):
        return candidates
    shown = answer.candidates[-1]
    if reference.single_valued and any(
        _markers(candidate) - _markers(reference.text) for candidate in candidates
    ):
        return Score.zero(Reason.ENUMERATED, shown)
    verdicts = [
        _verdict(candidate, answer.source, reference.text, options.float_rounding)
        for candidate in candidates
    ]
    return _combined(verdicts, shown)


def quick_score(
    answer: MathAnswer, reference_text: str, options: MathOptions = MathOptions()
) -> Score | None:
    r"""`score_answer`'s score where it needs no parser, else None.

    That is a missing or overlong answer, or exact numbers compared with an exact-number
    reference (`rewards.exact`): microseconds, safe to run anywhere, where the parser costs
    milliseconds and needs a worker's time limit. The common case of a GRPO batch.

    >>> quick_score(MathAnswer(("0.5",), Source.BOXED), r"\frac{1}{2}").value
    1.0
    >>> quick_score(MathAnswer((r"\sqrt{2}",), Source.BOXED), "2") is None
    True
    """
    candidates = _candidates(answer, options)
    if isinstance(candidates, Score):
        return candidates
    reference_text = reference_text.strip()
    verdicts: list[Reason | None] = []
    for candidate in candidates:
        exact = _exact_verdict(candidate, answer.source, reference_text)
        if exact is None:
            return None
        verdicts.append(None if exact else Reason.WRONG_ANSWER)
    return _combined(verdicts, answer.candidates[-1])


def _candidates(answer: MathAnswer, options: MathOptions) -> tuple[str, ...] | Score:
    """The strings to judge, or the score when there is nothing to judge."""
    if not answer.candidates:
        return Score.zero(answer.reason or Reason.NO_ANSWER)
    if any(len(candidate) > options.max_answer_chars for candidate in answer.candidates):
        return Score.zero(Reason.ANSWER_TOO_LONG, answer.candidates[-1][: options.max_answer_chars])
    if answer.source is Source.ANSWER_TAG:
        # Every value a prose body states is a candidate, as every box is: otherwise the
        # verifier picks one number out of "3, 4, 5 or 6" and the list earns reward.
        return tuple(
            dict.fromkeys(value for body in answer.candidates for value in stated_values(body))
        )
    return answer.candidates


def _combined(verdicts: list[Reason | None], shown: str) -> Score:
    """One score from the verdicts of every candidate: all equivalent, or why not."""
    if all(verdict is None for verdict in verdicts):
        return Score(1.0, None, shown)
    if len(verdicts) > 1 and any(verdict is None for verdict in verdicts):
        return Score.zero(Reason.ENUMERATED, shown)
    return Score.zero(next(verdict for verdict in verdicts if verdict is not None), shown)


def equivalence_classes(answers: Sequence[str | None]) -> list[int | None]:
    r"""Group final answers by mathematical equivalence, for majority voting (cons@k).

    Returns each answer's class number (classes numbered in order of first appearance);
    None for a missing answer. Identical strings share a class without parsing; answers that
    do not parse are equal only to identical strings.

    >>> equivalence_classes(["1/2", r"\frac{1}{2}", "0.5", "3", None, "0.5"])
    [0, 0, 0, 1, None, 0]
    """
    classes: list[int | None] = []
    by_text: dict[str, int] = {}
    representatives: list[list] = []
    for answer in answers:
        if answer is None:
            classes.append(None)
            continue
        if answer not in by_text:
            parsed = _parse_candidate(answer, Source.BOXED)
            match = next(
                (
                    index
                    for index, representative in enumerate(representatives)
                    if parsed
                    and representative
                    and verify(gold=representative, target=parsed, timeout_seconds=None)
                ),
                None,
            )
            if match is None:
                match = len(representatives)
                representatives.append(parsed)
            by_text[answer] = match
        classes.append(by_text[answer])
    return classes


# Verdicts are pure functions of these four values, and GRPO revisits the same prompts (and
# models repeat the same answers) every epoch: a bounded cache per worker skips the parser.
@lru_cache(maxsize=65536)
def _verdict(
    candidate: str, source: Source | None, reference_text: str, float_rounding: int
) -> Reason | None:
    """None when the candidate is equivalent to the reference, else why it is not."""
    reference = parse_reference(reference_text)
    assert reference is not None  # the caller holds this reference, parsed
    if all(isinstance(value, str) for value in reference.parsed):
        return None if _plain(candidate) in reference.parsed else Reason.WRONG_ANSWER
    exact = _exact_verdict(candidate, source, reference_text)
    if exact is not None:
        return None if exact else Reason.WRONG_ANSWER
    parsed = _parse_candidate(candidate, source)
    if not parsed:
        return Reason.UNPARSEABLE
    if reference.single_valued and _lists_several_values(parsed[0]):
        return Reason.ENUMERATED
    if _far_apart(candidate, parsed[0], reference):
        # What verify would conclude after its symbolic simplification, the slowest part of
        # judging a wrong answer, for an outcome numbers already settle.
        return Reason.WRONG_ANSWER
    equivalent = verify(
        gold=list(reference.parsed),
        target=parsed,
        float_rounding=float_rounding,
        timeout_seconds=None,
    )
    return None if equivalent else Reason.WRONG_ANSWER


def _exact_verdict(candidate: str, source: Source | None, reference_text: str) -> bool | None:
    """The exact fast path's verdict, for a candidate that is an answer and not prose around
    one (where the number to compare is for the parser to find); None to ask the parser."""
    if source is not Source.BOXED and is_prose(candidate):
        return None
    return fast_verdict(candidate, reference_text)


def _parse_candidate(candidate: str, source: Source | None) -> list:
    """The candidate parsed as the answer itself or as prose around it, whichever its form
    suggests first; [] when neither gives more than math-verify's raw-string fallback."""
    as_text = lambda: parse(candidate, extraction_config=_LATEX_OR_TEXT, parsing_timeout=None)  # noqa: E731
    as_expression = lambda: _parse_expression(candidate)  # noqa: E731
    if source is Source.BOXED:
        # A box holds the answer itself: searching its content for some number would turn
        # `\boxed{3 +}` into 3.
        attempts = (as_expression,)
    elif is_prose(candidate):
        attempts = (as_text, as_expression)
    else:
        attempts = (as_expression, as_text)
    for attempt in attempts:
        parsed = attempt()
        if any(not isinstance(value, str) for value in parsed):
            return parsed
    return []


def _parse_expression(latex: str, config: tuple = _LATEX_ONLY) -> list:
    """Parse a string that is the answer itself (a box's content), not prose around it."""
    latex = _GROUPED_DIGITS.sub(lambda number: _GROUP_SEPARATOR.sub("", number.group()), latex)
    if not _balanced(latex):
        return parse(f"${latex}$", extraction_config=config, parsing_timeout=None)
    return parse(f"\\boxed{{{latex}}}", extraction_config=config, parsing_timeout=None)


def _balanced(latex: str) -> bool:
    depth = 0
    for char in re.sub(r"\\[{}]", "", latex):
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    return depth == 0


def _plain(text: str) -> str:
    """Text answers compared as text: no `\text{}` wrapper, case or surrounding punctuation."""
    return _TEXT_WRAPPER.sub(r"\1", text).strip().strip(".。").strip().casefold()


def _markers(text: str) -> set[str]:
    return set(_ENUMERATION_MARKERS.findall(text))


def _far_apart(candidate: str, value: object, reference: Reference) -> bool:
    """Certainly unequal: plain-arithmetic values whose difference evaluates far from zero."""
    gold = reference.parsed[0]
    if not (
        _ARITHMETIC.fullmatch(candidate)
        and _ARITHMETIC.fullmatch(reference.text)
        and isinstance(value, Expr)
        and isinstance(gold, Expr)
        and value.is_number
        and gold.is_number
    ):
        return False
    try:
        difference = complex((value - gold).evalf(30, strict=True))
        sizes = (abs(complex(value.evalf(30))), abs(complex(gold.evalf(30))))
    except (ArithmeticError, TypeError, ValueError):
        return False
    if not all(map(math.isfinite, (abs(difference), *sizes))):
        return False
    return abs(difference) > _APART * max(1.0, *sizes)


def _is_single_valued(expr: object) -> bool:
    if isinstance(expr, str):
        return "," not in expr and ";" not in expr
    return not isinstance(expr, _MULTI_VALUED)


def _lists_several_values(expr: object) -> bool:
    return isinstance(expr, (FiniteSet, Tuple)) and len(expr.args) > 1
