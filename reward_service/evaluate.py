"""Offline scoring of evaluation dumps: JSONL in, JSONL out, a summary with pass@k and cons@k.

The same scoring path as the server (`reward_service.scoring.score_items`, the worker pool,
the sandbox), without HTTP. Output is written chunk by chunk in input order, so an interrupted
run loses at most the chunk in flight, and rerunning with the same output resumes: items whose
id is already there are skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import io
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from reward_service.api.models import ScoreItem, ScoreRequest
from reward_service.batching import group_batches
from reward_service.config import Settings
from reward_service.metrics import Sample, TaskSummary, summarize
from reward_service.rewards.math import equivalence_classes
from reward_service.sandbox import Sandbox, UnavailableSandbox, open_sandbox
from reward_service.scoring import score_items
from reward_service.workers import TaskFailure, WorkerPool

CHUNK_ITEMS = 256
_ITEM_FIELDS = set(ScoreItem.model_fields)
_GROUP_FIELDS = _ITEM_FIELDS - {"id", "group", "response"}


class MalformedInput(ValueError):
    """A line that is not a score item (with `--strict`, it stops the run)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass(frozen=True)
class Entry:
    """One item to score: the record written out (input fields kept) and its parsed item."""

    record: dict
    item: ScoreItem


@dataclass
class Evaluation:
    summary: dict[str, TaskSummary]
    scored: int = 0
    skipped: int = 0
    malformed: list[MalformedInput] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            **{task: s.as_dict() for task, s in self.summary.items()},
            "malformed_lines": len(self.malformed),
        }


def read_entries(lines: Iterator[str]) -> Iterator[Entry | MalformedInput]:
    """Parse input lines: score items, or dump lines with several `responses` (one group each)."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("a line must be a JSON object")
            yield from _entries(data, number)
        except (ValueError, ValidationError) as exc:
            yield MalformedInput(number, _short(exc))


def _entries(data: dict, number: int) -> Iterator[Entry]:
    if "responses" in data:
        responses = data["responses"]
        if not isinstance(responses, list) or not responses:
            raise ValueError("`responses` must be a non-empty list of strings")
        problem = str(data.get("id", f"line{number}"))
        shared = {k: v for k, v in data.items() if k in _GROUP_FIELDS}
        items = [
            ScoreItem.model_validate(
                {**shared, "id": f"{problem}-{index}", "group": problem, "response": response}
            )
            for index, response in enumerate(responses)
        ]
        rest = {k: v for k, v in data.items() if k not in ("responses", "id")}
        for item in items:
            yield Entry(
                {**rest, "id": item.id, "group": item.group, "response": item.response}, item
            )
        return
    record = {**data, "id": str(data.get("id", f"line{number}"))}
    yield Entry(record, _item_of(record))


def score_file(
    source: str,
    output: str,
    settings: Settings,
    *,
    strict: bool = False,
    prepare: Callable[[Entry], Entry] | None = None,
    summarize_records: bool = True,
    progress: Callable[[int], Any] | None = None,
    warn: Callable[[str], None] = lambda message: print(message, file=sys.stderr),
    total: Callable[[int], Any] | None = None,
) -> tuple[Evaluation, list[dict]]:
    """Score a dump file into `output` (resuming it), and summarize everything in it.

    Args:
        source: input JSONL path (`.gz` works), or `-` for stdin.
        output: output JSONL path (`.gz` works; appended to, resuming), or `-` for stdout.
        settings: worker, math and sandbox settings, as for the server.
        strict: stop at the first malformed line instead of reporting and skipping it.
        prepare: applied to each parsed entry before scoring (the filter sets its template and
            target language so).
        summarize_records: compute the summary (pass@k, and the majority votes of cons@k,
            which parse every answer again); off, the evaluation's summary is empty (the filter
            needs the records alone).
        progress: called with the number of items finished after each chunk.
        warn: where malformed lines are reported.
        total: called once with the number of items to score.

    Returns:
        The evaluation (summary, counts) and every output record, for a report.
    """
    with open_text(source, "r") as handle:
        parsed = list(read_entries(handle))
    malformed = [entry for entry in parsed if isinstance(entry, MalformedInput)]
    for problem in malformed:
        if strict:
            raise problem
        warn(f"skipped malformed input, {problem}")
    entries = [entry for entry in parsed if isinstance(entry, Entry)]
    if prepare is not None:
        entries = [prepare(entry) for entry in entries]
    earlier = [] if output == "-" else done_records(Path(output))
    previous = _reusable(earlier, entries)
    dropped = len(previous) < len(earlier)
    if dropped:
        _rewrite(output, previous)
    done = {record["id"] for record in previous}
    todo = [entry for entry in entries if entry.record["id"] not in done]
    if total:
        total(len(todo))

    with open_text(output, "a" if output != "-" else "w") as out:

        def write(record: dict) -> None:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()

        new, scored, classes = asyncio.run(
            _score_and_vote(todo, previous, write, settings, progress, summarize_records)
        )
    records = previous + new
    if dropped:  # what was scored again went to the end: back to input order
        position = {entry.record["id"]: index for index, entry in enumerate(entries)}
        records.sort(key=lambda record: position.get(record["id"], len(position)))
        _rewrite(output, records)
    evaluation = Evaluation(
        summarize(scored, classes) if summarize_records else {},
        scored=len(new),
        skipped=len(entries) - len(todo),
        malformed=malformed,
    )
    return evaluation, records


async def _score_and_vote(
    todo: list[Entry],
    previous: list[dict],
    write: Callable[[dict], None],
    settings: Settings,
    progress: Callable[[int], Any] | None,
    vote: bool,
) -> tuple[list[dict], list[Sample], dict[str, list[int | None]]]:
    """Score what is left, then (with `vote`) vote over every record, earlier ones included,
    in the same pool."""
    async with WorkerPool(
        processes=settings.workers.processes,
        item_timeout_s=settings.workers.item_timeout_s,
        memory_mb=settings.workers.memory_mb,
    ) as pool:
        new = await score_entries(todo, write, pool, settings, progress)
        if not vote:
            return new, [], {}
        scored = samples(previous + new)
        return new, scored, await vote_classes(scored, pool)


async def score_entries(
    entries: list[Entry],
    write: Callable[[dict], None],
    pool: WorkerPool,
    settings: Settings,
    progress: Callable[[int], Any] | None = None,
) -> list[dict]:
    """Score entries in chunks (a group never split), writing each record with its result."""
    needs_sandbox = any(entry.item.task == "code" for entry in entries)
    sandbox: Sandbox = (
        await open_sandbox(settings.sandbox)
        if needs_sandbox
        else UnavailableSandbox("no code items in this dump")
    )
    written = []
    try:
        for chunk in group_batches(entries, CHUNK_ITEMS, lambda entry: entry.item.group):
            request = ScoreRequest(items=[entry.item for entry in chunk])
            response = await score_items(request, pool, sandbox, settings)
            for entry, result in zip(chunk, response.results, strict=True):
                record = {**entry.record, "result": _result_fields(result.model_dump())}
                write(record)
                written.append(record)
            if progress:
                progress(len(chunk))
    finally:
        await sandbox.close()
    return written


async def vote_classes(scored: list[Sample], pool: WorkerPool) -> dict[str, list[int | None]]:
    """Equivalence classes of each math problem's extracted answers (for cons@k)."""
    problems: dict[str, list[str | None]] = {}
    for sample in scored:
        if sample.task == "math":
            problems.setdefault(sample.problem, []).append(sample.extracted)
    outcomes = await asyncio.gather(
        *(pool.run(equivalence_classes, answers) for answers in problems.values())
    )
    return {
        name: outcome
        for name, outcome in zip(problems, outcomes, strict=True)
        if not isinstance(outcome, TaskFailure)
    }


