"""Agreement with other math graders' own test suites: ours vs math-verify, suite by suite.

The suites are benchmarks/data/peer_math/*.jsonl (where each came from: SOURCES.md there): a
gold answer, a prediction (or a whole response) and the suite's verdict. Each prediction is
turned into an R1 response (a `<think>` block, then the prediction in a box, or in `<answer>`
tags when it is already LaTeX in `$…$`, boxed, or a whole response; a response that closes its
own `</think>` is one already) and scored by:
  1. ours: `score_math(response, parse_reference(gold))`,
  2. math-verify with its defaults, as trainers call it: `verify(parse(gold), parse(response))`.

Cases whose suite changes the verdict's settings (float precision, `strict=False`, set and
relation comparison) are left out: both graders run with their defaults here. Prints each
suite's agreement and false positives (credited where the suite says 0) for both, and with
`--misses`, every case ours gets wrong.

Usage: python benchmarks/math_peers.py [--misses]
"""

from __future__ import annotations

import json
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from math_verify import parse, verify

from reward_service.rewards.math import parse_reference, score_math

SUITES = Path(__file__).resolve().parent / "data" / "peer_math"
# Per case and grader: what the service's workers allow an item (a case past it scores 0).
DEADLINE_S = 5
# Settings that change a verdict, not only how the answer is found.
_VERDICT_SETTINGS = {"float_rounding", "strict", "allow_set_relation_comp", "sympy_objects"}


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        cases = [json.loads(line) for line in lines if line.strip()]
    return [case for case in cases if not _VERDICT_SETTINGS & set(case.get("params", {}))]


def r1_response(case: dict) -> str:
    response = case.get("response", "")
    if "</think>" in response:  # already an R1 response, its reasoning closed
        return response if "<think>" in response else f"<think>\n{response}"
    if "response" in case:
        final = f"<answer>{case['response']}</answer>"
    elif any(mark in case["answer"] for mark in ("\\boxed", "$", "\\(", "\\[")):
        final = f"<answer>{case['answer']}</answer>"
    else:
        final = f"The final answer is $\\boxed{{{case['answer']}}}$."
    return f"<think>\nWorking it out.\n</think>\n\n{final}"


def ours(response: str, gold: str) -> int:
    reference = parse_reference(gold)
    return int(reference is not None and score_math(response, reference).value == 1.0)


def math_verify_defaults(response: str, gold: str) -> int:
    try:
        return int(verify(parse(gold), parse(response)))
    except Exception:  # noqa: BLE001 - a grader that raises gives no credit
        return 0


class _Late(Exception):
    pass


def _raise_late(*_) -> None:
    raise _Late


def within_deadline(grader: Callable[[str, str], int], response: str, gold: str) -> int:
    """The grader's score, or 0 past `DEADLINE_S` (as the service's worker deadline would)."""
    signal.signal(signal.SIGALRM, _raise_late)
    signal.setitimer(signal.ITIMER_REAL, DEADLINE_S)
    try:
        return grader(response, gold)
    except _Late:
        return 0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def main(argv: list[str]) -> None:
    logging.disable(logging.WARNING)
    show_misses = "--misses" in argv
    print("suite                       cases   ours  (false +)   math-verify  (false +)")
    totals = [0, 0, 0, 0, 0]
    for path in sorted(SUITES.glob("*.jsonl")):
        cases = load(path)
        scores = {"ours": [], "mv": []}
        for case in cases:
            response = r1_response(case)
            scores["ours"].append(within_deadline(ours, response, case["gold"]))
            scores["mv"].append(within_deadline(math_verify_defaults, response, case["gold"]))
        labels = [case["label"] for case in cases]
        row = [len(cases)]
        for name in ("ours", "mv"):
            agree = sum(s == label for s, label in zip(scores[name], labels, strict=True))
            false_positives = sum(
                s and not label for s, label in zip(scores[name], labels, strict=True)
            )
            row += [agree, false_positives]
        totals = [total + value for total, value in zip(totals, row, strict=True)]
        print(
            f"{path.stem:26} {row[0]:6}  {row[1] / row[0]:5.1%}  ({row[2]:3})      "
            f"{row[3] / row[0]:5.1%}      ({row[4]:3})"
        )
        if show_misses:
            for case, score in zip(cases, scores["ours"], strict=True):
                if score != case["label"]:
                    shown = case.get("answer", case.get("response", ""))[:80]
                    gold = case["gold"][:60]
                    print(f"    miss: label {case['label']} gold {gold!r} answer {shown!r}")
    n = totals[0]
    print(
        f"{'all':26} {n:6}  {totals[1] / n:5.1%}  ({totals[2]:3})      "
        f"{totals[3] / n:5.1%}      ({totals[4]:3})"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
