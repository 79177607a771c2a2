"""A busy or shared host never turns a correct program into a zero: process limits are per
container (each has uids of its own, across services on one daemon), and time verdicts are
the program's own CPU time, so that load, starvation or a paused container is the machine's
fault, never the response's."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import docker
import httpx
import pytest

from reward_service.sandbox.containers import UID_LABEL, sandbox_containers
from tests.conftest import pid_owner, running_server, sandbox_containers_owned_by
from tests.sandbox.helpers import ADD_CPP, ADD_PY, add_cases, code_item, score, score_one
from tests.sandbox.test_languages import PROGRAMS

pytestmark = pytest.mark.docker

# Holds every process it may have (processes: 32) for a few seconds, then answers wrong.
FORK_HOLDER = r"""
import os, time
children = []
try:
    while True:
        pid = os.fork()
        if pid == 0:
            time.sleep(4)
            os._exit(0)
        children.append(pid)
except OSError:
    pass
time.sleep(4)
print(len(children))
"""
# Needs 20 processes at once, and then answers right.
FORKS_TWENTY = r"""
import os, time
a, b = map(int, input().split())
children = []
for _ in range(20):
    pid = os.fork()
    if pid == 0:
        time.sleep(0.5)
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
print(a + b)
"""


def holders(count: int) -> list[dict]:
    return [code_item(FORK_HOLDER, cases=[{"stdin": "", "stdout": "-1\n"}]) for _ in range(count)]


def needing_processes() -> list[dict]:
    java = PROGRAMS["java"]["correct"]
    return [
        code_item(FORKS_TWENTY, cases=add_cases(), processes=32),
        code_item(java, "java", cases=add_cases(), processes=32),
    ]


def test_every_live_container_has_uids_no_other_holds(client):
    second = {"REWARD_SANDBOX__BACKEND": "docker", "REWARD_SANDBOX__POOL_SIZE": "3"}
    with running_server(second, workers=1):
        uids = [int(c["Labels"][UID_LABEL]) for c in sandbox_containers(docker.from_env())]
        assert len(uids) >= 5
        assert len(set(uids)) == len(uids)
        # The judge's uid is the next one: pairs must not overlap either.
        assert len(set(uids) | {uid + 1 for uid in uids}) == 2 * len(uids)


def test_a_submission_runs_as_its_containers_uid(client):
    code = "import os\nprint(os.getuid(), os.getgid(), os.getgroups())"
    labels = {c["Labels"][UID_LABEL] for c in sandbox_containers(docker.from_env())}
    for _ in range(4):
        result = score_one(client, code_item(code, cases=[{"stdin": "", "stdout": "x"}]))
        uid, gid, groups = result["details"]["failures"][0]["excerpt"].split(" ", 2)
        assert uid in labels and gid == uid and groups.strip() == "[]"


def test_a_fork_holder_cannot_fail_correct_programs_in_other_containers(client):
    """Two containers at once: one holds all the processes it may have while the others
    start processes and threads. With one uid for every container the kernel's per-uid
    process count was shared, and the JVM failed to start threads (EAGAIN)."""
    results = score(client, *holders(1), *needing_processes())
    assert results[0]["scores"]["accuracy"] == 0.0
    assert [r["scores"]["accuracy"] for r in results[1:]] == [1.0, 1.0], results[1:]


def test_another_services_fork_holders_cannot_fail_this_ones_programs(client):
    """Two services on one Docker daemon: one full of fork holders, the other judging."""
    second = {"REWARD_SANDBOX__BACKEND": "docker", "REWARD_SANDBOX__POOL_SIZE": "2"}
    with running_server(second, workers=1) as other:
        with httpx.Client(base_url=other.url, timeout=120) as other_client:
            holding = threading.Thread(target=score, args=(other_client, *holders(4)))
            holding.start()
            time.sleep(1.0)
            try:
                results = score(client, *needing_processes(), *needing_processes())
            finally:
                holding.join()
    assert [r["scores"]["accuracy"] for r in results] == [1.0] * 4, results


@pytest.fixture
def oversubscribed() -> Iterator[None]:
    """Eight busy processes per core for the duration of the test."""
    busy = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(8 * (os.cpu_count() or 1))
    ]
    try:
        time.sleep(0.5)
        yield
    finally:
        for process in busy:
            process.kill()
            process.wait()


@pytest.mark.slow
def test_correct_programs_in_every_language_pass_on_an_oversubscribed_machine(
    client, oversubscribed
):
    items = [code_item(ADD_PY, cases=add_cases()), code_item(ADD_CPP, "cpp", cases=add_cases())]
    items += [
        code_item(PROGRAMS[language]["correct"], language, cases=add_cases())
        for language in ("java", "javascript", "go", "rust")
    ]
    # About a second of CPU time, within a two-second limit: several seconds of wall time here.
    heavy = "n = 0\nfor i in range(12_000_000):\n    n += i\nprint(n)"
    items.append(
        code_item(
            heavy, cases=[{"stdin": "", "stdout": f"{sum(range(12_000_000))}\n"}], timeout_s=2
        )
    )
    results = score(client, *items)
    failed = [r for r in results if r["scores"]["accuracy"] != 1.0]
    assert not failed, [(r["details"]["reason"], r["details"]["failures"]) for r in failed]


SLOW = {
    "busy-loop": "while True:\n    pass",
    "sleeps-past-its-limit": "import time\ntime.sleep(30)\nprint(3)",
    "blocks-on-a-pipe": "import os\nr, w = os.pipe()\nos.read(r, 1)",
    # Busy children while the parent waits: CPU time over all processes counts.
    "busy-children": (
        "import os\n"
        "for _ in range(4):\n"
        "    if os.fork() == 0:\n"
        "        while True:\n"
        "            pass\n"
        "os.wait()"
    ),
    # A task kept runnable but starved (lowest priority, behind busy siblings the kernel reaps
    # itself with SIGCHLD ignored, so that no count of live or reaped processes sees their CPU
    # time): it looks starved by the machine, but the container's cgroup counts it all.
    "hidden-busy-children": (
        "import os, signal, time\n"
        "os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})\n"
        "if os.fork() == 0:\n"
        "    signal.signal(signal.SIGCHLD, signal.SIG_IGN)\n"
        "    while True:\n"
        "        try:\n"
        "            if os.fork() == 0:\n"
        "                end = time.process_time() + 0.3\n"
        "                while time.process_time() < end:\n"
        "                    pass\n"
        "                os._exit(0)\n"
        "        except OSError:\n"
        "            pass\n"
        "        time.sleep(0.01)\n"
        "os.nice(19)\n"
        "while True:\n"
        "    pass"
    ),
    # Threads starving each other and the main thread: still its own CPU time.
    "self-starving-threads": (
        "import threading, time\n"
        "for _ in range(3):\n"
        "    threading.Thread(target=lambda: [0 for _ in iter(int, 1)], daemon=True).start()\n"
        "time.sleep(60)"
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SLOW))
def test_slow_programs_time_out_on_a_busy_machine_too(client, oversubscribed, name):
    """The program's own doing stays its fault under load: a timeout, never unjudged."""
    item = code_item(SLOW[name], cases=[{"stdin": "", "stdout": "3\n"}], timeout_s=1)
    result = score_one(client, item)
    assert (result["scores"]["accuracy"], result["details"]["reason"]) == (0.0, "timeout"), result


