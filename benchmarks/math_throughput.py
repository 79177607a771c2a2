"""Math scoring throughput: the service against the in-process peer loop, side by side.

A GRPO-shaped batch (128 prompts x 16 samples, chains of thought of 1-4 kB, final answers in
varied equivalent and wrong forms: integers and fractions, and a quarter roots and multiples of
pi that need the LaTeX parser) scored
  (a) the peer way, in one process: `verify(gold=parse(gold), target=parse(response))` per item,
  (b) through the service over HTTP, one request per group, 8 in flight,
  (c) through the service, one request for the whole batch.
Also the latency of one group of 16 (p50/p99) and the service's RSS after the runs.

Usage: python benchmarks/math_throughput.py [--prompts 128] [--samples 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from fractions import Fraction
from importlib.metadata import version

import httpx
from math_verify import parse, verify

SEED = 11
FILLER = [
    "Let me think about the problem carefully.",
    "First, I compute the intermediate quantity {a} + {b} = {c}.",
    "Wait, I should double-check that step.",
    "Multiplying both sides by {a} gives {c}.",
    "So the sum of the first {a} terms is {c}, which seems plausible.",
    "Hmm, that contradicts the earlier estimate of {b}.",
    "Let me verify with a small case: n = {a}.",
]


# Share of prompts per kind of gold answer. Numbers are the common case of math RL data; roots
# and multiples of pi need the LaTeX parser (no exact fast path), as in MATH-style sets.
KINDS = {"integer": 45, "fraction": 30, "root": 15, "pi": 10}
RADICANDS = [2, 3, 5, 6, 7, 10]


@dataclass(frozen=True)
class Value:
    kind: str
    number: Fraction
    radicand: int = 1

    def shifted(self, delta: int) -> Value:
        return Value(self.kind, self.number + delta, self.radicand)


def gold_answer(rng: random.Random) -> Value:
    kind = rng.choices(list(KINDS), list(KINDS.values()))[0]
    if kind == "integer":
        return Value(kind, Fraction(rng.randint(-500, 5000)))
    if kind == "fraction":
        return Value(kind, Fraction(rng.randint(1, 99), rng.randint(2, 40)))
    return Value(kind, Fraction(rng.randint(2, 12)), rng.choice(RADICANDS))


def written(value: Value, rng: random.Random) -> str:
    """The value in one of the forms models write."""
    n = value.number.numerator
    if value.kind == "root":
        r = value.radicand
        forms = [f"{n}\\sqrt{{{r}}}", f"\\sqrt{{{n * n * r}}}", f"{n} \\cdot \\sqrt{{{r}}}"]
    elif value.kind == "pi":
        forms = [f"{n}\\pi", f"\\frac{{{2 * n}\\pi}}{{2}}", f"{n} \\pi"]
    elif value.number.denominator == 1:
        forms = [str(n), f"{n}.0", f"x = {n}", f"{n:,}", f"\\frac{{{2 * n}}}{{2}}"]
    else:
        d = value.number.denominator
        forms = [f"\\frac{{{n}}}{{{d}}}", f"{n}/{d}", f"\\dfrac{{{n}}}{{{d}}}"]
        if d in (2, 4, 5, 8, 10, 20, 25, 40):
            forms.append(f"{float(value.number):g}")
    return rng.choice(forms)


def response(rng: random.Random, final: str) -> str:
    parts: list[str] = []
    target = rng.randint(1000, 4000)
    while sum(map(len, parts)) < target:
        a, b = rng.randint(2, 99), rng.randint(2, 99)
        parts.append(rng.choice(FILLER).format(a=a, b=b, c=a + b))
    return f"<think>\n{' '.join(parts)}\n</think>\n\nThe final answer is $\\boxed{{{final}}}$."


def batch(prompts: int, samples: int, seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    items = []
    for p in range(prompts):
        gold = gold_answer(rng)
        gold_text = written(gold, rng)
        for s in range(samples):
            value = gold if rng.random() < 0.5 else gold.shifted(rng.randint(1, 9))
            items.append(
                {
                    "id": f"{p}-{s}",
                    "group": f"q{p}",
                    "answer": gold_text,
                    "response": response(rng, written(value, rng)),
                }
            )
    return items


def peer(items: list[dict]) -> tuple[float, list[bool]]:
    started = time.perf_counter()
    verdicts = [
        verify(gold=parse(f"${item['answer']}$"), target=parse(item["response"])) for item in items
    ]
    return time.perf_counter() - started, verdicts


async def by_group(
    client: httpx.AsyncClient, groups: list[list[dict]], in_flight: int
) -> tuple[float, list[float]]:
    slots = asyncio.Semaphore(in_flight)
    latencies: list[float] = []

    async def one(group: list[dict]) -> None:
        async with slots:
            started = time.perf_counter()
            reply = await client.post("/v1/score", json={"items": group})
            reply.raise_for_status()
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(one(group) for group in groups))
    return time.perf_counter() - started, latencies


def groups_of(items: list[dict]) -> list[list[dict]]:
    groups: dict[str, list[dict]] = {}
    for item in items:
        groups.setdefault(item["group"], []).append(item)
    return list(groups.values())


async def main_async(items: list[dict], base_url: str, prompts: int, samples: int) -> dict:
    # Each measurement gets problems of its own, so no verdict cached by an earlier one helps.
    fresh = batch(prompts, samples, SEED + 1)
    latency_groups = groups_of(batch(50, samples, SEED + 2))
    async with httpx.AsyncClient(base_url=base_url, timeout=600) as client:
        warm_up = batch(4, samples, SEED + 3)
        await client.post("/v1/score", json={"items": warm_up})
        started = time.perf_counter()
        reply = await client.post("/v1/score", json={"items": items})
        whole_s = time.perf_counter() - started
        results = reply.json()["results"]
        grouped_s, _ = await by_group(client, groups_of(fresh), 8)
        _, latencies = await by_group(client, latency_groups, 1)
    return {"grouped_s": grouped_s, "whole_s": whole_s, "results": results, "latencies": latencies}


def serve(sandbox: str = "local") -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reward_service",
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env={**os.environ, "REWARD_SANDBOX__BACKEND": sandbox},
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/health").status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("the service did not start")


def rss_mib(pid: int) -> float:
    """RSS of the service and its worker processes."""
    total = 0
    pids = [pid] + [
        int(p)
        for p in subprocess.run(
            ["pgrep", "-P", str(pid)], capture_output=True, text=True
        ).stdout.split()
    ]
    for each in pids:
        try:
            for line in open(f"/proc/{each}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--prompts", type=int, default=128)
    parser.add_argument("--samples", type=int, default=16)
    args = parser.parse_args()
    items = batch(args.prompts, args.samples)
    n = len(items)
    print(f"# math throughput: {args.prompts} x {args.samples} = {n} items, seed {SEED}")
    print(
        f"# {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"math-verify {version('math-verify')}"
    )
    peer_s, peer_verdicts = peer(items)
    process, url = serve()
    try:
        measured = asyncio.run(main_async(items, url, args.prompts, args.samples))
        rss = rss_mib(process.pid)
    finally:
        process.terminate()
        process.wait()
    ours = [r["scores"]["accuracy"] == 1.0 for r in measured["results"]]
    agree = sum(a == b for a, b in zip(ours, peer_verdicts, strict=True))
    print(f"(a) peer, in-process loop       {n / peer_s:8.0f} items/s")
    print(
        f"(b) service, a group a request  {n / measured['grouped_s']:8.0f} items/s  "
        f"= {peer_s / measured['grouped_s']:.1f}x the peer"
    )
    print(
        f"(c) service, one request        {n / measured['whole_s']:8.0f} items/s  "
        f"= {peer_s / measured['whole_s']:.1f}x the peer"
    )
    cuts = [1000 * cut for cut in statistics.quantiles(measured["latencies"], n=100)]
    print(f"group of {args.samples} latency: p50 {cuts[49]:.0f} ms, p99 {cuts[98]:.0f} ms")
    print(f"service RSS (server + workers) after the runs: {rss:.0f} MiB")
    print(f"verdicts agreeing with the peer: {agree}/{n}")


if __name__ == "__main__":
    main()
