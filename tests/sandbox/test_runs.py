"""Code accuracy through /v1/score with the real Docker sandbox: verdicts and their details."""

from __future__ import annotations

import time

import pytest

from tests.sandbox.helpers import ADD_CPP, ADD_PY, add_cases, code_item, score, score_one

pytestmark = pytest.mark.docker


def test_python_stdio_passes_every_case(client):
    result = score_one(client, code_item(ADD_PY, cases=add_cases()))
    assert result["scores"]["accuracy"] == 1.0
    details = result["details"]
    assert (details["passed"], details["total"], details["failures"]) == (2, 2, [])
    assert details["sandbox"] == "docker"


def test_cpp_is_compiled_and_run(client):
    result = score_one(client, code_item(ADD_CPP, "cpp", cases=add_cases()))
    assert result["scores"]["accuracy"] == 1.0


def test_cpp_compile_error_is_reported(client):
    result = score_one(client, code_item("int main() { return x; }", "cpp", cases=add_cases()))
    assert result["scores"]["accuracy"] == 0.0
    assert result["details"]["reason"] == "compile_error"
    assert "x" in result["details"]["failures"][0]["excerpt"]


def test_one_wrong_case_fails_the_item_and_says_which(client):
    code = "a, b = map(int, input().split())\nprint(3)"
    result = score_one(client, code_item(code, cases=add_cases()))
    assert result["scores"]["accuracy"] == 0.0
    details = result["details"]
    assert (details["passed"], details["total"]) == (1, 2)
    assert details["failures"] == [{"case": 1, "reason": "wrong_answer", "excerpt": "3\n"}]


@pytest.mark.parametrize(
    ("printed", "expected", "accuracy"),
    [
        ("print('1 2  ')\nprint()\nprint()", "1 2\n", 1.0),
        ("print('1 2\\r')", "1 2\n", 1.0),
        ("print(' 1 2')", "1 2\n", 0.0),
        ("print('1 2')\nprint('extra')", "1 2\n", 0.0),
        ("print('1')", "1\n2\n", 0.0),
        ("print('1  2')", "1 2\n", 0.0),
    ],
    ids=[
        "trailing-space-and-blank-lines",
        "crlf",
        "leading-space",
        "extra-line",
        "truncated",
        "inner-space",
    ],
)
def test_output_comparison(client, printed, expected, accuracy):
    result = score_one(client, code_item(printed, cases=[{"stdin": "", "stdout": expected}]))
    assert result["scores"]["accuracy"] == accuracy


def test_compare_modes_and_partial_credit_through_the_api(client):
    code = "print(1/3)\nprint('a  b')"
    cases = [{"stdin": "", "stdout": "0.333333\na b\n"}]
    exact, tokens, floats = score(
        client,
        code_item(code, cases=cases),
        code_item(code, cases=cases, compare="tokens"),
        code_item(code, cases=cases, compare={"float": {"abs": 1e-6, "rel": 0}}),
    )
    assert [r["scores"]["accuracy"] for r in (exact, tokens, floats)] == [0.0, 0.0, 1.0]
    half = code_item(
        "print(input())",
        cases=[{"stdin": "1", "stdout": "1"}, {"stdin": "2", "stdout": "3"}],
        scoring="fraction",
    )
    (result,) = score(client, half)
    assert result["scores"]["accuracy"] == 0.5
    assert result["details"]["scoring"] == "fraction"
    assert (result["details"]["passed"], result["details"]["total"]) == (1, 2)


def test_humaneval_style_asserts(client):
    tests = "def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(-3) == 9\n"
    right = code_item("def square(x):\n    return x * x", assert_code=tests, entry_point="square")
    wrong = code_item("def square(x):\n    return 2 * x", assert_code=tests, entry_point="square")
    missing = code_item("def cube(x):\n    return x ** 3", assert_code=tests, entry_point="square")
    results = score(client, right, wrong, missing)
    assert [r["scores"]["accuracy"] for r in results] == [1.0, 0.0, 0.0]
    assert [r["details"]["reason"] for r in results] == [None, "wrong_answer", "runtime_error"]


