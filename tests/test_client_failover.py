"""The multi-endpoint client against three real servers, one killed mid-run: every group is
answered exactly once, with the results a single server gives."""

from __future__ import annotations

import signal
import threading
import time
from contextlib import ExitStack

import pytest

from reward_service.client import AsyncRewardClient, RewardClient, ServiceUnavailable
from tests.conftest import free_port, running_server

GROUPS = 150


def items() -> list[dict]:
    """Groups of 8 answers that need the parser (distinct per group: no cache hit helps)."""
    out = []
    for k in range(2, GROUPS + 2):
        answers = [
            rf"\frac{{1}}{{\sqrt{{{k}}}}}",
            rf"\frac{{\sqrt{{{k}}}}}{{{k}}}",
            rf"{k}^{{-1/2}}",
            rf"\sqrt{{{k}}}",
            rf"\frac{{2}}{{2\sqrt{{{k}}}}}",
            rf"\sqrt{{\frac{{1}}{{{k}}}}}",
            rf"\frac{{1}}{{{k}}}",
            rf"\frac{{{k}}}{{\sqrt{{{k}}}}}",
        ]
        out += [
            {
                "id": f"g{k}-{i}",
                "group": f"g{k}",
                "response": rf"<think>...</think> \boxed{{{answer}}}",
                "answer": rf"\frac{{\sqrt{{{k}}}}}{{{k}}}",
            }
            for i, answer in enumerate(answers)
        ]
    return out


def summary(results) -> list[tuple]:
    return [(r.id, r.scores.accuracy, r.advantage) for r in results]


def test_one_of_three_servers_killed_mid_run():
    batch = items()
    with ExitStack() as stack:
        servers = [stack.enter_context(running_server({}, workers=1)) for _ in range(3)]
        with RewardClient(servers[0].url, batch_size=8) as single:
            expected = summary(single.score(batch))
        urls = [server.url for server in servers]
        with RewardClient(urls, batch_size=8, concurrency=6, backoff_s=0.05) as client:
            outcome: dict = {}
            run = threading.Thread(target=lambda: outcome.update(results=client.score(batch)))
            started = time.monotonic()
            run.start()
            time.sleep(0.5)
            servers[1].process.send_signal(signal.SIGKILL)
            run.join(timeout=120)
            took = time.monotonic() - started
        assert "results" in outcome, "the client did not finish"
        assert took > 0.5, "the run ended before the kill: the test proves nothing"
        results = outcome["results"]
        assert [r.id for r in results] == [item["id"] for item in batch]
        assert summary(results) == expected


def test_a_dead_endpoint_is_skipped_and_all_dead_is_an_error():
    batch = items()[:64]
    dead = f"http://127.0.0.1:{free_port()}"
    with running_server({}, workers=1) as server:
        with RewardClient(f"{dead},{server.url}", batch_size=8, backoff_s=0.01) as client:
            assert len(client.score(batch)) == 64
    with RewardClient([dead, dead + "/"], retries=1, backoff_s=0.01) as client:
        with pytest.raises(ServiceUnavailable, match="after 2 tries on each endpoint"):
            client.score(batch[:1])


def test_the_async_client_spreads_over_endpoints_too():
    import asyncio

    batch = items()[:80]
    with running_server({}, workers=1) as first, running_server({}, workers=1) as second:

        async def run():
            async with AsyncRewardClient([first.url, second.url], batch_size=8) as client:
                return await client.score(batch)

        results = asyncio.run(run())
        served = [len(s.log_lines()) for s in (first, second)]
    assert [r.id for r in results] == [item["id"] for item in batch]
    # Both endpoints took requests (each logs one access line per request).
    assert all(count > 1 for count in served), served
