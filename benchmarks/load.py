"""Load test: overload, /health under it, and a burst of single-rollout requests.

Starts its own service and
  1. measures its capacity (groups of 16 math items, 8 in flight), then sends groups at twice
     that rate regardless of answers, as a trainer cluster would, for a fixed time, twice;
  2. sends a burst of single-rollout `/get_reward` requests the way OpenRLHF 0.11 does: all
     at once, each on its own connection (from client processes of 4,000 connections each),
     5 tries 1 s apart ignoring Retry-After, with answers that need the LaTeX parser (or,
     with `--answers integer`, exact arithmetic), optionally while other processes keep the
     cores busy. Past the service's 4,096 requests in progress the rest wait for a place; 16
     of those do their work in the event loop at once.
Throughout, another process polls /health every 50 ms and its latency is reported against
the 100 ms p99 we aim at (the load generator shares the machine's cores: a measurement, not
a pass mark; tests/api/test_liveness.py holds the bound for single hostile requests). Passes
(exit 0) when every overload answer is 200 or 429 (backpressure), no request fails, the
service's memory stays within what its queue bound allows and a second round adds nothing to
it, and every rollout of the burst gets its reward. Prints the counts, latencies, the burst's
time to drain and the service's largest RSS.

Usage: python benchmarks/load.py [--duration 10] [--overload 2.0] [--queue 16384]
                                 [--burst 3000] [--busy 0] [--answers latex]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter

import httpx
from math_throughput import batch, groups_of, rss_mib, serve

SAMPLES = 16
# What one queued item may hold in the service: its request, its result and their share of
# the request's connection and task.
QUEUED_ITEM_MIB = 16 / 1024
OPENRLHF_TRIES, OPENRLHF_PAUSE_S = 5, 1.0
# Rollouts one client process sends: its connections within a common open-files limit.
ROLLOUTS_PER_CLIENT = 4000
# What the service may hold per rollout: in progress (its connection, body, items and
# result; measured ~47 KiB) up to its REWARD_SERVER__MAX_REQUESTS, or waiting for a place
# (its connection; ~5 KiB).
MAX_REQUESTS, REQUEST_KIB, WAITING_KIB = 4096, 64, 8
HEALTH_P99_S = 0.1


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


async def main_async(url: str, pid: int, args: argparse.Namespace) -> bool:
    health = HealthProbe(url)
    try:
        ok = True
        if args.duration > 0:
            ok &= await overloaded(url, pid, args.duration, args.overload, args.queue)
            health.report("the overload")
        if args.burst > 0:
            ok &= await burst(url, pid, args.burst, args.busy, args.answers)
            health.report("the burst")
        return ok
    finally:
        health.poller.kill()


async def overloaded(url: str, pid: int, duration: float, factor: float, queue: int) -> bool:
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        warm = groups_of(batch(2000, SAMPLES, seed=100))
        groups_per_s = await capacity(client, warm, 3.0)
        rss_before = rss_mib(pid)
    rate = factor * groups_per_s
    count = int(rate * duration)
    statuses: Counter = Counter()
    latencies: list[float] = []
    rss_after: list[float] = []
    for seed in (200, 300):  # twice: what the first round queued is reused, not added to
        load = groups_of(batch(count, SAMPLES, seed=seed))
        # A client per round: a connection left idle past the server's keep-alive between
        # rounds would be closed under a request sent on it, a race of the client's making.
        async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
            started = time.perf_counter()
            round_statuses, round_latencies = await overload(client, load, rate)
            elapsed = time.perf_counter() - started
        statuses += round_statuses
        latencies += round_latencies
        rss_after.append(rss_mib(pid))
    print(f"# load: {count} groups of {SAMPLES} in {duration:g} s at {factor:g}x capacity, twice")
    print(f"capacity {groups_per_s:.0f} groups/s ({groups_per_s * SAMPLES:.0f} items/s)")
    print(f"offered {rate:.0f} groups/s; all answered after {elapsed:.1f} s")
    answers = sorted(statuses.items(), key=str)
    print("answers: " + ", ".join(f"{status}: {n}" for status, n in answers))
    if latencies:
        print(f"latency of answered requests: {percentiles(latencies)}")
    first, second = rss_after
    print(
        f"service RSS: {rss_before:.0f} MiB before, {first:.0f} MiB after the first round, "
        f"{second:.0f} MiB after the second"
    )
    failures = sum(n for status, n in statuses.items() if status not in (200, 429))
    # Queued work holds memory up to the queue's bound, and no more: nor does a second
    # round of the same load add to it.
    bounded = first <= rss_before + queue * QUEUED_ITEM_MIB and second <= 1.1 * first + 20
    print(f"errors other than 429: {failures}; memory bounded: {'yes' if bounded else 'NO'}")
    return failures == 0 and bounded and statuses[200] > 0


async def openrlhf_post(client: httpx.AsyncClient, n: int, answers: str) -> float | None:
    """One rollout as OpenRLHF 0.11 sends it: its reward, or None after its 5 tries."""
    if answers == "latex":  # only the LaTeX parser decides these, in a worker
        answer, label = rf"\dfrac{{{n}\sqrt{{3}}}}{{4}}", rf"\frac{{{n}\sqrt{{3}}}}{{4}}"
    else:  # exact arithmetic decides these, in the event loop
        answer = label = str(n)
    body = {
        "query": [rf"<think>Compute.</think> The answer is $\boxed{{{answer}}}$"],
        "labels": [label],
    }
    for _ in range(OPENRLHF_TRIES):
        try:
            response = await client.post("/get_reward", json=body)
            if response.status_code == 200:
                return response.json()["rewards"][0]
        except httpx.TransportError:
            pass
        await asyncio.sleep(OPENRLHF_PAUSE_S)  # Retry-After ignored, as OpenRLHF does
    return None


async def burst(url: str, pid: int, rollouts: int, busy: int, answers: str) -> bool:
    spinning = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(busy)]
    rss_before = largest_rss = rss_mib(pid)

    async def watch_memory() -> None:
        nonlocal largest_rss
        while True:
            await asyncio.sleep(0.5)
            largest_rss = max(largest_rss, await asyncio.to_thread(rss_mib, pid))

    watcher = asyncio.ensure_future(watch_memory())
    started = time.perf_counter()
    try:
        # Client processes of at most ROLLOUTS_PER_CLIENT each: a connection is a file, and
        # one process may not be allowed as many as the burst holds.
        shares = [
            (first, min(ROLLOUTS_PER_CLIENT, rollouts - first))
            for first in range(0, rollouts, ROLLOUTS_PER_CLIENT)
        ]
        clients = [
            subprocess.Popen(
                [sys.executable, __file__, "--burst-share", url, answers, str(first), str(count)],
                stdout=subprocess.PIPE,
                text=True,
            )
            for first, count in shares
        ]
        outputs = await asyncio.gather(*(asyncio.to_thread(c.communicate) for c in clients))
    finally:
        watcher.cancel()
        for process in spinning:
            process.kill()
    drained = time.perf_counter() - started
    # A client process that failed printed nothing: its rollouts count as lost.
    rewards: list[float | None] = []
    for (_, count), (output, _) in zip(shares, outputs, strict=True):
        rewards += json.loads(output) if output.strip() else [None] * count
    lost = rewards.count(None)
    wrong = sum(reward not in (None, 1.0) for reward in rewards)
    print(
        f"# burst: {rollouts} single-rollout requests at once, {answers} answers, "
        f"{busy} cores kept busy"
    )
    in_progress = min(rollouts, MAX_REQUESTS)
    bound = rss_before + (in_progress * REQUEST_KIB + (rollouts - in_progress) * WAITING_KIB) / 1024
    bounded = largest_rss <= bound
    print(
        f"drained in {drained:.1f} s; service RSS {rss_before:.0f} MiB before, at most "
        f"{largest_rss:.0f} MiB, within the {bound:.0f} MiB its request bounds allow: "
        f"{'yes' if bounded else 'NO'}"
    )
    print(f"rewards lost: {lost}; wrong rewards: {wrong}")
    return lost == 0 and wrong == 0 and bounded


def burst_share(url: str, answers: str, first: int, count: int) -> None:
    """Send rollouts `first` to `first + count` at once; print their rewards (None: lost)."""
    wanted = count + 256
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            sys.exit(f"{count} connections need {wanted} open files: raise `ulimit -Hn` ({hard})")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))

    async def send() -> list[float | None]:
        # No connection is reused: each rollout on a connection of its own.
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=600) as client:
            rollouts = (openrlhf_post(client, first + n, answers) for n in range(count))
            return await asyncio.gather(*rollouts)

    print(json.dumps(asyncio.run(send())))


class HealthProbe:
    """/health polled every 50 ms by a process of its own, as a trainer's probe would be: the
    load generator's own busy event loop must not count as the service's latency."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.poller = self.start()

    def report(self, during: str) -> None:
        """Print the latencies since the last report (or the start)."""
        self.poller.send_signal(signal.SIGINT)
        latencies = json.loads(self.poller.communicate()[0])
        self.poller = self.start()
        failures = sum(latency is None for latency in latencies)
        latencies = [latency for latency in latencies if latency is not None]
        if not latencies:
            print(f"/health during {during}: never answered")
            return
        live = failures == 0 and p50_p99(latencies)[1] <= HEALTH_P99_S
        print(
            f"/health during {during}: {percentiles(latencies)}, max "
            f"{max(latencies) * 1000:.0f} ms, {failures} failed; within "
            f"{HEALTH_P99_S * 1000:.0f} ms p99: {'yes' if live else 'no'}"
        )

    def start(self) -> subprocess.Popen:
        """A poller, once it polls: interrupted while still starting, it would report nothing."""
        command = [sys.executable, __file__, "--poll-health", self.url]
        poller = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert poller.stdout is not None and poller.stdout.readline() == "polling\n"
        return poller


