"""Taking turns: with the event loop, and for the things requests share.

A batch of 16,384 items costs the loop about half a second to plan, assemble and serialize;
one stretch of that would stall every other request, sliced it costs each of them at most a
slice. Workers, sandbox containers and places among the requests in progress are handed out
first come, first served, so a request waits for the ones ahead of it, not for all the work
of a larger one.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Iterable
from typing import Generic, TypeVar

T = TypeVar("T")

# The longest stretch a loop holds the event loop before it lets other tasks run.
SLICE_S = 0.004


async def taking_turns(values: Iterable[T]) -> AsyncIterator[T]:
    """Each of `values`, letting other tasks run whenever the work done on the values given
    so far (by the caller, between them) has held the event loop for `SLICE_S`."""
    slice_started = time.monotonic()
    for value in values:
        yield value
        if time.monotonic() - slice_started > SLICE_S:
            await asyncio.sleep(0)
            slice_started = time.monotonic()


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
