"""Counting a body's JSON values as it arrives: exact outside strings, however it is cut."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from reward_service.api.json_values import JsonValueCount

# Strings full of what the count looks for, and of escapes.
TRICKY_TEXT = st.text(alphabet=st.sampled_from('ab,[]{}:"\\/\n\u00e9\u4e2d'), max_size=12)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TRICKY_TEXT,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(TRICKY_TEXT, children, max_size=5)
    ),
    max_leaves=40,
)


def structure(value: object) -> int:
    """What the count should be: a bracket or brace per array and object, a comma between
    their members."""
    if isinstance(value, list):
        return 1 + max(len(value) - 1, 0) + sum(map(structure, value))
    if isinstance(value, dict):
        return 1 + max(len(value) - 1, 0) + sum(map(structure, value.values()))
    return 0


@settings(max_examples=400, deadline=None)
@given(value=JSON_VALUES, cuts=st.lists(st.integers(min_value=0), max_size=6), ascii=st.booleans())
def test_the_count_is_exact_however_the_body_is_cut(value, cuts, ascii):
    body = json.dumps(value, ensure_ascii=ascii).encode()
    points = sorted({cut % (len(body) + 1) for cut in cuts})
    count = JsonValueCount()
    for start, end in zip([0, *points], [*points, len(body)], strict=True):
        count.feed(body[start:end])
    assert count.values == structure(value)


def test_prose_and_test_data_in_strings_count_nothing():
    latex = r"Let $x = \frac{1}{2}$, so $[a, b] = \{1, 2\}$, and \"quoted\" \\" * 10_000
    body = json.dumps({"items": [{"response": latex, "answer": "1,000"}]}).encode()
    count = JsonValueCount()
    count.feed(body)
    assert count.values == 4  # {, [, { and the comma between the response and the answer
