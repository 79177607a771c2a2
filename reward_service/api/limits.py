"""Limits on what requests may cost: body size (413), requests, items and queued work in
progress (429).

Below the bounds work is queued: a burst of requests the service will answer in time is
answered, the requests past the bound of those in progress waiting for a place with their
bodies unread. Past a bound a request is refused at once instead of queued or read: a client
can back off and retry, where an unbounded queue would grow the server's memory and every
request's latency without limit. (Too many items in one request is a 413 too: `errors.py`.)
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gc
import json
import logging
import math
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from fastapi import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reward_service.api.json_values import JsonValueCount
from reward_service.turns import Handoff, joined

log = logging.getLogger(__name__)

RETRY_AFTER_S = 1
# How far back the rate of answered items is measured.
RATE_WINDOW_S = 30.0
# Busy time within that window below which the rate says nothing of a queue: an overload
# keeps the service busy throughout, a few slow items now and then do not.
_EVIDENCE_BUSY_S = RATE_WINDOW_S / 2
# A wait estimated past this is no estimate (a few pathological items made the rate tiny):
# a client that honours it must not stay away for days.
_MOST_RETRY_AFTER_S = 3600
# Requests in progress that do work in the event loop at once (`Admission.working`): each
# takes a slice of the loop (`turns.SLICE_S`, or one item) before the next, so a pass of the
# loop, which /health waits for, is at most this many slices.
ACTIVE_REQUESTS = 16
_ALWAYS_ADMITTED = frozenset({"/health", "/metrics"})
# A body's parsed forms often end in reference cycles (a validator's error holds the frames
# that hold them), which only the garbage collector frees; with its threshold raised (`app.py`)
# its pass over the young could wait for hundreds of small requests: refused requests with
# 6 MB of test data once kept 1.5 GB alive. After a body this large, that pass (a few ms) runs.
_COLLECT_AFTER_BYTES = 1 << 20
# A body still arriving that received less than `SLOW_BODY_BYTES` over the last
# `SLOW_BODY_S`, while the bodies in progress fill their bound, is cut (408) to make room for
# one that arrives: eight connections that sent all of 64 MiB but its last byte (or that sent
# a byte now and then) once held the whole bound, and every other body got 429 for a minute.
SLOW_BODY_S = 2.0
SLOW_BODY_BYTES = 64 << 10


@dataclass(eq=False)
class _Arriving:
    """A request body as it arrives."""

    chunks: list[bytes] = field(default_factory=list)
    received: int = 0
    started: float = field(default_factory=time.monotonic)
    # (when, bytes) of the chunks of the last `SLOW_BODY_S`
    recent: collections.deque[tuple[float, int]] = field(default_factory=collections.deque)
    cut: bool = False  # to make room for others: its chunks are gone

    def add(self, chunk: bytes) -> None:
        self.chunks.append(chunk)
        self.received += len(chunk)
        self.recent.append((time.monotonic(), len(chunk)))

    def slow(self, now: float) -> bool:
        """Whether it received less than `SLOW_BODY_BYTES` over the last `SLOW_BODY_S`."""
        while self.recent and self.recent[0][0] < now - SLOW_BODY_S:
            self.recent.popleft()
        recent = sum(size for _, size in self.recent)
        return now - self.started >= SLOW_BODY_S and recent < SLOW_BODY_BYTES


def _timed_out(body: _Arriving, timeout_s: float) -> JSONResponse:
    if body.cut:
        message = (
            f"request body arrived at less than {SLOW_BODY_BYTES >> 10} KiB in {SLOW_BODY_S:g} s "
            "while the bodies in progress filled their bound: cut to make room"
        )
    else:
        message = f"request body not received within {timeout_s:g} s"
    return JSONResponse({"message": message}, status_code=408)


class BodyLimit:
    """ASGI middleware: reads a request's whole body before the app sees the request. A body
    over `max_bytes` or holding more than `max_values` JSON values gets 413, and one that would
    take the bodies in progress past the admission's `max_body_bytes` gets 429: by its
    Content-Length before any of it is read, or as soon as what was received passes the bound.
    A body not received within `timeout_s` gets 408.

    A request takes a place among those in progress (`RequestAdmission`, inside this one) only
    once its body is here: connections that announce a body and trickle it (4,200 of them
    once held every place for a minute, and every other request waited) hold no place.

    Bodies count by the bytes received, not by those announced: what is in memory. A client
    that announces 64 MiB and sends nothing holds nothing (eight of them once held the whole
    budget, and every other request got 429). A request whose body is the only one in
    progress always passes the shared bound. When a body would pass it, slow bodies (less
    than `SLOW_BODY_BYTES` in the last `SLOW_BODY_S`) are cut to make room first.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        max_values: int,
        timeout_s: float,
        admission: Admission | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_values = max_values
        self.admission = admission
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _ALWAYS_ADMITTED:  # they read no body
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        refusal = self._refusal(int(declared) if declared.isdigit() else 0, 0)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        body = _Arriving()
        if self.admission is not None:
            self.admission.arriving.add(body)
        values = JsonValueCount(limit=self.max_values)
        encoding_checked = False
        deadline = time.monotonic() + self.timeout_s
        try:
            while True:
                try:
                    message = await asyncio.wait_for(receive(), deadline - time.monotonic())
                except asyncio.TimeoutError:
                    await _timed_out(body, self.timeout_s)(scope, receive, send)
                    return
                if message["type"] != "http.request":
                    return  # the client went away
                if body.cut:
                    await _timed_out(body, self.timeout_s)(scope, receive, send)
                    return
                chunk = message.get("body", b"")
                body.add(chunk)
                if self.admission is not None:
                    self.admission.body_bytes += len(chunk)
                if not encoding_checked and (body.received >= 4 or not message.get("more_body")):
                    encoding_checked = True
                    refusal = _not_utf8(b"".join(body.chunks)[:4])
                    if refusal is not None:
                        await refusal(scope, receive, send)
                        return
                values.feed(chunk)
                refusal = self._refusal(body.received, body.received)
                if refusal is None:
                    refusal = self._too_many(values)
                if refusal is not None:
                    await refusal(scope, receive, send)
                    return
                if not message.get("more_body"):
                    break
            if self.admission is not None:
                self.admission.arriving.discard(body)  # here whole: it is never cut
            whole = await joined(body.chunks)
            body.chunks.clear()
            await self.app(scope, _replaying(whole, receive), send)
        finally:
            if self.admission is not None:
                self.admission.arriving.discard(body)
                if not body.cut:
                    self.admission.body_bytes -= body.received
            if body.received >= _COLLECT_AFTER_BYTES:
                gc.collect(0)

    def _too_many(self, values: JsonValueCount) -> JSONResponse | None:
        if not values.past_limit:
            return None
        message = (
            f"request body holds more than {self.max_values} JSON values (commas, brackets and "
            "braces outside strings); split the batch"
        )
        return JSONResponse({"message": message}, status_code=413)

    def _refusal(self, size: int, counted: int) -> JSONResponse | None:
        """The answer to a body of `size` bytes, `counted` of them among the bodies in
        progress already; None when it may go on."""
        mib = 1 << 20
        if size > self.max_bytes:
            return JSONResponse(
                {
                    "message": f"request body over the limit of {self.max_bytes / mib:g} MiB; "
                    "split the batch"
                },
                status_code=413,
            )
        if self.admission is None:
            return None
        self.admission.make_room(size - counted)
        others = self.admission.body_bytes - counted
        if others and others + size > self.admission.max_body_bytes:
            why = (
                f"{others / mib:.1f} MiB of request bodies in progress, {size / mib:.1f} MiB "
                f"more would pass the limit of {self.admission.max_body_bytes / mib:g} MiB"
            )
            return busy(why)
        return None


