"""The Python clients against a live service (and a scripted transport for retries)."""

from __future__ import annotations

import asyncio
import json
import socket

import httpx
import pytest

from reward_service.client import (
    AsyncRewardClient,
    RequestRejected,
    RewardClient,
    ServiceUnavailable,
)

RIGHT = "<think>6 * 7</think> \\boxed{42}"
WRONG = "<think>6 * 6</think> \\boxed{36}"


def group_items(groups: int, size: int) -> list[dict]:
    return [
        {"id": f"{g}-{i}", "group": f"g{g}", "answer": "42", "response": RIGHT if i % 2 else WRONG}
        for g in range(groups)
        for i in range(size)
    ]


def test_score_returns_typed_results_in_order(server):
    with RewardClient(server) as client:
        results = client.score(group_items(1, 4), weights={"accuracy": 2.0})
    assert [r.id for r in results] == ["0-0", "0-1", "0-2", "0-3"]
    assert [r.reward for r in results] == [0.0, 2.0, 0.0, 2.0]
    assert results[1].scores.accuracy == 1.0 and results[1].details.extracted == "42"


def test_batches_never_split_a_group(server):
    items = group_items(5, 4)
    with RewardClient(server, batch_size=6, concurrency=3) as client:
        results = client.score(items)
    assert [r.id for r in results] == [item["id"] for item in items]
    # Advantages are only right if each group of 4 was scored together.
    assert all(r.advantage == pytest.approx(1.0 if r.reward else -1.0, abs=1e-5) for r in results)


def test_async_client(server):
    async def main():
        async with AsyncRewardClient(server, batch_size=4, concurrency=2) as client:
            return await client.score(group_items(3, 4), template={"think_in_prompt": False})

    results = asyncio.run(main())
    assert [r.scores.accuracy for r in results] == [0.0, 1.0] * 6


def test_a_4xx_is_a_clear_exception(server):
    with RewardClient(server) as client, pytest.raises(RequestRejected) as caught:
        client.score(
            [
                {
                    "response": "x",
                    "tests": {"cases": [{"stdin": "", "stdout": "1"}], "timeout_s": 999},
                }
            ]
        )
    assert caught.value.status == 422 and "timeout_s" in caught.value.message


def test_invalid_items_are_refused_before_sending(server):
    with RewardClient(server) as client, pytest.raises(RequestRejected, match="response"):
        client.score([{"answer": "1"}])


def test_an_unreachable_service_raises_after_retries():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket closes
    with RewardClient(f"http://127.0.0.1:{port}", retries=2, backoff_s=0.01) as client:
        with pytest.raises(ServiceUnavailable, match="3 tries"):
            client.score([{"response": RIGHT, "answer": "42"}])


def scripted(statuses: list[int], seen: list[httpx.Request]) -> httpx.MockTransport:
    """Answers with the given statuses, then a real-looking success."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if statuses:
            return httpx.Response(statuses.pop(0), json={"message": "busy"})
        items = json.loads(request.content)["items"]
        results = [{"scores": {}, "details": {}, "reward": 1.0} for _ in items]
        return httpx.Response(200, json={"results": results, "groups": {}})

    return httpx.MockTransport(handle)


def test_retries_on_429_and_5xx_only_with_a_bearer_token():
    seen: list[httpx.Request] = []
    client = RewardClient(
        "http://service", transport=scripted([503, 429], seen), backoff_s=0.001, token="s3cret"
    )
    assert [r.reward for r in client.score([{"response": "x"}])] == [1.0]
    assert len(seen) == 3
    assert all(r.headers["authorization"] == "Bearer s3cret" for r in seen)

    # A 500 comes from a proxy in front (a Ray Serve replica died): retried too. A 4xx is not.
    seen.clear()
    client = RewardClient("http://service", transport=scripted([500, 502], seen), backoff_s=0)
    assert [r.reward for r in client.score([{"response": "x"}])] == [1.0]
    assert len(seen) == 3
    seen.clear()
    client = RewardClient("http://service", transport=scripted([404], seen), backoff_s=0.001)
    with pytest.raises(RequestRejected):
        client.score([{"response": "x"}])
    assert len(seen) == 1


def test_busy_past_every_retry_is_unavailable():
    seen: list[httpx.Request] = []
    client = RewardClient("http://s", transport=scripted([503] * 5, seen), retries=2, backoff_s=0)
    with pytest.raises(ServiceUnavailable, match="busy"):
        client.score([{"response": "x"}])
    assert len(seen) == 3
