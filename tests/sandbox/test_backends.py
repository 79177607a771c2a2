"""Backend selection and the local fallback (which runs the same runner as a host subprocess)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from reward_service.config import SandboxSettings
from reward_service.sandbox import SandboxUnavailable, UnavailableSandbox, open_sandbox
from reward_service.sandbox.docker import DockerSandbox
from reward_service.sandbox.local import LocalSandbox
from reward_service.sandbox.types import Harness, Limits, SandboxJob

LIMITS = Limits(time_s=2, memory_mb=256, output_bytes=1 << 16, file_bytes=1 << 20, processes=32)
NO_DAEMON = "unix:///nonexistent/docker.sock"


def opened(settings: SandboxSettings):
    async def main():
        sandbox = await open_sandbox(settings)
        await sandbox.close()
        return sandbox

    return asyncio.run(main())


def test_auto_falls_back_to_local_only_when_no_daemon_answers(monkeypatch, caplog):
    monkeypatch.setenv("DOCKER_HOST", NO_DAEMON)
    with caplog.at_level(logging.WARNING):
        sandbox = opened(SandboxSettings(backend="auto"))
    assert isinstance(sandbox, LocalSandbox)
    assert "NOT AN ISOLATION BOUNDARY" in caplog.text


def test_docker_backend_without_a_daemon_fails_to_start(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", NO_DAEMON)
    with pytest.raises(SandboxUnavailable, match="no Docker daemon"):
        opened(SandboxSettings(backend="docker"))


@pytest.mark.docker
def test_auto_with_a_daemon_but_no_image_leaves_code_unjudged_instead_of_unisolated():
    sandbox = opened(SandboxSettings(backend="auto", image="reward-sandbox:does-not-exist"))
    assert isinstance(sandbox, UnavailableSandbox)
    assert "reward-service sandbox build" in sandbox.reason


@pytest.mark.docker
def test_auto_with_a_daemon_and_the_image_is_docker():
    assert isinstance(opened(SandboxSettings(backend="auto", pool_size=1)), DockerSandbox)


def test_local_backend_runs_stdio_and_harness_jobs():
    async def main():
        sandbox = LocalSandbox(concurrency=2)
        await sandbox.start()
        stdio = SandboxJob("python", "print(sum(map(int, input().split())))", ("1 2\n",), LIMITS)
        harness = SandboxJob(
            "python",
            "def f(x):\n    return x + 1",
            (),
            LIMITS,
            Harness("def check(candidate):\n    assert candidate(1) == 2\n", "f", "N0NCE"),
        )
        return await asyncio.gather(sandbox.run(stdio), sandbox.run(harness))

    stdio, harness = asyncio.run(main())
    assert stdio.runs[0].stdout == "3\n"
    assert "N0NCE" in harness.runs[0].tests.stdout.splitlines()


def test_a_toolchain_missing_on_the_host_is_the_sandboxs_fault(monkeypatch):
    """The local backend on a machine without `go`: unavailable (unjudged), not a compile
    error charged to the submission."""
    monkeypatch.setenv("PATH", "/nonexistent")
    job = SandboxJob("go", "package main\n\nfunc main() {}", ("",), LIMITS)

    async def main():
        sandbox = LocalSandbox(concurrency=1)
        await sandbox.start()
        return await sandbox.run(job)

    with pytest.raises(SandboxUnavailable, match="`go` is not installed"):
        asyncio.run(main())


def test_local_backend_still_enforces_time_and_memory_limits():
    async def main():
        sandbox = LocalSandbox(concurrency=1)
        slow = SandboxJob("python", "while True: pass", ("",), LIMITS)
        big = SandboxJob("python", "x = bytearray(2 * 1024 ** 3)", ("",), LIMITS)
        return await sandbox.run(slow), await sandbox.run(big)

    slow, big = asyncio.run(main())
    assert slow.runs[0].timed_out
    assert "MemoryError" in big.runs[0].stderr


@pytest.mark.docker
def test_start_up_reaps_orphans_of_dead_services_and_spares_live_ones():
    import os
    import socket

    import docker as docker_sdk

    from reward_service.sandbox.containers import (
        LABEL,
        OWNER_LABEL,
        owner_id,
        reap_orphans,
        sandbox_containers,
    )
    from reward_service.sandbox.images import sandbox_image

    client = docker_sdk.from_env()
    dead = f"{socket.gethostname()}/999999999/0"
    live = owner_id(os.getpid())
    made = {
        owner: client.containers.run(
            sandbox_image(),
            detach=True,
            network_mode="none",
            labels={LABEL: "1", OWNER_LABEL: owner},
        )
        for owner in (dead, live)
    }
    try:
        reap_orphans(client)
        remaining = {listed["Id"] for listed in sandbox_containers(client)}
        assert made[dead].id not in remaining
        assert made[live].id in remaining
    finally:
        for container in made.values():
            try:
                container.remove(force=True)
            except docker_sdk.errors.NotFound:
                pass


@pytest.mark.docker
def test_two_services_reaping_the_same_orphans_at_once_both_succeed():
    """Replicas starting together race to remove the same orphans (CI saw the loser fail)."""
    import socket
    from concurrent.futures import ThreadPoolExecutor

    import docker as docker_sdk

    from reward_service.sandbox.containers import (
        LABEL,
        OWNER_LABEL,
        reap_orphans,
        remove_container,
        sandbox_containers,
    )
    from reward_service.sandbox.images import sandbox_image

    client = docker_sdk.from_env()
    dead = f"{socket.gethostname()}/999999998/0"
    orphans = [
        client.containers.create(sandbox_image(), labels={LABEL: "1", OWNER_LABEL: dead}).id
        for _ in range(8)
    ]
    try:
        with ThreadPoolExecutor(2) as pool:
            reaped = list(pool.map(reap_orphans, [docker_sdk.from_env() for _ in range(2)]))
        assert sum(reaped) >= len(orphans)
        assert not {listed["Id"] for listed in sandbox_containers(client)} & set(orphans)
        remove_container(client, orphans[0])  # already gone: fine
    finally:
        for container_id in orphans:
            remove_container(client, container_id)


@pytest.mark.docker
def test_shutdown_removes_the_pool_containers():
    from tests.conftest import pid_owner, running_server, sandbox_containers_owned_by

    def owned_by(pid: int) -> list:
        return sandbox_containers_owned_by(pid_owner(pid))

    env = {"REWARD_SANDBOX__BACKEND": "docker", "REWARD_SANDBOX__POOL_SIZE": "3"}
    with running_server(env, workers=1) as running:
        process = running.process
        assert len(owned_by(process.pid)) == 3
    assert process.returncode is not None
    assert owned_by(process.pid) == []
