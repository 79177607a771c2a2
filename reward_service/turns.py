"""Taking turns: with the event loop, and for the things requests share.

A batch of 16,384 items costs the loop about half a second to plan, assemble and serialize;
one stretch of that would stall every other request, sliced it costs each of them at most a
slice. Workers, sandbox containers and places among the requests in progress are handed out
first come, first served, so a request waits for the ones ahead of it, not for all the work
of a larger one.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator
from json.encoder import encode_basestring_ascii
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# The longest stretch a loop holds the event loop before it lets other tasks run.
SLICE_S = 0.004
# The most JSON encoded in one call, by weight (`json_weight`): 0.3 ms of escapes at most.
_STRING_SLICE = 1 << 16
# Each value of JSON weighs as much as this many characters of its strings.
_CHARACTERS_PER_VALUE = 64
# Members of a heavy list looked at, and if light enough encoded, at a time.
_MEMBERS_SLICE = 256
# Joins past this size go to a thread.
_JOIN_ASIDE_BYTES = 1 << 20


async def taking_turns(values: Iterable[T]) -> AsyncIterator[T]:
    """Each of `values`, letting other tasks run whenever the work done on the values given
    so far (by the caller, between them) has held the event loop for `SLICE_S`."""
    slice_started = time.monotonic()
    for value in values:
        yield value
        if time.monotonic() - slice_started > SLICE_S:
            await asyncio.sleep(0)
            slice_started = time.monotonic()


async def dumps_in_turns(value: Any) -> bytes:
    """`json.dumps(value).encode()`, letting other tasks run while strings of megabytes, or
    lists of many values, are encoded (the test data of a sandbox job: 16 million newlines
    took 0.25 s in one call)."""
    return await joined([piece async for piece in taking_turns(_json_pieces(value))])


async def joined(pieces: list[bytes]) -> bytes:
    """`b"".join(pieces)`: of megabytes, in a thread. The join copies them into fresh memory
    (40-180 ms for 64 MiB), and in a thread it lets go of the GIL: the event loop goes on."""
    if sum(map(len, pieces)) < _JOIN_ASIDE_BYTES:
        return b"".join(pieces)
    return await asyncio.to_thread(b"".join, pieces)


def json_weight(value: Any, limit: int) -> int:
    """The characters of the strings in a JSON value, its keys' included, each of its values
    counting `_CHARACTERS_PER_VALUE` more: what encoding or validating it costs, counted until
    `limit` is reached (walking 240,000 numbers whole took 65 ms)."""
    total = 0
    stack = [value]
    while stack and total < limit:
        value = stack.pop()
        total += _CHARACTERS_PER_VALUE
        if isinstance(value, str):
            total += len(value)
        elif isinstance(value, dict):  # a `CheckedCase` has a `values` count
            stack.extend(dict.keys(value))
            stack.extend(dict.values(value))
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
    return total


def _json_pieces(value: Any) -> Iterator[bytes]:
    """The JSON text of `value`, as `json.dumps` writes it, in pieces of bounded work: a light
    value in one call, a long string a slice at a time, a heavy list or object a few members
    at a time."""
    if json_weight(value, _STRING_SLICE) < _STRING_SLICE:
        yield json.dumps(value).encode()
    elif isinstance(value, str):
        yield b'"'
        for start in range(0, len(value), _STRING_SLICE):
            yield encode_basestring_ascii(value[start : start + _STRING_SLICE])[1:-1].encode()
        yield b'"'
    else:
        is_object = isinstance(value, dict)
        members = list(value.items()) if is_object else value
        yield b"{" if is_object else b"["
        for start in range(0, len(members), _MEMBERS_SLICE):
            some = members[start : start + _MEMBERS_SLICE]
            yield b", " * bool(start)
            if is_object:
                some = dict(some)
            if json_weight(some, _STRING_SLICE) < _STRING_SLICE:
                yield json.dumps(some)[1:-1].encode()
                continue
            for index, member in enumerate(some.items() if is_object else some):
                yield b", " * bool(index)
                if is_object:
                    yield from _json_pieces(str(member[0]))
                    yield b": "
                    member = member[1]
                yield from _json_pieces(member)
        yield b"}" if is_object else b"]"


class Handoff(Generic[T]):
    """Things handed out first come, first served.

    Not an `asyncio.Queue`: there a task that gives a thing back and asks again at once takes
    it back before the waiter it woke runs, and the many tasks of one large request would keep
    the things from every other request until it ends. Here a thing given back goes to the
    longest waiting task.
    """

    def __init__(self, things: Iterable[T] = ()) -> None:
        self._free: deque[T] = deque(things)
        self._waiters: deque[asyncio.Future[T]] = deque()
        self._cancelled = 0  # of the waiters, those whose task went away while waiting

    @property
    def free(self) -> int:
        return len(self._free)

    @property
    def waiting(self) -> int:
        return len(self._waiters) - self._cancelled

    async def take(self) -> T:
        """A free thing, waiting for one behind the tasks that asked before."""
        if self._free and not self._waiters:
            return self._free.popleft()
        waiter: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.cancelled():
                self._cancelled += 1
            elif waiter.exception() is None:
                self.give(waiter.result())  # handed a thing as it was cancelled: pass it on
            raise

    def give(self, thing: T) -> None:
        """Give a thing back: to the longest waiting task, if any."""
        # A waiter cancelled since it queued is passed over (its task may not have run yet).
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(thing)
                return
            self._cancelled -= waiter.cancelled()
        self._free.append(thing)

    def take_free(self) -> list[T]:
        """Every free thing, at once."""
        things = list(self._free)
        self._free.clear()
        return things

    def fail_waiting(self, error: Exception) -> None:
        """Wake every waiting task with `error`: what they wait for will not come soon."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(error)
            else:
                self._cancelled -= waiter.cancelled()