def test_a_paused_container_is_not_the_programs_time(one_container, one_client):
    """`docker pause` freezes the container mid-run for longer than the program's limits;
    the program's CPU time and idle time do not grow meanwhile, so it still passes."""
    # About 0.6 s of CPU time and 0.5 s asleep, within a one-second limit (backstop 3 s).
    code = (
        "import time\nn = 0\nfor i in range(6_000_000):\n    n += i\ntime.sleep(0.5)\nprint(n % 7)"
    )
    item = code_item(
        code, cases=[{"stdin": "", "stdout": f"{sum(range(6_000_000)) % 7}\n"}], timeout_s=1
    )
    (container,) = sandbox_containers_owned_by(pid_owner(one_container.process.pid))

    def pause_for_a_while() -> None:
        time.sleep(0.2)
        container.pause()
        time.sleep(5)
        container.unpause()

    pausing = threading.Thread(target=pause_for_a_while)
    pausing.start()
    try:
        result = score_one(one_client, item)
    finally:
        pausing.join()
    assert result["scores"]["accuracy"] == 1.0, result["details"]


# Found by a second blind attack: a program that makes the runner read for it (tee into its
# stderr costs the program nothing), at the idle scheduling policy, pinned to the runner's CPU,
# stays runnable but unrun: it looked starved by the machine, twice, and came back unjudged.
TEE_STARVE = r"""
import ctypes, fcntl, os
libc = ctypes.CDLL(None, use_errno=True)
fcntl.fcntl(2, 1031, 1 << 20)
r, w = os.pipe()
fcntl.fcntl(w, 1031, 1 << 20)
os.set_blocking(w, False)
try:
    while True:
        os.write(w, b"x" * 65536)
except BlockingIOError:
    pass
os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
runner = os.getppid()
for i in range(10**12):
    if i % 64 == 0:
        try:
            cpu = int(open(f"/proc/{runner}/stat").read().rpartition(")")[2].split()[36])
            os.sched_setaffinity(0, {cpu})
        except (OSError, ValueError, IndexError):
            pass
    libc.tee(r, 2, 1 << 20, 2)
"""
LOW_PRIORITY = {
    "tee-into-the-runner": TEE_STARVE,
    "idle-policy-busy-loop": (
        "import os\nos.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))\n"
        "while True:\n    pass"
    ),
    "niced-busy-loop": "import os\nos.nice(19)\nwhile True:\n    pass",
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(LOW_PRIORITY))
def test_a_program_that_lowers_its_own_priority_is_not_starved_by_the_machine(
    client, oversubscribed, name
):
    """Its wait for a CPU is its own choice: a timeout, on a busy machine too, never
    unjudged; and the runner's reading for it is its CPU time."""
    item = code_item(LOW_PRIORITY[name], cases=[{"stdin": "", "stdout": "3\n"}], timeout_s=5)
    started = time.monotonic()
    result = score_one(client, item)
    assert (result["scores"]["accuracy"], result["details"]["reason"]) == (0.0, "timeout"), result
    assert time.monotonic() - started < 60


