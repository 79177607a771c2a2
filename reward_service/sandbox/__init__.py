"""Running untrusted code: a Docker warm pool, a sandbox service running one, or a local
fallback that isolates nothing."""

from __future__ import annotations

import logging

from reward_service.config import SandboxSettings
from reward_service.sandbox.containers import ContainerLimits
from reward_service.sandbox.docker import DockerSandbox, docker_reachable
from reward_service.sandbox.images import sandbox_image
from reward_service.sandbox.local import LocalSandbox
from reward_service.sandbox.remote import RemoteSandbox
from reward_service.sandbox.types import (
    PoolStats,
    RunReport,
    Sandbox,
    SandboxJob,
    SandboxUnavailable,
)

log = logging.getLogger(__name__)


class UnavailableSandbox:
    """Stands in when the configured sandbox cannot start: code items come back unjudged."""

    name = "unavailable"

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def start(self) -> None:
        return None

    def stats(self) -> PoolStats:
        return PoolStats(size=0, busy=0, replaced=0)

    async def run(self, job: SandboxJob) -> RunReport:
        raise SandboxUnavailable(self.reason)

    async def close(self) -> None:
        return None


async def open_sandbox(settings: SandboxSettings, token: str | None = None) -> Sandbox:
    """Start the configured backend.

    `docker` must start or this raises. `auto` takes Docker when a daemon answers (and then, if
    the image is missing, serves code items as unjudged rather than run them unisolated), and
    the local fallback only when no daemon answers. `remote` sends jobs to the sandbox service
    at `settings.url` (with `token`, if set), which may come up later.
    """
    backend = settings.backend
    if backend == "auto":
        backend = "docker" if docker_reachable() else "local"
    if backend == "remote":
        assert settings.url is not None  # the settings validate it
        sandbox: Sandbox = RemoteSandbox(settings.url, token)
        await sandbox.start()
        return sandbox
    if backend == "local":
        sandbox = LocalSandbox(concurrency=settings.pool_size)
        await sandbox.start()
        return sandbox
    sandbox = DockerSandbox(
        settings.image or sandbox_image(),
        settings.pool_size,
        ContainerLimits(
            memory_mb=settings.max_memory_mb,
            processes=settings.processes,
            cpus=settings.cpus,
            workdir_mb=settings.workdir_mb,
        ),
    )
    try:
        await sandbox.start()
    except SandboxUnavailable as exc:
        if settings.backend == "docker":
            raise
        log.error("code items will be unjudged: %s", exc)
        return UnavailableSandbox(str(exc))
    return sandbox


__all__ = ["Sandbox", "SandboxUnavailable", "UnavailableSandbox", "open_sandbox"]
