"""Special judges (checkers), run for real in the Docker sandbox after each program run."""

from __future__ import annotations

import pytest

from tests.sandbox.helpers import code_item, score

pytestmark = pytest.mark.docker

# Print any two non-negative integers that sum to n: many outputs are right.
TWO_SUMMANDS = """
def check(input, expected, output):
    n = int(input)
    parts = output.split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return False
    return int(parts[0]) + int(parts[1]) == n
"""
CASES = [{"stdin": "10\n", "stdout": "5 5\n"}, {"stdin": "7\n", "stdout": "3 4\n"}]


def with_checker(program: str, checker: str = TWO_SUMMANDS, cases=CASES, **tests) -> dict:
    return code_item(program, cases=cases, checker=checker, **tests)


def test_different_correct_outputs_pass_and_a_wrong_one_fails(client):
    results = score(
        client,
        with_checker("n = int(input())\nprint(0, n)"),
        with_checker("n = int(input())\nprint(n // 2, n - n // 2)"),
        with_checker("n = int(input())\nprint(n, 1)"),
    )
    assert [r["scores"]["accuracy"] for r in results] == [1.0, 1.0, 0.0]
    assert results[2]["details"]["reason"] == "wrong_answer"


@pytest.mark.parametrize(
    ("checker", "message"),
    [
        ("def check(input, expected, output):\n    return int(output) > 0", "ValueError"),
        ("def check(input, expected, output):\n    return 'yes'", "not a bool"),
        ("def judge(input, expected, output):\n    return True", "KeyError"),
        ("def check(input, expected, output):\n    while True:\n        pass", "timed out"),
    ],
    ids=["raises", "not-a-bool", "no-check", "loops"],
)
def test_a_failing_checker_leaves_the_item_unjudged(client, checker, message):
    (result,) = score(client, with_checker("print('5 5')", checker, cases=CASES[:1]))
    assert result["scores"]["accuracy"] is None
    assert result["details"]["status"] == "unjudged"
    assert result["details"]["reason"] == "checker_error"
    assert message in result["details"]["message"]
    assert "/opt/reward" not in result["details"]["message"]  # the judge's own files


def test_a_case_failed_outright_decides_despite_a_failing_checker(client):
    checker = "def check(input, expected, output):\n    return int(output.split()[0]) >= 0"
    cases = [{"stdin": "1\n", "stdout": "1\n"}, {"stdin": "2\n", "stdout": "2\n"}]
    program = "n = int(input())\nprint('x' if n == 2 else n)\nimport sys\nsys.exit(n == 1)"
    (result,) = score(client, with_checker(program, checker, cases=cases))
    assert (result["scores"]["accuracy"], result["details"]["reason"]) == (0.0, "runtime_error")


def test_a_checker_may_answer_one_or_zero(client):
    checker = "def check(input, expected, output):\n    return int(output.split()[0] == '5')"
    results = score(
        client,
        with_checker("print(5, 5)", checker, cases=CASES[:1]),
        with_checker("print(4, 6)", checker, cases=CASES[:1]),
    )
    assert [r["scores"]["accuracy"] for r in results] == [1.0, 0.0]


def test_fraction_scoring_with_a_checker(client):
    (result,) = score(client, with_checker("print(5, 5)", scoring="fraction"))
    assert result["scores"]["accuracy"] == 0.5


def test_checker_hacks_fail(client):
    hacks = {
        # The right answer to another case.
        "another-case": "input()\nprint(5, 5)",
        # A flood: the output limit stops it before any checker sees it.
        "flood": "import sys\nsys.stdout.write('5 5\\n' * 10_000_000)",
        # Exit cleanly before printing anything.
        "exit-early": "import sys\nsys.exit(0)\nprint(0, int(input()))",
        # Try to make the checker crash (unjudged instead of 0): this checker is robust.
        "crash-the-checker": "print('\\x00' * 100 + ' ' + '9' * 5000)",
    }
    results = score(client, *(with_checker(code) for code in hacks.values()))
    got = {
        name: (r["scores"]["accuracy"], r["details"]["status"])
        for name, r in zip(hacks, results, strict=True)
    }
    assert got == dict.fromkeys(hacks, (0.0, "scored"))


def test_the_program_cannot_read_the_expected_outputs(client):
    """With a checker, expected outputs enter the sandbox, but only the checker sees them."""
    checker = "def check(input, expected, output):\n    return output.strip() == expected.strip()"
    cases = [{"stdin": "", "stdout": "Zq7-expected-output-secret\n"}]
    snoop = r"""
import os
found = set()
for pid in filter(str.isdigit, os.listdir("/proc")):
    for name in ("cmdline", "environ", "mem"):
        try:
            with open(f"/proc/{pid}/{name}", "rb") as handle:
                data = handle.read(1 << 20)
        except OSError:
            continue
        at = data.find(b"Zq7-expected")
        if at >= 0:
            found.add(data[at : at + 26].decode())
for root in ("/work", "/tmp", "/opt/reward"):
    for folder, _, files in os.walk(root):
        for name in files:
            try:
                data = open(os.path.join(folder, name), "rb").read()
            except OSError:
                continue
            at = data.find(b"Zq7-expected")
            if at >= 0:
                found.add(data[at : at + 26].decode())
print(*found)
"""
    (result,) = score(client, with_checker(snoop, checker, cases=cases))
    assert result["scores"]["accuracy"] == 0.0, result["details"]


def test_a_daemon_left_by_the_program_cannot_touch_the_checker(client):
    """A child that hunts the checker's process would kill it (and make the item unjudged
    rather than 0) if it survived the program: the runner kills it first."""
    program = """
import os, signal, time
n = int(input())
print(0, n, flush=True)
if os.fork() == 0:
    os.setsid()
    end = time.time() + 20
    while time.time() < end:
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if b"checker.py" in open(f"/proc/{pid}/cmdline", "rb").read():
                    os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass
"""
    (result,) = score(client, with_checker(program))
    assert result["scores"]["accuracy"] == 1.0, result["details"]
