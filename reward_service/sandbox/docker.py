"""The Docker backend: a warm pool of locked-down containers, each with a runner session.

Each container runs as an unprivileged user with no network, a read-only root, small tmpfs
mounts, every capability dropped, no-new-privileges, and pids/memory/CPU limits; nothing of the
host is mounted. One `docker exec` per container starts the runner in session mode; submissions
then go down its stdin and reports come back on its stdout, one JSON line each, so a submission
costs no exec of its own. The runner kills every process of the sandbox user and wipes the work
dir before and after each submission, so nothing survives into the next one. A container whose
session fails is removed and replaced. Containers carry a label naming the process that owns
them, so at start-up a service removes the orphans of dead services on its host and leaves live
ones alone.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import struct
import time
from dataclasses import dataclass
from pathlib import Path

import docker
from docker.errors import APIError, DockerException, ImageNotFound, NotFound
from requests.exceptions import RequestException

from reward_service.sandbox.types import PoolStats, RunReport, SandboxJob, SandboxUnavailable

log = logging.getLogger(__name__)

LABEL = "reward_service.sandbox"
OWNER_LABEL = "reward_service.owner"
WORKDIR = "/work"
RUNNER_SESSION = ["python3", "-I", "/opt/reward/runner.py", "--serve"]
SANDBOX_UID = 10001
# Owned by the sandbox user: a tmpfs otherwise takes the image directory's root ownership.
# `exec` on the work dir only, where the compiled C++ binary must run.
_TMPFS = f"rw,nosuid,nodev,size={{size}}m,uid={SANDBOX_UID},gid={SANDBOX_UID},mode=0700"
_WORK_TMPFS = _TMPFS + ",exec"
_MAX_REPORT_BYTES = 64 * 1024 * 1024
# How long a container being killed may take to show as stopped.
_CONTAINER_SETTLE_S = 1.0


@dataclass(frozen=True)
class ContainerLimits:
    """Per-container ceilings: the most any one request may ask for, plus the runner's share."""

    memory_mb: int
    processes: int
    cpus: float
    workdir_mb: int


