"""docker-compose.yml for real, started with the README's own command: build, up, wait for
health, score math and code (hostile code too) over HTTP from the host, check the lockdown,
survive a killed sandbox service, then `docker-compose down` and check nothing is left."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import docker
import httpx
import pytest

from tests.conftest import free_port, sandbox_containers_owned_by

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[1]
PROJECT_LABEL = "com.docker.compose.project"
# Not the default (one per core), to show that settings pass through to the containers.
POOL_SIZE = 3


def readme_command() -> str:
    section = (ROOT / "README.md").read_text().split("## Deploy with docker-compose", 1)[1]
    return re.search(r"```bash\n(.+?)\n```", section, re.S)[1]


def code_item(program: str, stdin: str = "1 2\n", stdout: str = "3\n", **tests) -> dict:
    return {
        "task": "code",
        "response": f"</think>\n```python\n{program}\n```",
        "tests": {"cases": [{"stdin": stdin, "stdout": stdout}], "timeout_s": 2, **tests},
    }


ADD = code_item("print(sum(map(int, input().split())))")
# Prints "sealed" only if it reaches no Docker socket and nothing on any network: a score of 1
# says the program ran and found every door shut.
PROBE = code_item(
    """
import os, socket, urllib.request
reached = [p for p in ("/var/run/docker.sock", "/run/docker.sock") if os.path.exists(p)]
for url in ("http://sandbox:8001/health", "http://reward:8000/health",
            "http://172.17.0.1:8000/health", "http://1.1.1.1/"):
    try:
        urllib.request.urlopen(url, timeout=1)
        reached.append(url)
    except Exception:
        pass
print("sealed" if not reached else "reached " + " ".join(reached))
""",
    stdin="",
    stdout="sealed\n",
)
FORK_BOMB = code_item("import os\nwhile True:\n    os.fork()")
EXIT_BEFORE_ASSERTS = {
    "task": "code",
    "response": "</think>\n```python\ndef add(a, b):\n    return 0\nimport sys\nsys.exit(0)\n```",
    "tests": {"assert_code": "def check(f):\n    assert f(1, 2) == 3", "entry_point": "add"},
}
KILL_THE_SANDBOX_SERVICE = """
import os, signal
for pid in filter(str.isdigit, os.listdir("/proc")):
    if b"sandbox\\0serve" in open(f"/proc/{pid}/cmdline", "rb").read():
        os.kill(int(pid), signal.SIGKILL)
