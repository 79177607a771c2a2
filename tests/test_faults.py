"""Faults injected into a running service, for real: killed workers, killed sandbox
containers, SIGTERM mid-request, clients that hang up. Every item still gets a result with a
reason, the service keeps serving, pools refill, nothing leaks."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import subprocess
import time
from pathlib import Path

import docker
import httpx
import pytest

from tests.conftest import RunningServer, pid_owner, running_server, sandbox_containers_owned_by

pytestmark = pytest.mark.docker

STUCK_MATH = {"response": r"</think> \boxed{9^{9^{9^{99}}}}", "answer": "1", "id": "stuck"}
SLEEPY_CODE = {
    "id": "sleepy",
    "task": "code",
    "response": "```python\nimport time\ntime.sleep(2.5)\nprint(int(input()) * 2)\n```",
    "tests": {"cases": [{"stdin": "21", "stdout": "42"}]},
}


def math_items(n: int) -> list[dict]:
    return [
        {"id": f"m{i}", "response": rf"</think> \boxed{{\frac{{{2 * i}}}{{2}}}}", "answer": str(i)}
        for i in range(n)
    ]


def parents() -> dict[int, int]:
    """Every process's parent pid."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            found[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError):
            continue
    return found


def descendants(pid: int) -> set[int]:
    tree, found, frontier = parents(), set(), {pid}
    while frontier:
        frontier = {child for child, parent in tree.items() if parent in frontier} - found
        found |= frontier
    return found


def scoring_workers(server: RunningServer) -> list[int]:
    """The worker processes: children of the service's forkserver."""
    tree = parents()
    forkserver = next(
        pid
        for pid, parent in tree.items()
        if parent == server.process.pid
        and b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()
    )
    return [pid for pid, parent in tree.items() if parent == forkserver]


def owned_containers(pid: int) -> list:
    return sandbox_containers_owned_by(pid_owner(pid))


def metric(server: RunningServer, name: str, token: str | None = None) -> float:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for line in httpx.get(server.url + "/metrics", headers=headers).text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


@pytest.fixture
def service() -> RunningServer:
    env = {
        "REWARD_SANDBOX__BACKEND": "docker",
        "REWARD_SANDBOX__POOL_SIZE": "2",
        "REWARD_WORKERS__ITEM_TIMEOUT_S": "4",
    }
    with running_server(env) as running:
        yield running


def post_in_background(server: RunningServer, items: list[dict]) -> concurrent.futures.Future:
    pool = concurrent.futures.ThreadPoolExecutor(1)
    future = pool.submit(httpx.post, server.url + "/v1/score", json={"items": items}, timeout=60)
    pool.shutdown(wait=False)
    return future


def test_workers_killed_mid_batch_cost_no_item_and_are_replaced(service):
    reply = post_in_background(service, [STUCK_MATH, *math_items(200)])
    time.sleep(0.5)
    workers = scoring_workers(service)
    assert len(workers) == 2
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    results = {r["id"]: r for r in reply.result().json()["results"]}
    assert len(results) == 201
    assert all(results[f"m{i}"]["scores"]["accuracy"] == 1.0 for i in range(200))
    assert results["stuck"]["details"]["reason"] in ("timeout", "worker_crashed")
    after = httpx.post(service.url + "/v1/score", json={"items": math_items(20)}).json()
    assert all(r["scores"]["accuracy"] == 1.0 for r in after["results"])
    assert metric(service, "reward_worker_restarts_total") >= 2


def test_a_sandbox_container_killed_mid_run_is_replaced_and_the_item_retried(service):
    reply = post_in_background(service, [SLEEPY_CODE])
    time.sleep(1.0)
    running = [c for c in owned_containers(service.process.pid) if c.status == "running"]
    busy = max(running, key=lambda container: len(container.top()["Processes"]))
    busy.kill()
    result = reply.result().json()["results"][0]
    assert result["scores"]["accuracy"] == 1.0, result
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        alive = [c for c in owned_containers(service.process.pid) if c.status == "running"]
        if len(alive) == 2 and busy.id not in {c.id for c in alive}:
            break
        time.sleep(0.5)
    assert len(alive) == 2 and busy.id not in {c.id for c in alive}
    assert metric(service, "reward_sandbox_replaced_total") >= 1


