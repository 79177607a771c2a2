"""The service on Ray Serve, for real: a local single-node Ray cluster started by
`reward-service serve --ray`, two replicas behind Serve's proxy, one replica killed mid-load,
then a clean shutdown with no Ray process and no sandbox container left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest

from reward_service.client import RewardClient
from tests.conftest import free_port, pid_owner, sandbox_containers_owned_by
from tests.test_client_failover import items
from tests.test_faults import exited, wait_for

pytest.importorskip("ray", reason="the Ray extra: pip install -e '.[dev]' installs it")
pytestmark = pytest.mark.docker

REPLICA = b"ServeReplica:reward_service"
CODE = {
    "task": "code",
    "response": "```python\nprint(sum(map(int, input().split())))\n```",
    "tests": {"cases": [{"stdin": "1 2\n", "stdout": "3\n"}]},
}


def replicas() -> set[int]:
    found = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if cmdline.read_bytes().startswith(b"ray::" + REPLICA):
                found.add(int(cmdline.parent.name))
        except OSError:
            continue
    return found


def ray_processes(session_dir: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text.startswith("ray::") or session_dir in text:
            if not exited(int(cmdline.parent.name)):
                found.append(text[:120])
    return found


def containers_of(pids: set[int]) -> list:
    return sandbox_containers_owned_by(*map(pid_owner, pids)) if pids else []


def test_two_replicas_a_killed_one_and_a_clean_shutdown():
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # Short: Ray's socket paths live under it, and a socket path has at most 107 bytes.
    ray_dir = tempfile.mkdtemp(prefix="ray", dir="/tmp")
    env = {
        **os.environ,
        "RAY_TMPDIR": ray_dir,
        "RAY_AUTH_MODE": "disabled",
        "REWARD_SANDBOX__BACKEND": "docker",
        "REWARD_WORKERS__ITEM_TIMEOUT_S": "5",
    }
    log = open(Path(ray_dir) / "serve.log", "w")  # noqa: SIM115
    driver = subprocess.Popen(
        [sys.executable, "-m", "reward_service", "serve", "--ray", "--replicas", "2"]
        + ["--replica-cpus", "1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    seen: set[int] = set()
    try:
        assert wait_for(lambda: _healthy(url), 180), (Path(ray_dir) / "serve.log").read_text()[
            -3000:
        ]
        assert wait_for(lambda: len(replicas()) == 2, 60)
        seen |= replicas()

        math, code = httpx.post(
            url + "/v1/score", json={"items": [items()[0], CODE]}, timeout=60
        ).json()["results"]
        assert math["scores"]["accuracy"] == 1.0
        assert (code["scores"]["accuracy"], code["details"]["sandbox"]) == (1.0, "docker")
        metrics = httpx.get(url + "/metrics", timeout=10)
        assert metrics.status_code == 200 and "reward_workers 1.0" in metrics.text

        batch = items()
        outcome: dict = {}
        with RewardClient(url, batch_size=8, concurrency=4, retries=6, backoff_s=0.5) as client:
            expected = [(r.id, r.scores.accuracy) for r in client.score(batch[:80])]
            run = threading.Thread(target=lambda: outcome.update(results=client.score(batch)))
            run.start()
            time.sleep(1.0)
            victim = min(replicas())
            os.kill(victim, signal.SIGKILL)
            run.join(timeout=240)
        results = outcome["results"]
        assert [r.id for r in results] == [item["id"] for item in batch]
        assert all(r.scores.accuracy is not None for r in results)
        assert [(r.id, r.scores.accuracy) for r in results[:80]] == expected

        # Serve replaces the killed replica; the replacement removes its orphaned containers.
        assert wait_for(lambda: len(replicas() - {victim}) == 2, 120)
        seen |= replicas()
        assert wait_for(lambda: containers_of({victim}) == [], 60)
    finally:
        driver.send_signal(signal.SIGTERM)
        try:
            driver.wait(timeout=90)
        finally:
            if driver.poll() is None:
                os.killpg(driver.pid, signal.SIGKILL)
            log.close()
    assert wait_for(lambda: ray_processes(ray_dir) == [], 60), ray_processes(ray_dir)
    assert containers_of(seen) == []


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url + "/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False