class RunnerFailed(Exception):
    """The runner gave no report: the code under test killed, starved or outlasted it."""

    def __init__(self, message: str, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


@dataclass(eq=False)
class _Session:
    """A container and the runner session living in it (a hijacked exec stream)."""

    container: str
    stream: socket.socket
    # What exec_start returned, which owns `stream`: collected, it would close the socket.
    connection: object
    frames: bytearray
    stdout: bytearray
    stderr: bytearray

    def request(self, payload: bytes, deadline: float) -> bytes:
        """Send one job line; return the report line (without the newline)."""
        self.stream.sendall(payload + b"\n")
        while b"\n" not in self.stdout:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the sandbox runner did not answer in time")
            self.stream.settimeout(remaining)
            chunk = self.stream.recv(65536)
            if not chunk:
                raise RunnerFailed(
                    "the sandbox runner was killed before it reported: "
                    + self.stderr.decode("utf-8", "replace")[-300:]
                )
            self.frames += chunk
            self._demultiplex()
        line, _, rest = self.stdout.partition(b"\n")
        self.stdout = bytearray(rest)
        return bytes(line)

    def _demultiplex(self) -> None:
        # A non-TTY exec stream is a run of frames: 8-byte header (stream id, size), payload.
        while len(self.frames) >= 8:
            stream, size = self.frames[0], struct.unpack(">I", self.frames[4:8])[0]
            if len(self.frames) < 8 + size:
                return
            payload = self.frames[8 : 8 + size]
            del self.frames[: 8 + size]
            if stream == 1:
                self.stdout += payload
            else:
                self.stderr = (self.stderr + payload)[-4096:]
            if len(self.stdout) > _MAX_REPORT_BYTES:
                raise RunnerFailed("the sandbox runner's report is too large")


class DockerSandbox:
    name = "docker"

    def __init__(self, image: str, pool_size: int, limits: ContainerLimits) -> None:
        self.image = image
        self.pool_size = pool_size
        self.limits = limits
        self.replaced = 0
        self._client: docker.DockerClient | None = None
        self._idle: asyncio.Queue[_Session] = asyncio.Queue()
        self._sessions: set[_Session] = set()
        self._refills: set[asyncio.Task[None]] = set()
        self._failing_refills = 0
        self._closed = False

    async def start(self) -> None:
        self._client = await asyncio.to_thread(_connect)
        try:
            await asyncio.to_thread(self._client.images.get, self.image)
        except ImageNotFound as exc:
            raise SandboxUnavailable(
                f"sandbox image {self.image} is missing: run `reward-service sandbox build`"
            ) from exc
        await asyncio.to_thread(reap_orphans, self._client)
        for session in await asyncio.gather(*(self._create() for _ in range(self.pool_size))):
            self._idle.put_nowait(session)

    async def close(self) -> None:
        self._closed = True
        await asyncio.gather(*self._refills, return_exceptions=True)
        await asyncio.gather(*(asyncio.to_thread(self._remove, s) for s in list(self._sessions)))

    def stats(self) -> PoolStats:
        size = len(self._sessions)
        return PoolStats(size=size, busy=size - self._idle.qsize(), replaced=self.replaced)

    async def run(self, job: SandboxJob) -> RunReport:
        """Run one submission in a warm container.

        A container lost for reasons outside the submission (removed, daemon hiccup) is
        replaced and the submission tried once more in another; failing again is unjudged.
        """
        if self._client is None or self._closed:
            raise SandboxUnavailable("the docker sandbox is not started")
        for attempt in (1, 2):
            session = await self._take()
            try:
                report = await asyncio.to_thread(self._exchange, session, job)
            except RunnerFailed as exc:
                # The code under test can kill its runner but not the container (its init is
                # not the sandbox user's): a container gone was stopped from outside.
                if await self._stopped(session):
                    error: Exception = exc
                    await self._lose(session, attempt, "stopped mid-run")
                    continue
                self._replace(session)
                return RunReport(None, (), runner_error=str(exc), runner_timed_out=exc.timed_out)
            except (DockerException, RequestException, OSError) as exc:
                error = exc
                await self._lose(session, attempt, f"failed: {exc}")
                continue
            except BaseException:
                self._replace(session)
                raise
            if await self._killed_from_outside(session, report):
                error = RuntimeError("the sandbox container was killed mid-run")
                await self._lose(session, attempt, "was killed mid-run")
                continue
            self._idle.put_nowait(session)
            return report
        raise SandboxUnavailable(f"the sandbox failed twice: {error}") from error

    async def _take(self) -> _Session:
        """An idle session; SandboxUnavailable as soon as the pool has none left and its
        refills are failing (the daemon is down: they keep trying), instead of waiting."""
        while True:
            if not self._sessions and self._failing_refills:
                raise SandboxUnavailable(
                    "no sandbox container is left: is the Docker daemon up? the pool refills "
                    "as soon as it answers"
                )
            try:
                return await asyncio.wait_for(self._idle.get(), 1.0)
            except asyncio.TimeoutError:
                continue

    async def _lose(self, session: _Session, attempt: int, what: str) -> None:
        """A container lost through no fault of the code: replace it, and check the idle ones."""
        log.warning("sandbox container %s %s (attempt %d)", session.container[:12], what, attempt)
        self._replace(session)
        await self._replace_stopped_idle()

    async def _replace_stopped_idle(self) -> None:
        """After one container was lost, check the idle ones: a daemon restart stops them
        all, and each would otherwise cost a submission its attempt."""
        idle = [self._idle.get_nowait() for _ in range(self._idle.qsize())]
        running = await asyncio.gather(*(asyncio.to_thread(self._running, s) for s in idle))
        for session, alive in zip(idle, running, strict=True):
            if alive:
                self._idle.put_nowait(session)
            else:
                self._replace(session)

    async def _killed_from_outside(self, session: _Session, report: RunReport) -> bool:
        """A program SIGKILLed though within its time: its memory limit, or the container
        killed around it (`docker kill`, a daemon stopping), which is no fault of the code."""
        if not any(run.signal == signal.SIGKILL and not run.timed_out for run in report.runs):
            return False
        return await self._stopped(session)

    async def _stopped(self, session: _Session) -> bool:
        """Whether the container stops within a moment (a kill takes that long to show)."""
        deadline = time.monotonic() + _CONTAINER_SETTLE_S
        while await asyncio.to_thread(self._running, session):
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.1)
        return True

    def _running(self, session: _Session) -> bool:
        assert self._client is not None
        try:
            return bool(self._client.api.inspect_container(session.container)["State"]["Running"])
        except (DockerException, RequestException):
            return False

    def _exchange(self, session: _Session, job: SandboxJob) -> RunReport:
        payload = json.dumps(job.payload(WORKDIR)).encode()
        try:
            line = session.request(payload, time.monotonic() + job.deadline_s())
        except TimeoutError as exc:
            raise RunnerFailed(
                "the submission kept the sandbox busy past its time limits", timed_out=True
            ) from exc
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise RunnerFailed(f"the sandbox runner was killed before it reported: {exc}") from exc
        try:
            return RunReport.from_runner(json.loads(line))
        except (ValueError, KeyError, TypeError) as exc:
            raise RunnerFailed("the sandbox runner's report is unreadable") from exc

    async def _create(self) -> _Session:
        session = await asyncio.to_thread(self._create_sync)
        self._sessions.add(session)
        return session

    def _create_sync(self) -> _Session:
        assert self._client is not None
        limits = self.limits
        memory = f"{limits.memory_mb + limits.workdir_mb + 64}m"
        container = self._client.containers.run(
            self.image,
            detach=True,
            labels={LABEL: "1", OWNER_LABEL: owner_id(os.getpid())},
            user="sandbox",
            network_mode="none",
            read_only=True,
            tmpfs={
                WORKDIR: _WORK_TMPFS.format(size=limits.workdir_mb),
                "/tmp": _TMPFS.format(size=16) + ",noexec",
            },
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            pids_limit=limits.processes + 16,
            mem_limit=memory,
            memswap_limit=memory,
            nano_cpus=int(limits.cpus * 1e9),
            ipc_mode="private",
            environment={},
        )
        api = self._client.api
        exec_id = api.exec_create(
            container.id, RUNNER_SESSION, stdin=True, user="sandbox", workdir=WORKDIR
        )
        connection = api.exec_start(exec_id, socket=True)
        stream: socket.socket = getattr(connection, "_sock", connection)
        return _Session(container.id, stream, connection, bytearray(), bytearray(), bytearray())

    def _replace(self, session: _Session) -> None:
        self.replaced += 1
        refill = asyncio.get_running_loop().create_task(self._refill(session))
        self._refills.add(refill)
        refill.add_done_callback(self._refills.discard)

    async def _refill(self, dead: _Session) -> None:
        await asyncio.to_thread(self._remove, dead)
        failing = False
        while not self._closed:
            try:
                session = await self._create()
            except (DockerException, RequestException) as exc:
                log.error("cannot replace a sandbox container (retrying in 5 s): %s", exc)
                if not failing:
                    failing = True
                    self._failing_refills += 1
                await asyncio.sleep(5)
                continue
            if failing:
                self._failing_refills -= 1
            self._idle.put_nowait(session)
            try:
                await asyncio.to_thread(self._remove_stopped)
            except (DockerException, RequestException) as exc:
                log.warning("could not remove stopped sandbox containers: %s", exc)
            return

    def _remove_stopped(self) -> None:
        """Remove this service's stopped containers: a daemon that went down stopped them
        while it could not remove them."""
        assert self._client is not None
        mine = f"{OWNER_LABEL}={owner_id(os.getpid())}"
        for listed in sandbox_containers(self._client, mine, status=("exited", "dead")):
            remove_container(self._client, listed["Id"])

    def _remove(self, session: _Session) -> None:
        assert self._client is not None
        session.stream.close()
        try:
            remove_container(self._client, session.container)
        except (DockerException, RequestException) as exc:
            log.warning("could not remove sandbox container %s: %s", session.container[:12], exc)
        self._sessions.discard(session)


