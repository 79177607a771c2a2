"""The sandbox service (`reward-service sandbox serve`) and the scoring service's `remote`
backend, for real: two uvicorn processes, real containers, real HTTP between them."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner

from reward_service import cli
from tests.conftest import RunningServer, free_port, running_server
from tests.test_faults import metric, owned_containers, wait_for

pytestmark = pytest.mark.docker

TOKEN = "remote-test-token"
ADD = {
    "task": "code",
    "response": "```python\nprint(sum(map(int, input().split())))\n```",
    "tests": {"cases": [{"stdin": "1 2\n", "stdout": "3\n"}]},
}
WRONG = {**ADD, "response": "```python\nprint(4)\n```"}
MATH = {"response": r"</think> \boxed{\frac{6}{4}}", "answer": "3/2"}
JOB = {
    "language": "python",
    "code": "print(input())",
    "inputs": ["hi\n"],
    "limits": {
        "time_s": 2,
        "memory_mb": 128,
        "output_bytes": 4096,
        "file_bytes": 0,
        "processes": 4,
    },
    "harness": None,
}


@pytest.fixture(scope="module")
def sandbox_service() -> Iterator[RunningServer]:
    env = {"REWARD_SANDBOX__POOL_SIZE": "1", "REWARD_SERVICE_TOKEN": TOKEN}
    with running_server(env, command=("sandbox", "serve")) as running:
        yield running


@pytest.fixture(scope="module")
def scoring(sandbox_service: RunningServer) -> Iterator[RunningServer]:
    env = {
        "REWARD_SANDBOX__BACKEND": "remote",
        "REWARD_SANDBOX__URL": sandbox_service.url,
        "REWARD_SERVICE_TOKEN": TOKEN,
    }
    with running_server(env) as running:
        yield running


def score(server: RunningServer, *items: dict) -> list[dict]:
    reply = httpx.post(
        server.url + "/v1/score",
        json={"items": list(items)},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )
    assert reply.status_code == 200, reply.text
    return reply.json()["results"]


def test_code_is_judged_through_the_sandbox_service(scoring, sandbox_service):
    right, wrong, math = score(scoring, ADD, WRONG, MATH)
    assert right["scores"]["accuracy"] == 1.0
    assert right["details"]["sandbox"] == "docker"
    assert wrong["scores"]["accuracy"] == 0.0
    assert wrong["details"]["reason"] == "wrong_answer"
    assert math["scores"]["accuracy"] == 1.0
    # The scoring service reports the remote pool as the sandbox service last told it.
    assert metric(scoring, 'reward_sandbox_containers{state="idle"}', TOKEN) == 1.0


def test_the_sandbox_service_answers_only_with_the_token(sandbox_service):
    assert httpx.get(sandbox_service.url + "/health").status_code == 200
    refused = httpx.post(sandbox_service.url + "/v1/run", json=JOB)
    assert refused.status_code == 401


def test_the_sandbox_service_runs_a_job_and_reports_its_pool(sandbox_service):
    reply = httpx.post(
        sandbox_service.url + "/v1/run",
        json=JOB,
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    (run,) = body["report"]["runs"]
    assert (run["exit_code"], run["stdout"]) == (0, "hi\n")
    assert body["pool"]["size"] == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("time_s", 10_000), ("memory_mb", 1 << 20), ("processes", 100_000), ("output_bytes", -1)],
)
def test_jobs_past_the_sandbox_services_own_maxima_are_refused(sandbox_service, field, value):
    """A subverted scoring service still cannot hold containers longer or larger."""
    job = {**JOB, "limits": {**JOB["limits"], field: value}}
    reply = httpx.post(
        sandbox_service.url + "/v1/run", json=job, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert reply.status_code == 422
    assert f"limits.{field}" in reply.json()["message"]


def test_malformed_jobs_get_422_not_500(sandbox_service):
    for job in ({**JOB, "language": "cobol"}, {"code": "print(1)"}, [1, 2]):
        reply = httpx.post(
            sandbox_service.url + "/v1/run", json=job, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert reply.status_code == 422, reply.text


def test_code_is_unjudged_while_the_sandbox_service_is_down_and_judged_once_it_is_up():
    """The scoring service may start first (and the sandbox service may restart): code items
    are the service's fault meanwhile, math goes on."""
    port = free_port()
    env = {
        "REWARD_SANDBOX__BACKEND": "remote",
        "REWARD_SANDBOX__URL": f"http://127.0.0.1:{port}",
        "REWARD_SERVICE_TOKEN": TOKEN,
    }
    with running_server(env) as scoring:
        code, math = score(scoring, ADD, MATH)
        assert code["scores"]["accuracy"] is None
        assert code["details"]["status"] == "unjudged"
        assert code["details"]["reason"] == "sandbox_error"
        assert math["scores"]["accuracy"] == 1.0
        with running_server(
            {"REWARD_SANDBOX__POOL_SIZE": "1", "REWARD_SERVICE_TOKEN": TOKEN},
            command=("sandbox", "serve"),
            port=port,
        ):
            (code,) = score(scoring, ADD)
            assert code["scores"]["accuracy"] == 1.0


def test_a_stopped_sandbox_service_removes_its_containers():
    with running_server({"REWARD_SANDBOX__POOL_SIZE": "2"}, command=("sandbox", "serve")) as ran:
        assert len(owned_containers(ran.process.pid)) == 2
        ran.process.send_signal(signal.SIGTERM)
        assert ran.process.wait(timeout=30) in (0, -signal.SIGTERM)
        assert wait_for(lambda: owned_containers(ran.process.pid) == [], 10)


def test_remote_needs_a_url():
    result = CliRunner().invoke(cli.main, ["serve", "--sandbox", "remote"])
    assert result.exit_code == cli.EXIT_BAD_CONFIG
    assert "REWARD_SANDBOX__URL" in result.output
