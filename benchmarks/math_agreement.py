"""Agreement with true labels on R1-style responses: our math reward vs math-verify's recipe.

The labelled set is tests/data/r1_style_math.jsonl: each line is a response, its reference
answer and the true 0/1 label under DESIGN.md's final-answer rules (the answer lives after the
last `</think>`; the `<answer>` body if present, else the box; enumerations earn nothing).

Two scorers, each item judged once:
  1. ours: `score_math(response, parse_reference(answer))`,
  2. the plain recipe used in-trainer (open-r1 style): math-verify's default `parse` of the
     whole response and `verify(gold=parse("$answer$"), target=...)`.

Prints the agreement (accuracy against the labels) of each, the items each gets wrong, and the
versions and hardware. Deterministic: no sampling, no seed.

Usage: python benchmarks/math_agreement.py [path.jsonl]
"""

from __future__ import annotations

import json
import logging
import platform
import sys
from importlib.metadata import version
from pathlib import Path

from math_verify import parse, verify

from reward_service.rewards.math import parse_reference, score_math

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "r1_style_math.jsonl"


def load(path: Path = DATA) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def ours(response: str, answer: str) -> int:
    reference = parse_reference(answer)
    return int(reference is not None and score_math(response, reference).value == 1.0)


def math_verify_recipe(response: str, answer: str) -> int:
    gold = parse(f"${answer}$", parsing_timeout=None)
    target = parse(response, parsing_timeout=None)
    return int(verify(gold=gold, target=target, timeout_seconds=None))


def agreement(items: list[dict], scorer) -> tuple[float, list[tuple[int, dict, int]]]:
    """Share of items whose score equals the label, and the (line, item, score) it got wrong."""
    misses = []
    for line, item in enumerate(items, start=1):
        score = scorer(item["response"], item["answer"])
        if score != item["label"]:
            misses.append((line, item, score))
    return 1 - len(misses) / len(items), misses


def main(argv: list[str]) -> None:
    logging.disable(logging.WARNING)  # math-verify warns on every call with its timeout off
    items = load(Path(argv[0])) if argv else load()
    positives = sum(item["label"] for item in items)
    print(f"{len(items)} items ({positives} labelled 1, {len(items) - positives} labelled 0)")
    print(
        f"python {platform.python_version()}, math-verify {version('math-verify')}, "
        f"sympy {version('sympy')}, {platform.machine()} {platform.system()}"
    )
    results = {
        "ours (score_math)": agreement(items, ours),
        "math-verify recipe": agreement(items, math_verify_recipe),
    }
    for name, (share, _) in results.items():
        print(f"{name:<20} agreement {share:6.1%}")
    ours_share = results["ours (score_math)"][0]
    recipe_share = results["math-verify recipe"][0]
    print(f"ratio ours / recipe: {ours_share / recipe_share:.2f}")
    for name, (_, misses) in results.items():
        print(f"\n{name}: {len(misses)} wrong")
        for line, item, score in misses:
            response = item["response"].replace("\n", " ")
            shown = response if len(response) <= 110 else "…" + response[-109:]
            label = f"label {item['label']} got {score}"
            print(f"  line {line:>3}: {label} | {item['answer']!r} | {shown}")


if __name__ == "__main__":
    main(sys.argv[1:])
