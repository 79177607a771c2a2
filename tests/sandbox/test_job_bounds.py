"""What one item may cost, and what happens when its container goes: a time budget per item,
output limits per case (never on the sum), jobs cancelled when their client hangs up, and
containers lost during a job told apart by who lost them."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlparse

import docker
import pytest

from tests.conftest import pid_owner, sandbox_containers_owned_by
from tests.sandbox.helpers import (
    ADD_PY,
    add_cases,
    code_item,
    replaced_containers,
    score,
    score_one,
)

pytestmark = pytest.mark.docker

# About 0.3 s of CPU time per case.
BUSY_CASE = "n = 0\nfor i in range(3_000_000):\n    n += i\nprint(input())"


def busy_cases(count: int) -> list[dict]:
    return [{"stdin": f"{i}\n", "stdout": f"{i}\n"} for i in range(count)]


def test_cases_past_the_items_time_budget_are_not_run(client):
    cases = busy_cases(12)
    strict, partial = score(
        client,
        code_item(BUSY_CASE, cases=cases, budget_s=1.0),
        code_item(BUSY_CASE, cases=cases, budget_s=1.0, scoring="fraction"),
    )
    assert (strict["scores"]["accuracy"], strict["details"]["reason"]) == (0.0, "time_budget")
    failures = strict["details"]["failures"]
    assert failures and all(f["reason"] == "time_budget" for f in failures)
    assert 1 <= strict["details"]["passed"] < 12
    assert 0 < partial["scores"]["accuracy"] < 1


def test_the_budget_spans_all_of_an_items_tests(client):
    """Stdio cases spend the budget; the assert tests after them find none left."""
    code = BUSY_CASE.replace("print(input())", "def f():\n    return 1\nprint(input())")
    item = code_item(
        code,
        cases=busy_cases(6),
        assert_code="def check(candidate):\n    assert candidate() == 1\n",
        entry_point="f",
        budget_s=0.8,
    )
    result = score_one(client, item)
    assert result["details"]["failures"][-1]["reason"] == "time_budget"


def test_a_budget_above_the_servers_maximum_is_refused(client):
    reply = client.post(
        "/v1/score", json={"items": [code_item(ADD_PY, cases=add_cases(), budget_s=10_000)]}
    )
    assert reply.status_code == 422
    assert "budget_s" in reply.json()["message"]


def test_large_output_over_many_cases_is_judged_case_by_case(client):
    """Each case within the per-run output limit; together far above anything a report of
    the whole job could hold."""
    program = "n = int(input())\nprint('x' * 1_000_000)"
    checker = "def check(input, expected, output):\n    return output.strip() == 'x' * 1_000_000"
    cases = [{"stdin": f"{i}\n", "stdout": ""} for i in range(70)]
    checked = code_item(program, cases=cases, checker=checker, timeout_s=2)
    exact = code_item(
        program, cases=[{"stdin": f"{i}\n", "stdout": "x" * 1_000_000 + "\n"} for i in range(20)]
    )
    for result in score(client, checked, exact):
        assert result["scores"]["accuracy"] == 1.0, result["details"]


def test_a_client_that_hangs_up_cancels_its_jobs(one_client):
    """Three items of 20 s each, then the client goes after a second: the one container is
    free for the next request at once, not after a minute."""
    spin = code_item("while True:\n    pass", cases=[{"stdin": "", "stdout": ""}], timeout_s=20)
    body = json.dumps({"items": [spin, spin, spin]}).encode()
    url = urlparse(str(one_client.base_url))
    with socket.create_connection((url.hostname, url.port)) as connection:
        connection.sendall(
            b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        time.sleep(1.0)
    started = time.monotonic()
    result = score_one(one_client, code_item(ADD_PY, cases=add_cases()))
    assert result["scores"]["accuracy"] == 1.0
    assert time.monotonic() - started < 8


KILL_THE_RUNNER = (
    "import os\n"
    "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
    "    if b'runner.py' in open(f'/proc/{pid}/cmdline', 'rb').read():\n"
    "        os.kill(int(pid), 9)\n"
)
# Two seconds asleep, then the right answer: time for something to happen to its container.
SLOW_ADD = "import time\ntime.sleep(2)\n" + ADD_PY


def runs_the_submission(container) -> bool:
    """Whether a job's programs run in the container (a container idle in the pool, or one
    not started yet, is no job's to lose)."""
    try:
        processes = container.top()["Processes"] or []
    except docker.errors.APIError:  # not running
        return False
    # The runner is root; a job's programs run as the container's own uids (the command
    # column, cut to the host's terminal width, cannot be relied on).
    return any(process[0] != "root" for process in processes)


@contextlib.contextmanager
def losing_containers(server, how: str, times: int) -> Iterator[set[str]]:
    """From outside the service, until the block ends: `times` times, while a job runs the
    submission, lose the container it runs in: its runner killed inside it ("runner"), or
    the container killed ("container"). Yields the ids of those lost."""
    lost: set[str] = set()
    done = threading.Event()

    def lose() -> None:
        while len(lost) < times and not done.wait(0.1):
            for container in sandbox_containers_owned_by(pid_owner(server.process.pid)):
                if container.id in lost or not runs_the_submission(container):
                    continue
                if how == "runner":
                    container.exec_run(["python3", "-c", KILL_THE_RUNNER], user="0:0")
                else:
                    container.kill()
                lost.add(container.id)

    thread = threading.Thread(target=lose)
    thread.start()
    try:
        yield lost
    finally:
        done.set()
        thread.join()