def test_the_tests_busy_time_is_not_the_solutions_idle_time(client):
    """The solution waits while heavy tests compute: that is not the solution idling past
    its limit (a one-second limit, tests that take three)."""
    code = "def add(a, b):\n    return a + b\n"
    tests = (
        "def slow_reference(a, b):\n"
        "    n = 0\n"
        "    for i in range(10_000_000):\n"
        "        n += i\n"
        "    return a + b\n"
        "def check(candidate):\n"
        "    assert candidate(1, 2) == slow_reference(1, 2)\n"
        "    assert candidate(3, 4) == slow_reference(3, 4)\n"
    )
    result = score_one(client, code_item(code, assert_code=tests, entry_point="add", timeout_s=1))
    assert result["scores"]["accuracy"] == 1.0, result["details"]


def test_many_threads_waiting_on_each_other_spend_the_budget(client):
    """24 spinning threads on one CPU each wait most of the time: the budget is charged
    their CPU time, not the little that is left of the wall time once their waits are taken
    out."""
    spin = (
        "#include <thread>\n#include <vector>\n"
        "int main() { std::vector<std::thread> t; volatile long x = 0;\n"
        "  for (int i = 0; i < 24; i++) t.emplace_back([&] { for (;;) x++; });\n"
        "  for (auto& th : t) th.join(); }"
    )
    cases = [{"stdin": "", "stdout": "3\n"}] * 20
    result = score_one(client, code_item(spin, "cpp", cases=cases, timeout_s=1, budget_s=5))
    reasons = [f["reason"] for f in result["details"]["failures"]]
    assert reasons.count("time_budget") >= 12, reasons


def looping_items(count: int, timeout_s: float) -> list[dict]:
    case = {"stdin": "", "stdout": "1\n"}
    return [
        code_item(f"# {n}\nwhile True:\n    pass", cases=[case], timeout_s=timeout_s)
        for n in range(count)
    ]


def small_after_large(client: httpx.Client, large_items: list[dict]) -> tuple[dict, dict]:
    """A one-item request sent a second after `large_items`: its result, and when each
    request was answered, in seconds from the large one's start."""
    finished: dict[str, float] = {}
    started = time.monotonic()

    def send_large() -> None:
        score(client, *large_items)
        finished["large"] = time.monotonic() - started

    large = threading.Thread(target=send_large)
    large.start()
    time.sleep(1.0)
    (small,) = score(client, code_item(ADD_PY, cases=add_cases()))
    finished["small"] = time.monotonic() - started
    large.join()
    return small, finished


def test_a_small_request_takes_turns_with_a_large_one(one_container, one_client):
    """Thirty looping submissions once made a one-item request sent after them wait for all
    of them (50 s): a request's jobs now join the sandbox's queue a few at a time and
    containers go to the longest waiting job, so the small request waits for one job."""
    small, finished = small_after_large(one_client, looping_items(8, timeout_s=1))
    assert small["scores"]["accuracy"] == 1.0
    # The large request's jobs take a second or more each.
    assert finished["large"] > 7.0, finished
    assert finished["small"] < 4.5, finished


def test_a_request_leaves_a_container_to_the_others():
    """Two looping submissions given seconds each once held both containers of two, and a
    one-line program sent after them waited for one of them to end (59 s at budget_s 60)."""
    env = {"REWARD_SANDBOX__BACKEND": "docker", "REWARD_SANDBOX__POOL_SIZE": "2"}
    with (
        running_server(env, workers=1) as server,
        httpx.Client(base_url=server.url, timeout=120) as client,
    ):
        small, finished = small_after_large(client, looping_items(2, timeout_s=4))
    assert small["scores"]["accuracy"] == 1.0
    assert finished["large"] > 8.0, finished  # one loop after the other
    assert finished["small"] < 4.0, finished