class JudgeQueue:
    """The items admitted for one kind of judge (the workers, or the sandbox), and the rate
    at which it answered them: items answered per busy second (while any was in progress)
    over the last `RATE_WINDOW_S`, once it was busy for half of that."""

    def __init__(self) -> None:
        self.depth = 0
        self._held: collections.Counter[int] = collections.Counter()  # requests by items
        # (when, items answered then, busy seconds since the previous entry)
        self._answered: collections.deque[tuple[float, int, float]] = collections.deque()
        self._answered_items = 0  # their sums
        self._answered_busy_s = 0.0
        self._busy_since = 0.0

    def rate(self) -> float | None:
        """Items answered per busy second over the last `RATE_WINDOW_S`; None when the judge
        was busy for less than half of it."""
        now = time.monotonic()
        while self._answered and self._answered[0][0] < now - RATE_WINDOW_S:
            _, items, busy_s = self._answered.popleft()
            self._answered_items -= items
            self._answered_busy_s -= busy_s
        if not self._answered:  # no rounding left over
            self._answered_items, self._answered_busy_s = 0, 0.0
        if self._answered_busy_s < _EVIDENCE_BUSY_S:
            return None
        return self._answered_items / self._answered_busy_s

    def wait_s(self, items: int) -> float:
        """How long a request of `items` would wait for its turns, at the rate: 0 unknown."""
        rate = self.rate()
        return self._items_ahead(items) / rate if rate is not None else 0.0

    @contextmanager
    def hold(self, items: int) -> Iterator[None]:
        if not self.depth:
            self._busy_since = time.monotonic()
        self.depth += items
        self._held[items] += 1
        try:
            yield
        finally:
            self._held[items] -= 1
            if not self._held[items]:
                del self._held[items]
            now = time.monotonic()
            self._answered.append((now, items, now - self._busy_since))
            self._answered_items += items
            self._answered_busy_s += now - self._busy_since
            self._busy_since = now
            self.depth -= items

    def _items_ahead(self, items: int) -> int:
        """The items of others answered before a request of `items` is, taking turns with
        the requests in progress (workers and containers go to their chunks and jobs in
        turn): of each, as many as its own, or all of them where it holds fewer."""
        return sum(min(held, items) * count for held, count in self._held.items())


