"""What goes into a sandbox and what comes out; the backends share these."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, dataclass, replace
from typing import Literal, Protocol

from reward_service.sandbox.compare import (
    Compare,
    outputs_match,
    returned_matches,
    returned_text,
)

Language = Literal["python", "cpp", "java", "javascript", "go", "rust"]
COMPILED: frozenset[Language] = frozenset({"cpp", "java", "go", "rust"})

# The runner's own limits (image/runner.py and image/processes.py; a test keeps them equal).
COMPILE_TIME_S = 30.0
JUDGE_TIME_S = 10.0


def hard_cap_s(time_s: float) -> float:
    """Wall time after which the runner calls a run of `time_s` CPU seconds starved."""
    return 10 * time_s + 30


class SandboxUnavailable(Exception):
    """The sandbox itself failed (no daemon, no image, a container lost, the machine too busy
    to judge): not the code's fault."""


class SandboxStarved(SandboxUnavailable):
    """The machine gave a run too little CPU time to finish within its hard wall-time cap."""


class SandboxBroken(SandboxUnavailable):
    """The runner failed in its container (could not write the source, start a process): the
    container is suspect and the job is worth one more try in another."""


@dataclass(frozen=True)
class Limits:
    """Per run: CPU seconds (`time_s`), memory, stdout, file size, processes at once."""

    time_s: float
    memory_mb: int
    output_bytes: int
    file_bytes: int
    processes: int


@dataclass(frozen=True)
class Harness:
    """Python's function-level tests: HumanEval-style asserts (`tests`), or with `tests` None one
    call of `entry_point` per input (a JSON list of arguments). The tests run in a process of
    their own, apart from the solution's; a run passed only if `nonce` reached their stdout
    (for a call, followed by the returned value as JSON)."""

    tests: str | None
    entry_point: str
    nonce: str


@dataclass(frozen=True)
class Checker:
    """A special judge for stdio runs: Python source defining `check(input, expected, output)
    -> bool`, run in the sandbox after each run that exited cleanly, once the program's
    processes are gone. `expected` holds one output per input."""

    source: str
    expected: tuple[str, ...]


@dataclass(frozen=True)
class SandboxJob:
    """One submission: compile once, then run once per input (once for assert tests), within
    `budget_s` seconds of sandbox time in all (inputs past it are not run).

    `expected` (one output per input, or for calls one return value per input, as JSON) and
    `compare` never enter the sandbox: whoever reads the runs compares each as it arrives and
    keeps an excerpt of its output, not all of it.
    """

    language: Language
    code: str
    inputs: tuple[str, ...]
    limits: Limits
    harness: Harness | None = None
    checker: Checker | None = None
    budget_s: float = 120.0
    expected: tuple[str, ...] = ()
    compare: Compare = "exact"

    def payload(self, workdir: str) -> dict:
        return {
            "language": self.language,
            "code": self.code,
            "inputs": list(self.inputs),
            "limits": asdict(self.limits),
            "harness": asdict(self.harness) if self.harness else None,
            "checker": asdict(self.checker) if self.checker else None,
            "budget_s": self.budget_s,
            "workdir": workdir,
        }

    def quiet_s(self, slack_s: float = 30.0) -> float:
        """Longest a healthy runner stays silent on this job: it reports each run (and the
        compilation) as it ends, and gives up on a run, or a compilation, the machine starves
        past its hard cap after one retry."""
        compiling = 2 * hard_cap_s(COMPILE_TIME_S) if self.language in COMPILED else 0.0
        run = 2 * hard_cap_s(self.limits.time_s)
        if self.checker:
            run += 2 * 2 * hard_cap_s(max(JUDGE_TIME_S, self.limits.time_s))
        return max(compiling, run) + slack_s

    def longest_s(self) -> float:
        """Longest a healthy runner can take on the whole job."""
        return self.quiet_s() * (len(self.inputs) + 2)


@dataclass(frozen=True)
class CheckerRun:
    """What the checker made of one run: `verdict` None when it failed (raised, timed out);
    then `sane` says whether it accepts the expected output itself (so the run's output made it
    fail: the run's fault) or not (a broken checker: nobody's verdict)."""

    verdict: bool | None
    exit_code: int | None
    timed_out: bool
    cpu_s: float
    stderr: str
    sane: bool | None = None


@dataclass(frozen=True)
class HarnessRun:
    """The tests' process of a function-level run: the verdict is its exit code and stdout."""

    exit_code: int | None
    signal: int | None
    stdout: str
    stderr: str


@dataclass(frozen=True)
class ProcessRun:
    """One run of the program: its raw facts. `timed_out`: its CPU time passed the limit, or
    it stayed idle past the backstop (never because the machine was slow)."""

    exit_code: int | None
    signal: int | None
    timed_out: bool
    output_limit: bool
    cpu_s: float
    wall_s: float
    stdout: str
    stderr: str
    checker: CheckerRun | None = None
    tests: HarnessRun | None = None
    matched: bool | None = None


@dataclass(frozen=True)
class Compilation:
    ok: bool
    stderr: str
    cpu_s: float
    wall_s: float = 0.0
    timed_out: bool = False


