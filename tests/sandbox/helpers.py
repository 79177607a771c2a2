"""Build code items and read their results, for the sandbox tests (which go through HTTP)."""

from __future__ import annotations

import httpx


def code_item(code: str, language: str = "python", **tests) -> dict:
    response = f"<think>Let me write it.</think>\n```{language}\n{code}\n```"
    return {"response": response, "tests": {"language": language, **tests}}


def add_cases() -> list[dict]:
    return [{"stdin": "1 2\n", "stdout": "3\n"}, {"stdin": "40 2\n", "stdout": "42\n"}]


def score(client: httpx.Client, *items: dict) -> list[dict]:
    reply = client.post("/v1/score", json={"items": list(items)})
    assert reply.status_code == 200, reply.text
    return reply.json()["results"]


def score_one(client: httpx.Client, item: dict) -> dict:
    (result,) = score(client, item)
    return result


ADD_PY = "a, b = map(int, input().split())\nprint(a + b)"
ADD_CPP = "#include <iostream>\nint main() { long a, b; std::cin >> a >> b; std::cout << a + b << '\\n'; }"


def replaced_containers(client: httpx.Client) -> float:
    """How many sandbox containers the service has replaced so far (its /metrics)."""
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("reward_sandbox_replaced_total "):
            return float(line.split()[1])
    raise AssertionError("no reward_sandbox_replaced metric")
