"""Code verdicts from raw run facts (no sandbox needed): comparison and classification."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import signal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reward_service.extract import CodeBlock, extract_code_block
from reward_service.rewards.code import (
    CodeTests,
    IOCase,
    classify_harness,
    classify_run,
    judge_code,
    sandbox_jobs,
    within_budget,
)
from reward_service.sandbox.compare import FloatTolerance, outputs_match
from reward_service.sandbox.types import (
    CheckerRun,
    Compilation,
    HarnessRun,
    Limits,
    ProcessRun,
    RunnerEvents,
    RunReport,
    SandboxJob,
)
from reward_service.scores import Reason
from tests.conftest import longest_stretch_s, runs_within

LIMITS = Limits(time_s=2, memory_mb=256, output_bytes=1 << 20, file_bytes=1 << 20, processes=32)


def run(
    stdout="",
    stderr="",
    exit_code=0,
    signal_number=None,
    timed_out=False,
    output_limit=False,
    **facts,
):
    return ProcessRun(
        exit_code, signal_number, timed_out, output_limit, 0.01, 0.01, stdout, stderr, **facts
    )


def hosted(tests_stdout="", tests_exit=0, tests_signal=None, tests_stderr="", **solution):
    """A function-level run: the solution's facts, and its tests' process."""
    return run(tests=HarnessRun(tests_exit, tests_signal, tests_stdout, tests_stderr), **solution)


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


SPACES = [chr(c) for c in range(0x110000) if chr(c).isspace()]
# Outputs of some hundred thousand characters, compared a slice at a time: runs of a
# character, each whitespace character, digits and no separator at all for longer than one.
OUTPUTS = st.lists(
    st.tuples(st.sampled_from(["1", "1.0", "x", *SPACES]), st.integers(1, 150_000)),
    max_size=6,
).map(lambda runs: "".join(text * count for text, count in runs))


def matches_when_split_whole(expected: str, actual: str, compare) -> bool:
    """`outputs_match` as it was before it split a slice at a time."""
    if compare == "exact":
        want, got = expected.rstrip(), actual.rstrip()
        return [w.rstrip() for w in want.split("\n")] == [g.rstrip() for g in got.split("\n")]
    want, got = expected.split(), actual.split()
    if len(want) != len(got):
        return False
    return all(
        w == g or (compare != "tokens" and outputs_match(w, g, compare))
        for w, g in zip(want, got, strict=True)
    )


@given(OUTPUTS, OUTPUTS, st.sampled_from(["exact", "tokens", EPS]))
def test_outputs_split_a_slice_at_a_time_match_as_split_whole(expected, actual, compare):
    assert outputs_match(expected, actual, compare) is matches_when_split_whole(
        expected, actual, compare
    )
    assert outputs_match(expected, expected, compare)


@pytest.mark.parametrize("compare", ["exact", "tokens", EPS])
def test_runs_are_compared_as_they_arrive_in_short_stretches(compare):
    """Runs whose output was under the size that sends their reading to a thread (64 KiB)
    were compared in the event loop, number by number too: 32,500 numbers took 30-40 ms a
    run, and two containers' runs held /health past 100 ms (blind round 6)."""
    output = "2 " * 32_500
    job = SandboxJob("python", "", ("",) * 10, LIMITS, expected=(output,) * 10, compare=compare)
    run = ProcessRun(0, None, False, False, 0.01, 0.01, output, "")
    line = json.dumps({"run": dataclasses.asdict(run)}).encode()
    events = RunnerEvents(job)

    async def read() -> None:
        for _ in range(10):
            await events.add(line)

    assert longest_stretch_s(read) < 0.01
    assert all(run.matched for run in events.runs)