@dataclass(frozen=True)
class RunReport:
    """What the runner saw. `skipped`: inputs not run, the time budget being spent;
    `spent_s`: the budget used; `killed_sandbox`: the submission brought its container down,
    in two containers, so no per-run facts exist (the submission's fault)."""

    compilation: Compilation | None
    runs: tuple[ProcessRun, ...]
    skipped: int = 0
    spent_s: float = 0.0
    killed_sandbox: bool = False


# The output kept of a run compared on arrival: what a failure's excerpt shows.
KEPT_STDOUT_CHARS = 1000
# Event lines longer than this are read in a thread (`RunnerEvents.add`); when outputs are
# compared token by token, this: 32,500 numbers took 30 ms to compare.
_LONG_EVENT_BYTES = 64 << 10
_LONG_TOKENS_EVENT_BYTES = 4 << 10


class RunnerEvents:
    """Collects a runner's event lines for one job into a RunReport, comparing each run with
    its expected output as it arrives when the job has them."""

    def __init__(self, job: SandboxJob) -> None:
        self.job = job
        self.compilation: Compilation | None = None
        self.runs: list[ProcessRun] = []
        self.done: dict | None = None

    async def add(self, line: bytes) -> None:
        """One event line; ValueError (or KeyError, TypeError) for an unreadable one.

        A long line, or a run compared with a long expected output, is read in a thread:
        comparing a megabyte of output number by number (`compare: float`), or a short output
        with 16 million expected lines, takes a second of Python code, which a thread runs in
        slices of the GIL's switch interval (5 ms), so that the event loop keeps answering.
        """
        long = _LONG_EVENT_BYTES if self.job.compare == "exact" else _LONG_TOKENS_EVENT_BYTES
        if len(line) > long or len(self._next_expected() or "") > long:
            await asyncio.to_thread(self._add, line)
        else:
            self._add(line)

    def _add(self, line: bytes) -> None:
        event = json.loads(line)
        if "compile" in event:
            self.compilation = Compilation(**event["compile"])
        elif "run" in event:
            self.runs.append(self._judged(_process_run(event["run"])))
        elif "done" in event:
            self.done = event["done"]
        else:
            raise ValueError(f"unknown runner event {sorted(event)}")

    def _next_expected(self) -> str | None:
        """The expected output of the run that comes next, if the job has one."""
        index = len(self.runs)
        return self.job.expected[index] if index < len(self.job.expected) else None

    def _judged(self, run: ProcessRun) -> ProcessRun:
        """The run compared with its expected output, if the job has them, and cut down to
        what judging it later needs: an excerpt of each output, the tests' nonce line."""
        expected = self._next_expected()
        harness = self.job.harness
        if harness is None or run.tests is None:
            if expected is None:
                return run
            matched = outputs_match(expected, run.stdout, self.job.compare)
            return replace(run, matched=matched, stdout=run.stdout[:KEPT_STDOUT_CHARS])
        returned = returned_text(run.tests.stdout, harness.nonce)
        matched = None
        if expected is not None:
            matched = returned is not None and returned_matches(returned, expected)
        kept = run.tests.stdout[-KEPT_STDOUT_CHARS:]
        if returned is not None:
            kept = "\n" + harness.nonce + "\n" + returned[:KEPT_STDOUT_CHARS]
        tests = replace(run.tests, stdout=kept)
        return replace(run, matched=matched, stdout=run.stdout[:KEPT_STDOUT_CHARS], tests=tests)

    def report(self) -> RunReport:
        """The job's report, once `done` came; SandboxUnavailable when the runner could not
        judge it (a toolchain missing, the machine starving it, its own failure)."""
        done = self.done
        assert done is not None
        if done.get("unavailable"):
            raise SandboxUnavailable(done["unavailable"])
        if done.get("error"):
            raise SandboxBroken(f"the sandbox runner failed: {done['error']}")
        if done.get("starved"):
            raise SandboxStarved(
                "the machine was too busy to judge this submission: a run got too little CPU "
                "time to finish within its hard wall-time cap, twice"
            )
        return RunReport(
            self.compilation,
            tuple(self.runs),
            skipped=int(done.get("skipped", 0)),
            spent_s=float(done.get("spent_s", 0.0)),
        )


def _process_run(run: dict) -> ProcessRun:
    checker, tests = run.get("checker"), run.get("tests")
    return ProcessRun(
        **{
            **run,
            "checker": CheckerRun(**checker) if checker else None,
            "tests": HarnessRun(**tests) if tests else None,
        }
    )


@dataclass(frozen=True)
class PoolStats:
    """How a sandbox's pool stands, for /metrics."""

    size: int
    busy: int
    replaced: int


@dataclass(frozen=True)
class RunReply:
    """The sandbox service's answer to one job: the report, and how its pool stands."""

    report: RunReport
    pool: PoolStats


class Sandbox(Protocol):
    """A place to run untrusted code. `run` raises SandboxUnavailable on its own faults."""

    name: str

    def stats(self) -> PoolStats: ...

    async def start(self) -> None: ...

    async def run(self, job: SandboxJob) -> RunReport: ...

    async def close(self) -> None: ...
