"""Code accuracy: build sandbox jobs for a submission, then judge what the sandbox saw.

Pure functions on both sides of the sandbox (which lives in `reward_service.sandbox`): the
expected outputs never enter it, and the verdict is decided here from raw facts (exit codes,
signals, output). A submission earns 1.0 only if every test passed.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, replace
from typing import Literal

from reward_service.sandbox.compare import (
    Compare,
    outputs_match,
    returned_matches,
    returned_text,
)
from reward_service.sandbox.types import (
    COMPILE_TIME_S,
    Checker,
    CheckerRun,
    Harness,
    Language,
    Limits,
    ProcessRun,
    RunReport,
    SandboxJob,
)
from reward_service.scores import Reason, Score

EXCERPT_CHARS = 300
# Failures listed in a result (the first ones; `passed` and `total` count them all): a
# thousand excerpts of control characters made answers 60 times their request.
FAILURES_SHOWN = 20

# Exit codes of the tests' process (sandbox/image/harness.py).
_HARNESS_REASONS = {
    101: Reason.WRONG_ANSWER,  # an assertion failed
    102: Reason.RUNTIME_ERROR,  # the candidate or the tests raised
    103: Reason.RUNTIME_ERROR,  # the solution failed while being defined, or exited, or died
    104: Reason.RUNTIME_ERROR,  # the entry point is not defined
    105: Reason.WRONG_ANSWER,  # a non-plain return value (e.g. an always-equal object)
}
# The tests themselves do not compile, or pass the solution what cannot cross: no verdict.
_HARNESS_BAD_TESTS = 106
# What each runtime prints when it runs out of memory (the run is then over its limit).
_MEMORY_MARKERS = (
    "MemoryError",
    "std::bad_alloc",
    "Cannot allocate memory",
    "java.lang.OutOfMemoryError",
    "JavaScript heap out of memory",
    "fatal error: out of memory",
    "runtime: out of memory",
    "memory allocation of",
)


Scoring = Literal["all", "fraction"]


@dataclass(frozen=True)
class IOCase:
    stdin: str
    stdout: str


@dataclass(frozen=True)
class CallCase:
    """A call-based test (APPS, TACO, LiveCodeBench): `entry_point(*args)` must return
    `expected`. Both are JSON text, so that the tests stay hashable."""

    args: str
    expected: str


@dataclass(frozen=True)
class CodeTests:
    """The reference for a code problem: stdin/stdout cases, call-based cases of
    `entry_point`, and/or HumanEval-style asserts; `budget_s`, the sandbox time all of them
    may take together."""

    language: Language
    cases: tuple[IOCase, ...]
    limits: Limits
    assert_code: str | None = None
    entry_point: str | None = None
    compare: Compare = "exact"
    scoring: Scoring = "all"
    calls: tuple[CallCase, ...] = ()
    checker: str | None = None
    budget_s: float = 120.0

    @property
    def total(self) -> int:
        return len(self.cases) + len(self.calls) + (1 if self.assert_code else 0)


@dataclass(frozen=True)
class CaseFailure:
    case: int
    reason: Reason
    excerpt: str


@dataclass(frozen=True)
class CodeScore(Score):
    passed: int = 0
    total: int = 0
    failures: tuple[CaseFailure, ...] = ()
    scoring: Scoring = "all"


def sandbox_jobs(code: str, tests: CodeTests, nonce: str) -> list[SandboxJob]:
    """The sandbox runs for a submission: all stdio cases in one job, all calls in another, the
    asserts in a third. Expected outputs and return values stay out of the sandbox. Each job
    gets the whole budget: the caller passes on what the earlier ones left (`within_budget`)."""
    jobs = []
    limits, budget = tests.limits, tests.budget_s
    if tests.cases:
        inputs = tuple(case.stdin for case in tests.cases)
        outputs = tuple(case.stdout for case in tests.cases)
        if tests.checker is not None:
            checker = Checker(tests.checker, outputs)
            jobs.append(SandboxJob(tests.language, code, inputs, limits, None, checker, budget))
        else:
            # Compared by whoever reads the runs, as each arrives; never sent into the sandbox.
            job = SandboxJob(tests.language, code, inputs, limits, budget_s=budget)
            jobs.append(replace(job, expected=outputs, compare=tests.compare))
    if tests.calls:
        harness = Harness(None, tests.entry_point or "", nonce)
        arguments = tuple(call.args for call in tests.calls)
        job = SandboxJob(tests.language, code, arguments, limits, harness, None, budget)
        jobs.append(replace(job, expected=tuple(call.expected for call in tests.calls)))
    if tests.assert_code:
        harness = Harness(tests.assert_code, tests.entry_point or "", nonce)
        jobs.append(SandboxJob(tests.language, code, (), limits, harness, None, budget))
    return jobs


def within_budget(job: SandboxJob, spent_s: float) -> SandboxJob | RunReport:
    """`job` with what is left of its budget after `spent_s`, or, with none left, the report
    of a job none of whose inputs ran."""
    left = job.budget_s - spent_s
    if left <= 0:
        return RunReport(None, (), skipped=max(1, len(job.inputs)))
    return replace(job, budget_s=left)


def judge_code(code: str, tests: CodeTests, reports: list[RunReport], nonce: str) -> CodeScore:
    """Score the sandbox's reports (one per job of `sandbox_jobs`): 1.0 only if all tests pass,
    or with `scoring="fraction"` the share that passed (a compile error is 0 either way).

    >>> limits = Limits(5, 256, 1 << 20, 1 << 20, 32)
    >>> tests = CodeTests("python", (IOCase("1 2\\n", "3\\n"),), limits)
    >>> run = ProcessRun(0, None, False, False, 0.03, 0.03, "3\\n", "")
    >>> judge_code("print(3)", tests, [RunReport(None, (run,))], "n").value
    1.0
    """
    for report in reports:
        if report.killed_sandbox:
            failure = CaseFailure(0, Reason.KILLED_SANDBOX, "it brought its container down twice")
            return _failed(code, tests, [failure], 0)
        if report.compilation is not None and not report.compilation.ok:
            compilation = report.compilation
            excerpt = compilation.stderr[-EXCERPT_CHARS:]
            if compilation.timed_out and compilation.cpu_s >= COMPILE_TIME_S:
                excerpt = f"compiling took more than {COMPILE_TIME_S:g} s of CPU time"
            elif compilation.timed_out:
                excerpt = f"the compiler sat idle (blocked) for {compilation.wall_s:.0f} s"
            return _failed(code, tests, [CaseFailure(0, Reason.COMPILE_ERROR, excerpt)], 0)

    failures: list[CaseFailure] = []
    reports_iter = iter(reports)
    checker_failure: tuple[int, CheckerRun | None] | None = None
    if tests.cases:
        report = next(reports_iter)
        for index, (case, run) in enumerate(_runs(tests.cases, report)):
            if run is None:
                failures.append(_over_budget(index))
            elif tests.checker is None:
                reason = classify_run(run, expected=case.stdout, compare=tests.compare)
                if reason is not None:
                    failures.append(CaseFailure(index, reason, _excerpt(run, reason)))
            else:
                reason = _process_failure(run)
                checked = run.checker
                if reason is None:
                    if checked is None or (checked.verdict is None and not checked.sane):
                        checker_failure = checker_failure or (index, checked)
                        continue
                    # False, or failed on this output though it accepts the expected one.
                    if not checked.verdict:
                        reason = Reason.WRONG_ANSWER
                if reason is not None:
                    failures.append(CaseFailure(index, reason, _excerpt(run, reason)))
    offset = len(tests.cases)
    if tests.calls:
        report = next(reports_iter)
        for index, (call, run) in enumerate(_runs(tests.calls, report)):
            if run is None:
                failures.append(_over_budget(offset + index))
                continue
            if _bad_tests(run):
                return _bad_tests_score(code, tests, run)
            reason = classify_call(run, nonce, call.expected)
            if reason is not None:
                excerpt = _excerpt(run, reason)
                returned = returned_text(run.tests.stdout, nonce) if run.tests else None
                if reason is Reason.WRONG_ANSWER and returned is not None:
                    excerpt = "returned " + returned[:EXCERPT_CHARS]
                failures.append(CaseFailure(offset + index, reason, excerpt))
    offset += len(tests.calls)
    if tests.assert_code:
        report = next(reports_iter)
        if not report.runs:
            failures.append(_over_budget(offset))
        else:
            (run,) = report.runs
            if _bad_tests(run):
                return _bad_tests_score(code, tests, run)
            reason = classify_harness(run, nonce)
            if reason is not None:
                failures.append(CaseFailure(offset, reason, _excerpt(run, reason)))

    # A checker that failed leaves its case unknown: that decides the score unless another
    # case already failed it outright.
    if checker_failure is not None and (tests.scoring == "fraction" or not failures):
        return _checker_failed(code, tests, *checker_failure)
    passed = tests.total - len(failures) - (checker_failure is not None)
    if failures:
        return _failed(code, tests, failures, passed)
    return CodeScore(
        1.0, None, _shown(code), passed=passed, total=tests.total, scoring=tests.scoring
    )


def _runs(cases: tuple, report: RunReport) -> list:
    """Each case with its run, or None for one the time budget left unrun."""
    runs = list(report.runs) + [None] * (len(cases) - len(report.runs))
    return list(zip(cases, runs, strict=True))


def _over_budget(case: int) -> CaseFailure:
    return CaseFailure(case, Reason.TIME_BUDGET, "not run: the item's time budget was spent")


def _bad_tests(run: ProcessRun) -> bool:
    return run.tests is not None and run.tests.exit_code == _HARNESS_BAD_TESTS


def _bad_tests_score(code: str, tests: CodeTests, run: ProcessRun) -> CodeScore:
    """Tests that cannot run (they do not compile, or pass the solution a value that cannot
    cross to its process) judge nothing: the item is unjudged, not failed."""
    assert run.tests is not None
    return CodeScore(
        None,
        Reason.BAD_REFERENCE,
        _shown(code),
        message=run.tests.stderr[-EXCERPT_CHARS:],
        total=tests.total,
        scoring=tests.scoring,
    )


def classify_run(run: ProcessRun, *, expected: str, compare: Compare = "exact") -> Reason | None:
    """Why a stdio run failed, or None if it passed: it exited cleanly and its whole
    normalized stdout matched (as compared when the run arrived, if it was)."""
    reason = _process_failure(run)
    if reason is not None:
        return reason
    matched = outputs_match(expected, run.stdout, compare) if run.matched is None else run.matched
    return None if matched else Reason.WRONG_ANSWER


def classify_harness(run: ProcessRun, nonce: str) -> Reason | None:
    """Why a function-level run failed, or None if it passed: the tests' process wrote the
    nonce line, which it does only after `check(candidate)` returned (so a solution that
    exits early cannot pass). The solution's own facts come first: its time, output and
    memory limits; it cannot reach the tests' process to forge anything."""
    if run.output_limit:
        return Reason.OUTPUT_LIMIT
    if run.timed_out or run.signal == signal.SIGXCPU:
        return Reason.TIMEOUT
    tests = run.tests
    if tests is None:
        return Reason.RUNTIME_ERROR
    if tests.exit_code == 0 and nonce in tests.stdout.splitlines():
        return None
    if run.signal == signal.SIGKILL or _out_of_memory(run.stderr):
        return Reason.MEMORY
    if tests.signal == signal.SIGXCPU:
        return Reason.TIMEOUT
    if tests.signal is not None:
        return Reason.MEMORY if tests.signal == signal.SIGKILL else Reason.RUNTIME_ERROR
    if tests.exit_code == 0:
        return Reason.WRONG_ANSWER
    return _HARNESS_REASONS.get(tests.exit_code or 0, Reason.RUNTIME_ERROR)


