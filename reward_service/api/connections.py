"""Connections that hold an open file without a request to answer are closed.

uvicorn closes a keep-alive connection that stays idle, but not one that is still sending a
request's head, nor one whose body trickles: a client that opens connections and sends
nothing, or a byte now and then, holds an open file each for as long as it likes (a body for
the body timeout). Enough of them exhaust the open-files limit, and then no client can
connect, /health included: 21,000 connections that sent a head and one byte of their body
once held all 20,000 open files for a minute.

So a connection with no request in progress is closed after the header timeout, and past
`max_connections` the ones that trickle are closed within a fraction of a second, silent
longest first. One that has sent nothing yet is left to the header timeout: a client with
thousands of rollouts connects each before it writes, and may take seconds to get to writing.
"""

from __future__ import annotations

import array
import asyncio
import fcntl
import termios

from uvicorn.protocols.http.auto import AutoHTTPProtocol

from reward_service.api.limits import SLOW_BODY_BYTES, SLOW_BODY_S

# How soon a connection's rate is judged: past the open files, uvloop accepts and at once
# closes every new connection (/health's too) until one is freed.
_JUDGED_AFTER_S = 0.25


def bounded_http_protocol(header_timeout_s: float, max_connections: int) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol, closing a connection that has had no request in progress
    (its head not yet in, or idle after a response) for `header_timeout_s` to twice that; and,
    while more than `max_connections` are open, those that trickle (below)."""
    connections: set[HttpProtocol] = set()
    sweeping: list[asyncio.Handle] = []

    class HttpProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._received = 0
            self._unmarked = 0  # bytes since `_progress_at`
            self._progress_at = self.loop.time()
            connections.add(self)
            if len(connections) > max_connections and not sweeping:
                sweeping.append(self.loop.call_soon(_close_trickling, self.loop))
            self._check_later(None)

        def data_received(self, data: bytes) -> None:
            self._received += len(data)
            self._unmarked += len(data)
            if self._unmarked >= SLOW_BODY_BYTES:
                self._unmarked = 0
                self._progress_at = self.loop.time()
            super().data_received(data)

        def on_response_complete(self) -> None:
            self._progress_at = self.loop.time()
            super().on_response_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            connections.discard(self)
            super().connection_lost(exc)

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

        def _trickling(self, now: float) -> bool:
            """Whether it sent part of a request, or was answered, and since then bytes at
            less than `SLOW_BODY_BYTES` per `SLOW_BODY_S`, judged once `_JUDGED_AFTER_S` have
            passed (a request whole and being answered, or one whose bytes wait for the
            server to read them, is not)."""
            elapsed = now - self._progress_at
            sending = self._idle() or self.cycle.more_body
            return (
                self._received > 0
                and sending
                and elapsed >= _JUDGED_AFTER_S
                and self._unmarked < SLOW_BODY_BYTES * elapsed / SLOW_BODY_S
                and not self.flow.read_paused
                and not self.transport.is_closing()
                and not _bytes_waiting(self.transport)
            )

    def _close_trickling(loop: asyncio.AbstractEventLoop) -> None:
        """Close the connections that trickle, silent longest first, until no more than
        `max_connections` are open; while more are, look again in a while."""
        sweeping.clear()
        excess = len(connections) - max_connections
        now = loop.time()
        slowest = sorted(connections, key=lambda connection: connection._progress_at)
        for connection in slowest:
            if excess <= 0 or now - connection._progress_at < _JUDGED_AFTER_S:
                break
            if connection._trickling(now):
                connections.discard(connection)
                connection.transport.close()
                excess -= 1
        if len(connections) > max_connections:
            sweeping.append(loop.call_later(_JUDGED_AFTER_S, _close_trickling, loop))

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
