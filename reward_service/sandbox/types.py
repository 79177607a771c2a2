"""What goes into a sandbox and what comes out; the backends share these."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal, Protocol

Language = Literal["python", "cpp", "java", "javascript", "go", "rust"]
COMPILED: frozenset[Language] = frozenset({"cpp", "java", "go", "rust"})


class SandboxUnavailable(Exception):
    """The sandbox itself failed (no daemon, no image, a container lost): not the code's fault."""


@dataclass(frozen=True)
class Limits:
    time_s: float
    memory_mb: int
    output_bytes: int
    file_bytes: int
    processes: int


@dataclass(frozen=True)
class Harness:
    """Python's function-level tests: HumanEval-style asserts (`tests`), or with `tests` None one
    call of `entry_point` per input (a JSON list of arguments). A run passed only if `nonce`
    reached stdout (for a call, followed by the returned value as JSON)."""

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


# The checker's own limits, as the runner applies them (image/runner.py: CHECKER_LIMITS).
CHECKER_TIME_S = 10.0


@dataclass(frozen=True)
class SandboxJob:
    """One submission: compile once, then run once per input (once for assert tests)."""

    language: Language
    code: str
    inputs: tuple[str, ...]
    limits: Limits
    harness: Harness | None = None
    checker: Checker | None = None

    def payload(self, workdir: str) -> dict:
        return {
            "language": self.language,
            "code": self.code,
            "inputs": list(self.inputs),
            "limits": asdict(self.limits),
            "harness": asdict(self.harness) if self.harness else None,
            "checker": asdict(self.checker) if self.checker else None,
            "workdir": workdir,
        }

    def deadline_s(self, compile_s: float = 30.0, slack_s: float = 10.0) -> float:
        """Longest a healthy runner can take for this job."""
        runs = max(1, len(self.inputs))
        compiling = compile_s if self.language in COMPILED else 0.0
        per_run = self.limits.time_s + 1.0 + (CHECKER_TIME_S + 1.0 if self.checker else 0.0)
        return compiling + runs * per_run + slack_s


@dataclass(frozen=True)
class CheckerRun:
    """What the checker made of one run: `verdict` None when it failed (raised, timed out)."""

    verdict: bool | None
    exit_code: int | None
    timed_out: bool
    time_s: float
    stderr: str


@dataclass(frozen=True)
class ProcessRun:
    exit_code: int | None
    signal: int | None
    timed_out: bool
    output_limit: bool
    time_s: float
    stdout: str
    stderr: str
    checker: CheckerRun | None = None


@dataclass(frozen=True)
class Compilation:
    ok: bool
    stderr: str
    time_s: float


@dataclass(frozen=True)
class RunReport:
    """What the runner saw. `runner_error` is set when the code under test killed, starved or
    outlasted the runner itself, so that no per-run facts exist: the submission's fault."""

    compilation: Compilation | None
    runs: tuple[ProcessRun, ...]
    runner_error: str | None = None
    runner_timed_out: bool = False

    @classmethod
    def from_runner(cls, report: dict) -> RunReport:
        """The runner's JSON report; SandboxUnavailable if it lacks the language's toolchain."""
        if report.get("unavailable"):
            raise SandboxUnavailable(report["unavailable"])
        compiled = report.get("compile")
        return cls(
            Compilation(**compiled) if compiled else None,
            tuple(_process_run(run) for run in report["runs"]),
        )


def _process_run(run: dict) -> ProcessRun:
    checker = run.get("checker")
    return ProcessRun(**{**run, "checker": CheckerRun(**checker) if checker else None})


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
