from __future__ import annotations

import asyncio
import gc
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest

SERVER_ITEM_TIMEOUT_S = 2.0


def runs_within(seconds: float, function: Callable[..., object], *args: object) -> bool:
    """Whether one of three calls of `function(*args)` takes at most `seconds`. A busy CI
    machine can stall any single call past a bound; a quadratic pattern is slow on every call."""
    for _ in range(3):
        started = time.perf_counter()
        function(*args)
        if time.perf_counter() - started <= seconds:
            return True
    return False


def longest_stretch_s(work: Callable[[], Awaitable[object]]) -> float:
    """The longest the event loop waits for other tasks while `work()` runs (the garbage
    collector aside: the service keeps its passes short, `app.py`). Exceptions of the work
    are its result, not the measurement's."""
    stretches = []

    async def measure() -> None:
        done = False

        async def probe() -> None:
            started = time.perf_counter()
            while not done:
                await asyncio.sleep(0)
                stretches.append(time.perf_counter() - started)
                started = time.perf_counter()

        task = asyncio.create_task(probe())
        await asyncio.sleep(0)
        with suppress(Exception):
            await work()
        done = True
        await task

    gc.disable()
    try:
        asyncio.run(measure())
    finally:
        gc.enable()
    return max(stretches)


def sandbox_containers_owned_by(*owners: str) -> list:
    """Sandbox containers whose owner label starts with one of `owners` ("host/" or
    "host/pid/"). Containers removed while listing are skipped, not an error."""
    import docker

    from reward_service.sandbox.containers import LABEL, OWNER_LABEL

    listed = docker.from_env().containers.list(
        all=True, filters={"label": LABEL}, ignore_removed=True
    )
    return [c for c in listed if c.labels.get(OWNER_LABEL, "").startswith(owners)]


def pid_owner(pid: int) -> str:
    return f"{socket.gethostname()}/{pid}/"


LOAD_BENCHMARK = Path(__file__).parent.parent / "benchmarks" / "load.py"


def run_load_benchmark(*args: str, timeout: float = 280) -> subprocess.CompletedProcess:
    """`benchmarks/load.py` with `args`, in a process group of its own that is killed whole
    however the run ends: killed on a timeout, the benchmark itself could not stop the server,
    the /health poller and the busy processes it started, and they ran on."""
    process = subprocess.Popen(
        [sys.executable, str(LOAD_BENCHMARK), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RunningServer(NamedTuple):
    process: subprocess.Popen
    url: str
    log: Path

    def log_lines(self) -> list[dict]:
        """The server's log so far, one JSON object per line."""
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]


@contextmanager
def running_server(
    env: dict[str, str],
    workers: int = 2,
    command: tuple[str, ...] | None = None,
    port: int | None = None,
    open_files: int | None = None,
) -> Iterator[RunningServer]:
    """Start `reward-service serve` (or `command`, e.g. `sandbox serve`) on a loopback port
    (by default a free one), with at most `open_files` open files if given; stop it
    (SIGTERM) on exit.

    Its output goes to a file (a pipe nobody reads would fill and stall the server).
    """
    port = port or free_port()
    log = Path(tempfile.mkstemp(prefix="reward-server-", suffix=".log")[1])
    output = log.open("w")
    command = command or ("serve", "--workers", str(workers))
    process = subprocess.Popen(
        [sys.executable, "-m", "reward_service", *command, "--port", str(port)],
        env={**os.environ, **env},
        stdout=output,
        stderr=subprocess.STDOUT,
        preexec_fn=None if open_files is None else lambda: _limit_open_files(open_files),
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(process, base_url, log)
        yield RunningServer(process, base_url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        output.close()
        log.unlink()


def _limit_open_files(most: int) -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (most, most))


def _wait_healthy(process: subprocess.Popen, base_url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            pytest.fail(f"server exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            pytest.fail("server did not become healthy within 60 s")
        time.sleep(0.2)


@pytest.fixture(scope="session")
def serving() -> Iterator[RunningServer]:
    """A real `reward-service serve` on a free loopback port, with the Docker sandbox.

    It fails to start (and so fails the tests, never skips them) without a Docker daemon and
    the sandbox images: `scripts/test` provides both.
    """
    env = {
        "REWARD_WORKERS__ITEM_TIMEOUT_S": str(SERVER_ITEM_TIMEOUT_S),
        "REWARD_SANDBOX__BACKEND": "docker",
    }
    with running_server(env) as running:
        yield running


@pytest.fixture(scope="session")
def server(serving: RunningServer) -> str:
    return serving.url


@pytest.fixture(scope="session")
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=120) as http:
        yield http


@pytest.fixture(scope="session")
def one_container() -> Iterator[RunningServer]:
    """A server whose sandbox pool is one container: every job runs in the same one (until
    it is replaced), so that what one job leaves, the next would see."""
    env = {
        "REWARD_WORKERS__ITEM_TIMEOUT_S": str(SERVER_ITEM_TIMEOUT_S),
        "REWARD_SANDBOX__BACKEND": "docker",
        "REWARD_SANDBOX__POOL_SIZE": "1",
    }
    with running_server(env, workers=1) as running:
        yield running


@pytest.fixture(scope="session")
def one_client(one_container: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=one_container.url, timeout=300) as http:
        yield http