def score_losing(server, client, how: str, times: int) -> dict:
    """The slow right answer's result, its containers lost `times` times while it ran."""
    with losing_containers(server, how, times) as lost:
        result = score_one(client, code_item(SLOW_ADD, cases=add_cases()))
    assert len(lost) == times, (lost, result["details"])
    return result


@pytest.mark.parametrize("how", ["runner", "container"])
def test_a_container_lost_once_is_replaced_and_the_job_judged_again(one_container, one_client, how):
    result = score_losing(one_container, one_client, how, times=1)
    assert result["scores"]["accuracy"] == 1.0, result["details"]


def test_a_submission_whose_runner_dies_twice_is_at_fault(one_container, one_client):
    """Its runner gone while its container runs, in two containers: only the code in it (its
    memory) could do that, so the item scores 0 (`killed_sandbox`), not unjudged."""
    result = score_losing(one_container, one_client, "runner", times=2)
    assert (result["scores"]["accuracy"], result["details"]["reason"]) == (0.0, "killed_sandbox")


def test_containers_killed_from_outside_twice_leave_the_item_unjudged(one_container, one_client):
    result = score_losing(one_container, one_client, "container", times=2)
    assert result["scores"]["accuracy"] is None
    assert (result["details"]["status"], result["details"]["reason"]) == (
        "unjudged",
        "sandbox_error",
    )


# Found by a blind attack: each turned a wrong answer into `unjudged`, held a container for
# minutes, or grew the service's memory without bound.


@pytest.mark.parametrize(
    ("language", "code", "tests", "accuracy"),
    [
        # Locking the work dir breaks nothing: the next run starts from the built work dir.
        ("python", "import os\nprint(3)\nos.chmod('/work', 0)", {}, 1.0),
        (
            "python",
            "import os\ndef f(x):\n    os.chmod('/work', 0)\n    return x",
            {"input_output": {"fn_name": "f", "inputs": [[1], [2]], "outputs": [1, 2]}},
            1.0,
        ),
        # A removed binary is a changed build: its next run fails, the program's doing.
        (
            "cpp",
            '#include <unistd.h>\n#include <cstdio>\nint main() { unlink("/work/solution"); puts("3"); }',
            {},
            0.0,
        ),
    ],
    ids=["locked-work-dir", "locked-work-dir-call-based", "removed-binary"],
)
def test_a_program_cannot_break_its_next_run_into_unjudged(client, language, code, tests, accuracy):
    """What one run does to the work dir, the next does not start from; what it does to its
    own build fails the next run, its own doing, never the sandbox's."""
    tests = tests or {"cases": [{"stdin": "", "stdout": "3\n"}] * 2}
    result = score_one(client, code_item(code, language, **tests))
    assert (result["scores"]["accuracy"], result["details"]["status"]) == (accuracy, "scored")
    if accuracy == 0.0:
        assert result["details"]["failures"][0]["reason"] == "runtime_error"


def test_a_wipe_bomb_costs_seconds_not_the_container(one_client):
    """Every writable tmpfs filled with directories, as many as its inodes allow: emptying
    them reads each directory once, so the container is clear in seconds and kept."""
    code = (
        "import os\n"
        "for top in ('/work', '/tmp', '/dev/shm'):\n"
        "    i = 0\n"
        "    while True:\n"
        "        try:\n"
        "            os.mkdir(f'{top}/{i}')\n"
        "        except OSError:\n"
        "            break\n"
        "        i += 1\n"
        "print(-1)"
    )
    before = replaced_containers(one_client)
    started = time.monotonic()
    result = score_one(one_client, code_item(code, cases=add_cases()[:1], timeout_s=5))
    assert (result["scores"]["accuracy"], result["details"]["status"]) == (0.0, "scored")
    assert time.monotonic() - started < 30
    assert replaced_containers(one_client) == before


def test_many_large_outputs_do_not_pile_up_in_the_service(one_container, one_client):
    """Each run is compared when it arrives and only an excerpt is kept: 300 cases of 1 MiB
    of undecodable bytes (2 MB each once decoded) leave the service's memory as it was."""

    def resident_mb() -> float:
        status = open(f"/proc/{one_container.process.pid}/status").read()
        return int(status.split("VmRSS:")[1].split()[0]) / 1024

    flood = "import sys\nsys.stdout.buffer.write(b'\\xff' * (1 << 20))"
    cases = [{"stdin": "", "stdout": "x\n"}] * 300
    before = resident_mb()
    result = score_one(one_client, code_item(flood, cases=cases))
    assert result["scores"]["accuracy"] == 0.0 and result["details"]["passed"] == 0
    assert resident_mb() - before < 150
