"""Connections that hold an open file without a request to answer are closed.

uvicorn closes a keep-alive connection that stays idle, but not one that is still sending a
request's head, nor one whose body trickles: a client that opens connections and sends
nothing, or a byte now and then, holds an open file each for as long as it likes (a body for
the body timeout). Enough of them exhaust the open-files limit, and then no client can
connect, /health included: 21,000 connections that sent a head and one byte of their body
once held all 20,000 open files for a minute.

So a connection with no request in progress is closed after the header timeout; and past
`max_connections`, as each new one is accepted, those that hold a file for nothing are closed
within a fraction of a second, longest without progress first: silent, trickling or idle
after their answer. One whose bytes wait in the kernel is never closed so: a burst of one
rollout per connection is read, not shed. A connection may send a few requests ahead of
their answers (pipelining), not thousands; and a request's head (its request line and
headers) may be `MOST_HEAD_BYTES`: uvicorn adds each piece of a URL or header to what came
before, and a connection sending one without end (92 MiB in 11 s) held the loop for seconds.
"""

from __future__ import annotations

import array
import asyncio
import fcntl
import itertools
import json
import termios
from collections import OrderedDict

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from reward_service.api.limits import SLOW_BODY_BYTES, SLOW_BODY_S

# How soon a connection's rate is judged: past the open files, uvloop accepts and at once
# closes every new connection (/health's too) until one is freed.
_JUDGED_AFTER_S = 0.25
# Requests a connection may send ahead of their answers: those past them are dropped and the
# connection closed once the others are answered (its client may send them again, as HTTP
# has pipelining clients do), so that one connection cannot queue thousands of requests.
_MOST_PIPELINED = 16
# The most a request's head may be (nginx's default allows 32 KiB of headers): past it, the
# request is answered 431 and the connection closed.
MOST_HEAD_BYTES = 64 << 10
# Connections looked at, past `max_connections`, as each new one is accepted: the sweep
# every `_JUDGED_AFTER_S` looks at all.
_MOST_LOOKED_AT = 64


def bounded_http_protocol(header_timeout_s: float, max_connections: int) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol, closing a connection that has had no request in progress
    (its head not yet in, or idle after a response) for `header_timeout_s` to twice that; and,
    while more than `max_connections` are open, those that hold a file for nothing (below)."""
    # Open connections, the one that made progress last at the end.
    connections: OrderedDict[HttpProtocol, None] = OrderedDict()
    sweeping: list[asyncio.Handle] = []

    class HttpProtocol(HttpToolsProtocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._unmarked = 0  # bytes since `_progress_at`
            self._progress_at = self.loop.time()
            self._head_bytes = 0  # of the head being read; None when none is
            connections[self] = None
            if len(connections) > max_connections:
                _make_room(self.loop, _MOST_LOOKED_AT)
            self._check_later(None)

        def data_received(self, data: bytes) -> None:
            self._unmarked += len(data)
            if self._unmarked >= SLOW_BODY_BYTES:
                self._progressed()
            if self._head_bytes is not None:
                self._head_bytes += len(data)
            super().data_received(data)
            if self._head_bytes is not None and self._head_bytes > MOST_HEAD_BYTES:
                self._refuse_head()
                return
            if len(self.pipeline) > _MOST_PIPELINED:
                while len(self.pipeline) > _MOST_PIPELINED:
                    self.pipeline.popleft()  # the latest
                self.pipeline[0][0].keep_alive = False  # closed once the last kept is answered

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._head_bytes = 0

        def on_headers_complete(self) -> None:
            self._head_bytes = None
            super().on_headers_complete()

        def _refuse_head(self) -> None:
            if self.transport.is_closing():
                return
            message = f"request head (request line and headers) over {MOST_HEAD_BYTES} bytes"
            body = json.dumps({"message": message}).encode()
            if self.cycle is None or self.cycle.response_complete:  # not amid another answer
                self.transport.write(
                    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                    b"content-type: application/json\r\n"
                    b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(body), body)
                )
            self.transport.close()

        def on_response_complete(self) -> None:
            self._progressed()
            super().on_response_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            connections.pop(self, None)
            super().connection_lost(exc)

        def _progressed(self) -> None:
            self._unmarked = 0
            self._progress_at = self.loop.time()
            if self in connections:
                connections.move_to_end(self)

        def _check_later(self, cycle: object) -> None:
            self._cycle_seen = cycle
            self.loop.call_later(header_timeout_s, self._close_if_stuck)

        def _close_if_stuck(self) -> None:
            if self.transport.is_closing():
                return
            cycle = self.cycle
            if self._idle() and cycle is self._cycle_seen:
                self.transport.close()
            else:
                self._check_later(cycle)

        def _idle(self) -> bool:
            """Whether no request is in progress: its head not yet in, or none since the
            last response."""
            return self.cycle is None or self.cycle.response_complete

        def _holds_a_file_for_nothing(self, now: float) -> bool:
            """Whether, judged once `_JUDGED_AFTER_S` have passed since it connected or last
            made progress, it sends at less than `SLOW_BODY_BYTES` per `SLOW_BODY_S` (nothing
            at all, a trickle, or nothing since its answer) with no request whole and being
            answered. One whose bytes wait in the kernel for the server to read them is not."""
            elapsed = now - self._progress_at
            if elapsed < _JUDGED_AFTER_S or self.transport.is_closing():
                return False
            sending = self._idle() or self.cycle.more_body
            return (
                sending
                and self._unmarked < SLOW_BODY_BYTES * elapsed / SLOW_BODY_S
                and not self.flow.read_paused
                and not _bytes_waiting(self.transport)
            )

    def _make_room(loop: asyncio.AbstractEventLoop, most_looked_at: int | None) -> None:
        """Close connections that hold a file for nothing, longest without progress first,
        until no more than `max_connections` are open, looking at `most_looked_at` of them
        (all if None); while more are open, look again in a while."""
        now = loop.time()
        excess = len(connections) - max_connections
        victims = []
        for connection in itertools.islice(connections, most_looked_at):
            if len(victims) == excess or now - connection._progress_at < _JUDGED_AFTER_S:
                break  # enough, or none after it has been without progress for long
            if connection._holds_a_file_for_nothing(now):
                victims.append(connection)
        for connection in victims:
            connections.pop(connection)
            connection.transport.close()
        if len(connections) > max_connections and not sweeping:
            sweeping.append(loop.call_later(_JUDGED_AFTER_S, _sweep, loop))

    def _sweep(loop: asyncio.AbstractEventLoop) -> None:
        sweeping.clear()
        _make_room(loop, None)

    return HttpProtocol


def _bytes_waiting(transport: asyncio.BaseTransport) -> int:
    """How many bytes the kernel holds for this connection, not yet read."""
    socket = transport.get_extra_info("socket")
    if socket is None:
        return 0
    waiting = array.array("i", [0])
    try:
        fcntl.ioctl(socket.fileno(), termios.FIONREAD, waiting)
    except OSError:
        return 0
    return waiting[0]
