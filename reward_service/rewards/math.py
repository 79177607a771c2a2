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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from fractions import Fraction
from functools import lru_cache, wraps
from typing import TypeVar

from latex2sympy2_extended.latex2sympy2 import NormalizationConfig, convert_to_pct
from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify
from sympy import (
    Add,
    And,
    Expr,
    FiniteSet,
    Float,
    I,
    Integer,
    Interval,
    Or,
    Rational,
    Tuple,
    Union,
    degree,
    preorder_traversal,
)
from sympy.matrices import MatrixBase

from reward_service.extract import (
    DOUBT,
    QUALIFIER,
    RETRACTION,
    MathAnswer,
    Source,
    extract_math_answer,
    find_boxed,
    is_prose,
    is_sentence_around_math,
    is_verdict,
    judged_part,
    stated_values,
)
from reward_service.rewards.exact import (
    fast_verdict,
    terminates,
)
from reward_service.rewards.math_forms import (
    Reading,
    escaped_once,
    is_ellipsis,
    join_digit_groups,
    label_key,
    read,
    top_level_split,
)
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
# A box's content is read as a whole or not at all: where it does not parse (`1 + \frac34 \S`),
# math-verify would go on to search the text for some `\frac{p}{q}` and find the wrong value.
_BOX_CONTENT_ONLY = (replace(_STRICT_LATEX, try_extract_without_anchor=False),)
_ANSWER_WORD = re.compile("answer", re.I)
_TRAILING_PERCENT = re.compile(r"\s*\\?%\s*$")
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
# Decimals agree with a value only this close, relative to its size, whatever math-verify's
# rounding to decimal places says: 1e-30 is not 2e-30.
_DECIMAL_RELATIVE = 1e-5
# A term of a sum smaller than this share of it is negligible.
_NEGLIGIBLE = 1e-6
# Exact values (no decimals) are equal when they agree to this many significant digits, where
# evaluating is the only practical test; values that differ symbolically differ far earlier.
_EXACT_DIGITS = 60
_EXACT_RELATIVE = 1e-45
_ROUNDED_DIGITS = 4
# A decimal reference is a rounding only with this many significant digits: `33.3` is 333/10.
_ROUNDING_REFERENCE_DIGITS = 6
_ROUNDING_PLACES = 4
# Significant digits of a float printed in full (`repr`), which may be off by a few units in
# its last place.
_FLOAT_DIGITS = 15
_FLOAT_SLACK = 4
# Integers in an exact rational value past which it is not worked out (10^{10^{10}}).
_WORKED_OUT = 10**6
# `1011_2`, `12_{6}`: digits in a base.
_BASE_DIGITS = re.compile(r"\s*([0-9A-Z]*\d[0-9A-Z]*)_\{?\s*(\d+)\s*\}?\s*")
# LaTeX spacing (`5\;\text{cm}`), which is no enumeration.
_SPACING = re.compile(r"(?<!\\)\\[,;:!]")
# More distinct candidates than this are an enumeration, whatever they are.
MAX_CANDIDATES = 20
_FUNCTION_OF_X = re.compile(r"[a-zA-Z]\(x\)")
_SEQUENCE = re.compile(r"\s*(?:\\left)?([(\[])(.*?)(?:\\right)?([)\]])\s*", re.S)
_INEQUALITY = re.compile(r"[<>≤≥]|\\(?:[lg]eq?|[lg]eqslant|[lg]t)(?![A-Za-z])")
_WORD_ANSWER = re.compile(r"\s*[^\W\d_]{2,}(?:[ \t]+[^\W\d_]+)*\s*\.?")
_MATH_NAMES = frozenset(
    {"pi", "inf", "infty", "oo", "nan", "sin", "cos", "tan", "log", "ln", "exp"}
)
_BRACKETED = re.compile(r"\s*(?:\\left)?[(\[].*(?:\\right)?[)\]]\s*", re.S)
_LETTER = re.compile(r"\s*[A-Za-z]\s*")
_PI = re.compile(r"\\pi(?![A-Za-z])|π")
# A multiple-choice answer and what the option says: `C. x = 42`, `(B) 12`.
_CROSS_MARK = re.compile(r"[❌✗✘✕×]")
_WORDS = re.compile(r"[^\W\d_]+")
_CHOICE_SPACING = re.compile(r"\\[,;:! ]|~|\\q?quad(?![A-Za-z])")
_LETTERED = re.compile(r"\s*\(?([A-J])\)?[.:)]\s+(\S.*)", re.S)
_OPTION_REFERENCE = re.compile(
    r"\s*\$?\s*(?:\\(?:text|textbf|mathrm|mathbf)\s*\{\s*)?(?:(?i:option|choice)\s+)?\(?([A-J])\)?"
    r"\.?\s*\}?\s*\$?\s*"
)
_OTHER_OPTION = re.compile(r"(?<![A-Za-z\\])[A-J](?![A-Za-z])")
# A lone letter in what a lettered answer's option says, in any script (`C. d`, `C. (Д)`, `C. \D`),
# is another option; a variable (`C. x = 42`) is followed by what is said of it.
_LONE_LETTER = re.compile(
    r"(?<![^\W\d_\\])\\?(?!a(?![^\W\d_]))[^\W\d_](?![^\W\d_])(?!\s*[=<>^_(\[{'])"
)
# A reference that is a multiple-choice option and what it says (`C. x = 42`, `(B) 12`): not
# a named curve (`C: x^2 + y^2 = 4`), parts (`(I) …; (II) …`), initials (`J. K. Rowling`) or a
# name (`E. coli`).
_LETTERED_REFERENCE = re.compile(r"\s*(?:\(([A-H])\)|([A-H])[.)])\s+(\S.*)", re.S)
# After `A. `: a name (`Lincoln`, `coli`) or more initials (`K. Rowling`), not an option.
_NAME_AFTER_INITIAL = re.compile(r"[A-Z]?[a-z]+\.?|[A-Z]\..*", re.S)
_PART_LABEL = re.compile(r"(?<![A-Za-z])(?:\(?(?:[A-J]|I{1,3}|IV|VI{0,3})\)|[A-J]\.)(?=\s)")
_DECIMAL = re.compile(r"\s*[-+]?\d*\.\d+\s*")
_WRITTEN_DECIMAL = re.compile(
    r"\s*(?P<mantissa>[-+]?(?:\d+(?:\.\d*)?|\.\d+))"
    r"(?:\s*(?:\\times|\\cdot|\*|×)\s*10\s*\^\s*(?:\{\s*(?P<power>[-+]?\d+)\s*\}|(?P<digit_power>\d))"
    r"|[eE](?P<e>[-+]?\d+))?\s*"
)


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
    """A reference answer parsed once, reused for every response of its group.

    `reading` is how `math_forms.read` reads it (None for a text answer, a name); `parsed`
    is math-verify's parse of the whole, for the forms that are compared whole.
    """

    text: str
    parsed: tuple
    single_valued: bool
    reading: Reading | None = None
    body: str = ""