def _process_failure(run: ProcessRun) -> Reason | None:
    """Why a run failed before its output could be judged, or None if it exited cleanly."""
    if run.output_limit:
        return Reason.OUTPUT_LIMIT
    if run.timed_out or run.signal == signal.SIGXCPU:
        return Reason.TIMEOUT
    if run.signal == signal.SIGKILL or _out_of_memory(run.stderr):
        return Reason.MEMORY
    if run.exit_code != 0:
        return Reason.RUNTIME_ERROR
    return None


def _out_of_memory(stderr: str) -> bool:
    return any(marker in stderr for marker in _MEMORY_MARKERS)


def classify_call(run: ProcessRun, nonce: str, expected: str) -> Reason | None:
    """Why a call-based run failed, or None: the value after the nonce line must equal the
    expected one, or its only element (as in APPS: datasets wrap some answers in a list).

    >>> from reward_service.sandbox.types import HarnessRun
    >>> tests = HarnessRun(0, None, "noise\\nN\\n[1, 2]\\n", "")
    >>> ok = ProcessRun(0, None, False, False, 0.1, 0.1, "", "", tests=tests)
    >>> classify_call(ok, "N", "[[1, 2]]") is None, classify_call(ok, "N", "[2, 1]")
    (True, <Reason.WRONG_ANSWER: 'wrong_answer'>)
    """
    reason = classify_harness(run, nonce)
    if reason is not None:
        return reason
    if run.matched is None:
        returned = returned_text(run.tests.stdout, nonce) if run.tests else None
        matched = returned is not None and returned_matches(returned, expected)
    else:
        matched = run.matched
    return None if matched else Reason.WRONG_ANSWER


