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
from collections.abc import AsyncIterator, Iterable
from json.encoder import encode_basestring_ascii
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# The longest stretch a loop holds the event loop before it lets other tasks run.
SLICE_S = 0.004
# The characters of a string JSON-encoded in one call: about 0.3 ms of escapes.
_STRING_SLICE = 1 << 16
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
    """`json.dumps(value).encode()`, letting other tasks run while strings of megabytes are
    encoded (the test data of a sandbox job: 16 million newlines took 0.25 s in one call)."""
    pieces: list[bytes] = []
    await _dump(value, pieces)
    return await joined(pieces)


async def joined(pieces: list[bytes]) -> bytes:
    """`b"".join(pieces)`: of megabytes, in a thread. The join copies them into fresh memory
    (40-180 ms for 64 MiB), and in a thread it lets go of the GIL: the event loop goes on."""
    if sum(map(len, pieces)) < _JOIN_ASIDE_BYTES:
        return b"".join(pieces)
    return await asyncio.to_thread(b"".join, pieces)


async def _dump(value: Any, pieces: list[bytes]) -> None:
    if isinstance(value, str) and len(value) > _STRING_SLICE:
        pieces.append(b'"')
        async for start in taking_turns(range(0, len(value), _STRING_SLICE)):
            encoded = encode_basestring_ascii(value[start : start + _STRING_SLICE])
            pieces.append(encoded[1:-1].encode())
        pieces.append(b'"')
    elif isinstance(value, dict):
        pieces.append(b"{")
        for index, (key, member) in enumerate(value.items()):
            pieces.append(b", " * bool(index) + json.dumps(str(key)).encode() + b": ")
            await _dump(member, pieces)
        pieces.append(b"}")
    elif isinstance(value, (list, tuple)):
        pieces.append(b"[")
        for index, member in enumerate(value):
            pieces.append(b", " * bool(index))
            await _dump(member, pieces)
        pieces.append(b"]")
    else:
        pieces.append(json.dumps(value).encode())


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