def test_comparing_in_a_thread_lets_the_event_loop_run():
    """One split of 8 million tokens held the event loop out for 0.23 s."""
    expected = "1.0 " * 4_000_000
    actual = "1 " * 4_000_000
    stretch = longest_stretch_s(lambda: asyncio.to_thread(outputs_match, expected, actual, EPS))
    assert stretch < 0.05


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
        (hosted("noise\nNONCE\n"), None),
        (hosted("NONCE"), None),
        (hosted(""), Reason.WRONG_ANSWER),
        (hosted("xNONCEx\n"), Reason.WRONG_ANSWER),
        (hosted("", 101), Reason.WRONG_ANSWER),
        (hosted("", 105), Reason.WRONG_ANSWER),
        (hosted("", 103), Reason.RUNTIME_ERROR),
        (hosted("NONCE\n", 3), Reason.RUNTIME_ERROR),
        # The solution's own output never counts, whatever it prints.
        (hosted("", 101, stdout="NONCE\n"), Reason.WRONG_ANSWER),
        # Its limits come first; killed after the tests passed, it passed.
        (hosted("NONCE", timed_out=True, exit_code=None, signal_number=9), Reason.TIMEOUT),
        (hosted("NONCE", output_limit=True), Reason.OUTPUT_LIMIT),
        (hosted("NONCE", exit_code=None, signal_number=9), None),
        (hosted("", 103, exit_code=None, signal_number=9), Reason.MEMORY),
        (hosted("", 102, stderr="MemoryError"), Reason.MEMORY),
        (hosted("", None, signal.SIGXCPU), Reason.TIMEOUT),
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
        "solution-prints-the-nonce",
        "solution-timed-out",
        "solution-flooded",
        "solution-killed-after-the-tests",
        "solution-killed-for-memory",
        "solution-memory-error",
        "tests-out-of-cpu-time",
    ],
)
def test_classify_harness_run(facts, reason):
    assert classify_harness(facts, "NONCE") is reason


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


def test_a_submission_that_brought_its_container_down_twice_scores_zero():
    tests = CodeTests("python", (IOCase("", "1\n"),), LIMITS)
    score = judge_code("x", tests, [RunReport(None, (), killed_sandbox=True)], "n")
    assert (score.value, score.reason) == (0.0, Reason.KILLED_SANDBOX)


def test_a_compilation_out_of_cpu_time_is_a_compile_error():
    tests = CodeTests("cpp", (IOCase("", "1\n"),), LIMITS)
    report = RunReport(Compilation(False, "", 30.1, 31.0, timed_out=True), ())
    score = judge_code("x", tests, [report], "n")
    assert (score.value, score.reason) == (0.0, Reason.COMPILE_ERROR)
    assert "CPU time" in score.failures[0].excerpt


@pytest.mark.parametrize(("scoring", "value"), [("all", 0.0), ("fraction", 0.5)])
def test_cases_past_the_time_budget_fail(scoring, value):
    tests = CodeTests(
        "python", tuple(IOCase("", f"{n}\n") for n in range(4)), LIMITS, scoring=scoring
    )
    report = RunReport(None, (run("0\n"), run("1\n")), skipped=2, spent_s=120.0)
    score = judge_code("code", tests, [report], "n")
    assert (score.value, score.passed) == (value, 2)
    assert [(f.case, f.reason) for f in score.failures] == [
        (2, Reason.TIME_BUDGET),
        (3, Reason.TIME_BUDGET),
    ]


def test_later_jobs_get_what_the_earlier_ones_left_of_the_budget():
    tests = CodeTests(
        "python", (IOCase("", "1"),), LIMITS, "def check(c): pass", "f", budget_s=10.0
    )
    stdio, asserts = sandbox_jobs("def f(): pass", tests, "NONCE")
    assert within_budget(asserts, 4.0).budget_s == 6.0
    assert within_budget(asserts, 10.0) == RunReport(None, (), skipped=1)
    report = RunReport(None, (run("1"),), spent_s=10.0)
    score = judge_code("x", tests, [report, within_budget(asserts, 10.0)], "NONCE")
    assert (score.value, score.reason, score.passed) == (0.0, Reason.TIME_BUDGET, 1)


def checked(verdict, sane=None, stdout="x\n"):
    return run(
        stdout, checker=CheckerRun(verdict, 0 if verdict is not None else 1, False, 0.01, "", sane)
    )


