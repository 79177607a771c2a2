"""No request can stall the service or fail another item: the attacks, through real HTTP.

Each attack is sent while a probe asks `/health` every 20 ms; `/health` must answer within
100 ms (p99) throughout, and every item of the attacking request gets its own outcome.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections.abc import Callable

import httpx
import pytest

HEALTH_BOUND_S = 0.1


def health_while(client: httpx.Client, attack: Callable[[], httpx.Response]) -> tuple:
    """(the attack's response, the /health latencies measured meanwhile)."""
    latencies: list[float] = []
    done = threading.Event()

    def probe() -> None:
        with httpx.Client(base_url=str(client.base_url), timeout=30) as http:
            while not done.is_set():
                started = time.perf_counter()
                assert http.get("/health").status_code == 200
                latencies.append(time.perf_counter() - started)
                time.sleep(0.02)

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        response = attack()
    finally:
        done.set()
        prober.join()
    return response, latencies


def p99(latencies: list[float]) -> float:
    """The 99th percentile; 0 when the attack ended before the first probe."""
    if len(latencies) < 2:
        return max(latencies, default=0.0)
    return statistics.quantiles(latencies, n=100)[98]


def score(client: httpx.Client, items: list[dict]) -> Callable[[], httpx.Response]:
    return lambda: client.post("/v1/score", json={"items": items}, timeout=300)


ATTACKS = {
    # The exact-number fast path once backtracked quadratically through the spaces.
    "reference-of-spaces": [
        {"response": r"</think> \boxed{1}", "answer": "1" + " " * 99_000 + "x"}
    ],
    # Hedge words once looked ahead through every space after them.
    "hedge-before-spaces": [
        {"response": r"</think> \boxed{1} over" + " " * 150_000 + "x", "answer": "1"}
    ],
    # Final-answer extraction of 1 MB final parts ran in the event loop (16 distinct ones here:
    # parsing a body near the 64 MiB limit still holds the loop ~0.2 s, which issue 19 keeps).
    "huge-final-parts": [
        {"response": r"\boxed{1} " * 99_000 + str(n), "answer": "1"} for n in range(16)
    ],
}
# Still holding the loop past the bound (issue 19, open): validating and answering 16,384
# items (~0.5 s; it was 4.5 s), and parsing a body near the 64 MiB limit (~0.2 s of JSON).
NOT_YET = {
    "most-items": [
        {"response": rf"</think> \boxed{{{n % 7}}}", "answer": str(n % 5)} for n in range(16_384)
    ],
}
ATTACKS.update(NOT_YET)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason="issue 19"))
        if name in NOT_YET
        else name
        for name in sorted(ATTACKS)
    ],
)
def test_health_answers_while_an_attack_is_scored(client, name):
    response, latencies = health_while(client, score(client, ATTACKS[name]))
    assert response.status_code == 200, response.text[:300]
    results = response.json()["results"]
    assert len(results) == len(ATTACKS[name])
    assert all(result["details"]["status"] == "scored" for result in results)
    assert p99(latencies) < HEALTH_BOUND_S, (name, latencies)


def test_an_openrlhf_query_of_spaces_does_not_stall(client):
    query = " " * 999_000 + "x"
    attack = lambda: client.post(  # noqa: E731
        "/get_reward", json={"query": [query], "labels": ["1"]}, timeout=120
    )
    response, latencies = health_while(client, attack)
    assert response.status_code == 200, response.text[:300]
    assert response.json()["rewards"] == [0.0]
    assert p99(latencies) < HEALTH_BOUND_S


def test_references_of_thousands_of_digits_fail_no_other_item(client):
    """Past Python's int-string limit (4300 digits) a reference once failed the whole batch."""
    big, long = "9" * 5_000, "7" * 990
    items = [
        {"response": rf"</think> \boxed{{{big}}}", "answer": big},
        {"response": r"</think> \boxed{8}", "answer": big},
        {"response": rf"</think> \boxed{{{long}}}", "answer": long},
        {"response": r"</think> \boxed{2}", "answer": "2"},
    ]
    response = client.post("/v1/score", json={"items": items}, timeout=120)
    assert response.status_code == 200, response.text[:300]
    outcomes = [
        (r["scores"]["accuracy"], r["details"]["reason"]) for r in response.json()["results"]
    ]
    assert outcomes == [(0.0, "answer_too_long"), (0.0, "wrong_answer"), (1.0, None), (1.0, None)]


@pytest.mark.parametrize(
    ("tests", "field"),
    [
        ({"input_output": "[" * 100_000 + "]" * 100_000}, "items.0.tests.input_output"),
        (
            {
                "test_cases": [
                    {"input": "[" * 50_000 + "]" * 50_000, "output": "1", "testtype": "functional"}
                ]
            },
            "items.0.tests.test_cases.0",
        ),
    ],
    ids=["input-output", "functional-case"],
)
def test_deeply_nested_test_data_is_a_4xx_naming_the_field(client, tests, field):
    body = {"items": [{"response": "```python\nprint(1)\n```", "tests": tests}]}
    response = client.post(
        "/v1/score", content=json.dumps(body), headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text[:300]
    assert field in response.text
    assert "Traceback" not in response.text
