"""The Docker backend: a warm pool of locked-down containers, each with a runner session.

One `docker exec` per container starts the runner (`image/runner.py`) in session mode, as the
container's root with only the capabilities to switch identities and kill; submissions then go
down its stdin and events come back on its stdout, so a submission costs no exec of its own.
The submission runs as a uid that belongs to its container alone (`containers.py`), the tests
and checkers as another, and after each job the runner kills every process of the job and
empties every path the submission can write. A container whose runner cannot clear it, or is
lost, is removed and replaced. A job whose caller gives up (the client hung up) is stopped in
its container, which then serves the next one. Containers carry a label naming the process
that owns them, so at start-up a service removes the orphans of dead services on its host and
leaves live ones alone.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from typing import Literal

import docker
from docker.errors import DockerException, ImageNotFound
from requests.exceptions import RequestException

from reward_service.sandbox import containers
from reward_service.sandbox.containers import ContainerLimits
from reward_service.sandbox.session import RunnerLost, RunnerSession
from reward_service.sandbox.types import (
    PoolStats,
    RunReport,
    SandboxBroken,
    SandboxJob,
    SandboxStarved,
    SandboxUnavailable,
)
from reward_service.turns import Handoff

log = logging.getLogger(__name__)

# How long a container being killed may take to show as stopped.
_CONTAINER_SETTLE_S = 0.2
# Why a container was lost during a job: the code in it (its memory cgroup's OOM killer, or
# the runner gone while the container runs), or anything else (killed or removed from outside,
# the daemon restarting, the runner silent).
Loss = Literal["inside", "outside"]


class DockerSandbox:
    name = "docker"

    def __init__(self, image: str, pool_size: int, limits: ContainerLimits) -> None:
        self.image = image
        self.pool_size = pool_size
        self.limits = limits
        self.replaced = 0
        self._client: docker.DockerClient | None = None
        # Handed out first come, first served: requests in progress take turns.
        self._idle: Handoff[RunnerSession] = Handoff()
        self._sessions: set[RunnerSession] = set()
        self._background: set[asyncio.Task[None]] = set()
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
        await asyncio.to_thread(containers.reap_orphans, self._client)
        for session in await asyncio.gather(*(self._create() for _ in range(self.pool_size))):
            self._idle.give(session)

    async def close(self) -> None:
        self._closed = True
        await asyncio.gather(*self._background, return_exceptions=True)
        await asyncio.gather(*(self._remove(s) for s in list(self._sessions)))

    def stats(self) -> PoolStats:
        size = len(self._sessions)
        return PoolStats(size=size, busy=size - self._idle.free, replaced=self.replaced)

    async def run(self, job: SandboxJob) -> RunReport:
        """Run one submission in a warm container.

        A container lost during the job is replaced and the job tried once more in another.
        Lost twice to the code in it, the job is the submission's fault (`killed_sandbox`);
        lost otherwise, it is unjudged.
        """
        if self._client is None or self._closed:
            raise SandboxUnavailable("the docker sandbox is not started")
        losses: list[Loss] = []
        for attempt in (1, 2):
            session = await self._take()
            try:
                report = await session.run(job)
            except asyncio.CancelledError:
                # The caller gave up: stop the job in its container, which stays in the pool.
                self._in_background(self._settle(session))
                raise
            except RunnerLost as exc:
                loss = "outside" if exc.silent else await self._loss(session)
                losses.append(loss)
                await self._lose(session, attempt, f"lost its runner ({loss}): {exc}")
                continue
            except (DockerException, RequestException, OSError) as exc:
                losses.append("outside")
                await self._lose(session, attempt, f"failed: {exc}")
                continue
            except SandboxStarved:
                # The machine starved a run: once more, from the start, in another container.
                self._release(session)
                if attempt == 2:
                    raise
                log.warning("a job the machine starved is tried again in another container")
                continue
            except SandboxBroken as exc:
                self._replace(session)
                if attempt == 2:
                    raise
                log.warning("a job is tried again in another container: %s", exc)
                continue
            except SandboxUnavailable:
                self._release(session)
                raise
            except BaseException:
                self._replace(session)
                raise
            if await self._killed_from_outside(session, report):
                losses.append("outside")
                await self._lose(session, attempt, "was killed mid-run")
                continue
            self._release(session)
            return report
        if losses == ["inside", "inside"]:
            return RunReport(None, (), killed_sandbox=True)
        raise SandboxUnavailable(f"the sandbox container was lost twice ({', '.join(losses)})")

    def _release(self, session: RunnerSession) -> None:
        if session.dirty:
            self._replace(session)
        else:
            self._idle.give(session)

    async def _settle(self, session: RunnerSession) -> None:
        try:
            await session.settle()
        except (RunnerLost, OSError) as exc:
            log.warning("cancelled job's container %s replaced: %s", session.container[:12], exc)
            self._replace(session)
            return
        self._release(session)

    async def _loss(self, session: RunnerSession) -> Loss:
        """Whose doing a runner's lost stream was: the code's if its container's OOM killer
        struck or the runner died in a running container; anyone's else."""
        assert self._client is not None
        await asyncio.sleep(_CONTAINER_SETTLE_S)
        try:
            fate = await asyncio.to_thread(containers.fate, self._client, session.container)
        except (DockerException, RequestException):
            return "outside"
        return "inside" if fate in ("oom", "running") else "outside"

    async def _take(self) -> RunnerSession:
        """An idle session; SandboxUnavailable as soon as the pool has none left and its
        refills are failing (the daemon is down: they keep trying), instead of waiting."""
        if not self._sessions and self._failing_refills:
            raise _no_container_left()
        return await self._idle.take()

    async def _lose(self, session: RunnerSession, attempt: int, what: str) -> None:
        """A container lost: replace it, and check the idle ones."""
        log.warning("sandbox container %s %s (attempt %d)", session.container[:12], what, attempt)
        self._replace(session)
        await self._replace_stopped_idle()

    async def _replace_stopped_idle(self) -> None:
        """After one container was lost, check the idle ones: a daemon restart stops them
        all, and each would otherwise cost a submission its attempt."""
        idle = self._idle.take_free()
        running = await asyncio.gather(*(asyncio.to_thread(self._running, s) for s in idle))
        for session, alive in zip(idle, running, strict=True):
            if alive:
                self._idle.give(session)
            else:
                self._replace(session)

    async def _killed_from_outside(self, session: RunnerSession, report: RunReport) -> bool:
        """A program SIGKILLed though within its time: its memory limit, or the container
        killed around it (`docker kill`, a daemon stopping) just after the runner reported."""
        if not any(run.signal == signal.SIGKILL and not run.timed_out for run in report.runs):
            return False
        await asyncio.sleep(_CONTAINER_SETTLE_S)
        return not await asyncio.to_thread(self._running, session)

    def _running(self, session: RunnerSession) -> bool:
        assert self._client is not None
        try:
            return containers.fate(self._client, session.container) == "running"
        except (DockerException, RequestException):
            return False

    async def _create(self) -> RunnerSession:
        assert self._client is not None
        container, uid = await asyncio.to_thread(
            containers.create_container,
            self._client,
            self.image,
            self.limits,
            containers.owner_id(os.getpid()),
        )
        try:
            session = await RunnerSession.open(self._client, container, uid)
        except BaseException:
            await asyncio.to_thread(containers.remove_container, self._client, container)
            raise
        self._sessions.add(session)
        return session

    def _replace(self, session: RunnerSession) -> None:
        self.replaced += 1
        self._in_background(self._refill(session))

    def _in_background(self, coroutine) -> None:  # type: ignore[no-untyped-def]
        task = asyncio.get_running_loop().create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _refill(self, dead: RunnerSession) -> None:
        await self._remove(dead)
        failing = False
        while not self._closed:
            try:
                session = await self._create()
            except (DockerException, RequestException, RunnerLost, SandboxUnavailable) as exc:
                log.error("cannot replace a sandbox container (retrying in 5 s): %s", exc)
                if not failing:
                    failing = True
                    self._failing_refills += 1
                if not self._sessions:
                    self._idle.fail_waiting(_no_container_left())
                await asyncio.sleep(5)
                continue
            if failing:
                self._failing_refills -= 1
            self._idle.give(session)
            try:
                await asyncio.to_thread(self._remove_stopped)
            except (DockerException, RequestException) as exc:
                log.warning("could not remove stopped sandbox containers: %s", exc)
            return

    def _remove_stopped(self) -> None:
        """Remove this service's stopped containers: a daemon that went down stopped them
        while it could not remove them."""
        assert self._client is not None
        mine = f"{containers.OWNER_LABEL}={containers.owner_id(os.getpid())}"
        for listed in containers.sandbox_containers(self._client, mine, status=("exited", "dead")):
            containers.remove_container(self._client, listed["Id"])

    async def _remove(self, session: RunnerSession) -> None:
        assert self._client is not None
        session.close()
        try:
            await asyncio.to_thread(containers.remove_container, self._client, session.container)
        except (DockerException, RequestException) as exc:
            log.warning("could not remove sandbox container %s: %s", session.container[:12], exc)
        self._sessions.discard(session)


def _no_container_left() -> SandboxUnavailable:
    return SandboxUnavailable(
        "no sandbox container is left: is the Docker daemon up? the pool refills as soon as it "
        "answers"
    )


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
