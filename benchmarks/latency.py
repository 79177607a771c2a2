"""Latency of one GRPO group of 16 through the service: math, format + language, and code.

Each request is one group; 40 groups are sent one after another (after a warm-up) and the
p50/p99 of their round trips printed. Code runs in the Docker warm pool.

Usage: python benchmarks/latency.py   (needs Docker and `reward-service sandbox build`)
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from math_throughput import batch, serve  # noqa: E402

GROUPS = 40
SAMPLES = 16


def format_language_group(rng: random.Random) -> list[dict]:
    thoughts = [
        "First I add the units digits, then the tens, carrying when needed.",
        "D'abord j'additionne les unités, puis les dizaines.",
        "先把个位相加，再把十位相加。",
    ]
    return [
        {
            "response": f"<think>{' '.join(rng.choices(thoughts, k=20))}</think>"
            f"<answer>{rng.randint(1, 99)}</answer>",
            "format": "think_answer",
            "language": "en",
        }
        for _ in range(SAMPLES)
    ]


def code_group(rng: random.Random) -> list[dict]:
    cases = [{"stdin": f"{a} {b}\n", "stdout": f"{a + b}\n"} for a, b in [(1, 2), (40, 2), (7, 8)]]
    variants = [
        "a, b = map(int, input().split())\nprint(a + b)",
        "print(sum(map(int, input().split())))",
        "x = input().split()\nprint(int(x[0]) + int(x[1]))",
        "a, b = map(int, input().split())\nprint(a - b)",
    ]
    return [
        {
            "response": f"<think>Add them.</think>\n```python\n{rng.choice(variants)}  # {i}\n```",
            "tests": {"cases": cases},
        }
        for i in range(SAMPLES)
    ]


def measure(client: httpx.Client, groups: list[list[dict]]) -> str:
    client.post("/v1/score", json={"items": groups[0]}).raise_for_status()
    latencies = []
    for group in groups[1:]:
        started = time.perf_counter()
        client.post("/v1/score", json={"items": group}).raise_for_status()
        latencies.append(1000 * (time.perf_counter() - started))
    cuts = statistics.quantiles(latencies, n=100)
    return f"p50 {cuts[49]:6.1f} ms   p99 {cuts[98]:6.1f} ms"


def main() -> None:
    rng = random.Random(5)
    math_items = batch(GROUPS + 1, SAMPLES, seed=99)
    math_groups = [math_items[i : i + SAMPLES] for i in range(0, len(math_items), SAMPLES)]
    print(f"# latency of one group of {SAMPLES}, {GROUPS} groups one after another")
    process, url = serve(sandbox="docker")
    try:
        with httpx.Client(base_url=url, timeout=120) as client:
            print(f"math               {measure(client, math_groups)}")
            text_groups = [format_language_group(rng) for _ in range(GROUPS + 1)]
            print(f"format + language  {measure(client, text_groups)}")
            code_groups = [code_group(rng) for _ in range(GROUPS + 1)]
            print(f"code (3 cases)     {measure(client, code_groups)}")
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()
