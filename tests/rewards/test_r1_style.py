"""Agreement with true labels on tests/data/r1_style_math.jsonl (see benchmarks/math_agreement.py)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "math_agreement", ROOT / "benchmarks" / "math_agreement.py"
)
math_agreement = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(math_agreement)

ITEMS = math_agreement.load()


def test_labelled_set_is_large_and_well_formed():
    assert len(ITEMS) >= 120
    assert all(set(item) == {"response", "answer", "label"} for item in ITEMS)
    assert {item["label"] for item in ITEMS} == {0, 1}
    pairs = [(item["response"], item["answer"]) for item in ITEMS]
    assert len(pairs) == len(set(pairs)), "duplicate items"


@pytest.mark.parametrize(
    ("weak_spot", "label", "matches"),
    [
        ("answer tag without a box", 1, lambda r: "<answer>" in r and "\\boxed" not in r),
        ("box only inside <think>", 0, lambda r: r.rfind("\\boxed") < r.rfind("</think>")),
        (
            "several boxes",
            0,
            lambda r: r.count("\\boxed") - r.split("</think>")[0].count("\\boxed") >= 2,
        ),
        ("enumeration in one box", 0, lambda r: re.search(r"\\(?:dots|lor|pm)|\\text\{ or \}", r)),
        ("truncated reasoning", 0, lambda r: "<think>" in r and "</think>" not in r),
        ("Chinese around the answer", 1, lambda r: re.search(r"[\u4e00-\u9fff]", r)),
    ],
)
def test_labelled_set_covers_the_weak_spots(weak_spot, label, matches):
    assert any(item["label"] == label and matches(item["response"]) for item in ITEMS), weak_spot


def test_our_agreement_is_total_and_beats_the_math_verify_recipe():
    ours, our_misses = math_agreement.agreement(ITEMS, math_agreement.ours)
    recipe, _ = math_agreement.agreement(ITEMS, math_agreement.math_verify_recipe)
    assert our_misses == []
    assert ours == 1.0
    assert ours > recipe
