"""Whether a program's output is the expected one: pure functions, linear in the output.

They live beside the sandbox because whoever reads a job's runs compares each one as it
arrives and keeps only an excerpt (`types.RunnerEvents`): a thousand cases of a megabyte each
must not be held at once. The expected outputs stay outside the sandbox all the same.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from reward_service.json_in_turns import loads_in_slices

# A plain decimal number: what contest judges read as a float. Not "nan", "inf", "0x1p3" or
# "1_000", which Python's float() would take. No two ways to match the same digits, so a long
# run of digits followed by junk fails in one pass (`\d+\.?\d*` backtracked quadratically).
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# What `str.split()` splits at.
_SPACE = re.compile(r"\s")
# Characters of an output split at once.
_SLICE = 1 << 16


@dataclass(frozen=True)
class FloatTolerance:
    """Numbers within `abs` of the expected one, or within `rel` times its magnitude, pass."""

    abs: float
    rel: float


# How an output is compared with the expected one (see `outputs_match`).
Compare = Literal["exact", "tokens"] | FloatTolerance


def outputs_match(expected: str, actual: str, compare: Compare = "exact") -> bool:
    """Whether a program's output is right.

    `exact`: trailing whitespace on lines and trailing blank lines are ignored, all else must
    be equal. `tokens`: the whitespace-separated tokens are equal. A `FloatTolerance`: the
    tokens are equal, or both plain decimal numbers within the tolerance of the expected one.
    A missing or extra line or token always fails: comparing with `zip` alone stops at the
    shorter side, so a truncated output would pass (seen in the field).

    >>> outputs_match("1\\n2\\n", "1  \\n2\\n\\n")
    True
    >>> outputs_match("1\\n2\\n", "1\\n")
    False
    >>> outputs_match("1 2\\n", "1\\n2", "tokens")
    True
    >>> outputs_match("0.333333", "0.3333334", FloatTolerance(abs=1e-6, rel=0))
    True
    """
    if compare == "exact":
        want, got = expected.rstrip(), actual.rstrip()  # trailing blank lines
        # Lines counted before they are split: 16 million expected newlines against a short
        # output once took a second of splitting.
        if want.count("\n") != got.count("\n"):
            return False
        pairs = zip(_pieces(want, "\n"), _pieces(got, "\n"), strict=True)
        return all(w == g or w.rstrip() == g.rstrip() for w, g in pairs)
    pairs = zip(_pieces(expected), _pieces(actual), strict=True)
    try:
        if compare == "tokens":
            return all(w == g for w, g in pairs)
        assert isinstance(compare, FloatTolerance)
        return all(w == g or _close(w, g, compare) for w, g in pairs)
    except ValueError:  # one ran out of tokens first
        return False


def _pieces(text: str, separator: str | None = None) -> Iterator[str]:
    """`text.split(separator)` (whitespace when None), split a slice of about `_SLICE`
    characters at a time: comparing runs in a thread, and one split of 8 million tokens
    held the event loop out for 0.23 s."""
    start = 0
    while len(text) - start > _SLICE:
        cut = _separator_at_or_after(text, start + _SLICE, separator)
        if cut is None:
            break
        yield from text[start:cut].split(separator)
        start = cut + (0 if separator is None else len(separator))
    yield from text[start:].split(separator)


def _separator_at_or_after(text: str, position: int, separator: str | None) -> int | None:
    """Where the first separator at or after `position` starts, looked for a slice at a time."""
    for start in range(position, len(text), _SLICE):
        end = start + _SLICE + (0 if separator is None else len(separator) - 1)
        if separator is None:
            found = _SPACE.search(text, start, end)
            cut = found.start() if found else -1
        else:
            cut = text.find(separator, start, end)
        if cut >= 0:
            return cut
    return None


def _close(want: str, got: str, tolerance: FloatTolerance) -> bool:
    # Relative to the expected value only: relative to the larger of the two, a huge output
    # would widen its own tolerance.
    if not (_NUMBER.fullmatch(want) and _NUMBER.fullmatch(got)):
        return False
    expected, actual = float(want), float(got)
    if not (math.isfinite(expected) and math.isfinite(actual)):
        return False
    error = abs(expected - actual)
    return error <= tolerance.abs or error <= tolerance.rel * abs(expected)


def returned_text(tests_stdout: str, nonce: str) -> str | None:
    """What a function-level run's tests wrote after their last nonce line (the returned value
    as JSON, for a call); None without a nonce line."""
    lines = tests_stdout.split("\n")
    if nonce not in lines:
        return None
    return (lines[len(lines) - lines[::-1].index(nonce) :] or [""])[0]


def returned_matches(returned: str, expected: str) -> bool:
    """Whether a call returned the expected value (both JSON), or the expected value's only
    element (as APPS: data sets wrap some answers in a list). Either may be megabytes, read
    in a thread: in slices, so that the event loop goes on.

    >>> returned_matches("[1, 2]", "[[1, 2]]"), returned_matches("[1, 2]", "[2, 1]")
    (True, False)
    """
    try:
        got = loads_in_slices(returned)
    except (ValueError, RecursionError):
        return False
    want = loads_in_slices(expected)
    return got == want or (isinstance(want, list) and len(want) == 1 and got == want[0])