def poll_health(url: str) -> None:
    """Until interrupted: GET /health every 50 ms, each on a new connection as a liveness
    probe makes it (a connection kept open would not wait to be accepted); then print the
    latencies (None: failed)."""
    latencies: list[float | None] = []
    stopped: list[int] = []
    # SIGINT ends the loop between probes: raised inside one (KeyboardInterrupt), it could
    # stop the poller before it printed anything. (A process started in the background of a
    # shell inherits SIGINT ignored: the handler is set either way.)
    signal.signal(signal.SIGINT, lambda number, frame: stopped.append(number))
    fresh = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=url, timeout=10, limits=fresh) as client:
        print("polling", flush=True)
        while not stopped:
            started = time.perf_counter()
            try:
                client.get("/health").raise_for_status()
                latencies.append(time.perf_counter() - started)
            except httpx.HTTPError:
                latencies.append(None)
            time.sleep(0.05)
    print(json.dumps(latencies))


def p50_p99(seconds: list[float]) -> tuple[float, float]:
    if len(seconds) == 1:
        return seconds[0], seconds[0]
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return cuts[49], cuts[98]


def percentiles(seconds: list[float]) -> str:
    p50, p99 = p50_p99(seconds)
    return f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of overload; 0: none")
    parser.add_argument("--overload", type=float, default=2.0, help="offered / measured rate")
    parser.add_argument(
        "--queue", type=int, default=16384, help="the service's REWARD_SERVER__MAX_QUEUED_ITEMS"
    )
    parser.add_argument("--burst", type=int, default=3000, help="single-rollout requests; 0: none")
    parser.add_argument("--busy", type=int, default=0, help="processes spinning during the burst")
    parser.add_argument("--poll-health", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument(
        "--answers",
        choices=["latex", "integer"],
        default="latex",
        help="the burst's answers: for the LaTeX parser (a worker) or exact arithmetic",
    )
    parser.add_argument("--burst-share", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.poll_health:
        poll_health(args.poll_health)
        return
    if args.burst_share:
        url, answers, first, count = args.burst_share
        burst_share(url, answers, int(first), int(count))
        return
    os.environ["REWARD_SERVER__MAX_QUEUED_ITEMS"] = str(args.queue)
    process, url = serve()
    try:
        ok = asyncio.run(main_async(url, process.pid, args))
    finally:
        process.terminate()
        process.wait()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
