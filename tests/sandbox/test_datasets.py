"""The test formats users bring (APPS, TACO, PRIME `input_output`; LiveCodeBench `test_cases`),
judged for real in the Docker sandbox through /v1/score."""

from __future__ import annotations

import json

import pytest

from tests.sandbox.helpers import code_item, score, score_one

pytestmark = pytest.mark.docker

ADD_STDIO = "a, b = map(int, input().split())\nprint(a + b)"
APPS_STDIO = {"inputs": ["1 2\n", "40 2\n"], "outputs": ["3\n", "42\n"]}
# TACO stores some stdio tests as lists of lines.
TACO_LINES = {"inputs": [["2", "1 2"]], "outputs": [["3"]]}
APPS_CALL = {"fn_name": "add", "inputs": [[1, 2], [40, 2]], "outputs": [[3], [42]]}
PAIR_CALL = {"fn_name": "pair", "inputs": [[1], [2]], "outputs": [[[1, 1]], [[2, 2]]]}
# Expected [1, 1], not wrapped: APPS's checker also passes a return value equal to its first item.
UNWRAPPED_PAIR = {"fn_name": "pair", "inputs": [[1]], "outputs": [[1, 1]]}


def accuracies(client, *items: dict) -> list[float | None]:
    return [r["scores"]["accuracy"] for r in score(client, *items)]


@pytest.mark.parametrize("shape", [lambda tests: tests, json.dumps], ids=["object", "json-string"])
def test_apps_stdio_tests(client, shape):
    right = code_item(ADD_STDIO, input_output=shape(APPS_STDIO))
    wrong = code_item("print(3)", input_output=shape(APPS_STDIO))
    assert accuracies(client, right, wrong) == [1.0, 0.0]


def test_taco_tests_given_as_lists_of_lines(client):
    program = "input()\nprint(sum(map(int, input().split())))"
    assert accuracies(client, code_item(program, input_output=TACO_LINES)) == [1.0]


@pytest.mark.parametrize("shape", [lambda tests: tests, json.dumps], ids=["object", "json-string"])
def test_apps_call_based_tests(client, shape):
    right = code_item("def add(a, b):\n    return a + b", input_output=shape(APPS_CALL))
    wrong = code_item("def add(a, b):\n    return a * b", input_output=shape(APPS_CALL))
    results = score(client, right, wrong)
    assert [r["scores"]["accuracy"] for r in results] == [1.0, 0.0]
    assert results[1]["details"]["failures"][0]["excerpt"] == "returned 2"


def test_call_based_tests_take_a_leetcode_class_and_unwrap_one_element_lists(client):
    solution = "class Solution:\n    def pair(self, x):\n        return (x, x)"
    unwrapped = code_item("def pair(x):\n    return [x, x]", input_output=UNWRAPPED_PAIR)
    assert accuracies(client, code_item(solution, input_output=PAIR_CALL), unwrapped) == [1.0, 1.0]


def test_call_based_hacks_fail(client):
    """What beats a naive call-based checker does not beat this one."""
    hacks = {
        "always-equal": "class Any:\n    def __eq__(self, other):\n        return True\n"
        "def add(a, b):\n    return Any()",
        "exit-before-returning": "import sys\ndef add(a, b):\n    sys.exit(0)",
        "prints-the-answer": "def add(a, b):\n    print(a + b)\n    return None",
        # Returns the first element of a longer expected list (APPS's own checker takes it).
        "first-of-many": "def pair(x):\n    return x",
        "a-set": "def add(a, b):\n    return {a + b}",
        "not-defined": "def plus(a, b):\n    return a + b",
    }
    items = [
        code_item(code, input_output=UNWRAPPED_PAIR if name == "first-of-many" else APPS_CALL)
        for name, code in hacks.items()
    ]
    results = score(client, *items)
    assert {
        name: r["scores"]["accuracy"] for name, r in zip(hacks, results, strict=True)
    } == dict.fromkeys(hacks, 0.0)


def test_livecodebench_stdin_and_functional_tests(client):
    stdin_cases = [{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}]
    functional = [
        {"input": "[2, 7, 11, 15]\n9", "output": "[0, 1]", "testtype": "functional"},
        {"input": "[3, 2, 4]\n6", "output": "[1, 2]", "testtype": "functional"},
    ]
    two_sum = (
        "class Solution:\n    def twoSum(self, nums, target):\n"
        "        seen = {}\n        for i, n in enumerate(nums):\n"
        "            if target - n in seen:\n                return [seen[target - n], i]\n"
        "            seen[n] = i"
    )
    results = accuracies(
        client,
        code_item(ADD_STDIO, test_cases=json.dumps(stdin_cases)),
        code_item(two_sum, test_cases=functional, entry_point="twoSum"),
        code_item(
            two_sum.replace("[seen[target - n], i]", "[i, seen[target - n]]"),
            test_cases=functional,
            entry_point="twoSum",
        ),
    )
    assert results == [1.0, 1.0, 0.0]


def test_partial_credit_over_dataset_tests(client):
    half = code_item("def add(a, b):\n    return 3", input_output=APPS_CALL, scoring="fraction")
    (result,) = score(client, half)
    assert result["scores"]["accuracy"] == 0.5
    assert [f["case"] for f in result["details"]["failures"]] == [1]


@pytest.mark.parametrize(
    ("tests", "problem"),
    [
        ({"input_output": "{not json"}, "not valid JSON"),
        ({"input_output": {"inputs": ["1"], "outputs": []}}, "1 inputs but 0 outputs"),
        ({"input_output": {"inputs": [], "outputs": []}}, "no tests"),
        ({"input_output": {"inputs": [[1]], "outputs": [1], "fn_name": "f()"}}, "fn_name"),
        (
            {
                "test_cases": [{"input": "x", "output": "1", "testtype": "functional"}],
                "entry_point": "f",
            },
            "must be JSON",
        ),
        (
            {"test_cases": [{"input": "1", "output": "1", "testtype": "functional"}]},
            "need `entry_point`",
        ),
        ({"input_output": APPS_CALL, "language": "cpp"}, "Python only"),
        ({"input_output": APPS_CALL, "entry_point": "other"}, "differ"),
    ],
)
def test_malformed_dataset_tests_get_422(client, tests, problem):
    item = {"response": "```python\nx\n```", "tests": tests}
    reply = client.post("/v1/score", json={"items": [item]})
    assert reply.status_code == 422, reply.text
    assert problem in reply.json()["message"]


def test_many_large_returns_do_not_pile_up_in_the_service(one_container, one_client):
    """Call-based runs are compared as they arrive: 300 calls each printing a megabyte and
    returning another leave the service's memory as it was."""

    def resident_mb() -> float:
        status = open(f"/proc/{one_container.process.pid}/status").read()
        return int(status.split("VmRSS:")[1].split()[0]) / 1024

    code = "import sys\ndef f(x):\n    sys.stdout.write('A' * 1_000_000)\n    return 'B' * 900_000\n"
    calls = {"fn_name": "f", "inputs": [[i] for i in range(300)], "outputs": ["B"] * 300}
    before = resident_mb()
    result = score_one(one_client, code_item(code, input_output=calls))
    assert result["scores"]["accuracy"] == 0.0
    assert len(result["details"]["failures"]) == 20  # the first ones; all are counted
    assert (result["details"]["passed"], result["details"]["total"]) == (0, 300)
    assert resident_mb() - before < 150
