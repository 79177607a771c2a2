"""`reward-service score`: dumps in, scored items and a summary out; resume, gz, pipes, reports."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from reward_service import cli

DUMP = [
    {
        "id": "half",
        "prompt": "What is 1/2 as a decimal?",
        "answer": "\\frac{1}{2}",
        "responses": [
            "<think>1/2</think> \\boxed{0.5}",
            "<think>1/2</think> \\boxed{1/2}",
            "<think>?</think> \\boxed{3}",
            "<think>?</think> \\boxed{3}",
        ],
    },
    {
        "id": "four",
        "prompt": "2 + 2?",
        "answer": "4",
        "responses": [
            "<think>?</think> \\boxed{5}",
            "<think>?</think> \\boxed{5}",
            "<think>2+2</think> \\boxed{4}",
            "<think>no idea",
        ],
    },
]
# By hand: half has 2/4 right, and 0.5 with 1/2 ties 3, 3 (first vote wins: right); four has
# 1/4 right and 5 wins. pass@2 = (1 - 1/6 + 1 - 3/6) / 2; cons@4 = 1/2.
EXPECTED = {
    "items": 8,
    "problems": 2,
    "accuracy": 3 / 8,
    "pass@1": 3 / 8,
    "pass@2": (5 / 6 + 1 / 2) / 2,
    "pass@4": 1.0,
    "cons@1": 1 / 2,
    "cons@2": 1 / 2,
    "cons@4": 1 / 2,
}


def write_lines(path: Path, rows: list, opener=open) -> None:
    with opener(path, "wt") as handle:
        for row in rows:
            handle.write((row if isinstance(row, str) else json.dumps(row)) + "\n")


def read_lines(path: Path, opener=open) -> list[dict]:
    with opener(path, "rt") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def run(*args: str, input: str | None = None):
    result = CliRunner().invoke(cli.main, ["score", *args], input=input)
    return result


def test_a_dump_is_expanded_scored_and_summarized(tmp_path):
    source, output, summary = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "s.json"
    write_lines(source, DUMP)
    result = run(str(source), "-o", str(output), "--summary", str(summary))
    assert result.exit_code == 0, result.output
    records = read_lines(output)
    assert [r["id"] for r in records] == [f"{p}-{i}" for p in ("half", "four") for i in range(4)]
    assert all(r["prompt"] and r["group"] in ("half", "four") for r in records)
    assert [r["result"]["scores"]["accuracy"] for r in records] == [1, 1, 0, 0, 0, 0, 1, 0]
    math_summary = json.loads(summary.read_text())["math"]
    assert {k: math_summary[k] for k in EXPECTED} == pytest.approx(EXPECTED)
    assert "pass@4" in result.output and "cons@4" in result.output


def test_the_report_is_one_html_file_with_the_table_and_three_plots(tmp_path):
    source, output, report = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "r.html"
    write_lines(source, DUMP)
    assert run(str(source), "-o", str(output), "--report", str(report)).exit_code == 0
    page = report.read_text()
    assert (
        page.count("<svg") == 3
        and "<script" not in page
        and "http" not in page.replace("http://www.w3.org/2000/svg", "")
    )
    for caption in ("pass@k and cons@k against k", "Per-problem accuracy", "Reward distribution"):
        assert caption in page
    assert "<td>cons@4</td>" in page and "<polyline" in page and "<rect" in page


def test_an_interrupted_run_resumes_and_loses_nothing(tmp_path):
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_lines(source, DUMP)
    assert run(str(source), "-o", str(output)).exit_code == 0
    complete = read_lines(output)
    # Interrupted after three records and in the middle of writing the fourth.
    lines = output.read_text().splitlines(keepends=True)
    output.write_text("".join(lines[:3]) + lines[3][:25])
    assert "scored 8 items" in run(str(source), "-o", str(output)).output
    assert read_lines(output) == complete
    # Interrupted after the first group.
    output.write_text("".join(lines[:4]) + lines[4][:10])
    result = run(str(source), "-o", str(output))
    assert result.exit_code == 0, result.output
    # The half-written group is scored again as a whole, so its advantages stay right.
    assert "scored 4 items, skipped 4" in result.output
    assert read_lines(output) == complete


def test_a_changed_item_is_rescored_with_its_group(tmp_path):
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_lines(source, DUMP)
    assert run(str(source), "-o", str(output)).exit_code == 0
    before = read_lines(output)
    changed = json.loads(json.dumps(DUMP))
    changed[0]["responses"][3] = "<think>1/2</think> \\boxed{0.5}"
    write_lines(source, changed)
    result = run(str(source), "-o", str(output))
    assert result.exit_code == 0, result.output
    assert "scored 4 items, skipped 4" in result.output
    after = read_lines(output)
    assert [r["id"] for r in after] == [r["id"] for r in before]  # still in input order
    assert after[3]["result"]["scores"]["accuracy"] == 1.0
    # The group's advantages are those of its new responses (accuracies 1, 1, 0, 1).
    assert after[0]["result"]["advantage"] == pytest.approx(0.577, abs=1e-3)
    assert after[4:] == before[4:]
    assert not list(tmp_path.glob(".partial-*"))


def test_a_killed_process_resumes(tmp_path):
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    slow = "<think>slow</think> \\boxed{9^{9^{9^{99}}}}"
    rows = [{"id": f"p{i}", "answer": "1", "response": "</think> \\boxed{1}"} for i in range(300)]
    rows += [{"id": f"s{i}", "answer": "1", "response": slow} for i in range(4)]
    rows += [{"id": f"q{i}", "answer": "1", "response": "</think> \\boxed{1}"} for i in range(10)]
    write_lines(source, rows)
    command = [sys.executable, "-m", "reward_service", "score", str(source), "-o", str(output)]
    env = {**os.environ, "REWARD_WORKERS__ITEM_TIMEOUT_S": "30"}
    process = subprocess.Popen(
        command, env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while not (output.exists() and output.read_text().count("\n") >= 256):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.1)
    process.send_signal(signal.SIGKILL)
    process.wait()
    interrupted = output.read_text().count("\n")
    assert 256 <= interrupted < len(rows)
    resumed = subprocess.run(command + ["--item-timeout", "0.5"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert f"skipped {interrupted}" in resumed.stderr
    assert [r["id"] for r in read_lines(output)] == [r["id"] for r in rows]


def test_gzip_in_and_out(tmp_path):
    source, output = tmp_path / "in.jsonl.gz", tmp_path / "out.jsonl.gz"
    write_lines(source, DUMP, gzip.open)
    assert run(str(source), "-o", str(output)).exit_code == 0
    assert len(read_lines(output, gzip.open)) == 8


def test_stdin_to_stdout_keeps_the_summary_off_stdout():
    result = CliRunner().invoke(
        cli.main, ["score", "-", "-o", "-"], input="\n".join(json.dumps(row) for row in DUMP)
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 8
    assert "pass@1" in result.stderr


def test_malformed_lines_are_reported_by_number_skipped_and_counted(tmp_path):
    source, output, summary = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "s.json"
    good = {"id": "ok", "answer": "7", "response": "</think> \\boxed{7}"}
    write_lines(
        source,
        [
            good,
            "{not json",
            {"id": "bad", "answer": "7"},
            "[1, 2]",
            {"responses": []},
            good | {"id": "ok2"},
        ],
    )
    result = run(str(source), "-o", str(output), "--summary", str(summary))
    assert result.exit_code == 0, result.output
    for line, problem in [
        (2, "Expecting"),
        (3, "response: Field required"),
        (4, "a line must be a JSON object"),
        (5, "`responses` must be a non-empty list"),
    ]:
        assert f"line {line}: {problem}" in result.output
    assert [r["id"] for r in read_lines(output)] == ["ok", "ok2"]
    assert json.loads(summary.read_text())["malformed_lines"] == 4


def test_strict_stops_at_the_first_malformed_line(tmp_path):
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_lines(source, [{"id": "a", "answer": "1", "response": "x"}, "{oops"])
    result = run(str(source), "-o", str(output), "--strict")
    assert result.exit_code == cli.EXIT_BAD_INPUT
    assert "line 2" in result.output


def test_a_missing_input_file_is_a_clear_error(tmp_path):
    result = run(str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == cli.EXIT_BAD_INPUT and "No such file" in result.output


@pytest.mark.slow
def test_ten_thousand_lines_with_a_progress_bar_on_a_terminal(tmp_path):
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    answers = ["42", "\\frac{1}{2}", "x = 3", "0.25", "17"]
    write_lines(
        source,
        [
            {
                "id": str(i),
                "group": f"q{i // 8}",
                "answer": answers[i % 5],
                "response": f"<think>step {i}</think> so \\boxed{{{answers[(i + i // 8) % 5]}}}",
            }
            for i in range(10_000)
        ],
    )
    command = f"{sys.executable} -m reward_service score {source} -o {output}"
    # `script` gives the command a terminal (sized: tqdm draws nothing on a 0x0 one), where the
    # progress bar shows.
    terminal = subprocess.run(
        ["script", "-qec", f"stty rows 40 cols 120; {command}", "/dev/null"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert terminal.returncode == 0, terminal.stdout[-2000:]
    assert "10000/10000" in terminal.stdout and "item/s" in terminal.stdout
    assert len(read_lines(output)) == 10_000
    piped = subprocess.run(
        command.split() + ["--summary", str(tmp_path / "s.json")], capture_output=True, text=True
    )
    assert "item/s" not in piped.stderr  # quiet in pipes: everything was already scored