class Admission:
    """Counts of what is in progress, with their bounds.

    Requests are counted once their body is here (a connection that has not sent its body
    is no work yet), until they are answered. Their bodies' bytes are counted as they arrive
    (`BodyLimit`): what thousands of small requests or a few large ones hold in memory,
    waiting for a place or not. Items are counted from validation to the answer: that is what
    holds memory and workers.
    Past the item bound a request is refused; below it, by the wait it would have: requests
    take turns for the workers and the sandbox, so a new request waits, for each, for as
    many items of each request in progress as it has (all of one that holds fewer), at the
    rate at which that judge answers items; past `max_queue_s` of the longer wait it is
    refused, with the rest of that wait as its Retry-After. (The wait for all the items in
    progress once refused everyone with 429 while one client's 400 slow items were scored;
    one rate for both judges refused math requests while code items that loop were judged.)
    The rate is items answered per second of busy time (while any was in progress), once
    the judge was busy for half of the last `RATE_WINDOW_S`: what it can do under load, not
    what it was asked lately (an idle service that answered one item in the last minute has
    not shown a capacity of one item a minute). A burst the service will finish in time is
    queued, not refused.
    """

    def __init__(
        self,
        max_requests: int,
        max_waiting: int,
        max_items: int,
        max_queue_s: float,
        max_body_bytes: int,
    ) -> None:
        self.max_requests = max_requests
        self.max_waiting = max_waiting
        self.max_items = max_items
        self.max_queue_s = max_queue_s
        self.max_body_bytes = max_body_bytes
        self.body_bytes = 0
        self.arriving: set[_Arriving] = set()  # bodies in progress not yet whole
        # Items judged by the workers (math, language) and by the sandbox (code) take turns
        # apart, each at its own rate: slow code items once had math requests refused.
        self.workers = JudgeQueue()
        self.sandbox = JudgeQueue()
        self._places = Handoff([None] * max_requests)
        self._turns = Handoff([None] * ACTIVE_REQUESTS)

    def make_room(self, more_bytes: int) -> None:
        """Cut slow bodies (`_Arriving.slow`), those that started first first, until
        `more_bytes` more fit within `max_body_bytes`: their memory is freed now, and their
        requests get 408 when they next send or time out."""
        if self.body_bytes + more_bytes <= self.max_body_bytes:
            return
        now = time.monotonic()
        slow = [body for body in self.arriving if body.slow(now)]
        for body in sorted(slow, key=lambda body: body.started):
            self.arriving.discard(body)
            body.cut = True
            body.chunks.clear()
            self.body_bytes -= body.received
            if self.body_bytes + more_bytes <= self.max_body_bytes:
                return

    @property
    def requests(self) -> int:
        """Requests in progress."""
        return self.max_requests - self._places.free

    @property
    def waiting(self) -> int:
        """Requests waiting for a place among those in progress."""
        return self._places.waiting

    async def enter(self) -> None:
        """Take a place among the requests in progress, waiting for one (first come, first
        served) while `max_requests` are."""
        await self._places.take()

    @contextlib.asynccontextmanager
    async def aside(self) -> AsyncIterator[None]:
        """While the request of this task waits for the workers or the sandbox, its turn in
        the event loop goes to the next request waiting for one; it takes a turn again, behind
        those waiting, to be answered (`working`)."""
        turn = _TURN.get()
        if turn is None or not turn.held:
            yield
            return
        self.done_working()
        yield
        await self._turns.take()
        turn.held = True

    def done_working(self) -> None:
        """Give the turn of the task's request back (its answer is ready: sending it may take
        as long as its client takes to read it)."""
        turn = _TURN.get()
        if turn is not None and turn.held:
            turn.held = False
            self._turns.give(None)

    @contextlib.asynccontextmanager
    async def working(self) -> AsyncIterator[None]:
        """A turn among the `ACTIVE_REQUESTS` that do work in the event loop at once (reading,
        planning, answering) while the task's request does: thousands of requests in
        progress, each doing its share, made every pass of the loop long (/health waited
        1.5 s in a burst of 3,000 single-rollout requests). Those waiting for a turn wait
        first come, first served, and cost the loop nothing."""
        await self._turns.take()
        turn = _Turn(held=True)
        token = _TURN.set(turn)
        try:
            yield
        finally:
            self.done_working()
            _TURN.reset(token)

    def leave(self) -> None:
        """Give up a place: to the longest waiting request, if any."""
        self._places.give(None)

    @property
    def depth(self) -> int:
        """Items admitted and not yet answered."""
        return self.workers.depth + self.sandbox.depth

    @contextmanager
    def hold(self, items: int, code_items: int = 0) -> Iterator[None]:
        """Admit `items`, `code_items` of them for the sandbox, for the duration of the
        block, or raise a 429 HTTPException."""
        if self.depth + items > self.max_items:
            self._refuse(
                f"{self.depth} items in progress, {items} more would pass the limit of "
                f"{self.max_items}",
                RETRY_AFTER_S,
            )
        queued = [(self.workers, items - code_items), (self.sandbox, code_items)]
        queued = [(queue, count) for queue, count in queued if count]
        wait_s = max((queue.wait_s(count) for queue, count in queued), default=0.0)
        if wait_s > self.max_queue_s:
            self._refuse(
                f"{items} items would wait {wait_s:.0f} s for their turns with the "
                f"{self.depth} in progress, past the limit of {self.max_queue_s:g} s",
                math.ceil(min(wait_s - self.max_queue_s, _MOST_RETRY_AFTER_S)),
            )
        with contextlib.ExitStack() as held:
            for queue, count in queued:
                held.enter_context(queue.hold(count))
            yield

    def _refuse(self, why: str, retry_after_s: int) -> None:
        retry_after_s = max(RETRY_AFTER_S, retry_after_s)
        raise HTTPException(
            429,
            f"busy: {why}; retry after {retry_after_s} s",
            headers={"Retry-After": str(retry_after_s)},
        )


