"""Everything the event loop runs on untrusted text is linear in its length.

Extraction, the exact fast path, the format check, the OpenRLHF query cleanup and code
extraction run on every item in the event loop; a pattern that backtracks quadratically there
stalls the whole service (a reference of 24,000 spaces once held it for 12 s). Each function
gets inputs at the sizes the loop sees, built from the characters and words its patterns look
for, repeated; a quadratic pattern takes seconds on them, a linear one milliseconds.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reward_service.api.routes.openrlhf import response_text
from reward_service.extract import extract_code_block, extract_math_answer
from reward_service.rewards.exact import fast_verdict
from reward_service.rewards.format import DEFAULT_TAGS, score_format
from reward_service.rewards.math import quick_score
from tests.conftest import runs_within

# What the event loop reads of one item at most (longer final parts go to a worker), and the
# longest reference.
FINAL_CHARS = 16_000
REFERENCE_CHARS = 99_000
BOUND_S = 0.5

PIECES = [
    " ", "\t", "\n", "1", "a", "A", "e", "\\", "{", "}", "$", ",", ".", ":", "=", "+", "-", "(",
    "*", "/", "^", "_", "%", "`", "~", "中", "六", "1 ", "1,", "1.", "1,1", "a ", "x=", "\\,",
    "\\frac{", "\\text{", "\\boxed{", "\\boxed ", "$1$ ", "\\(", "\\[", "```", "<answer>",
    "</answer>", "</think>", "or ", "over", "about", "at ", "not ", "maybe ", "1 1/",
    "the answer is ", "Therefore ", "答案是", "VI ", "</s>", "<|im_end|>", "\\boxed{7}}",
    "<", "&lt;", "<answer", "</", "<|a|>", "<|", "<｜a｜>", ". so ", "So ", "after 5 years ",
    "for $x$ ", "at the end of ", "\\pmod{1}", "(mod ", "the three ", "(x, y) ", "m^2",
    "is our answer ", "The final answer is $1$",
]  # fmt: skip


def shapes(piece: str, size: int) -> list[str]:
    body = piece * (size // len(piece))
    spaces = " " * (size - len(piece))
    wide_spaces = "\u3000" * (size - len(piece))
    return [
        body + "!",
        "1" + body + "x",
        piece + spaces + "x",
        piece + spaces + "5",
        piece + wide_spaces + "x",
    ]


CHECKS = {
    "extract": lambda s: extract_math_answer("</think>" + s),
    "extract-after-box": lambda s: extract_math_answer("</think>\\boxed{1}" + s),
    "extract-before-box": lambda s: extract_math_answer("</think>" + s + "\\boxed{1}"),
    "extract-in-answer": lambda s: extract_math_answer("</think><answer>" + s + "</answer>"),
    "quick-in-answer": lambda s: quick_score(
        extract_math_answer("</think><answer>" + s + "</answer>"), "5"
    ),
    "quick-reference": lambda s: quick_score(
        extract_math_answer("</think>\\boxed{1}"), (s * 7)[:REFERENCE_CHARS]
    ),
    "fast-path-reference": lambda s: fast_verdict("1", (s * 7)[:REFERENCE_CHARS]),
    "format": lambda s: score_format(
        f"<think>{s}</think><answer>{s}</answer>", "think_answer", DEFAULT_TAGS
    ),
    "openrlhf-query": lambda s: response_text(s * 7, ""),
    "code-block": lambda s: extract_code_block("</think>" + s),
}


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_adversarial_repetitions_take_linear_time(check):
    slow = []
    for piece in PIECES:
        for text in shapes(piece, FINAL_CHARS):
            if not runs_within(BOUND_S, CHECKS[check], text):
                slow.append(piece)
    assert slow == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(st.sampled_from(PIECES), min_size=1, max_size=6),
    repeats=st.integers(min_value=100, max_value=2_000),
)
def test_random_mixtures_take_linear_time(parts, repeats):
    text = "".join(parts) * repeats
    for check in CHECKS.values():
        assert runs_within(BOUND_S, check, text[: FINAL_CHARS * 2]), (parts, repeats)
