"""Large bodies parsed in turns: what `json.loads` builds or raises, in short stretches."""

from __future__ import annotations

import asyncio
import codecs
import json
import math
import time
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reward_service import json_in_turns
from reward_service.json_in_turns import (
    SMALL_BODY_BYTES,
    NumberTooLong,
    _Parser,
    loads_in_turns,
)

# Characters that make strings hard to cut: escapes, surrogates (lone and paired), controls.
TRICKY_CHARS = st.sampled_from(
    ["\\", '"', "\n", "\x01", "\ud83d", "\ude00", "\U0001f600", "\u00e9", "中", "a", "u", "d"]
)
TEXTS = st.lists(TRICKY_CHARS | st.characters(), max_size=40).map("".join)
NUMBERS = st.integers(-(10**30), 10**30) | st.floats(allow_nan=False) | st.just(-0.0)
VALUES = st.recursive(
    st.none() | st.booleans() | NUMBERS | TEXTS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(TEXTS, inner, max_size=5),
    max_leaves=30,
)
# Windows this small cut every string many times (the parser needs 20 characters).
WINDOWS = st.sampled_from([20, 21, 23, 32, 64, 1 << 16])
WHOLE_TRIES = st.sampled_from([0, 8, 100, 1 << 14])


def parse(text: str) -> object:
    parser = _Parser(text.encode("utf-8", "surrogatepass"))
    for _ in parser.steps():
        pass
    return parser.value


def parsed(text: str) -> tuple:
    """What parsing `text` gives: ("value", its JSON) or the error, comparable."""
    return outcome(lambda: parse(text))


def outcome(parse) -> tuple:
    try:
        # NaN != NaN: compare what the values print as.
        return ("value", json.dumps(parse()))
    except json.JSONDecodeError as exc:
        return ("error", exc.msg, exc.pos, exc.lineno, exc.colno, str(exc))
    except (ValueError, RecursionError) as exc:
        return (type(exc).__name__, str(exc)[:30])


@settings(max_examples=600, deadline=None)
@given(data=st.data(), value=VALUES, window=WINDOWS, whole=WHOLE_TRIES)
def test_any_json_parses_to_what_json_loads_gives(data, value, window, whole):
    ascii_only = data.draw(st.booleans())
    text = json.dumps(value, ensure_ascii=ascii_only, indent=data.draw(st.sampled_from([None, 1])))
    with mock.patch.multiple(json_in_turns, _WINDOW=window, _WHOLE_TRY_BYTES=whole):
        assert parsed(text) == outcome(lambda: json.loads(text))


@settings(max_examples=1500, deadline=None)
@given(data=st.data(), value=VALUES, window=WINDOWS, whole=WHOLE_TRIES)
def test_broken_json_fails_where_and_as_json_loads_does(data, value, window, whole):
    text = json.dumps(value, ensure_ascii=data.draw(st.booleans()))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 2))
        insert = data.draw(st.sampled_from(["", " ", "\\", '"', ",", "]", "}", "{", "[", "u", "1"]))
        text = text[:at] + insert + text[at + cut :]
    with mock.patch.multiple(json_in_turns, _WINDOW=window, _WHOLE_TRY_BYTES=whole):
        assert parsed(text) == outcome(lambda: json.loads(text))


@pytest.mark.parametrize(
    "text",
    ["", " ", "[", "{", "[1,]", '{"a":1,}', '{"a" 1}', '"\\ud83d', '"ab\\u12', "-", "1e", "01",
     "\ufeff[]", "NaN", "-Infinity", "[Infinity, -Infinity]", '{"a": 1, "a": 2}', "1" * 5_000],
)  # fmt: skip
def test_edge_cases_match_json_loads(text):
    assert parsed(text) == outcome(lambda: json.loads(text))


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"x": "é" * 200_000}).encode("utf-16"),
        b"\xef\xbb\xbf" + json.dumps({"x": "é" * 200_000}).encode(),
        json.dumps({"x": "中" * 200_000}, ensure_ascii=False).encode(),
    ],
    ids=["utf-16", "utf-8-bom", "utf-8"],
)
def test_bodies_decode_as_json_loads_decodes_them(body):
    assert asyncio.run(loads_in_turns(body)) == json.loads(body)


def test_deep_nesting_and_long_numbers_fail_as_in_a_small_body():
    deep = "[" * 100_000 + "]" * 100_000
    assert parsed(deep)[0] == "RecursionError"
    assert parsed("[" + "9" * 5_000 + "]")[0] == "ValueError"  # Python's int limit
    with pytest.raises(NumberTooLong):
        parse("1." + "1" * json_in_turns.MOST_NUMBER_CHARS)


def test_what_json_decodes_whole_deep_in_a_walk_does_not_nest_past_the_limit():
    """600 levels walked (each too large to decode whole), then 450 decoded whole by `json`:
    1,050 levels passed (up to nearly 2,000), where a small body may nest about 960."""
    levels = '["' + "x" * json_in_turns._WHOLE_TRY_BYTES + '",'
    with pytest.raises(RecursionError):
        parse(levels * 600 + "[" * 450 + "]" * 450 + "]" * 600)
    parse(levels * 600 + "[" * 90 + "]" * 90 + "]" * 600)


