"""Limits on what requests may cost: body size (413), requests, items and queued work in
progress (429).

Past a bound a request is refused at once instead of queued or read: a client can back off
and retry, where an unbounded queue would grow the server's memory and every request's
latency without limit. Below them, work is queued: a burst of requests the service will
answer in time is answered. (Too many items in one request is a 413 too: `errors.py`.)
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

RETRY_AFTER_S = 1
# How far back the rate of answered items is measured.
RATE_WINDOW_S = 30.0
# Busy time within that window below which the rate says nothing of a queue: an overload
# keeps the service busy throughout, a few slow items now and then do not.
_EVIDENCE_BUSY_S = RATE_WINDOW_S / 2
_ALWAYS_ADMITTED = frozenset({"/health", "/metrics"})


class BodyLimit:
    """ASGI middleware: a body over `max_bytes` gets 413, by its Content-Length before any of
    it is read, or as soon as a streamed (chunked) body passes the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        too_large = False

        async def counted_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # The app sees a client gone; its answer is dropped for the 413 below.
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def send_unless_too_large(message: Message) -> None:
            if not too_large:
                await send(message)

        try:
            await self.app(scope, counted_receive, send_unless_too_large)
        except Exception:
            if not too_large:
                raise
        if too_large:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit_mb = self.max_bytes / (1 << 20)
        refusal = JSONResponse(
            {"message": f"request body over the limit of {limit_mb:g} MiB; split the batch"},
            status_code=413,
        )
        await refusal(scope, receive, send)


class Admission:
    """Counts of what is in progress, with their bounds.

    Requests are counted from the moment their headers arrive, before the body is read: when
    the event loop itself is the bottleneck (many small requests), that is where work piles
    up. So are their bodies' bytes (by Content-Length): what thousands of small requests or a
    few large ones hold in memory while they wait. Items are counted from validation to the
    answer: that is what holds memory and workers.
    Past the item bound a request is refused; below it, by the work queued: the items in
    progress over the rate at which the service answers items is how long a new request would
    wait, and past `max_queue_s` of that it is refused too, with that wait as its Retry-After.
    The rate is items answered per second of busy time (while anything was in progress), once
    the service was busy for half of the last `RATE_WINDOW_S`: what it can do under load, not
    what it was asked lately (an idle service that answered one item in the last minute has
    not shown a capacity of one item a minute). A request with nothing ahead of it is never
    refused by its wait. A burst the service will finish in time is queued, not refused.
    """

    def __init__(
        self, max_requests: int, max_items: int, max_queue_s: float, max_body_bytes: int
    ) -> None:
        self.max_requests = max_requests
        self.max_items = max_items
        self.max_queue_s = max_queue_s
        self.max_body_bytes = max_body_bytes
        self.requests = 0
        self.body_bytes = 0
        self.depth = 0
        # (when, items answered then, busy seconds since the previous entry)
        self._answered: collections.deque[tuple[float, int, float]] = collections.deque()
        self._busy_since = 0.0

    def rate(self) -> float | None:
        """Items answered per busy second over the last `RATE_WINDOW_S`; None when the service
        was busy for less than half of it."""
        now = time.monotonic()
        while self._answered and self._answered[0][0] < now - RATE_WINDOW_S:
            self._answered.popleft()
        busy_s = sum(busy_s for _, _, busy_s in self._answered)
        if busy_s < _EVIDENCE_BUSY_S:
            return None
        return sum(items for _, items, _ in self._answered) / busy_s

    @contextmanager
    def hold(self, items: int) -> Iterator[None]:
        """Admit `items` for the duration of the block, or raise a 429 HTTPException."""
        if self.depth + items > self.max_items:
            self._refuse(
                f"{self.depth} items in progress, {items} more would pass the limit of "
                f"{self.max_items}",
                RETRY_AFTER_S,
            )
        rate = self.rate()
        if self.depth and rate is not None and (self.depth + items) / rate > self.max_queue_s:
            wait_s = (self.depth + items) / rate
            self._refuse(
                f"{self.depth} items in progress would take {wait_s:.0f} s to answer, past the "
                f"limit of {self.max_queue_s:g} s",
                math.ceil(wait_s - self.max_queue_s),
            )
        if not self.depth:
            self._busy_since = time.monotonic()
        self.depth += items
        try:
            yield
        finally:
            now = time.monotonic()
            self._answered.append((now, items, now - self._busy_since))
            self._busy_since = now
            self.depth -= items

    def _refuse(self, why: str, retry_after_s: int) -> None:
        retry_after_s = max(RETRY_AFTER_S, retry_after_s)
        raise HTTPException(
            429,
            f"busy: {why}; retry after {retry_after_s} s",
            headers={"Retry-After": str(retry_after_s)},
        )


class RequestAdmission:
    """ASGI middleware: past `max_requests` in progress, or past `max_body_bytes` of their
    bodies, 429 before the body is read. A body without a Content-Length counts as the largest
    allowed, `largest_body` bytes; the first request in progress always passes.

    /health and /metrics always pass: an overloaded service must still be observable.
    """

    def __init__(self, app: ASGIApp, admission: Admission, largest_body: int) -> None:
        self.app = app
        self.admission = admission
        self.largest_body = largest_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _ALWAYS_ADMITTED:
            await self.app(scope, receive, send)
            return
        admission = self.admission
        declared = dict(scope["headers"]).get(b"content-length", b"")
        size = min(int(declared), self.largest_body) if declared.isdigit() else self.largest_body
        busy = None
        if admission.requests >= admission.max_requests:
            busy = f"{admission.requests} requests in progress, the limit"
        elif admission.requests and admission.body_bytes + size > admission.max_body_bytes:
            mib = 1 << 20
            busy = (
                f"{admission.body_bytes / mib:.1f} MiB of request bodies in progress, "
                f"{size / mib:.1f} MiB more would pass the limit of "
                f"{admission.max_body_bytes / mib:g} MiB"
            )
        if busy:
            refusal = JSONResponse(
                {"message": f"busy: {busy}; retry after {RETRY_AFTER_S} s"},
                status_code=429,
                headers={"Retry-After": str(RETRY_AFTER_S)},
            )
            await refusal(scope, receive, send)
            return
        admission.requests += 1
        admission.body_bytes += size
        try:
            await self.app(scope, receive, send)
        finally:
            admission.requests -= 1
            admission.body_bytes -= size


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
        if scope["type"] != "http":
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
