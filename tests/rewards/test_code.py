"""Code verdicts from raw run facts (no sandbox needed): comparison and classification."""

from __future__ import annotations

import signal

import pytest

from reward_service.extract import CodeBlock, extract_code_block
from reward_service.rewards.code import (
    CodeTests,
    FloatTolerance,
    IOCase,
    classify_run,
    judge_code,
    outputs_match,
    sandbox_jobs,
)
from reward_service.sandbox.types import Compilation, Limits, ProcessRun, RunReport
from reward_service.scores import Reason

LIMITS = Limits(time_s=2, memory_mb=256, output_bytes=1 << 20, file_bytes=1 << 20, processes=32)


def run(stdout="", stderr="", exit_code=0, signal_number=None, timed_out=False, output_limit=False):
    return ProcessRun(exit_code, signal_number, timed_out, output_limit, 0.01, stdout, stderr)


EPS = FloatTolerance(abs=1e-6, rel=1e-6)


@pytest.mark.parametrize(
    ("expected", "actual", "compare", "match"),
    [
        ("3\n", "3\n", "exact", True),
        ("3\n", "3", "exact", True),
        ("3\n", "3   \n\n\n", "exact", True),
        ("1 2\n3 4\n", "1 2 \r\n3 4\r\n", "exact", True),
        ("3\n", " 3\n", "exact", False),
        ("3\n", "3\n4\n", "exact", False),
        ("3\n4\n", "3\n", "exact", False),
        ("3\n4\n", "", "exact", False),
        ("", "", "exact", True),
        ("", "\n\n", "exact", True),
        ("a  b\n", "a b\n", "exact", False),
        ("0.5\n", "0.50000001\n", "exact", False),
        # tokens: any whitespace between, the same tokens in the same order
        ("a  b\n", "a b\n", "tokens", True),
        ("1 2 3\n", "1\n2\n3", "tokens", True),
        (" 3 \n", "3", "tokens", True),
        ("1 2 3\n", "1 2\n", "tokens", False),
        ("1 2\n", "1 2 3\n", "tokens", False),
        ("1 2\n", "2 1\n", "tokens", False),
        ("12\n", "1 2\n", "tokens", False),
        ("0.5\n", "0.50\n", "tokens", False),
        # float: tokens, with plain decimal numbers within tolerance of the expected one
        ("0.5\n", "0.50000001\n", EPS, True),
        ("0.5\n", "0.51\n", EPS, False),
        ("0.5 x\n", "0.5000000001\nx\n", EPS, True),
        ("0.5 x\n", "0.5000000001 y\n", EPS, False),
        ("0.5\n", "0.5 0.5\n", EPS, False),
        ("0.5 0.5\n", "0.5\n", EPS, False),
        ("1e9\n", "1000000001\n", EPS, True),
        ("1e9\n", "1000002000\n", EPS, False),
        ("0\n", "0.0000009\n", EPS, True),
        ("0\n", "0.0000011\n", EPS, False),
        ("5\n", "5.00000499\n", EPS, True),
        ("5\n", "-5\n", EPS, False),
        ("inf\n", "inf\n", EPS, True),
        ("0.5\n", "nan\n", EPS, False),
        ("nan\n", "nan\n", EPS, True),
        ("1000\n", "1_000\n", EPS, False),
        ("8\n", "0x8\n", EPS, False),
        ("8\n", "8.\n", EPS, True),
        ("8\n", ".8e1\n", EPS, True),
        # relative to the expected value only: a huge output does not widen its own tolerance
        ("1\n", "1e300\n", FloatTolerance(abs=0, rel=0.5), False),
        ("1e300\n", "1.4e300\n", FloatTolerance(abs=0, rel=0.5), True),
    ],
)
def test_outputs_match(expected, actual, compare, match):
    assert outputs_match(expected, actual, compare) is match


def test_float_tolerance_at_the_boundary():
    """abs and rel each admit an error exactly at the limit, and nothing past it."""
    absolute = FloatTolerance(abs=0.25, rel=0)
    assert outputs_match("1", "1.25", absolute) and outputs_match("1", "0.75", absolute)
    assert not outputs_match("1", "1.2500001", absolute)
    relative = FloatTolerance(abs=0, rel=0.25)
    assert outputs_match("4", "5", relative) and outputs_match("4", "3", relative)
    assert not outputs_match("4", "5.000001", relative)


@pytest.mark.parametrize(("scoring", "value"), [("all", 0.0), ("fraction", 0.5)])
def test_fraction_scoring_gives_partial_credit(scoring, value):
    tests = CodeTests(
        "python", tuple(IOCase("", f"{n}\n") for n in range(4)), LIMITS, scoring=scoring
    )
    report = RunReport(None, (run("0\n"), run("1\n"), run("9\n"), run("", timed_out=True)))
    score = judge_code("code", tests, [report], "n")
    assert (score.value, score.passed, score.total, score.scoring) == (value, 2, 4, scoring)
    assert score.reason is Reason.WRONG_ANSWER


