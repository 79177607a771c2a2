"""The runner's session in one sandbox container: a hijacked `docker exec` stream, read with
asyncio, over which jobs go down one line each and events come back a line each."""

from __future__ import annotations

import asyncio
import json
import socket
import struct

import docker

from reward_service.sandbox.containers import WORKDIR
from reward_service.sandbox.types import RunnerEvents, RunReport, SandboxJob
from reward_service.turns import dumps_in_turns

RUNNER = ["python3", "-I", "/opt/reward/runner.py", "--serve"]
READY_S = 60.0
# How long a cancelled job may take to stop and be cleared away.
SETTLE_S = 30.0
_MAX_LINE_BYTES = 256 << 20
_HEADER = struct.Struct(">BxxxI")


class RunnerLost(Exception):
    """The runner's stream ended or failed, or the runner went silent for longer than a healthy
    one can: `silent` says which."""

    def __init__(self, message: str, silent: bool = False) -> None:
        super().__init__(message)
        self.silent = silent


class RunnerSession:
    """One container's runner. `run` one job at a time; after a cancelled `run`, `settle`
    before the next. `dirty`: the runner could not clear the container after a job."""

    def __init__(
        self,
        container: str,
        uid: int,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        connection: object,
    ) -> None:
        self.container = container
        self.uid = uid
        self.dirty = False
        self._reader = reader
        self._writer = writer
        # What exec_start returned, which owns the socket: collected, it would close it.
        self._connection = connection
        self._header: bytes | None = None
        self._stdout = bytearray()
        self._stderr = bytearray()
        self._events: RunnerEvents | None = None

    @classmethod
    async def open(cls, client: docker.DockerClient, container: str, uid: int) -> RunnerSession:
        """Start the runner in `container` and wait until it says it is ready."""
        api = client.api
        exec_id = await asyncio.to_thread(
            api.exec_create, container, [*RUNNER, str(uid)], stdin=True, user="0:0",
            workdir=WORKDIR,
        )
        connection = await asyncio.to_thread(api.exec_start, exec_id, socket=True)
        stream: socket.socket = getattr(connection, "_sock", connection)
        stream.setblocking(False)
        reader, writer = await asyncio.open_connection(sock=stream, limit=1 << 20)
        session = cls(container, uid, reader, writer, connection)
        try:
            ready = json.loads(await session._line(READY_S))["ready"]
        except (ValueError, KeyError, TypeError) as exc:
            session.close()
            raise RunnerLost("the sandbox runner did not start") from exc
        except BaseException:
            session.close()
            raise
        if ready.get("uid") != uid or not ready.get("clean"):
            session.close()
            raise RunnerLost(f"the sandbox runner started wrong: {ready}")
        return session

    async def run(self, job: SandboxJob) -> RunReport:
        """Send one job and collect its events into its report."""
        self._events = RunnerEvents(job)
        self._writer.write(await dumps_in_turns(job.payload(WORKDIR)) + b"\n")
        await self._drain()
        return (await self._finish(job.quiet_s())).report()

    async def settle(self) -> None:
        """Stop the job a cancelled `run` left running and wait until the runner cleared it."""
        if self._events is None:
            return
        self._writer.write(b"cancel\n")
        await self._drain()
        await self._finish(SETTLE_S)

    def close(self) -> None:
        self._writer.close()

    async def _finish(self, quiet_s: float) -> RunnerEvents:
        events = self._events
        assert events is not None
        while events.done is None:
            line = await self._line(quiet_s)
            try:
                await events.add(line)
            except (ValueError, KeyError, TypeError) as exc:
                raise RunnerLost(f"the sandbox runner sent an unreadable event: {exc}") from exc
        self._events = None
        self.dirty = not events.done.get("clean", False)
        return events

    async def _drain(self) -> None:
        try:
            await self._writer.drain()
        except (ConnectionError, OSError) as exc:
            raise RunnerLost(f"the sandbox runner's stream failed: {exc}") from exc

    async def _line(self, quiet_s: float) -> bytes:
        """The next stdout line of the runner (without its newline)."""
        while b"\n" not in self._stdout:
            try:
                stream, payload = await asyncio.wait_for(self._frame(), quiet_s)
            except asyncio.TimeoutError as exc:
                raise RunnerLost(
                    f"the sandbox runner said nothing for {quiet_s:.0f} s", silent=True
                ) from exc
            except (asyncio.IncompleteReadError, ConnectionError, OSError) as exc:
                raise RunnerLost(
                    "the sandbox runner's stream ended: "
                    + self._stderr.decode("utf-8", "replace")[-300:]
                ) from exc
            if stream == 1:
                self._stdout += payload
                if len(self._stdout) > _MAX_LINE_BYTES:
                    raise RunnerLost("the sandbox runner's event is too large")
            else:
                self._stderr = (self._stderr + payload)[-4096:]
        line, _, rest = bytes(self._stdout).partition(b"\n")
        self._stdout = bytearray(rest)
        return line

    async def _frame(self) -> tuple[int, bytes]:
        # A non-TTY exec stream is a run of frames: an 8-byte header (stream id, size), then
        # the payload. The header is kept across a cancelled read, so that reading resumes.
        if self._header is None:
            self._header = await self._reader.readexactly(_HEADER.size)
        stream, size = _HEADER.unpack(self._header)
        payload = await self._reader.readexactly(size)
        self._header = None
        return stream, payload
