"""Load test: requests arriving at twice the measured capacity, open loop, for a fixed time.

Starts its own service, measures its capacity (groups of 16 math items, 8 in flight), then
sends groups at twice that rate regardless of answers, as a trainer cluster would. Passes
(exit 0) when every answer is 200 or 429 (backpressure), no request fails, and the service's
memory stays bounded; prints the counts and the p50/p99 latency of the answered requests.

Usage: python benchmarks/load.py [--duration 10] [--overload 2.0] [--queue 16384]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections import Counter

import httpx
from math_throughput import batch, groups_of, rss_mib, serve

SAMPLES = 16


async def capacity(client: httpx.AsyncClient, groups: list[list[dict]], seconds: float) -> float:
    """Groups per second with 8 requests in flight."""
    done = 0
    deadline = time.perf_counter() + seconds
    pending = iter(groups)

    async def worker() -> None:
        nonlocal done
        for group in pending:
            if time.perf_counter() > deadline:
                return
            (await client.post("/v1/score", json={"items": group})).raise_for_status()
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(8)))
    return done / (time.perf_counter() - started)


async def overload(
    client: httpx.AsyncClient, groups: list[list[dict]], rate: float
) -> tuple[Counter, list[float]]:
    statuses: Counter = Counter()
    latencies: list[float] = []

    async def one(group: list[dict], at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        started = time.perf_counter()
        try:
            reply = await client.post("/v1/score", json={"items": group})
        except httpx.HTTPError as exc:
            statuses[type(exc).__name__] += 1
            return
        statuses[reply.status_code] += 1
        if reply.status_code == 200:
            latencies.append(time.perf_counter() - started)

    start = time.perf_counter() + 0.1
    await asyncio.gather(*(one(group, start + i / rate) for i, group in enumerate(groups)))
    return statuses, latencies


async def main_async(url: str, pid: int, duration: float, factor: float) -> bool:
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        warm = groups_of(batch(2000, SAMPLES, seed=100))
        groups_per_s = await capacity(client, warm, 3.0)
        rss_before = rss_mib(pid)
        rate = factor * groups_per_s
        count = int(rate * duration)
        load = groups_of(batch(count, SAMPLES, seed=200))
        started = time.perf_counter()
        statuses, latencies = await overload(client, load, rate)
        elapsed = time.perf_counter() - started
        rss_after = rss_mib(pid)
    print(f"# load: {count} groups of {SAMPLES} in {duration:g} s at {factor:g}x capacity")
    print(f"capacity {groups_per_s:.0f} groups/s ({groups_per_s * SAMPLES:.0f} items/s)")
    print(f"offered {rate:.0f} groups/s; all answered after {elapsed:.1f} s")
    answers = sorted(statuses.items(), key=str)
    print("answers: " + ", ".join(f"{status}: {n}" for status, n in answers))
    if latencies:
        cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
        p50, p99 = cuts[49] * 1000, cuts[98] * 1000
        print(f"latency of answered requests: p50 {p50:.0f} ms, p99 {p99:.0f} ms")
    print(f"service RSS: {rss_before:.0f} MiB before, {rss_after:.0f} MiB after")
    failures = sum(n for status, n in statuses.items() if status not in (200, 429))
    bounded = rss_after <= 1.5 * rss_before + 50
    print(f"errors other than 429: {failures}; memory bounded: {'yes' if bounded else 'NO'}")
    return failures == 0 and bounded and statuses[200] > 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load")
    parser.add_argument("--overload", type=float, default=2.0, help="offered / measured rate")
    parser.add_argument(
        "--queue", type=int, default=16384, help="the service's REWARD_SERVER__MAX_QUEUED_ITEMS"
    )
    args = parser.parse_args()
    os.environ["REWARD_SERVER__MAX_QUEUED_ITEMS"] = str(args.queue)
    process, url = serve()
    try:
        ok = asyncio.run(main_async(url, process.pid, args.duration, args.overload))
    finally:
        process.terminate()
        process.wait()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