"""
MATH = {"response": r"<think>6/4</think> \boxed{\frac{3}{2}}", "answer": "1.5"}


def compose(project: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["docker-compose", "--project-name", project, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def container(project: str, service: str):
    (found,) = docker.from_env().containers.list(
        all=True,
        filters={"label": [f"{PROJECT_LABEL}={project}", f"com.docker.compose.service={service}"]},
    )
    return found


def sandbox_containers_of(hostname: str) -> list:
    return sandbox_containers_owned_by(hostname + "/")


def wait_healthy(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(1)
    raise AssertionError(f"{url} did not become healthy in {seconds} s")


def score(url: str, *items: dict) -> list[dict]:
    reply = httpx.post(url + "/v1/score", json={"items": list(items)}, timeout=120)
    assert reply.status_code == 200, reply.text
    return reply.json()["results"]


def test_the_compose_deployment_scores_math_and_code_and_leaves_nothing_behind():
    project = f"rewardtest{os.getpid()}"
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "COMPOSE_PROJECT_NAME": project,
        "REWARD_SERVICE_PORT": str(port),
        "REWARD_SANDBOX__POOL_SIZE": str(POOL_SIZE),
    }
    url = f"http://127.0.0.1:{port}"
    started = subprocess.run(
        ["bash", "-c", readme_command()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    try:
        assert started.returncode == 0, started.stdout[-3000:] + started.stderr[-3000:]
        wait_healthy(url)
        assert httpx.get(url + "/health").json()["sandbox"] == "docker"

        check_lockdown(project)
        math, add, probe, bomb, early_exit = score(
            url, MATH, ADD, PROBE, FORK_BOMB, EXIT_BEFORE_ASSERTS
        )
        assert math["scores"]["accuracy"] == 1.0
        assert add["scores"]["accuracy"] == 1.0, add["details"]
        assert probe["scores"]["accuracy"] == 1.0, probe["details"]
        for hostile in (bomb, early_exit):
            assert hostile["scores"]["accuracy"] == 0.0, hostile["details"]
            assert hostile["details"]["status"] == "scored"
        (add,) = score(url, ADD)
        assert add["scores"]["accuracy"] == 1.0, "the pool did not survive the hostile programs"

        check_a_killed_sandbox_service_restarts_and_removes_its_leftovers(project, url)
        sandbox_host = container(project, "sandbox").attrs["Config"]["Hostname"]
        assert len(sandbox_containers_of(sandbox_host)) == POOL_SIZE
    finally:
        down = compose(project, "down", "--timeout", "30", env=env)
    assert down.returncode == 0, down.stderr
    assert (
        docker.from_env().containers.list(all=True, filters={"label": f"{PROJECT_LABEL}={project}"})
        == []
    )
    assert sandbox_containers_of(sandbox_host) == []
    assert docker.from_env().networks.list(filters={"label": f"{PROJECT_LABEL}={project}"}) == []


def check_lockdown(project: str) -> None:
    reward = container(project, "reward").attrs
    sandbox = container(project, "sandbox").attrs
    for attrs in (reward, sandbox):
        host = attrs["HostConfig"]
        assert host["ReadonlyRootfs"] is True
        assert host["CapDrop"] == ["ALL"] and not host["CapAdd"]
        assert host["Privileged"] is False
        assert "no-new-privileges:true" in host["SecurityOpt"]
        assert host["Memory"] > 0 and host["PidsLimit"] > 0
        assert host["RestartPolicy"]["Name"] == "unless-stopped"
        assert attrs["Config"]["Healthcheck"]["Test"]
    assert reward["Config"]["User"] == "65534:65534"
    # The service image carries Python, not the sandbox's compilers.
    no_toolchain = "import shutil, sys; sys.exit(any(map(shutil.which, sys.argv[1:])))"
    probe = container(project, "reward").exec_run(
        ["python3", "-c", no_toolchain, "g++", "javac", "node", "go", "rustc"]
    )
    assert probe.exit_code == 0, "the service image has a compiler"
    assert not any("docker.sock" in mount["Source"] for mount in reward["Mounts"])
    assert [m["Destination"] for m in sandbox["Mounts"]] == ["/var/run/docker.sock"]
    # The sandbox service is reachable from `reward` only: no published port, internal network.
    assert not any(sandbox["NetworkSettings"]["Ports"].values())
    (network,) = sandbox["NetworkSettings"]["Networks"]
    assert docker.from_env().networks.get(network).attrs["Internal"] is True


def check_a_killed_sandbox_service_restarts_and_removes_its_leftovers(
    project: str, url: str
) -> None:
    sandbox = container(project, "sandbox")
    hostname = sandbox.attrs["Config"]["Hostname"]
    before = {c.id for c in sandbox_containers_of(hostname)}
    assert len(before) == POOL_SIZE
    # SIGKILL to the service under docker-init: no chance to clean up, the container exits.
    sandbox.exec_run(["python3", "-c", KILL_THE_SANDBOX_SERVICE])

    def restarted_clean() -> bool:
        current = {c.id for c in sandbox_containers_of(hostname)}
        return bool(current) and not current & before

    deadline = time.monotonic() + 120
    while not restarted_clean():
        assert time.monotonic() < deadline, "the sandbox service did not restart and clean up"
        time.sleep(1)
    deadline = time.monotonic() + 60
    while True:
        (add,) = score(url, ADD)
        if add["scores"]["accuracy"] == 1.0:
            return
        assert time.monotonic() < deadline, json.dumps(add["details"])
        time.sleep(1)
