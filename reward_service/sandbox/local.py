"""The local fallback: the same runner as a host subprocess with rlimits.

NOT an isolation boundary: the code runs on the host, as the service's user, with the host's
filesystem and network. It exists so that `reward-service serve` can score code on a machine
without Docker (a laptop, a quick trial), and it says so loudly whenever it is chosen.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
from pathlib import Path

from reward_service.sandbox.types import (
    PoolStats,
    RunnerEvents,
    RunReport,
    SandboxJob,
    SandboxUnavailable,
)
from reward_service.turns import Handoff, dumps_in_turns

log = logging.getLogger(__name__)

RUNNER = Path(__file__).parent / "image" / "runner.py"
WARNING = (
    "SANDBOX BACKEND 'local' IS NOT AN ISOLATION BOUNDARY: model-written code runs on this host "
    "as this user, with its files and network. Use it only for trusted code or trials; install "
    "Docker and run `reward-service sandbox build` for real isolation."
)


class LocalSandbox:
    name = "local"

    def __init__(self, concurrency: int) -> None:
        self.concurrency = concurrency
        # Handed out first come, first served: requests in progress take turns.
        self._slots = Handoff([None] * concurrency)

    def stats(self) -> PoolStats:
        busy = self.concurrency - self._slots.free
        return PoolStats(size=self.concurrency, busy=busy, replaced=0)

    async def start(self) -> None:
        log.warning(WARNING)

    async def close(self) -> None:
        return None

    async def run(self, job: SandboxJob) -> RunReport:
        await self._slots.take()
        try:
            with tempfile.TemporaryDirectory(prefix="reward-sandbox-") as workdir:
                return await self._run(job, workdir)
        finally:
            self._slots.give(None)

    async def _run(self, job: SandboxJob, workdir: str) -> RunReport:
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-I",
                str(RUNNER),
                "--local",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            )
        except OSError as exc:
            raise SandboxUnavailable(f"cannot start the local runner: {exc}") from exc
        payload = await dumps_in_turns(job.payload(workdir))
        try:
            stdout, stderr = await asyncio.wait_for(
                process.communicate(payload), timeout=job.longest_s()
            )
        except asyncio.CancelledError:
            # The runner kills what the job left behind on SIGTERM.
            process.terminate()
            await asyncio.shield(process.wait())
            raise
        except asyncio.TimeoutError:
            process.terminate()
            await process.wait()
            raise SandboxUnavailable("the local runner did not finish in time") from None
        events = RunnerEvents(job)
        try:
            for line in stdout.splitlines():
                await events.add(line)
        except (ValueError, KeyError, TypeError) as exc:
            raise SandboxUnavailable(f"the local runner's report is unreadable: {exc}") from exc
        if events.done is None:
            raise SandboxUnavailable(
                "the local runner ended without a report: "
                + stderr.decode("utf-8", "replace")[-300:]
            )
        return events.report()
