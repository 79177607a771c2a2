"""Connections that do not finish a request's head in time are closed.

uvicorn closes a keep-alive connection that stays idle, but not one that is still sending a
request's head: a client that opens connections and sends nothing, or trickles header bytes,
holds an open file each for as long as it likes. Enough of them exhaust the open-files limit,
and then no client can connect, /health included.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.auto import AutoHTTPProtocol


def with_header_deadline(timeout_s: float) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol, closing a connection that has had no request in progress
    (its head not yet in, or idle after a response) for `timeout_s` to `2 * timeout_s`."""

    class HeaderDeadlineProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._check_later(None)

        def _check_later(self, cycle: object) -> None:
            self._cycle_seen = cycle
            self.loop.call_later(timeout_s, self._close_if_stuck)

        def _close_if_stuck(self) -> None:
            if self.transport.is_closing():
                return
            cycle = self.cycle
            idle = cycle is None or cycle.response_complete
            if idle and cycle is self._cycle_seen:
                self.transport.close()
            else:
                self._check_later(cycle)

    return HeaderDeadlineProtocol