def test_with_every_container_killed_the_pool_is_rebuilt_and_nothing_scores_zero(service):
    reply = post_in_background(service, [SLEEPY_CODE, *math_items(3)])
    time.sleep(1.0)
    killed = {container.id for container in owned_containers(service.process.pid)}
    for container in owned_containers(service.process.pid):
        container.kill()
    code, *math = reply.result().json()["results"]
    # Scored in a rebuilt container, or unjudged if the kills outran the checks: never a 0.
    assert code["scores"]["accuracy"] == 1.0 or code["details"]["reason"] == "sandbox_error"
    assert [r["scores"]["accuracy"] for r in math] == [1.0] * 3

    def rebuilt() -> bool:
        alive = [c for c in owned_containers(service.process.pid) if c.status == "running"]
        return len(alive) == 2 and not {c.id for c in alive} & killed

    assert wait_for(rebuilt, 30)
    after = httpx.post(service.url + "/v1/score", json={"items": [SLEEPY_CODE]}, timeout=60)
    assert after.json()["results"][0]["scores"]["accuracy"] == 1.0


def test_a_client_hanging_up_leaks_nothing(service):
    processes_before = len(descendants(service.process.pid))
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            service.url + "/v1/score",
            json={"items": [SLEEPY_CODE, STUCK_MATH, *math_items(50)]},
            timeout=0.5,
        )
    time.sleep(5)
    assert metric(service, "reward_queued_items") == 0
    # Counted as the client's hang-up (499), not as a 5xx of ours: none was sent.
    counted = 'reward_requests_total{endpoint="/v1/score",method="POST",status="%s"}'
    assert metric(service, counted % "499") == 1
    with pytest.raises(AssertionError, match="not in /metrics"):
        metric(service, counted % "503")
    assert httpx.get(service.url + "/health").status_code == 200
    after = httpx.post(service.url + "/v1/score", json={"items": [SLEEPY_CODE]}, timeout=30)
    assert after.json()["results"][0]["scores"]["accuracy"] == 1.0
    assert len(descendants(service.process.pid)) == processes_before
    assert len(owned_containers(service.process.pid)) == 2


def test_sigterm_lets_requests_in_flight_finish_then_removes_the_containers():
    env = {"REWARD_SANDBOX__BACKEND": "docker", "REWARD_SANDBOX__POOL_SIZE": "2"}
    with running_server(env) as server:
        reply = post_in_background(server, [SLEEPY_CODE, *math_items(10)])
        time.sleep(1.0)
        server.process.send_signal(signal.SIGTERM)
        results = reply.result().json()["results"]
        assert [r["scores"]["accuracy"] for r in results] == [1.0] * 11
        # uvicorn shuts down gracefully, then re-raises the signal to exit by it.
        assert server.process.wait(timeout=30) in (0, -signal.SIGTERM)
        assert owned_containers(server.process.pid) == []
        assert descendants(server.process.pid) == set()


def dockerd() -> tuple[int, list[bytes]]:
    """The Docker daemon's pid and command line."""
    pid = next(
        pid
        for pid in parents()
        if Path(f"/proc/{pid}/comm").exists()
        and Path(f"/proc/{pid}/comm").read_text().strip() == "dockerd"
    )
    return pid, Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[:-1]


def exited(pid: int) -> bool:
    """Gone, or a zombie: CI's dockerd is a child of the test script, which reaps it only at the end."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def daemon_answers() -> bool:
    try:
        return docker.from_env().ping()
    except docker.errors.DockerException:
        return False


@pytest.mark.skipif(
    os.environ.get("CI") != "true" and not os.environ.get("REWARD_TEST_RESTART_DOCKER"),
    reason="stops and restarts this machine's Docker daemon: runs in CI, or with "
    "REWARD_TEST_RESTART_DOCKER=1",
)
def test_the_docker_daemon_stopped_and_restarted(service, tmp_path):
    pid, command = dockerd()
    os.kill(pid, signal.SIGTERM)
    try:
        assert wait_for(lambda: exited(pid), 60)
        code, *math = httpx.post(
            service.url + "/v1/score", json={"items": [SLEEPY_CODE, *math_items(3)]}, timeout=60
        ).json()["results"]
        assert code["details"]["status"] == "unjudged", code
        assert code["details"]["reason"] == "sandbox_error"
        assert [r["scores"]["accuracy"] for r in math] == [1.0] * 3
        assert httpx.get(service.url + "/health").status_code == 200
    finally:
        with open(tmp_path / "dockerd.log", "w") as log:
            subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        assert wait_for(daemon_answers, 60)

    def code_scored() -> bool:
        reply = httpx.post(service.url + "/v1/score", json={"items": [SLEEPY_CODE]}, timeout=60)
        return reply.json()["results"][0]["scores"]["accuracy"] == 1.0

    assert wait_for(code_scored, 60)

    def pool_whole_and_clean() -> bool:
        owned = owned_containers(service.process.pid)
        return len(owned) == 2 and all(c.status == "running" for c in owned)

    assert wait_for(pool_whole_and_clean, 60)