def _excerpt(run: ProcessRun, reason: Reason) -> str:
    if reason is Reason.TIMEOUT:
        return f"used {run.cpu_s:.2f} s of CPU time in {run.wall_s:.2f} s"
    # A function-level run: the tests' traceback says more than the solution's output.
    stderr = (run.tests.stderr if run.tests else "") or run.stderr
    if reason in (Reason.RUNTIME_ERROR, Reason.MEMORY) or (
        reason is Reason.WRONG_ANSWER and stderr
    ):
        return stderr[-EXCERPT_CHARS:]
    if run.checker is not None and run.checker.verdict is None and run.checker.sane:
        return "the checker failed on this output: " + run.checker.stderr[-EXCERPT_CHARS:]
    return run.stdout[:EXCERPT_CHARS]


def _shown(code: str) -> str:
    return code[:EXCERPT_CHARS]


def _checker_failed(
    code: str, tests: CodeTests, case: int, checker: CheckerRun | None
) -> CodeScore:
    """A checker that raised or timed out is the service's fault: the item is unjudged."""
    if checker is None:
        what = "the checker did not run"
    elif checker.timed_out:
        what = f"the checker timed out ({checker.cpu_s:.1f} s of CPU time)"
    else:
        what = "the checker failed: " + checker.stderr[-EXCERPT_CHARS:]
    return CodeScore(
        None,
        Reason.CHECKER_ERROR,
        _shown(code),
        message=f"case {case}: {what}",
        total=tests.total,
        scoring=tests.scoring,
    )


def _failed(code: str, tests: CodeTests, failures: list[CaseFailure], passed: int) -> CodeScore:
    return CodeScore(
        passed / tests.total if tests.scoring == "fraction" else 0.0,
        failures[0].reason,
        _shown(code),
        passed=passed,
        total=tests.total,
        failures=tuple(failures[:FAILURES_SHOWN]),
        scoring=tests.scoring,
    )
