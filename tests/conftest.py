from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

SERVER_ITEM_TIMEOUT_S = 2.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """A real `reward-service serve` on a free loopback port, with the Docker sandbox.

    It fails to start (and so fails the tests, never skips them) without a Docker daemon and
    the sandbox images: `scripts/test` provides both.
    """
    port = _free_port()
    env = {
        **os.environ,
        "REWARD_WORKERS__ITEM_TIMEOUT_S": str(SERVER_ITEM_TIMEOUT_S),
        "REWARD_SANDBOX__BACKEND": "docker",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "reward_service", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            pytest.fail(f"server exited early:\n{process.stdout.read()}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("server did not become healthy within 60 s")
        time.sleep(0.2)
    yield base_url
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=120) as http:
        yield http