def test_fraction_scoring_gives_nothing_for_a_compile_error():
    tests = CodeTests("cpp", (IOCase("", "1\n"),), LIMITS, scoring="fraction")
    report = RunReport(Compilation(False, "error", 0.2), ())
    assert judge_code("x", tests, [report], "n").value == 0.0


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (run("3\n"), None),
        (run("4\n"), Reason.WRONG_ANSWER),
        (run("3\n", exit_code=1), Reason.RUNTIME_ERROR),
        (run("3\n", timed_out=True, signal_number=9, exit_code=None), Reason.TIMEOUT),
        (run("3\n", signal_number=signal.SIGXCPU, exit_code=None), Reason.TIMEOUT),
        (run("3\n", output_limit=True), Reason.OUTPUT_LIMIT),
        (run("", "Traceback\nMemoryError\n", exit_code=1), Reason.MEMORY),
        (run("", "terminate called after throwing 'std::bad_alloc'", None, 6), Reason.MEMORY),
        (run("", "", None, signal.SIGKILL), Reason.MEMORY),
        (run("", "", None, signal.SIGSEGV), Reason.RUNTIME_ERROR),
    ],
)
def test_classify_stdio_run(facts, reason):
    assert classify_run(facts, expected="3\n") is reason


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (run("noise\nNONCE\n"), None),
        (run("NONCE"), None),
        (run(""), Reason.WRONG_ANSWER),
        (run("xNONCEx\n"), Reason.WRONG_ANSWER),
        (run("", exit_code=101), Reason.WRONG_ANSWER),
        (run("", exit_code=105), Reason.WRONG_ANSWER),
        (run("", exit_code=103), Reason.RUNTIME_ERROR),
        (run("NONCE\n", exit_code=3), Reason.RUNTIME_ERROR),
    ],
    ids=[
        "nonce-line",
        "nonce-alone",
        "exit-0-without-nonce",
        "nonce-not-a-line",
        "assertion",
        "not-plain",
        "solution-failed",
        "nonce-then-crash",
    ],
)
def test_classify_harness_run(facts, reason):
    assert classify_run(facts, nonce="NONCE") is reason


def test_jobs_put_all_stdio_cases_in_one_run_and_asserts_in_another():
    tests = CodeTests(
        "python", (IOCase("1", "1"), IOCase("2", "2")), LIMITS, "def check(c): pass", "f"
    )
    stdio, asserts = sandbox_jobs("def f(): pass", tests, "NONCE")
    assert stdio.inputs == ("1", "2") and stdio.harness is None
    assert asserts.harness is not None and asserts.harness.nonce == "NONCE"
    assert tests.total == 3


def test_judge_counts_passes_and_reports_every_failure():
    tests = CodeTests("python", (IOCase("", "1\n"), IOCase("", "2\n"), IOCase("", "3\n")), LIMITS)
    report = RunReport(None, (run("1\n"), run("5\n"), run("", timed_out=True)))
    score = judge_code("code", tests, [report], "n")
    assert (score.value, score.passed, score.total) == (0.0, 1, 3)
    assert [(f.case, f.reason) for f in score.failures] == [
        (1, Reason.WRONG_ANSWER),
        (2, Reason.TIMEOUT),
    ]
    assert score.reason is Reason.WRONG_ANSWER


def test_compile_error_fails_every_test():
    tests = CodeTests("cpp", (IOCase("", "1\n"),), LIMITS)
    report = RunReport(Compilation(False, "error: 'x' was not declared", 0.2), ())
    score = judge_code("int main(){return x;}", tests, [report], "n")
    assert (score.value, score.reason, score.passed) == (0.0, Reason.COMPILE_ERROR, 0)
    assert "not declared" in score.failures[0].excerpt


@pytest.mark.parametrize(
    ("timed_out", "reason"), [(True, Reason.TIMEOUT), (False, Reason.RUNTIME_ERROR)]
)
def test_a_runner_that_gave_no_report_is_the_submissions_fault(timed_out, reason):
    tests = CodeTests("python", (IOCase("", "1\n"),), LIMITS)
    report = RunReport(None, (), runner_error="killed", runner_timed_out=timed_out)
    score = judge_code("x", tests, [report], "n")
    assert (score.value, score.reason) == (0.0, reason)


@pytest.mark.parametrize(
    ("response", "block"),
    [
        ("```python\nprint(1)\n```", CodeBlock("python", "print(1)\n")),
        ("</think>\n```py\na\n```\ntext\n```cpp\nb\n```", CodeBlock("cpp", "b\n")),
        ("</think>```\nplain\n```", CodeBlock("", "plain\n")),
        ("</think>```C++ \nx\n```", CodeBlock("c++", "x\n")),
        ("<think>```python\nhidden\n```</think>", None),
        ("<think>```python\nhidden\n```", None),
        ("</think>```python\nfirst\n```\n```python\nunclosed", CodeBlock("python", "first\n")),
        ("</think> no code at all", None),
        ("</think>```print(1)```", CodeBlock("", "print(1)")),
    ],
    ids=[
        "no-think",
        "last-block-wins",
        "untagged",
        "tag-case-and-space",
        "inside-think-only",
        "truncated-think",
        "unclosed-last-fence",
        "no-block",
        "one-line",
    ],
)
def test_extract_code_block(response, block):
    assert extract_code_block(response) == block


def test_code_extraction_is_linear_on_adversarial_input():
    import time

    hostile = "</think>" + "```\n" * 100_000
    started = time.perf_counter()
    extract_code_block(hostile)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    ("given", "language"),
    [("C++", "cpp"), ("js", "javascript"), ("Golang", "go"), ("python3", "python"), ("rs", "rust")],
)
def test_language_aliases(given, language):
    from reward_service.api.models import CodeReference

    assert CodeReference(language=given, cases=[{"stdout": "1"}]).language == language
