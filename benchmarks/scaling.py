"""Scaling out: math scoring throughput with N independent `reward-service serve` processes
behind the multi-endpoint client, against N times one process's throughput.

For N = 1, 2, 4, 8 (those that fit the machine's cores at `--workers` each), N servers start
with `--workers` scoring processes each; the clients send GRPO groups of 16, 4 requests in
flight each, spread by least outstanding requests. The items are those of
math_throughput.py's batch that need the parser (roots, multiples of pi: the workers' work;
the exact-number answers are scored in microseconds in the event loop and would measure the
client instead), a fresh seed per run so that no verdict cache helps, from N client processes
(one Python client spends about 0.1 ms of CPU per item). Efficiency = items/s(N) / (N x
items/s(1)).

With --ray: the same with Ray Serve, 1 and 2 replicas of --workers CPUs behind Serve's proxy on
a local cluster (a sanity ratio; on a 2-core machine it cannot be more).

Usage: python benchmarks/scaling.py [--workers 2] [--prompts 512] [--ray]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

from reward_service.client import RewardClient
from reward_service.extract import extract_math_answer
from reward_service.rewards.math import quick_score

sys.path.insert(0, str(Path(__file__).parent))
from math_throughput import batch  # noqa: E402

SAMPLES = 16


@contextmanager
def server(workers: int, replicas: int | None = None):
    """A `reward-service serve` (with `replicas`: on Ray Serve, that many replicas)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "reward_service", "serve", "--port", str(port)]
    command += ["--workers", str(workers), "--log-level", "warning", "--sandbox", "local"]
    if replicas:
        command += ["--ray", "--replicas", str(replicas), "--replica-cpus", str(workers)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(1800):
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise SystemExit("a server did not start")
        yield url
    finally:
        process.terminate()
        process.wait()


def parser_items(prompts: int, seed: int) -> list[dict]:
    """Whole groups of the batch, keeping the answers the exact path cannot decide."""
    kept = [
        item
        for item in batch(prompts, SAMPLES, seed=seed)
        if quick_score(extract_math_answer(item["response"]), item["answer"]) is None
    ]
    return kept[: len(kept) - len(kept) % SAMPLES]


def drive(urls: list[str], items: list[dict], start: Any) -> int:
    """One client process: wait for the start, score its share over every endpoint."""
    with RewardClient(urls, batch_size=SAMPLES, concurrency=4) as client:
        start.wait()
        return len(client.score(items))


def throughput(urls: list[str], prompts: int, seed: int, clients: int) -> float:
    """Items/s from `clients` client processes, each spreading over every URL (as a trainer's
    rollout workers would: one Python client tops out near 8000 items/s)."""
    items = parser_items(prompts, seed)
    with RewardClient(urls, batch_size=SAMPLES, concurrency=2 * clients) as client:
        client.score(items[: SAMPLES * clients * 2])  # warm-up: every server's workers
    groups = [items[i : i + SAMPLES] for i in range(0, len(items), SAMPLES)]
    shares = [[item for group in groups[k::clients] for item in group] for k in range(clients)]
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(clients) as pool:
        start = manager.Event()
        pending = [pool.apply_async(drive, (urls, share, start)) for share in shares]
        time.sleep(1.0)  # every client connected and waiting
        started = time.perf_counter()
        start.set()
        scored = sum(result.get() for result in pending)
        elapsed = time.perf_counter() - started
    assert scored == len(items)
    return len(items) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--prompts", type=int, default=512, help="per server")
    parser.add_argument("--ray", action="store_true", help="Ray Serve, 1 and 2 replicas")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    counts = [n for n in (1, 2, 4, 8) if n * args.workers <= cores]
    print(
        f"{platform.node()}: {cores} cores, Python {platform.python_version()}; "
        f"{args.prompts} prompts x {SAMPLES} samples per run, {args.workers} workers per "
        + ("Ray Serve replica" if args.ray else "server")
    )
    base = None
    for n in [1, 2] if args.ray else counts:
        with ExitStack() as stack:
            if args.ray:
                urls = [stack.enter_context(server(args.workers, replicas=n))]
            else:
                urls = [stack.enter_context(server(args.workers)) for _ in range(n)]
            rate = throughput(urls, args.prompts * n, seed=100 + n, clients=n)
        base = base or rate
        print(
            f"  N={n}: {rate:8.0f} items/s, {rate / n:6.0f} per server, "
            f"efficiency {rate / (n * base):.2f}"
        )


if __name__ == "__main__":
    main()
