"""Handoff: things handed out first come, first served, and nothing lost to a task that
went away while it waited. JSON encoded in turns: what `json.dumps` makes."""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reward_service.turns import Handoff, dumps_in_turns
from tests.conftest import longest_stretch_s


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_thing_given_back_goes_to_the_longest_waiting_task():
    async def main() -> list[str]:
        handoff = Handoff(["container"])
        order: list[str] = []

        async def job(name: str, jobs: int) -> None:
            for _ in range(jobs):
                thing = await handoff.take()
                order.append(name)
                await asyncio.sleep(0)
                handoff.give(thing)

        # The large request asks again at once each time it gives back; an asyncio.Queue
        # would hand it back its own container before the small request's waiter ran.
        await asyncio.gather(job("large", 4), job("small", 1))
        return order

    assert run(main()) == ["large", "small", "large", "large", "large"]


def test_waiters_are_served_in_the_order_they_asked():
    async def main() -> list[int]:
        handoff: Handoff[str] = Handoff()
        served: list[int] = []

        async def waiter(n: int) -> None:
            await handoff.take()
            served.append(n)

        tasks = [asyncio.ensure_future(waiter(n)) for n in range(5)]
        await asyncio.sleep(0)
        assert handoff.waiting == 5
        for _ in range(5):
            handoff.give("x")
        await asyncio.gather(*tasks)
        return served

    assert run(main()) == [0, 1, 2, 3, 4]


def test_a_waiter_cancelled_before_its_task_ran_is_passed_over_and_loses_nothing():
    async def main() -> tuple[int, int, int]:
        handoff: Handoff[str] = Handoff()
        first = asyncio.ensure_future(handoff.take())
        second = asyncio.ensure_future(handoff.take())
        await asyncio.sleep(0)
        first.cancel()  # a client that hung up: its task has not run since
        handoff.give("x")
        assert await second == "x"
        with contextlib.suppress(asyncio.CancelledError):
            await first
        return handoff.waiting, handoff.free, len(handoff._waiters)

    assert run(main()) == (0, 0, 0)


def test_a_thing_handed_to_a_task_as_it_was_cancelled_is_passed_on():
    async def main() -> str:
        handoff: Handoff[str] = Handoff()
        first = asyncio.ensure_future(handoff.take())
        second = asyncio.ensure_future(handoff.take())
        await asyncio.sleep(0)
        handoff.give("x")  # to `first`, which is cancelled before it runs
        first.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await first
        return await second

    assert run(main()) == "x"


def test_failing_the_waiters_wakes_each_with_the_error_and_keeps_the_free_things():
    async def main() -> None:
        handoff: Handoff[str] = Handoff()
        waiters = [asyncio.ensure_future(handoff.take()) for _ in range(3)]
        await asyncio.sleep(0)
        handoff.fail_waiting(RuntimeError("no container is left"))
        for waiter in waiters:
            with pytest.raises(RuntimeError, match="no container"):
                await waiter
        assert handoff.waiting == 0
        handoff.give("a")
        handoff.give("b")
        assert handoff.take_free() == ["a", "b"] and handoff.free == 0

    run(main())


# Strings long enough to be encoded in pieces, of characters that escape: controls, quotes,
# non-ASCII, non-BMP (escaped as surrogate pairs) and lone surrogates.
LONG_STRINGS = st.builds(
    lambda chars, repeat: chars * repeat,
    st.text(st.sampled_from('a\n"\\\x01é中\U0001f600\ud800'), min_size=1, max_size=8),
    st.integers(1 << 14, 1 << 15),
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | LONG_STRINGS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=8,
)


# Lists and objects of more members than are encoded at once, some heavy enough to be
# encoded on their own; and keys as long.
HEAVY = st.just('"' * 70_000)
WIDE_VALUES = st.lists(
    st.none() | st.integers() | st.text() | HEAVY | st.lists(st.integers(), max_size=3),
    min_size=200,
    max_size=400,
) | st.dictionaries(st.text() | HEAVY, st.integers() | HEAVY, min_size=200, max_size=400)


@settings(deadline=None)
@given(JSON_VALUES | WIDE_VALUES)
def test_json_dumped_in_turns_is_what_json_dumps_makes(value):
    assert run(dumps_in_turns(value)) == json.dumps(value).encode()


@pytest.mark.parametrize(
    "value",
    [
        # 16 million newlines of a job's test data held the event loop 0.25 s in one call.
        {"inputs": ["\n" * 16_000_000] * 2, "code": "print(1)"},
        # Call arguments of a request's most values, each one of their own: 0.1-0.4 s.
        [[n] for n in range(250_000)],
        {str(n): [n] for n in range(250_000)},
    ],
    ids=["escapes", "lists", "keys"],
)
def test_large_values_are_dumped_in_short_stretches(value):
    assert any(longest_stretch_s(lambda: dumps_in_turns(value)) < 0.05 for _ in range(3))
