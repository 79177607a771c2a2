"""Connections that hold an open file without a request to answer are closed.

uvicorn closes a keep-alive connection that stays idle, but not one that is still sending a
request's head, nor one whose body trickles: a client that opens connections and sends
nothing, or a byte now and then, holds an open file each for as long as it likes (a body
for `BODY_TIMEOUT_S`). Enough of them exhaust the open-files limit, and then no client can
connect, /health included: 21,000 connections that sent a head and one byte of their body
once held all 20,000 open files for a minute.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from uvicorn.protocols.http.auto import AutoHTTPProtocol


def bounded_http_protocol(header_timeout_s: float, max_connections: int) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol, closing a connection that has had no request in progress
    (its head not yet in, or idle after a response) for `header_timeout_s` to twice that; and,
    past `max_connections`, the one that sent nothing for longest among those still sending
    or idle (those whose request is whole and being answered are kept)."""
    # Open connections, the one that sent something last at the end.
    connections: OrderedDict[HttpProtocol, None] = OrderedDict()

    class HttpProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            connections[self] = None
            if len(connections) > max_connections:
                _close_the_most_idle()
            self._check_later(None)

        def data_received(self, data: bytes) -> None:
            if self in connections:
                connections.move_to_end(self)
            super().data_received(data)

        def connection_lost(self, exc: Exception | None) -> None:
            connections.pop(self, None)
            super().connection_lost(exc)

        def _check_later(self, cycle: object) -> None:
            self._cycle_seen = cycle
            self.loop.call_later(header_timeout_s, self._close_if_stuck)

        def _close_if_stuck(self) -> None:
            if self.transport.is_closing():
                return
            cycle = self.cycle
            if self._idle() and cycle is self._cycle_seen:
                self._close()
            else:
                self._check_later(cycle)

        def _idle(self) -> bool:
            """Whether no request is in progress: its head not yet in, or none since the
            last response."""
            return self.cycle is None or self.cycle.response_complete

        def _sending(self) -> bool:
            """Whether it has no request to answer yet: idle, or its body still arriving."""
            return self._idle() or self.cycle.more_body

        def _close(self) -> None:
            connections.pop(self, None)
            self.transport.close()

    def _close_the_most_idle() -> None:
        for connection in connections:
            if connection._sending():
                connection._close()
                return

    return HttpProtocol