T = TypeVar("T")

# A cached call keeps its arguments alive: 65,536 verdicts on references of 100,000 characters
# once filled a worker's memory, and every later item failed there. Calls on longer text are
# not cached; they are rare, and a reference that long is read once per item.
_CACHED_CHARS = 2_000


def _cached_when_short(maxsize: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """`lru_cache(maxsize)` for calls whose string arguments have `_CACHED_CHARS` at most."""

    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        cached = lru_cache(maxsize=maxsize)(function)

        @wraps(function)
        def call(*args: object) -> T:
            if sum(len(arg) for arg in args if isinstance(arg, str)) > _CACHED_CHARS:
                return function(*args)
            return cached(*args)

        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        call.cache_info = cached.cache_info  # type: ignore[attr-defined]
        return call

    return decorate


@_cached_when_short(maxsize=4096)
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
    body = _reference_body(text)
    word = _WORD_ANSWER.fullmatch(_TEXT_WRAPPER.sub(r"\1", body))
    if word and word.group().strip().casefold() not in _MATH_NAMES:
        # `no`, `\text{even}`, `Alice`: words, compared as words (as symbols, `no` is `on`).
        return Reference(text, (_plain(body),), True)
    reading = _reference_reading(body)
    if "\\boxed" in text or "$" in text:
        parsed = parse(text, extraction_config=_REFERENCE_LATEX_OR_TEXT, parsing_timeout=None)
    else:
        parsed = _parse_expression(text, _REFERENCE_LATEX_ONLY) or parse(
            text, extraction_config=_REFERENCE_LATEX_OR_TEXT, parsing_timeout=None
        )
    if reading is not None and (
        len(reading.items) > 1 or not _is_single_valued(_parse_reference_item(reading.items[0])[0])
    ):
        return Reference(text, tuple(parsed), False, reading, body)
    # math-verify falls back to the raw string when parsing fails. For plain text (`甲`, a
    # name) that string is the reference, compared as text; for broken LaTeX (`\frac{`) string
    # equality would be no equivalence check, so it counts as unparsed.
    if all(isinstance(value, str) for value in parsed):
        if reading is not None:  # `2 - \frac{1}{\mathrm{e}}`: readable once cleaned
            return Reference(text, _parse_reference_item(reading.items[0]), True, reading, body)
        if _LATEX_SYNTAX.search(text):
            return None
        return Reference(text, (_plain(text),), True)
    return Reference(text, tuple(parsed), _is_single_valued(parsed[0]), reading, body)


def _reference_body(text: str) -> str:
    """The reference's answer itself: its boxes (`\\boxed{1} and \\boxed{-2}`: one box per
    solution), the values a sentence around math states ("the solution is $m \\in [1, 2]$"),
    else the text without `$` delimiters."""
    boxes = find_boxed(text)
    if boxes:
        return ", ".join(boxes)
    if is_sentence_around_math(text):
        return ", ".join(stated_values(text))
    return text.strip().strip("$").strip()


def _reference_reading(body: str) -> Reading | None:
    """The reference read as an answer is (`math_forms.read`), when each of its values parses."""
    reading = read(body)
    if reading.unreadable or reading.hedged or not reading.items:
        return None
    for item in (*reading.items, *reading.chain):
        if reading.ordered and is_ellipsis(item):
            continue
        if all(isinstance(value, str) for value in _parse_reference_item(item)):
            return None
    return reading


@_cached_when_short(maxsize=4096)
def _parse_reference_item(item: str) -> tuple:
    return tuple(_parse_expression(item, _REFERENCE_LATEX_ONLY))


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
    if answer.hedged or (
        answer.alternatives
        and (reference.single_valued or all(_option_letter(c) for c in answer.candidates))
    ):
        return Score.zero(Reason.ENUMERATED, shown)
    if not reference.single_valued and len(candidates) > 1:
        # One box per solution: the boxes together are the answer.
        verdict = _joined_verdict(candidates, reference.text, answer.alternatives)
        return Score(1.0, None, shown) if verdict is None else Score.zero(verdict, shown)
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
    if answer.hedged:
        return Score.zero(Reason.ENUMERATED, answer.candidates[-1])
    if answer.alternatives:
        return None  # boxes joined by "or": whether they are two answers depends on the reference
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
    candidates = answer.candidates
    if answer.source is Source.ANSWER_TAG:
        # Every value a prose body states is a candidate, as every box is: otherwise the
        # verifier picks one number out of "3, 4, 5 or 6" and the list earns reward.
        if any(QUALIFIER.search(judged_part(body)) for body in candidates):
            return Score.zero(Reason.ENUMERATED, candidates[-1][: options.max_answer_chars])
        candidates = tuple(
            dict.fromkeys(value for body in candidates for value in stated_values(body))
        )
        if not candidates:
            return Score.zero(Reason.NO_ANSWER)
    if len(candidates) > MAX_CANDIDATES:
        return Score.zero(Reason.ENUMERATED, answer.candidates[-1][: options.max_answer_chars])
    if any(len(candidate) > options.max_answer_chars for candidate in candidates):
        return Score.zero(Reason.ANSWER_TOO_LONG, answer.candidates[-1][: options.max_answer_chars])
    return candidates


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
@_cached_when_short(maxsize=65536)
def _verdict(
    candidate: str, source: Source | None, reference_text: str, float_rounding: int
) -> Reason | None:
    """None when the candidate is equivalent to the reference, else why it is not."""
    reference = parse_reference(reference_text)
    assert reference is not None  # the caller holds this reference, parsed
    choice = _choice_verdict(candidate, reference_text)
    if choice is not None:
        return choice or None
    option = _LETTERED_REFERENCE.fullmatch(_as_choice(reference_text))
    if option and _lettered_reference(reference_text) and parse_reference(option.group(3)):
        # `12` for the choice `\textbf{(C)}\ 12`: what the option says.
        return _verdict(candidate, source, option.group(3), float_rounding)
    lettered = _LETTERED.fullmatch(_as_choice(candidate))
    if lettered and _LETTER.fullmatch(reference_text.strip("$ ")) is None:
        # `\textbf{(C) }12` for the value 12: what the option says is the answer.
        said = lettered.group(2)
        if _OTHER_OPTION.search(said) or RETRACTION.search(said) or QUALIFIER.search(said):
            return Reason.ENUMERATED
        return _verdict(said, source, reference_text, float_rounding)
    if reference.reading is None and all(isinstance(value, str) for value in reference.parsed):
        return None if _plain(candidate) in reference.parsed else Reason.WRONG_ANSWER
    if reference.body and " ".join(candidate.split()) == " ".join(reference.body.split()):
        return None  # the reference itself
    exact = _exact_verdict(candidate, source, reference_text)
    if exact is not None:
        return None if exact else Reason.WRONG_ANSWER
    if reference.reading is None or (source is not Source.BOXED and is_prose(candidate)):
        return _whole_verdict(candidate, source, reference, float_rounding)
    return _reading_verdict(_read(candidate, reference), reference, float_rounding)


def _choice_verdict(candidate: str, reference_text: str) -> Reason | None | bool:
    """A multiple-choice letter against a lettered reference, either of them perhaps with what
    its option says (`C. x = 42` for the choice C, `C` for `C. x = 42`); None when either is no
    letter. False: the same choice."""
    lettered = _LETTERED.fullmatch(_as_choice(candidate))
    letter = lettered.group(1) if lettered else _option_letter(candidate)
    gold_lettered = _lettered_reference(reference_text)
    gold_letter = gold_lettered or _option_letter(reference_text)
    if letter is None or gold_letter is None:
        return None
    if lettered:
        said = lettered.group(2)
        if (
            _OTHER_OPTION.search(said)
            or _LONE_LETTER.search(said)
            or RETRACTION.search(said)
            or QUALIFIER.search(said)
            or DOUBT.search(said)
            or _CROSS_MARK.search(said)
            or any(is_verdict(word) for word in _WORDS.findall(said))
        ):
            return Reason.ENUMERATED  # `C. or D`, `C: false`, `(C) eliminated`, `C) ❌`
    return False if letter == gold_letter else Reason.WRONG_ANSWER


def _as_choice(text: str) -> str:
    r"""`\textbf{(C)}\ 12` as `(C) 12`: a choice without its emphasis and LaTeX spacing."""
    return " ".join(_CHOICE_SPACING.sub(" ", _TEXT_WRAPPER.sub(r"\1", text)).split())


def _lettered_reference(text: str) -> str | None:
    """The letter of a reference that is an option and what it says (`C. x = 42`,
    `\\textbf{(C)}\\ 12`)."""
    match = _LETTERED_REFERENCE.fullmatch(_as_choice(text))
    if match is None:
        return None
    said = match.group(3)
    if _PART_LABEL.search(said) or _NAME_AFTER_INITIAL.fullmatch(said):
        return None
    return match.group(1) or match.group(2)


def _option_letter(text: str) -> str | None:
    """The letter of a bare choice (`C`, `(C)`, `$C$`)."""
    match = _OPTION_REFERENCE.fullmatch(text)
    return match.group(1) if match else None


def _joined_verdict(
    candidates: tuple[str, ...], reference_text: str, alternatives: bool
) -> Reason | None:
    """The verdict on several boxes (or stated values) that together answer a reference with
    several values: every value once, in any order, nothing else; boxes joined by "or" are
    the values of one unknown, never a tuple's parts."""
    reference = parse_reference(reference_text)
    assert reference is not None
    if reference.reading is None:
        return Reason.ENUMERATED
    joined = _read((r" \text{ or } " if alternatives else ", ").join(candidates), reference)
    return _reading_verdict(joined, reference, MathOptions().float_rounding)


def _read(candidate: str, reference: Reference) -> Reading:
    assert reference.reading is not None
    items = reference.reading.items
    decimal = len(items) == 1 and bool(_DECIMAL.fullmatch(items[0]))
    return read(candidate, decimal_comma=decimal)


def _reading_verdict(reading: Reading, reference: Reference, float_rounding: int) -> Reason | None:
    """Compare what a candidate states with what the reference states: values (as a set when
    the reference has several), unit, label and every link of an equation chain."""
    gold = reference.reading
    assert gold is not None
    if reading.hedged:
        return Reason.ENUMERATED
    if reading.unreadable or not reading.items:
        return Reason.UNPARSEABLE
    if reading.unit and gold.unit and reading.unit != gold.unit:
        return Reason.WRONG_ANSWER
    if reading.unit == "degree" and any(_PI.search(item) for item in reading.items):
        return Reason.WRONG_ANSWER  # `\frac{\pi}{4}^\circ` is no angle in radians
    if reading.label and gold.label and not _same_label(reading.label, gold.label):
        reordered = _reordered(reading, gold.label)
        if reordered is None:
            return Reason.WRONG_ANSWER
        reading = reordered
    if reading.label and not gold.label and _LETTER.fullmatch(gold.items[0]):
        return Reason.WRONG_ANSWER  # `\boxed{B = A}` for the choice A
    if (
        gold.inequality
        and not reading.inequality
        and len(reading.items) == 1
        and _INEQUALITY.search(reading.items[0])
    ):
        # `-x > -1` for `x < 1`: an inequality not solved for its variable, compared as one.
        return _item_verdict(reading.items[0], reference.body, float_rounding)
    if reading.ordered != gold.ordered and max(len(reading.items), len(gold.items)) > 1:
        return Reason.WRONG_ANSWER  # a ratio is no set of solutions, nor a set a sequence
    if len(gold.items) == 1:
        if len(reading.items) > 1:
            gold_value = _parse_reference_item(gold.items[0])[0]
            if isinstance(gold_value, Tuple) and len(gold_value.args) == len(reading.items):
                if reading.as_set:
                    return Reason.WRONG_ANSWER  # a set is no tuple
                # `4, 5` for `AB = 4, CD = 5`: the values in the reference's order.
                whole = "(" + ", ".join(reading.items) + ")"
                return _item_verdict(whole, gold.items[0], float_rounding)
            if not _is_single_valued(gold_value):
                if reading.as_set and not isinstance(gold_value, FiniteSet):
                    return Reason.WRONG_ANSWER  # a set is no interval
                return _item_verdict(", ".join(reading.items), gold.items[0], float_rounding)
            return Reason.ENUMERATED
        for value in (*reading.items, *reading.chain):
            if value in reading.approximations and _rounding_of(value, gold.items[0]):
                continue
            value, gold_item = _as_equations(value, reading.label, gold.items[0], gold.label)
            if _is_equation(value) != _is_equation(gold_item):
                return Reason.WRONG_ANSWER  # `x + 1 = 5` says x is 4, not 5
            verdict = _item_verdict(value, gold_item, float_rounding)
            if verdict is not None:
                return verdict
        return None
    if reading.chain:
        return Reason.WRONG_ANSWER
    if gold.ordered:
        # A sequence or a ratio: the same items in the same order.
        if len(reading.items) != len(gold.items):
            return Reason.WRONG_ANSWER
        for value, gold_item in zip(reading.items, gold.items, strict=True):
            if is_ellipsis(gold_item) or is_ellipsis(value):
                if not (is_ellipsis(gold_item) and is_ellipsis(value)):
                    return Reason.WRONG_ANSWER
            elif _item_verdict(value, gold_item, float_rounding) is not None:
                return Reason.WRONG_ANSWER
        return None
    if len(reading.items) == 1 and _DECIMAL.fullmatch(reading.items[0]):
        # `1,22` is 1.22 to an answer that writes a decimal point.
        as_decimal = read(reference.body, decimal_comma=True).items
        if len(as_decimal) == 1:
            return _item_verdict(reading.items[0], as_decimal[0], float_rounding)
    if len(reading.items) != len(gold.items):
        if len(reading.items) == 1:
            if _BRACKETED.fullmatch(reading.items[0]):
                return Reason.WRONG_ANSWER  # a tuple or an interval is no set of solutions
            return _item_verdict(reading.items[0], ", ".join(gold.items), float_rounding)
        return Reason.ENUMERATED if len(reading.items) > len(gold.items) else Reason.WRONG_ANSWER
    unmatched = list(gold.items)
    for value in reading.items:
        match = next(
            (
                gold_item
                for gold_item in unmatched
                if _item_verdict(value, gold_item, float_rounding) is None
            ),
            None,
        )
        if match is None:
            return Reason.WRONG_ANSWER
        unmatched.remove(match)
    return None


def _is_equation(text: str) -> bool:
    return len(top_level_split(text, "=")) > 1


def _same_label(label: str, gold_label: str) -> bool:
    """`y` names what `f(x)` does: the value of the function."""
    keys = {label_key(label), label_key(gold_label)}
    if len(keys) == 1:
        return True
    return "y" in keys and any(_FUNCTION_OF_X.fullmatch(key) for key in keys)


def _reordered(reading: Reading, gold_label: str) -> Reading | None:
    """`(n,m) = (1,4)` for `(m,n) = (4,1)`: the values in the reference's order of names; None
    when the names are not the same."""
    names, gold_names = _tuple_names(reading.label), _tuple_names(gold_label)
    if not names or sorted(names) != sorted(gold_names) or len(reading.items) != 1:
        return None
    value = reading.items[0].strip()
    if not (value.startswith("(") and value.endswith(")")):
        return None
    parts = [part.strip() for part in top_level_split(value[1:-1], ",")]
    if len(parts) != len(names):
        return None
    by_name = dict(zip(names, parts, strict=True))
    ordered = "(" + ", ".join(by_name[name] for name in gold_names) + ")"
    return Reading((ordered,), gold_label, reading.unit, reading.chain)


def _tuple_names(label: str) -> list[str]:
    key = label_key(label)
    if not (key.startswith("(") and key.endswith(")")):
        return []
    return key[1:-1].split(",")


def _as_equations(value: str, label: str, gold_item: str, gold_label: str) -> tuple[str, str]:
    """Where one side is an equation (`2x - y + 1 = 0`) and the other a labelled value
    (`y = 2x + 1`), both as equations; else as they are."""
    value_is_equation = _is_equation(value)
    gold_is_equation = _is_equation(gold_item)
    if value_is_equation and not gold_is_equation and gold_label:
        return value, f"{gold_label} = {gold_item}"
    if gold_is_equation and not value_is_equation and label:
        return f"{label} = {value}", gold_item
    return value, gold_item


@_cached_when_short(maxsize=65536)
def _item_verdict(value: str, gold_item: str, float_rounding: int) -> Reason | None:
    """One value (as `math_forms.read` gives it) against one value of the reference."""
    based = _base_verdict(value, gold_item)
    if based is not None:
        return based or None
    elementwise = _elementwise_verdict(value, gold_item, float_rounding)
    if elementwise is not None:
        return elementwise or None
    exact = fast_verdict(value, gold_item)
    if exact is not None:
        return None if exact else Reason.WRONG_ANSWER
    parsed = _parse_expression(value)
    if not parsed or all(isinstance(part, str) for part in parsed):
        return Reason.UNPARSEABLE
    gold = _parse_reference_item(gold_item)
    complex_pair = _as_complex_numbers(parsed[0], gold[0])
    if complex_pair is not None:
        parsed, gold = [complex_pair[0], *parsed[1:]], (complex_pair[1], *gold[1:])
    if _lists_several_values(parsed[0]) and _is_single_valued(gold[0]):
        return Reason.ENUMERATED
    decimal = _decimal_verdict(value, parsed[0], gold_item, gold[0])
    if decimal is not None:
        return None if decimal else Reason.WRONG_ANSWER
    numeric = _numbers_equal(parsed[0], gold[0])
    if numeric is False:
        return Reason.WRONG_ANSWER
    if numeric is None and _far_apart(value, parsed[0], gold_item, gold[0]):
        return Reason.WRONG_ANSWER
    equivalent = verify(
        gold=list(gold), target=parsed, float_rounding=float_rounding, timeout_seconds=None
    )
    return None if equivalent else Reason.WRONG_ANSWER


def _elementwise_verdict(value: str, gold_item: str, float_rounding: int) -> Reason | None | bool:
    """Tuples and intervals of one shape with a decimal in them, element by element, so that
    each decimal is judged as a decimal is (`(0.6, 2.6667]` for `(\\frac35, \\frac83]`). False:
    equal; None: not such a pair."""
    ours, theirs = _SEQUENCE.fullmatch(value), _SEQUENCE.fullmatch(gold_item)
    if not ours or not theirs or ours.group(1, 3) != theirs.group(1, 3):
        return None
    items = [item.strip() for item in top_level_split(ours.group(2), ",")]
    gold_items = [item.strip() for item in top_level_split(theirs.group(2), ",")]
    if len(items) != len(gold_items) or len(items) < 2:
        return None
    if not any(_DECIMAL.fullmatch(item) for item in (*items, *gold_items)):
        return None
    for item, gold_element in zip(items, gold_items, strict=True):
        verdict = _item_verdict(item, gold_element, float_rounding)
        if verdict is not None:
            return verdict
    return False


def _as_complex_numbers(value: object, gold: object) -> tuple[Expr, Expr] | None:
    """Both with `i` as the imaginary unit, where the reference is a complex number `a + bi`
    and `i` is the only symbol on either side (`i(2-i)` is 1+2i); None otherwise, where `i` may
    be an index."""
    if not (isinstance(value, Expr) and isinstance(gold, Expr)):
        return None
    symbols = value.free_symbols | gold.free_symbols
    if not symbols or any(getattr(symbol, "name", None) != "i" for symbol in symbols):
        return None
    if not gold.free_symbols or not all(
        gold.is_polynomial(symbol) and degree(gold, symbol) == 1 for symbol in gold.free_symbols
    ):
        return None
    # `i(2-i)` multiplies out to a square; `i^5` or `i^3 + 2i` is an index's polynomial.
    if not all(
        value.is_polynomial(symbol) and degree(value, symbol) <= 2 for symbol in value.free_symbols
    ):
        return None
    units = {symbol: I for symbol in symbols}
    return value.subs(units), gold.subs(units)


def _base_verdict(value: str, gold_item: str) -> Reason | None | bool:
    """Digits in a base (`1011_2`): against a reference in that base, the same digits (the
    subscript may go); against a plain reference, their value. False: equal; None: no digits
    in a base here."""
    value_base, gold_base = _BASE_DIGITS.fullmatch(value), _BASE_DIGITS.fullmatch(gold_item)
    if gold_base:
        digits, radix = gold_base.groups()
        if value_base:
            same = value_base.groups() == (digits, radix)
        else:
            same = value.strip() == digits
        return False if same else Reason.WRONG_ANSWER
    if not value_base:
        return None
    digits, radix = value_base.group(1), int(value_base.group(2))
    try:
        number = int(digits, radix) if 2 <= radix <= 36 else None
    except ValueError:
        number = None
    if number is None:
        return Reason.UNPARSEABLE
    exact = fast_verdict(str(number), gold_item)
    return Reason.WRONG_ANSWER if exact is None or not exact else False


def _numbers_equal(value: object, gold: object) -> bool | None:
    """For two numbers: False when certainly unequal, True when exactly equal, None to leave
    it to math-verify. Exact values are compared exactly or to 60 significant digits, never to
    math-verify's 6 decimal places (1/3001! is not 1/3003!); a decimal must agree with the
    value to a relative 1e-5 before math-verify's rounding may accept it."""
    if not (isinstance(value, Expr) and isinstance(gold, Expr)):
        return None
    if not (value.is_number and gold.is_number):
        return None
    if isinstance(value, Rational) and isinstance(gold, Rational):
        return bool(value == gold)
    try:
        # In sympy's numbers, not floats: 1/3001! is far below the smallest float.
        difference = abs((value - gold).evalf(_EXACT_DIGITS))
        size = max(abs(value.evalf(_EXACT_DIGITS)), abs(gold.evalf(_EXACT_DIGITS)))
        if not (
            difference.is_Number and size.is_Number and difference.is_finite and size.is_finite
        ):
            return None
        relative = difference / size if size else difference
    except (ArithmeticError, TypeError, ValueError):
        return None
    if difference != 0 and _has_negligible_term(value):
        return False
    if value.has(Float) or gold.has(Float):
        return False if relative > _DECIMAL_RELATIVE else None
    return bool(relative <= _EXACT_RELATIVE)


def _has_negligible_term(expr: Expr) -> bool:
    """Whether a sum in `expr` has a term too small to matter to it (`\\pi + 10^{-60}`,
    `2.5 + 10^{-7}`): an offset that shows only below any rounding is no part of an answer."""
    for node in preorder_traversal(expr):
        if not (isinstance(node, Add) and node.is_number):
            continue
        total = abs(node.evalf(_EXACT_DIGITS))
        for term in node.args:
            size = abs(term.evalf(_EXACT_DIGITS))
            # Tiny in itself too: `e^{16} - 1` is no offset, `\\pi + 10^{-60}` is.
            if size.is_Number and total.is_Number and 0 < size < min(total, 1) * _NEGLIGIBLE:
                return True
    return False


def _decimal_verdict(value_text: str, value: object, gold_text: str, gold: object) -> bool | None:
    r"""A decimal against an exact number, either way round; None when neither is one.

    A value a decimal writes in full (`1495`, `\frac{199}{200}`, `2^{100}`) is equal to that
    decimal only, either way round. Any other (pi, 1/3) is equal to a decimal answer that it
    rounds to at the decimal's last place: the answer must show at least 4 significant digits
    (`3.1416` for pi, not `3.14`), or 5 when it is cut rather than rounded (`3.1415`, not
    `12.56` for 4 pi, which is 4 times 3.14). A decimal reference is the value it writes
    (`\frac{100}{3}` is not `33.3`, `\frac{11111}{9}` not `1234.56`) unless it shows so many
    digits and places that only a rounding or a cut explains them (`2.314814814815 \times
    10^{-3}` for 1/432, `3.141592` for pi), and then a fraction no finer than its places and
    no negligible offset; a float printed in full (`0.6666666666666666`) may be off in its
    last place."""
    decimals = _with_decimals_written(value)
    verdict = None if decimals is None else _decimals_verdict(decimals, gold_text, gold)
    if verdict is not None:
        return verdict
    written = _written_decimal(value_text)
    if written is not None and _is_exact(gold):
        rational = _rational_value(gold)
        if rational is not None and terminates(rational):
            return Fraction(written) == rational
        digits = len(written.as_tuple().digits)
        return digits >= _ROUNDED_DIGITS and _rounds_to(written, gold, cut=digits > _ROUNDED_DIGITS)
    written = _written_decimal(gold_text)
    if written is not None and _is_exact(value):
        digits = len(written.as_tuple().digits)
        if digits >= _FLOAT_DIGITS:  # `0.6666666666666666`: a float printed, off in its last place
            return _within_last_places(written, value, _FLOAT_SLACK)
        rational = _rational_value(value)
        if rational is not None and terminates(rational):
            return rational == Fraction(written)
        if not _is_rounding(written, gold_text):
            return False  # `1234.56` is an amount, not 11111/9 rounded
        places = -written.as_tuple().exponent
        if rational is not None and rational.denominator > 10 ** max(places, 0):
            return False  # finer than the reference can tell
        if _has_negligible_term(value):
            return False  # `\pi + 10^{-7}` for `3.14159`
        return _rounds_to(written, value, cut=True)
    return None


def _with_decimals_written(value: object) -> Expr | None:
    r"""A number with decimals in it as the exact value its decimals write: a rational
    (`\frac{5.0000002}{2}`, `2.4999999`) or one known to be irrational (`\sqrt{6.250001}`,
    `0.7957747\pi`); None for anything else."""
    if not (isinstance(value, Expr) and value.has(Float)):
        return None
    if not value.is_number:
        value = value.doit()  # `7.5 + 10^{-7} x^0`, left unevaluated by the parser
    if not value.is_number:
        return None
    exact = value.xreplace({number: Rational(str(number)) for number in value.atoms(Float)})
    if isinstance(exact, Rational) or exact.is_rational is False:
        return exact
    return None


def _decimals_verdict(value: Expr, gold_text: str, gold: object) -> bool | None:
    r"""A value its decimals write against a reference that is a decimal or a terminating
    fraction: exactly equal, or rounded or cut to a reference that is itself a rounding
    (`0.3333333` for `0.333333`); `2.4999999` is not `2.5`, nor `\sqrt{6.250001}`. None for
    other references."""
    written = _written_decimal(gold_text)
    rational = _rational_value(value) if isinstance(value, Rational) else None
    if written is not None:
        if rational == Fraction(written):
            return True
        if len(written.as_tuple().digits) >= _FLOAT_DIGITS:
            return _within_last_places(written, value, _FLOAT_SLACK)
        return _is_rounding(written, gold_text) and _rounds_to(written, value, cut=True)
    gold_rational = _rational_value(gold) if _is_exact(gold) else None
    if gold_rational is not None and terminates(gold_rational):
        return rational == gold_rational  # an irrational value is no terminating fraction
    return None


def _is_rounding(written: Decimal, text: str) -> bool:
    """Whether a decimal reference shows so many digits and places that only a rounding or
    a cut explains them: 6 significant digits and 4 places."""
    return (
        len(written.as_tuple().digits) >= _ROUNDING_REFERENCE_DIGITS
        and _mantissa_places(text) >= _ROUNDING_PLACES
    )


def _mantissa_places(text: str) -> int:
    """Decimal places a written decimal shows before any power of ten: `1.2346 \times 10^8`
    shows 4."""
    match = _WRITTEN_DECIMAL.fullmatch(text)
    mantissa = match.group("mantissa") if match else ""
    return len(mantissa.partition(".")[2])


def _within_last_places(decimal: Decimal, exact: Expr, slack: int) -> bool:
    """Whether `exact` is within `slack` units of the decimal's last place of it."""
    _sign, digits, exponent = decimal.as_tuple()
    assert isinstance(exponent, int)
    with localcontext() as context:
        context.prec = len(digits) + 60
        try:
            approximation = Decimal(str(exact.evalf(len(digits) + 30)))
            return abs(approximation - decimal) <= Decimal(slack).scaleb(exponent)
        except (ArithmeticError, TypeError, ValueError, InvalidOperation):
            return False


def _rounding_of(link: str, gold_item: str) -> bool:
    r"""Whether an approximation after the answer (`\frac{\sqrt3}{3} \approx 0.577`) is the exact
    reference rounded at the places it shows; the answer before it carries the precision."""
    written = _written_decimal(link)
    gold = _parse_reference_item(gold_item)
    if written is None or not gold or not _is_exact(gold[0]):
        return False
    return _rounds_to(written, gold[0], cut=False)


def _rational_value(exact: Expr) -> Fraction | None:
    """`exact` as a fraction, where it is a rational number small enough to work out (`2^{100}`,
    `100!`, `\frac{1}{3}`); else None."""
    if isinstance(exact, Rational):
        return Fraction(int(exact.p), int(exact.q))
    if not exact.is_rational or any(abs(atom) > _WORKED_OUT for atom in exact.atoms(Integer)):
        return None
    worked_out = exact.doit()
    if not isinstance(worked_out, Rational):
        return None
    return Fraction(int(worked_out.p), int(worked_out.q))


def _written_decimal(text: str) -> Decimal | None:
    """The number a decimal (`0.0250`) or one in scientific notation (`2.5 \\times 10^{-3}`,
    `2.5e-3`) writes, with the places it shows."""
    match = _WRITTEN_DECIMAL.fullmatch(text)
    if not match:
        return None
    exponent = match.group("power") or match.group("digit_power") or match.group("e")
    if exponent is None and "." not in match.group("mantissa"):
        return None
    if exponent is not None and len(exponent.lstrip("+-")) > 4:
        return None
    return Decimal(match.group("mantissa")).scaleb(int(exponent or 0))


def _is_exact(value: object) -> bool:
    return (
        isinstance(value, Expr)
        and value.is_number
        and bool(value.is_extended_real)
        and not value.has(Float)
    )


def _rounds_to(decimal: Decimal, exact: Expr, *, cut: bool) -> bool:
    """Whether `exact`, rounded half away from zero (or, with `cut`, cut) to the decimal's last
    place, is the decimal."""
    _sign, digits, exponent = decimal.as_tuple()
    assert isinstance(exponent, int)
    roundings = (ROUND_HALF_UP, ROUND_DOWN) if cut else (ROUND_HALF_UP,)
    with localcontext() as context:
        context.prec = len(digits) + 60
        try:
            approximation = Decimal(str(exact.evalf(len(digits) + 30)))
            return any(
                approximation.quantize(Decimal(1).scaleb(exponent), rounding=rounding) == decimal
                for rounding in roundings
            )
        except (ArithmeticError, TypeError, ValueError, InvalidOperation):
            return False


def _whole_verdict(
    candidate: str, source: Source | None, reference: Reference, float_rounding: int
) -> Reason | None:
    """math-verify's verdict on the candidate and the reference, each parsed whole: for prose
    around an answer, and references no reading covers."""
    parsed = _parse_candidate(candidate, source)
    if not parsed:
        return Reason.UNPARSEABLE
    if reference.single_valued and _lists_several_values(parsed[0]):
        return Reason.ENUMERATED
    if _far_apart(candidate, parsed[0], reference.text, reference.parsed[0]):
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


def _parse_expression(latex: str, config: tuple = _BOX_CONTENT_ONLY) -> list:
    """Parse a string that is the answer itself (a box's content), not prose around it."""
    latex = join_digit_groups(latex)
    answer = config is _BOX_CONTENT_ONLY
    if answer and _ANSWER_WORD.search(latex):
        return []  # "answer:" would anchor math-verify's search for a fraction in the text
    if not _balanced(latex):
        return [] if answer else parse(f"${latex}$", extraction_config=config, parsing_timeout=None)
    percent = _TRAILING_PERCENT.search(latex)
    if answer and percent and latex[: percent.start()].strip():
        # `\frac{40}{9}\%`, which the parser reads only by the search that would misread others
        whole = _parse_expression(latex[: percent.start()], config)
        if whole and isinstance(whole[0], Expr):
            return [convert_to_pct(whole[0]), latex]
        return []
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
    return set(_ENUMERATION_MARKERS.findall(_SPACING.sub(" ", escaped_once(text))))


def _far_apart(candidate: str, value: object, gold_text: str, gold: object) -> bool:
    """Certainly unequal: plain-arithmetic values whose difference evaluates far from zero."""
    if not (
        _ARITHMETIC.fullmatch(candidate)
        and _ARITHMETIC.fullmatch(gold_text)
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
