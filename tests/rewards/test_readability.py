"""The readability rules of rejection sampling, each at its boundary."""

from __future__ import annotations

import pytest

from reward_service.rewards.readability import (
    MIN_REPEATED_CHARS,
    code_in_reasoning,
    overlong_paragraph,
    reasoning_of,
    repetition,
    token_count,
    too_long,
)


@pytest.mark.parametrize(
    ("response", "reasoning"),
    [
        ("<think>plan</think> answer", "plan"),
        ("plan</think> answer", "plan"),  # <think> was in the prompt
        ("<think>a</think> <think>b</think> answer", "a</think> <think>b"),
        ("no reasoning at all", ""),
    ],
)
def test_reasoning_of(response, reasoning):
    assert reasoning_of(response) == reasoning


def test_overlong_paragraph_at_the_boundary():
    assert overlong_paragraph("x" * 100, 100) is None
    assert overlong_paragraph("x" * 101, 100) == "overlong_paragraph"
    # Paragraphs are split on blank lines (with spaces on them too), not single newlines.
    assert overlong_paragraph(("x" * 60 + "\n \n") * 5, 100) is None
    assert overlong_paragraph(("x" * 60 + "\n") * 2, 100) == "overlong_paragraph"
    # Surrounding whitespace is not counted.
    assert overlong_paragraph("   " + "x" * 100 + "   ", 100) is None


@pytest.mark.parametrize(
    ("reasoning", "task", "reason"),
    [
        ("Compute:\n```python\nprint(2 + 2)\n```", "math", "code_in_reasoning"),
        ("Compute:\n```\n2 + 2\n```", "none", "code_in_reasoning"),
        ("Compute:\n```python\nprint(2 + 2)\n```", "code", None),
        ("Use `x = 2` inline.", "math", None),
    ],
)
def test_code_in_reasoning(reasoning, task, reason):
    assert code_in_reasoning(reasoning, task) == reason


def test_token_count_and_too_long_at_the_boundary():
    assert token_count("a  b\nc\td") == 4
    assert token_count("先把个位相加") == 6
    assert token_count("add 个位 then") == 4
    assert token_count("") == 0
    assert too_long("one two three", 3) is None
    assert too_long("one two three four", 3) == "too_long"
    assert too_long("x", 1, count=lambda text: 2) == "too_long"


def test_repetition_at_the_boundary():
    line = "Let me compute the sum once more."
    assert len(line) >= MIN_REPEATED_CHARS
    assert repetition("\n".join([line] * 4), max_repeats=4) is None
    assert repetition("\n".join([line] * 5), max_repeats=4) == "repetition"
    # Whitespace differences do not hide a repeat; sentences repeat inside one line too.
    assert repetition("\n".join([line, "  Let  me compute the sum once more. "] * 3), 4)
    assert repetition((line + " ") * 5, max_repeats=4) == "repetition"
    assert repetition("。".join(["先把个位相加再把十位相加然后检查一下结果对不对"] * 6), 4)
    # Very short lines repeat in clean reasoning and are not counted; eight characters are.
    thinking = "\n".join(f"Wait,\nHmm.\nstep {i} gives {i * i}." for i in range(20))
    assert repetition(thinking, max_repeats=4) is None
    assert repetition("\n".join(["x = 4."] * 5 + ["y = 42."] * 5), max_repeats=4) is None
    assert repetition("\n".join(["So x = 4."] * 5), max_repeats=4) == "repetition"


def test_repetition_without_line_or_sentence_breaks():
    loop = "and then I add the two numbers to get the sum of them "
    assert repetition(loop * 4, max_repeats=4) is None
    assert repetition(loop * 6, max_repeats=4) == "repetition"
    # Varied long reasoning is clean.
    varied = " ".join(
        f"In step {i} the partial sum becomes {i * 7} after adding" for i in range(99)
    )
    assert repetition(varied, max_repeats=4) is None