def longest_stretch_s(text: str) -> float:
    parser = _Parser(text.encode("utf-8", "surrogatepass"))
    stretches = []
    started = time.perf_counter()
    for _ in parser.steps():
        stretches.append(time.perf_counter() - started)
        started = time.perf_counter()
    stretches.append(time.perf_counter() - started)
    return max(stretches)


# Large shapes whose `json.loads` holds the loop 0.07-0.5 s in one call. Each string is
# still built in one piece (~25 ms for the 16 million characters of the longest test data).
LARGE_BODIES = {
    "escaped-string": lambda: json.dumps({"stdout": "中\n" * 5_000_000}),
    "one-long-string": lambda: json.dumps(["x" * 16_000_000]),
    "whitespace": lambda: "[" + " " * 60_000_000 + "1]",
    "lone-surrogates": lambda: json.dumps(["\ud800" * 5_000_000], ensure_ascii=False),
    "non-ascii": lambda: json.dumps(["中\n" * 5_000_000], ensure_ascii=False),
    "numbers": lambda: json.dumps([1.5e-300] * 250_000),
    "small-items": lambda: json.dumps([{"response": "x" * 3_000, "answer": "1"}] * 20_000),
    "large-items": lambda: json.dumps([{"response": "\\n" * 900_000, "answer": "1"}] * 20),
}


@pytest.mark.parametrize("shape", sorted(LARGE_BODIES))
def test_no_stretch_of_a_large_body_holds_the_loop_long(shape):
    text = LARGE_BODIES[shape]()
    # The best of three: a busy machine can stall any one stretch.
    assert any(longest_stretch_s(text) < 0.05 for _ in range(3))


def test_what_a_large_body_holds_comes_back_whole():
    value = [{"s": "\\\U0001f600\n中" * 50_000, "n": [math.pi, -1, None, True] * 1_000}] * 50
    assert parse(json.dumps(value)) == value


def test_a_large_body_that_is_not_utf8_is_refused_as_json_loads_refuses_it():
    body = json.dumps(["x" * SMALL_BODY_BYTES, "é"], ensure_ascii=False).encode()
    body = body.replace("é".encode(), b"\xff")
    with pytest.raises(UnicodeDecodeError):
        json.loads(body)
    with pytest.raises(UnicodeDecodeError):
        asyncio.run(loads_in_turns(body))


def test_a_late_error_in_a_large_body_is_placed_without_decoding_it():
    """Decoding 32 MiB of lone surrogates to say where the error is held the loop 3.5 s."""
    text = json.dumps(["\ud800" * 10_000_000], ensure_ascii=False) + " x"

    def fails_at_once() -> bool:
        parser = _Parser(text.encode("utf-8", "surrogatepass"))
        steps = parser.steps()
        started = time.perf_counter()
        with pytest.raises(json.JSONDecodeError) as raised:
            while True:
                next(steps)
                started = time.perf_counter()
        assert (raised.value.msg, raised.value.pos) == ("Extra data", len(text) - 1)
        # Decoding took 3.5 s: a tenth of that, even on a busy CI machine, is no decoding.
        return time.perf_counter() - started < 0.35

    assert any(fails_at_once() for _ in range(3))


async def longest_lag_s(work) -> float:
    """The longest the event loop waited for a turn while `work` ran."""
    lags = []
    done = False

    async def probe() -> None:
        while not done:
            asked = time.perf_counter()
            await asyncio.sleep(0)
            lags.append(time.perf_counter() - asked)

    prober = asyncio.ensure_future(probe())
    try:
        await work
    finally:
        done = True
        await prober
    return max(lags)


def test_checking_a_body_of_lone_surrogates_for_utf8_takes_turns():
    body = json.dumps(["\ud800" * 10_000_000], ensure_ascii=False).encode("utf-8", "surrogatepass")
    assert any(asyncio.run(longest_lag_s(loads_in_turns(body))) < 0.05 for _ in range(3))


@pytest.mark.parametrize("tail", ["e5", "1e5", "11.5"])
def test_a_number_cut_by_the_window_is_too_long_not_misread(tail):
    number = "1" * (json_in_turns.MOST_NUMBER_CHARS - len(tail) + 2) + tail
    assert parsed(number)[0] == "NumberTooLong"


def test_invalid_utf8_after_a_bom_is_refused_as_json_loads_refuses_it():
    body = codecs.BOM_UTF8 + json.dumps(["x" * SMALL_BODY_BYTES + "é"]).encode()
    body = body.replace(b"\\u00e9", b"\xff")
    with pytest.raises(UnicodeDecodeError):
        json.loads(body)
    with pytest.raises(UnicodeDecodeError):
        asyncio.run(loads_in_turns(body))
