"""A burst from a trainer that posts one rollout per request is queued and answered.

OpenRLHF 0.11 posts each rollout to `/get_reward` on its own and retries 5 times, 1 s apart,
ignoring Retry-After; a rollout left without a reward crashes its experience maker. 3,000 at
once whose answers need the LaTeX parser, on a machine whose cores are busy with other work,
once lost 1,256 rewards to a request-count limit of 256.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys

import httpx

from tests.conftest import running_server

ROLLOUTS = 3_000
TRIES, PAUSE_S = 5, 1.0


async def openrlhf_post(client: httpx.AsyncClient, n: int) -> float | None:
    """One rollout as OpenRLHF 0.11 sends it: its reward, or None after its 5 tries."""
    body = {
        "query": [
            rf"<think>Compute.</think> The answer is $\boxed{{\dfrac{{{n}\sqrt{{3}}}}{{4}}}}$"
        ],
        "labels": [rf"\frac{{{n}\sqrt{{3}}}}{{4}}"],
    }
    for _ in range(TRIES):
        try:
            response = await client.post("/get_reward", json=body)
            if response.status_code == 200:
                return response.json()["rewards"][0]
        except httpx.TransportError:
            pass
        await asyncio.sleep(PAUSE_S)  # Retry-After ignored, as OpenRLHF does
    return None


async def burst(base_url: str) -> list[float | None]:
    # No connection is reused: each rollout on a connection of its own.
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=600) as client:
        return await asyncio.gather(*(openrlhf_post(client, n) for n in range(ROLLOUTS)))


def test_three_thousand_single_rollout_requests_on_busy_cores_all_get_a_reward():
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        with running_server({}) as server:
            rewards = asyncio.run(burst(server.url))
    finally:
        for process in busy:
            process.kill()
    assert rewards.count(None) == 0
    assert rewards == [1.0] * ROLLOUTS