def _connect() -> docker.DockerClient:
    try:
        client = docker.from_env()
        client.ping()
    except (DockerException, RequestException) as exc:
        raise SandboxUnavailable(f"no Docker daemon answers: {exc}") from exc
    return client


def docker_reachable() -> bool:
    try:
        _connect().close()
    except SandboxUnavailable:
        return False
    return True


def owner_id(pid: int) -> str | None:
    """`host/pid/start-time` of a live process; None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    start_time = stat.rsplit(")", 1)[1].split()[19]
    return f"{socket.gethostname()}/{pid}/{start_time}"


def sandbox_containers(
    client: docker.DockerClient, *labels: str, status: tuple[str, ...] = ()
) -> list[dict]:
    """Sandbox containers as the daemon lists them, in one call: `containers.list` inspects
    each one afterwards and fails when another service removes one in between."""
    filters: dict[str, list[str]] = {"label": [LABEL, *labels]}
    if status:
        filters["status"] = list(status)
    return client.api.containers(all=True, filters=filters)


def remove_container(client: docker.DockerClient, container_id: str) -> None:
    """Force-remove a container; one already gone, or being removed by another service, is fine."""
    try:
        client.api.remove_container(container_id, force=True)
    except NotFound:
        pass
    except APIError as exc:
        if exc.status_code != 409 or "already in progress" not in str(exc.explanation):
            raise


def reap_orphans(client: docker.DockerClient) -> int:
    """Remove sandbox containers whose owning service, on this host, is no longer running."""
    host = socket.gethostname()
    orphans = []
    for listed in sandbox_containers(client):
        owner = (listed["Labels"] or {}).get(OWNER_LABEL, "")
        owner_host, _, rest = owner.partition("/")
        pid = rest.partition("/")[0]
        unowned = not owner
        if unowned or (owner_host == host and (not pid.isdigit() or owner_id(int(pid)) != owner)):
            orphans.append(listed["Id"])
    for container_id in orphans:
        remove_container(client, container_id)
    if orphans:
        log.warning("removed %d orphaned sandbox containers", len(orphans))
    return len(orphans)
