"""Readability rules for rejection sampling (R1's third stage): is a correct response's
reasoning clean enough to fine-tune on? Pure functions on text; each returns its reason string
when the rule fails, None when it passes.

>>> overlong_paragraph("short\\n\\nparagraphs", max_chars=2000) is None
True
>>> repetition("Let me check this again.\\n" * 5, max_repeats=4)
'repetition'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

# Ideographs, kana and hangul: each character counts as a token (they have no spaces).
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")
# Very short lines and sentences repeat in clean reasoning ("Wait,", "So"); only longer ones
# repeated are the degenerate loops of bad sampling.
MIN_REPEATED_CHARS = 8
# A run of this many words repeated catches the loops that have no line or sentence breaks.
REPEATED_WORDS = 12


def reasoning_of(response: str) -> str:
    """The chain of thought: what comes before the last `</think>`, without `<think>` (a
    response whose `<think>` was in the prompt has none). No `</think>`: no reasoning."""
    before, found, _ = response.rpartition("</think>")
    if not found:
        return ""
    return before.split("<think>", 1)[-1]


def overlong_paragraph(reasoning: str, max_chars: int) -> str | None:
    """A paragraph (text between blank lines) over `max_chars` characters.

    >>> overlong_paragraph("a" * 11, max_chars=10), overlong_paragraph("a" * 10, max_chars=10)
    ('overlong_paragraph', None)
    """
    paragraphs = _PARAGRAPH_BREAK.split(reasoning)
    if any(len(paragraph.strip()) > max_chars for paragraph in paragraphs):
        return "overlong_paragraph"
    return None


def code_in_reasoning(reasoning: str, task: str) -> str | None:
    """A fenced code block inside the reasoning of a task that is not code.

    >>> code_in_reasoning("Try:\\n```python\\nprint(2)\\n```", "math")
    'code_in_reasoning'
    >>> code_in_reasoning("Try:\\n```python\\nprint(2)\\n```", "code") is None
    True
    """
    if task != "code" and "```" in reasoning:
        return "code_in_reasoning"
    return None


def token_count(text: str) -> int:
    """Whitespace-separated words, each CJK character counted as one token.

    >>> token_count("two words"), token_count("先把个位相加 then add")
    (2, 8)
    """
    cjk = len(_CJK.findall(text))
    return len(_CJK.sub(" ", text).split()) + cjk


def too_long(
    response: str, max_tokens: int, count: Callable[[str], int] = token_count
) -> str | None:
    """The whole response over `max_tokens` (by `count`: a tokenizer's, or `token_count`).

    >>> too_long("a b c", max_tokens=3), too_long("a b c d", max_tokens=3)
    (None, 'too_long')
    """
    return "too_long" if count(response) > max_tokens else None


def repetition(reasoning: str, max_repeats: int) -> str | None:
    """A line or sentence (of at least MIN_REPEATED_CHARS, whitespace-normalized), or a run of
    REPEATED_WORDS words, that occurs more than `max_repeats` times.

    >>> repetition("Wait, let me recompute the sum. " * 4, max_repeats=4) is None
    True
    >>> repetition("Wait, let me recompute the sum. " * 5, max_repeats=4)
    'repetition'
    """
    lines = reasoning.splitlines()
    sentences = [part for line in lines for part in _SENTENCE_END.split(line)]
    for pieces in (lines, sentences):
        counts = Counter(
            normalized
            for piece in pieces
            if len(normalized := " ".join(piece.split())) >= MIN_REPEATED_CHARS
        )
        if counts and max(counts.values()) > max_repeats:
            return "repetition"
    words = reasoning.split()
    runs = Counter(
        " ".join(words[start : start + REPEATED_WORDS])
        for start in range(len(words) - REPEATED_WORDS + 1)
    )
    if runs and max(runs.values()) > max_repeats:
        return "repetition"
    return None
