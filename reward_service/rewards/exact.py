"""An exact fast path for the answer forms models write most: integers, decimals, fractions,
optionally as `x = …`.

It compares exact rationals in microseconds, where math-verify spends milliseconds in its LaTeX
parser, and it answers only where it agrees with the slow path (`rewards.math`; property tests
check this, tests/rewards/test_exact.py): math-verify's verdict. Anything else (percentages,
expressions, near misses that math-verify's float rounding might accept) is left to the parser
(None).
"""

from __future__ import annotations

import re
from fractions import Fraction

_NUMBER = r"[-+]?(?:[1-9]\d{0,2}(?:(?:,|\{,\})\d{3})+|\d+)(?:\.\d+)?"
_FORM = re.compile(
    rf"""(?:(?P<var>[a-zA-Z])\s*=\s*)?
    (?:(?P<number>{_NUMBER})
      |\\[dt]?frac\{{\s*(?P<num>[-+]?\d+)\s*\}}\{{\s*(?P<den>\d+)\s*\}}
      |(?P<sign>-\s*)?\\[dt]?frac\{{\s*(?P<num2>\d+)\s*\}}\{{\s*(?P<den2>\d+)\s*\}}
      |(?P<snum>[-+]?\d+)\s*/\s*(?P<sden>\d+))""",
    re.X,
)
# Numbers longer than this are the parser's (in a worker, under its deadline): converting one
# costs time quadratic in its length, and Python refuses past 4300 digits.
_MAX_DIGITS = 1000
# Unequal values closer than this may still be equal to math-verify, which rounds floats.
_NEAR = Fraction(1, 10**4)


def exact_value(text: str) -> tuple[str | None, Fraction] | None:
    """(variable, value) for a plain number, fraction or `x = number`; else None.

    >>> exact_value(r"\\frac{3}{4}"), exact_value("x = -2.50"), exact_value("2x")
    ((None, Fraction(3, 4)), ('x', Fraction(-5, 2)), None)
    """
    # `$` delimiters and spaces around the value go before matching: `\s*\$?\s*` in the
    # pattern would backtrack quadratically through a long run of spaces.
    body = text.strip()
    body = body.removeprefix("$").removesuffix("$").strip()
    match = _FORM.fullmatch(body)
    if not match:
        return None
    groups = match.groupdict()
    if len(body) > _MAX_DIGITS:
        return None  # past Python's int-string limit: for the parser, in a worker
    if groups["number"] is not None:
        number = groups["number"].replace("{,}", "").replace(",", "")
        return groups["var"], Fraction(number)
    numerator = groups["num"] or groups["num2"] or groups["snum"]
    denominator = int(groups["den"] or groups["den2"] or groups["sden"])
    if denominator == 0:
        return None
    value = Fraction(int(numerator), denominator)
    return groups["var"], -value if groups["sign"] else value


def terminates(value: Fraction) -> bool:
    """Whether a decimal writes `value` in full: then it is no rounding of another decimal."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def fast_verdict(candidate: str, reference: str) -> bool | None:
    """True or False where that is certainly math-verify's verdict too; None to ask it.

    >>> fast_verdict("0.5", r"\\frac{1}{2}"), fast_verdict("x = 7", "8"), fast_verdict("3%", "3")
    (True, False, None)
    """
    got, want = exact_value(candidate), exact_value(reference)
    if got is None or want is None:
        return None
    (got_var, got_value), (want_var, want_value) = got, want
    if want_var and got_var and got_var != want_var:
        return None  # math-verify tells `y = 7` from `x = 7`; a bare 7 is compared as a value
    if got_value == want_value:
        return True
    if abs(got_value - want_value) <= _NEAR * max(1, abs(want_value)):
        return None
    return False
