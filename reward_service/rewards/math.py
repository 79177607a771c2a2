"""Math accuracy: is the response's final answer equivalent to the reference?

Extraction (which text counts) lives in `reward_service.extract`; this module judges the
extracted candidates with math-verify under the strict normalization its README suggests for
rewards. Pure functions, no I/O: the time limit is enforced by the worker process around them
(`reward_service.workers`), because math-verify's own SIGALRM timeout only works in a main
thread and cannot interrupt C-level big-integer work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from latex2sympy2_extended.latex2sympy2 import NormalizationConfig
from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify
from sympy import And, FiniteSet, Interval, Or, Tuple, Union
from sympy.matrices import MatrixBase

from reward_service.extract import MathAnswer, Source, extract_math_answer
from reward_service.scores import Reason, Score

# Strict normalization for rewards (math-verify README): no repair of malformed operators and
# no "nits", which could turn a sloppy string into the right answer.
_STRICT_LATEX = LatexExtractionConfig(
    boxed_match_priority=0,
    normalization_config=NormalizationConfig(
        basic_latex=True,
        units=True,
        malformed_operators=False,
        nits=False,
        boxed="all",
    ),
)
_LATEX_ONLY = (_STRICT_LATEX,)
_LATEX_OR_TEXT = (_STRICT_LATEX, ExprExtractionConfig())

# Words that join alternatives. A single-valued reference answered with one of these is an
# enumeration ("3 or 4", "3 \lor 4", "1, 2, 3, \dots"), which math-verify alone would not always
# refuse: it reads `3 \lor 4` as 4 and `3,4,5,\dots` as 3.4.
_ENUMERATION_MARKERS = re.compile(
    r"\\(?:lor|vee|land|wedge|cup|dots|ldots|cdots|pm|mp)(?![A-Za-z])"
    r"|\b(?:or|and)\b|\.\.\.|[…±∓;或和及]"
)
# A bare <answer> body with words in it is prose to search for the answer, not an expression.
_PROSE = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{3,}|[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_TEXT_COMMAND = re.compile(r"\\(?:text|textbf|mathrm|mbox)\{[^{}]*\}")
_MULTI_VALUED = (FiniteSet, Tuple, Interval, Union, MatrixBase, And, Or)


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
        parsed = parse(text, extraction_config=_LATEX_OR_TEXT, parsing_timeout=None)
    else:
        parsed = _parse_expression(text) or parse(
            text, extraction_config=_LATEX_OR_TEXT, parsing_timeout=None
        )
    # math-verify falls back to the raw string when parsing fails; a reference that is only
    # that string (e.g. `\frac{`) would be judged by string equality, so it counts as unparsed.
    if all(isinstance(value, str) for value in parsed):
        return None
    return Reference(text, tuple(parsed), _is_single_valued(parsed[0]))


def score_math(response: str, reference: Reference, options: MathOptions = MathOptions()) -> Score:
    r"""Score a response's final answer against a parsed reference: 1.0 or 0.0 with a reason.

    Every distinct final answer the response gives must be equivalent to the reference, so
    boxing several different values earns nothing; so does listing candidates for a
    single-valued reference.

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
    """
    answer = extract_math_answer(response)
    if not answer.candidates:
        return Score.zero(answer.reason or Reason.NO_ANSWER)
    shown = answer.candidates[-1]
    if any(len(candidate) > options.max_answer_chars for candidate in answer.candidates):
        return Score.zero(Reason.ANSWER_TOO_LONG, shown[: options.max_answer_chars])
    if reference.single_valued and any(
        _markers(candidate) - _markers(reference.text) for candidate in answer.candidates
    ):
        return Score.zero(Reason.ENUMERATED, shown)

    verdicts = [
        _judge_candidate(candidate, answer, reference, options) for candidate in answer.candidates
    ]
    if all(verdict is None for verdict in verdicts):
        return Score(1.0, None, shown)
    if len(verdicts) > 1 and any(verdict is None for verdict in verdicts):
        return Score.zero(Reason.ENUMERATED, shown)
    return Score.zero(next(verdict for verdict in verdicts if verdict is not None), shown)


def _judge_candidate(
    candidate: str, answer: MathAnswer, reference: Reference, options: MathOptions
) -> Reason | None:
    """None when the candidate is equivalent to the reference, else why it is not."""
    parsed = _parse_candidate(candidate, answer.source)
    if not parsed:
        return Reason.UNPARSEABLE
    if reference.single_valued and _lists_several_values(parsed[0]):
        return Reason.ENUMERATED
    equivalent = verify(
        gold=list(reference.parsed),
        target=parsed,
        float_rounding=options.float_rounding,
        timeout_seconds=None,
    )
    return None if equivalent else Reason.WRONG_ANSWER


def _parse_candidate(candidate: str, source: Source | None) -> list:
    if source is Source.BOXED or not _PROSE.search(_TEXT_COMMAND.sub(" ", candidate)):
        return _parse_expression(candidate) or parse(
            candidate, extraction_config=_LATEX_OR_TEXT, parsing_timeout=None
        )
    return parse(candidate, extraction_config=_LATEX_OR_TEXT, parsing_timeout=None) or (
        _parse_expression(candidate)
    )


def _parse_expression(latex: str) -> list:
    """Parse a string that is the answer itself (a box's content), not prose around it."""
    if not _balanced(latex):
        return parse(f"${latex}$", extraction_config=_LATEX_ONLY, parsing_timeout=None)
    return parse(f"\\boxed{{{latex}}}", extraction_config=_LATEX_ONLY, parsing_timeout=None)


def _balanced(latex: str) -> bool:
    depth = 0
    for char in re.sub(r"\\[{}]", "", latex):
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    return depth == 0


def _markers(text: str) -> set[str]:
    return set(_ENUMERATION_MARKERS.findall(text))


def _is_single_valued(expr: object) -> bool:
    if isinstance(expr, str):
        return "," not in expr and ";" not in expr
    return not isinstance(expr, _MULTI_VALUED)


def _lists_several_values(expr: object) -> bool:
    return isinstance(expr, (FiniteSet, Tuple)) and len(expr.args) > 1