@pytest.mark.parametrize(
    ("facts", "value", "reason"),
    [
        (checked(True), 1.0, None),
        (checked(False), 0.0, Reason.WRONG_ANSWER),
        # The checker failed on this output, but accepts the expected one: the output's fault.
        (checked(None, sane=True), 0.0, Reason.WRONG_ANSWER),
        # It fails on the expected output too: a broken checker judges nothing.
        (checked(None, sane=False), None, Reason.CHECKER_ERROR),
    ],
    ids=["accepted", "rejected", "crashed-by-the-output", "broken-checker"],
)
def test_checker_verdicts(facts, value, reason):
    tests = CodeTests("python", (IOCase("", "y\n"),), LIMITS, checker="def check(i, e, o): ...")
    score = judge_code("x", tests, [RunReport(None, (facts,))], "n")
    assert (score.value, score.reason) == (value, reason)


def test_tests_that_cannot_run_leave_the_item_unjudged():
    tests = CodeTests("python", (), LIMITS, "def check(candidate): candidate(object())", "f")
    report = RunReport(None, (hosted("", 106, tests_stderr="only plain values cross"),))
    score = judge_code("def f(x): pass", tests, [report], "NONCE")
    assert (score.value, score.reason) == (None, Reason.BAD_REFERENCE)
    assert "plain values" in (score.message or "")


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
    hostile = "</think>" + "```\n" * 100_000
    assert runs_within(0.5, extract_code_block, hostile)


def test_code_extraction_is_quick_enough_for_the_event_loop():
    """It runs in the event loop: a response of 333,000 fences took 73 ms an item when they
    were found one by one."""
    assert runs_within(0.03, extract_code_block, "</think>" + "```" * 333_000)


def fences_one_by_one(text: str) -> list[int]:
    fences, position = [], text.find("```")
    while position >= 0:
        fences.append(position)
        position = text.find("```", position + 3)
    return fences


@given(st.lists(st.sampled_from(["`", "``", "```", "a", "\n", "py\n", "</think>"])))
def test_the_block_is_between_the_last_fences_matched_from_the_start(pieces):
    response = "".join(pieces)
    final = response.rpartition("</think>")[2]
    fences = fences_one_by_one(final)
    block = extract_code_block(response)
    if len(fences) < 2:
        assert block is None
    else:
        complete = len(fences) - len(fences) % 2
        body = final[fences[complete - 2] + 3 : fences[complete - 1]]
        header, newline, code = body.partition("\n")
        expected = CodeBlock(header.strip().lower(), code) if newline else CodeBlock("", header)
        assert block == expected


@pytest.mark.parametrize(
    ("given", "language"),
    [("C++", "cpp"), ("js", "javascript"), ("Golang", "go"), ("python3", "python"), ("rs", "rust")],
)
def test_language_aliases(given, language):
    from reward_service.api.models import CodeReference

    assert CodeReference(language=given, cases=[{"stdout": "1"}]).language == language


@pytest.mark.parametrize(
    "token",
    ["1" * 1_000_000 + "a", "1" * 500_000 + "." + "1" * 500_000 + "x", "." + "1" * 1_000_000 + "e"],
)
def test_float_comparison_is_linear_in_the_output(token):
    """A megabyte of digits with junk at the end once took hours (a backtracking pattern, run
    in the event loop)."""
    tolerance = FloatTolerance(abs=1e-6, rel=1e-6)
    assert not outputs_match("1", token, tolerance)
    assert runs_within(1.0, outputs_match, "1", token, tolerance)


def _lines_as_specified(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


@given(
    st.text(st.sampled_from(["a", "1", " ", "\t", "\n", "\r", "\x0b", "\u3000", "\u2028"])),
    st.text(st.sampled_from(["a", "1", " ", "\t", "\n", "\r", "\x0b", "\u3000", "\u2028"])),
)
def test_exact_comparison_ignores_trailing_whitespace_of_lines_and_trailing_blank_lines(a, b):
    """Lines are counted before they are split (16 million expected newlines against a short
    output took a second): the answer is still the rule's."""
    assert outputs_match(a, b) == (_lines_as_specified(a) == _lines_as_specified(b))
