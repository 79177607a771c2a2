"""The in-image code that needs no container: the plain-value wire between a solution and its
tests, and the limits the host mirrors from the runner."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reward_service.sandbox import types
from tests.conftest import runs_within

IMAGE = Path(types.__file__).parent / "image"
sys.path.insert(0, str(IMAGE))
import plain  # noqa: E402
import processes  # noqa: E402
import runner  # noqa: E402
import toolchains  # noqa: E402

sys.path.remove(str(IMAGE))

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.binary()
    | st.complex_numbers(allow_nan=False)
)
# NaN keys aside: a NaN equals no other NaN, so no copy of {nan: 1} equals it, in any process.
keys = scalars.filter(lambda v: v == v)
hashable = st.recursive(keys, lambda inner: st.tuples(inner, inner) | st.frozensets(inner))
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner)
        | st.tuples(inner, inner)
        | st.dictionaries(hashable, inner)
        | st.sets(hashable)
        | st.frozensets(hashable)
    ),
    max_leaves=30,
)


def same(a, b) -> bool:
    """Equal, with exactly the same types all the way down (NaN equal to NaN)."""
    if type(a) is not type(b):
        return False
    if type(a) is float:
        return a == b or (math.isnan(a) and math.isnan(b))
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is dict:
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


@settings(max_examples=300, deadline=None)
@given(values)
def test_every_plain_value_crosses_exactly(value):
    plain.check(value)
    assert same(plain.decode(json.loads(plain.to_json(value))), value)


@pytest.mark.parametrize(
    "value",
    [
        True.__class__.__mro__[1](5).__class__,  # a type: not a value
        type("Liar", (int,), {"__eq__": lambda s, o: True})(0),
        [1, object()],
        {"a": type("S", (str,), {})("x")},
        bytearray(b"x"),
        range(3),
        (x for x in ()),
    ],
    ids=["type", "int-subclass", "object-in-list", "str-subclass", "bytearray", "range", "gen"],
)
def test_anything_else_is_refused_on_both_sides(value):
    with pytest.raises(plain.NotPlain):
        plain.to_json(value)
    with pytest.raises(plain.NotPlain):
        plain.check(value)


@pytest.mark.parametrize(
    "data",
    [
        {"$": "tuple"},
        {"$": "eval", "v": "1"},
        {"$": "int", "v": "zz"},
        {"$": "float", "v": "1e999"},
        {"$": "dict", "v": [[1]]},
        {"$": "dict", "v": [[[1], 2]]},
        {"$": "complex", "v": []},
        {"$": "bytes", "v": 5},
        {"a": 1},
    ],
)
def test_what_the_solution_forges_is_refused_as_malformed(data):
    with pytest.raises(ValueError):
        plain.decode(data)


def test_the_host_mirrors_the_runners_limits():
    assert types.COMPILE_TIME_S == runner.COMPILE_TIME_S
    assert types.JUDGE_TIME_S == runner.JUDGE_TIME_S
    for time_s in (0.5, 5, 30):
        assert types.hard_cap_s(time_s) == processes.hard_cap_s(time_s)


@pytest.mark.parametrize(
    "source",
    ["/*" * 200_000, "\n" * 400_000 + "x", " " * 400_000 + "import(", "//\n" * 200_000],
    ids=["unclosed-comments", "newlines", "spaces", "line-comments"],
)
def test_reading_a_submission_is_linear(source):
    def read() -> None:
        toolchains.java_main_class(source)
        toolchains.ES_MODULE.search(source)

    assert runs_within(1.0, read)
