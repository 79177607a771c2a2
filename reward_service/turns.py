"""Long loops in the event loop, taken in turns: the other requests (and /health) run between.

A batch of 16,384 items costs the loop about half a second to plan, assemble and serialize;
one stretch of that would stall every other request, sliced it costs each of them at most a
slice.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable
from typing import TypeVar

T = TypeVar("T")

# The longest stretch a loop holds the event loop before it lets other tasks run.
SLICE_S = 0.01


async def taking_turns(values: Iterable[T]) -> AsyncIterator[T]:
    """Each of `values`, letting other tasks run whenever the work done on the values given
    so far (by the caller, between them) has held the event loop for `SLICE_S`."""
    slice_started = time.monotonic()
    for value in values:
        yield value
        if time.monotonic() - slice_started > SLICE_S:
            await asyncio.sleep(0)
            slice_started = time.monotonic()