def samples(records: list[dict]) -> list[Sample]:
    return [
        Sample(
            problem=problem_of(record),
            task=task_of(record),
            accuracy=record["result"]["scores"]["accuracy"],
            extracted=record["result"]["details"].get("extracted"),
            format=record["result"]["scores"]["format"],
            language=record["result"]["scores"]["language"],
            reason=record["result"]["details"].get("reason"),
            unjudged=record["result"]["details"].get("status") == "unjudged",
        )
        for record in records
    ]


def done_records(path: Path) -> list[dict]:
    """Records already in an output file; a partial last line (an interrupted write) is cut."""
    if not path.exists():
        return []
    with _open(str(path), "rb") as handle:
        raw = handle.read()
    complete, _, partial = raw.rpartition(b"\n")
    if partial:
        with _open(str(path), "wb") as handle:
            handle.write(complete + b"\n" if complete else b"")
    records = []
    for line in complete.decode().splitlines():
        if line.strip():
            records.append(json.loads(line))
    return records


def _reusable(previous: list[dict], entries: list[Entry]) -> list[dict]:
    """The earlier records that still hold; the others are to be scored again.

    A record whose item the input now gives differently (another response, reference,
    template or target language) is stale. A stale record's group goes as a whole, as does a
    group an interruption left half written: its statistics, and so its advantages, need
    the whole group.
    """
    current = {entry.record["id"]: entry.item for entry in entries}
    stale = {
        record["id"]
        for record in previous
        if record["id"] in current and _item_of(record) != current[record["id"]]
    }
    wanted = Counter(entry.item.group for entry in entries if entry.item.group is not None)
    have = Counter(record.get("group") for record in previous if record.get("group") is not None)
    redo = {group for group, count in have.items() if count < wanted.get(group, count)}
    redo |= {record.get("group") for record in previous if record["id"] in stale} - {None}
    return [r for r in previous if r["id"] not in stale and r.get("group") not in redo]


def _rewrite(output: str, records: list[dict]) -> None:
    """Replace the output file's records, all at once: an interruption leaves the old file."""
    path = Path(output)
    partial = path.with_name(f".partial-{path.name}")  # the same suffix: .gz stays gzip
    with open_text(str(partial), "w") as handle:
        handle.writelines(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    partial.replace(path)


@contextlib.contextmanager
def open_text(path: str, mode: str) -> Iterator[IO[str]]:
    """`-` is stdin/stdout; a `.gz` name is gzip; anything else a UTF-8 text file."""
    if path == "-":
        stream = sys.stdin if mode == "r" else sys.stdout
        yield stream
        return
    with _open(path, mode + "b") as raw, io.TextIOWrapper(raw, encoding="utf-8") as text:
        yield text


def _open(path: str, mode: str) -> IO[bytes]:
    if path.endswith(".gz"):
        return gzip.open(path, mode)  # type: ignore[return-value]
    return open(path, mode)  # noqa: SIM115


def _result_fields(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k not in ("id", "group")}


def problem_of(record: dict) -> str:
    """The problem (prompt) a scored record answers: its group, else its own id."""
    return str(record.get("group") or record["id"])


def task_of(record: dict) -> str:
    """The record's task, as its item gives or infers it."""
    return _item_of(record).task or "none"


def _item_of(record: dict) -> ScoreItem:
    return ScoreItem.model_validate({k: v for k, v in record.items() if k in _ITEM_FIELDS})


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "line"
        return f"{where}: {first['msg']}"
    return str(exc)