@dataclass
class _Turn:
    """Whether a request holds its turn in the event loop (`Admission.working`)."""

    held: bool


_TURN: ContextVar[_Turn | None] = ContextVar("turn", default=None)


class RequestAdmission:
    """ASGI middleware: a request past `max_requests` in progress waits for a place (a burst
    of one request per rollout is queued, at the cost of a connection and its body each, which
    `BodyLimit` counts); past `max_waiting` of those, 429.

    /health and /metrics always pass: an overloaded service must still be observable.
    """

    def __init__(self, app: ASGIApp, admission: Admission) -> None:
        self.app = app
        self.admission = admission

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _ALWAYS_ADMITTED:
            await self.app(scope, receive, send)
            return
        admission = self.admission
        if admission.requests >= admission.max_requests and (
            admission.waiting >= admission.max_waiting
        ):
            why = (
                f"{admission.requests} requests in progress and {admission.waiting} waiting, "
                "the limits"
            )
            await busy(why)(scope, receive, send)
            return

        async def answer(message: Message) -> None:
            if message["type"] == "http.response.start":
                admission.done_working()
            await send(message)

        await admission.enter()
        try:
            async with admission.working():
                await self.app(scope, receive, answer)
        finally:
            admission.leave()


def _not_utf8(start: bytes) -> JSONResponse | None:
    """415 for a body in UTF-16 or -32 (by its first bytes, as `json.loads` tells them): its
    JSON values cannot be counted by their bytes, and JSON between systems is UTF-8 (RFC 8259)."""
    encoding = json.detect_encoding(start)
    if encoding in ("utf-8", "utf-8-sig"):
        return None
    message = f"request body is {encoding.upper()}; send JSON as UTF-8"
    return JSONResponse({"message": message}, status_code=415)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body read already, then what the client sends next
    (its disconnect)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def busy(why: str) -> JSONResponse:
    return JSONResponse(
        {"message": f"busy: {why}; retry after {RETRY_AFTER_S} s"},
        status_code=429,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


class CancelOnHangUp:
    """ASGI middleware: a client that hangs up before its answer is ready cancels the work
    done for it (its items queued for workers, its jobs waiting for or running in sandbox
    containers), instead of leaving it to hold them for nobody.

    Once the app has read the whole body, nothing else reads the request's messages, so this
    one does: the next is `http.disconnect` when the client goes.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _ALWAYS_ADMITTED:
            # Answered at once: a watcher would cost them more turns of the event loop, each
            # as long as a turn of the batches in progress.
            await self.app(scope, receive, send)
            return
        body_read = asyncio.Event()

        async def receive_body() -> Message:
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body"):
                body_read.set()
            return message

        async def hang_up() -> None:
            await body_read.wait()
            while (await receive())["type"] != "http.disconnect":
                pass

        app = asyncio.ensure_future(self.app(scope, receive_body, send))
        watcher = asyncio.ensure_future(hang_up())
        try:
            await asyncio.wait({app, watcher}, return_when=asyncio.FIRST_COMPLETED)
            if not app.done():
                app.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await app
                log.info("client hung up on %s: its work was cancelled", scope["path"])
                return
            app.result()
        finally:
            watcher.cancel()
            app.cancel()