@pytest.mark.parametrize(
    ("tests", "status", "shown"),
    [
        ("def check(candidate)\n    assert candidate(2) == 4", "unjudged", "SyntaxError"),
        ("def check(candidate):\n    assert candidate(2) == 5, 'two'", "scored", "two"),
        ("def check(candidate):\n    {}['key']", "scored", "KeyError"),
    ],
    ids=["do-not-compile", "fail", "raise"],
)
def test_errors_of_the_tests_show_their_own_lines_not_the_judges(client, tests, status, shown):
    """The judge's own frames and files once showed in what a failing test said."""
    item = code_item("def square(x):\n    return x * x", assert_code=tests, entry_point="square")
    details = score_one(client, item)["details"]
    said = details.get("message") or details["failures"][0]["excerpt"]
    assert details["status"] == status
    assert shown in said and "tests.py" in said, said
    assert "/opt/reward" not in said and "Traceback" not in said, said


def test_stdio_cases_and_asserts_together(client):
    code = "def add(a, b):\n    return a + b\nif __name__ == '__main__':\n    print(add(*map(int, input().split())))"
    tests = "def check(candidate):\n    assert candidate(1, 1) == 2\n"
    item = code_item(code, cases=add_cases(), assert_code=tests, entry_point="add")
    result = score_one(client, item)
    assert result["details"]["total"] == 3
    # The module is imported as `solution` under the harness, so only the stdio runs print.
    assert result["scores"]["accuracy"] == 1.0


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("import time\ntime.sleep(30)", "timeout"),
        ("while True:\n    pass", "timeout"),
        ("x = bytearray(600 * 1024 * 1024)\nprint(len(x))", "memory"),
        ("while True:\n    print('spam' * 1000)", "output_limit"),
        ("raise ValueError('boom')", "runtime_error"),
    ],
    ids=["sleep", "busy-loop", "memory", "output-flood", "exception"],
)
def test_limits_give_the_right_reason(client, code, reason):
    result = score_one(client, code_item(code, cases=[{"stdin": "", "stdout": "x\n"}], timeout_s=1))
    assert result["scores"]["accuracy"] == 0.0
    assert result["details"]["reason"] == reason


def test_no_code_block_after_think_scores_zero(client):
    item = code_item(ADD_PY, cases=add_cases())
    item["response"] = "<think>```python\n" + ADD_PY + "\n```</think> I would print the sum."
    result = score_one(client, item)
    assert (result["scores"]["accuracy"], result["details"]["reason"]) == (0.0, "no_code")


def test_per_request_limits_apply_within_the_maxima(client):
    flood = "print('x' * 5000)"
    capped = code_item(flood, cases=[{"stdin": "", "stdout": "x" * 5000 + "\n"}], output_bytes=1000)
    roomy = code_item(flood, cases=[{"stdin": "", "stdout": "x" * 5000 + "\n"}])
    forks = "import os\npids = [os.fork() for _ in range(1)]\nprint('ok')"
    few = code_item(forks, cases=[{"stdin": "", "stdout": "ok\n"}], processes=1)
    results = score(client, capped, roomy, few)
    assert [r["details"]["reason"] for r in results] == ["output_limit", None, "runtime_error"]


def test_identical_submissions_in_a_batch_run_once(client):
    slow = "import time\ntime.sleep(1)\nprint(3)"
    items = [code_item(slow, cases=[{"stdin": "", "stdout": "3\n"}]) for _ in range(8)]
    started = time.monotonic()
    results = score(client, *items)
    elapsed = time.monotonic() - started
    assert all(r["scores"]["accuracy"] == 1.0 for r in results)
    assert elapsed < 3.5, f"8 identical 1 s submissions took {elapsed:.1f} s: not deduplicated"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timeout_s", 31),
        ("memory_mb", 4096),
        ("output_bytes", 2 << 20),
        ("file_bytes", 1 << 30),
        ("processes", 1000),
    ],
)
def test_limits_above_the_server_maximum_are_rejected(client, field, value):
    item = code_item(ADD_PY, cases=add_cases(), **{field: value})
    reply = client.post("/v1/score", json={"items": [item]})
    assert reply.status_code == 422
    assert f"items.0.tests.{field}" in reply.json()["message"]


@pytest.mark.parametrize(
    "tests",
    [
        {},
        {"assert_code": "def check(c): pass"},
        {"language": "cpp", "assert_code": "x", "entry_point": "f"},
        {"cases": [{"stdin": "1"}]},
        {"cases": [], "entry_point": "not an identifier", "assert_code": "x"},
    ],
    ids=[
        "no-tests",
        "asserts-without-entry-point",
        "cpp-asserts",
        "case-without-stdout",
        "bad-entry-point",
    ],
)
def test_invalid_code_references_are_422(client, tests):
    reply = client.post("/v1/score", json={"items": [{"response": "x", "tests": tests}]})
    assert reply.status_code == 422
    assert "items.0.tests" in reply.json()["message"]
