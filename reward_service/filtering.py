"""Rejection sampling for SFT data, as R1's third stage does: score a sampling dump, keep the
correct responses whose reasoning is clean, at most a few per prompt.

Scoring is `evaluate.score_file` (the same code as `score` and the server, resumable): the scored
records go to a scores file beside the output, and a rerun scores only what is missing. The
selection is then a pure, deterministic pass over the scored records, and the SFT file is
written whole.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from reward_service.config import Settings
from reward_service.evaluate import Entry, open_text, problem_of, score_file, task_of
from reward_service.rewards.language import LatinDetector, count_words, latin_detector
from reward_service.rewards.readability import (
    code_in_reasoning,
    overlong_paragraph,
    reasoning_of,
    repetition,
    token_count,
    too_long,
)

OutputFormat = Literal["messages", "text"]
_LATIN_WORD = re.compile(r"[A-Za-z]{2}")


@dataclass(frozen=True)
class FilterOptions:
    min_language: float = 0.95
    language: str | None = None
    max_paragraph_chars: int = 2000
    max_tokens: int = 32768
    max_repeats: int = 4
    per_prompt: int = 4
    output_format: OutputFormat = "messages"
    template: str = "think"


@dataclass
class FilterSummary:
    prompts: int = 0
    samples: int = 0
    accepted: int = 0
    accepted_per_prompt: Counter[int] = field(default_factory=Counter)
    prompts_without: list[str] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "prompts": self.prompts,
            "samples": self.samples,
            "accepted": self.accepted,
            "accepted_per_prompt": dict(sorted(self.accepted_per_prompt.items())),
            "prompts_without_accepted": len(self.prompts_without),
            "rejections": dict(self.reasons.most_common()),
        }


def prepared(entry: Entry, options: FilterOptions, detect: LatinDetector) -> Entry:
    """The entry with the template and target language the filter judges it by: the item's own
    format, else `options.template`; `--language`, else the item's own, else the language
    detected in its prompt (none found: no language rule)."""
    item, record = entry.item, dict(entry.record)
    language = options.language or item.language
    if language is None and isinstance(record.get("prompt"), str):
        language = prompt_language(record["prompt"], detect)
    update = {"format": item.format or options.template, "language": language}
    record.update(update)
    return Entry(record, item.model_copy(update=update))


def prompt_language(prompt: str, detect: LatinDetector) -> str | None:
    """The language most of the prompt's words are in; English when its Latin-script words are
    too few to tell (`Compute $3+4$.`); None when it has no words of a language we know.

    >>> from reward_service.rewards.language import LatinDetector, count_words, latin_detector
    >>> [prompt_language(p, latin_detector()) for p in ("Compute $3+4$.", "求 3+4 的值。", "42")]
    ['en', 'zh', None]
    """
    counts = +count_words(prompt, detect)  # + drops the zero counts
    counts.pop("other", None)
    if counts:
        return counts.most_common(1)[0][0]
    return "en" if _LATIN_WORD.search(prompt) else None


def rejections(
    record: dict, options: FilterOptions, count: Callable[[str], int] = token_count
) -> list[str]:
    """Every reason to reject one scored record; none: it is clean and correct."""
    result, response = record["result"], record["response"]
    scores, details = result["scores"], result["details"]
    reasons = []
    if not isinstance(record.get("prompt"), str) or not record["prompt"].strip():
        reasons.append("no_prompt")
    if scores["accuracy"] != 1.0:
        reasons.append(f"accuracy:{details.get('reason') or 'wrong'}")
    if scores["format"] is not None and scores["format"] != 1.0:
        reasons.append("format")
    if record.get("language") and (scores["language"] or 0.0) < options.min_language:
        reasons.append("language")
    reasoning = reasoning_of(response)
    for reason in (
        overlong_paragraph(reasoning, options.max_paragraph_chars),
        code_in_reasoning(reasoning, task_of(record)),
        too_long(response, options.max_tokens, count),
        repetition(reasoning, options.max_repeats),
    ):
        if reason:
            reasons.append(reason)
    return reasons


def select(
    records: Iterable[dict], options: FilterOptions, count: Callable[[str], int] = token_count
) -> tuple[list[dict], list[tuple[dict, list[str]]], FilterSummary]:
    """The kept records, the rejected ones with their reasons, and the summary.

    Per prompt: the clean, correct responses, shortest first (ties by id), without
    near-duplicates (the same text up to whitespace and case, or the same extracted answer with
    reasoning equal up to whitespace), at most `options.per_prompt`.
    """
    by_prompt: dict[str, list[dict]] = {}
    for record in records:
        by_prompt.setdefault(problem_of(record), []).append(record)
    kept: list[dict] = []
    rejected: list[tuple[dict, list[str]]] = []
    summary = FilterSummary(prompts=len(by_prompt))
    for prompt, group in by_prompt.items():
        summary.samples += len(group)
        clean = []
        for record in group:
            reasons = rejections(record, options, count)
            if reasons:
                rejected.append((record, reasons))
            else:
                clean.append(record)
        chosen: list[dict] = []
        seen: set[tuple[str, ...]] = set()
        for record in sorted(clean, key=lambda r: (len(r["response"]), str(r["id"]))):
            keys = _duplicate_keys(record)
            if keys & seen:
                rejected.append((record, ["near_duplicate"]))
            elif len(chosen) >= options.per_prompt:
                rejected.append((record, ["per_prompt_limit"]))
            else:
                chosen.append(record)
            seen |= keys
        kept += chosen
        summary.accepted_per_prompt[len(chosen)] += 1
        if not chosen:
            summary.prompts_without.append(prompt)
    summary.accepted = len(kept)
    for _, reasons in rejected:
        summary.reasons.update(reasons)
    return kept, rejected, summary


def _duplicate_keys(record: dict) -> set[tuple[str, ...]]:
    text = " ".join(record["response"].split()).lower()
    answer = record["result"]["details"].get("extracted") or ""
    reasoning = " ".join(reasoning_of(record["response"]).split())
    return {("text", text), ("answer", answer, reasoning)}


def sft_line(record: dict, output_format: OutputFormat) -> dict:
    """One training example: chat `messages` (TRL's SFTTrainer), or `prompt`/`completion`."""
    answer = record.get("answer")
    if output_format == "text":
        return {
            "id": record["id"],
            "prompt": record["prompt"],
            "completion": record["response"],
            "answer": answer,
        }
    return {
        "id": record["id"],
        "messages": [
            {"role": "user", "content": record["prompt"]},
            {"role": "assistant", "content": record["response"]},
        ],
        "answer": answer,
    }


def filter_file(
    source: str,
    output: str,
    settings: Settings,
    options: FilterOptions,
    *,
    rejected_path: str | None = None,
    scores_path: str | None = None,
    count: Callable[[str], int] = token_count,
    progress: Callable[[int], Any] | None = None,
    warn: Callable[[str], None] = lambda message: print(message, file=sys.stderr),
    total: Callable[[int], Any] | None = None,
) -> FilterSummary:
    """Score `source` into the scores file (resuming it), select, and write the SFT file (and
    the rejected responses, with their reasons)."""
    detect = latin_detector()
    _, records = score_file(
        source,
        scores_path or scores_file(output),
        settings,
        prepare=lambda entry: prepared(entry, options, detect),
        summarize_records=False,
        progress=progress,
        warn=warn,
        total=total,
    )
    kept, rejected, summary = select(records, options, count)
    with open_text(output, "w") as out:
        for record in kept:
            out.write(json.dumps(sft_line(record, options.output_format), ensure_ascii=False))
            out.write("\n")
    if rejected_path:
        with open_text(rejected_path, "w") as out:
            for record, reasons in rejected:
                line = {
                    "id": record["id"],
                    "prompt": record.get("prompt"),
                    "response": record["response"],
                    "reasons": reasons,
                }
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return summary


def scores_file(output: str) -> str:
    """Where the scored records of a filter run go, for resuming: beside the output."""
    return output.removesuffix(".gz") + ".scores.jsonl"
