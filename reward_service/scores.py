"""The value types every reward rule returns."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Reason(str, Enum):
    """Why a score is 0 (the response's fault) or null (nothing fair to judge it by)."""

    NO_ANSWER = "no_answer"
    TRUNCATED = "truncated"
    ENUMERATED = "enumerated"
    UNPARSEABLE = "unparseable"
    ANSWER_TOO_LONG = "answer_too_long"
    WRONG_ANSWER = "wrong_answer"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    WORKER_CRASHED = "worker_crashed"
    MISSING_TAG = "missing_tag"
    REPEATED_TAG = "repeated_tag"
    TAG_ORDER = "tag_order"
    TEXT_OUTSIDE_TAGS = "text_outside_tags"
    EMPTY_REASONING = "empty_reasoning"
    EMPTY_ANSWER = "empty_answer"
    NO_WORDS = "no_words"
    NO_CODE = "no_code"
    COMPILE_ERROR = "compile_error"
    RUNTIME_ERROR = "runtime_error"
    OUTPUT_LIMIT = "output_limit"
    TIME_BUDGET = "time_budget"
    KILLED_SANDBOX = "killed_sandbox"
    NO_REFERENCE = "no_reference"
    BAD_REFERENCE = "bad_reference"
    INTERNAL_ERROR = "internal_error"
    SANDBOX_ERROR = "sandbox_error"
    CHECKER_ERROR = "checker_error"


@dataclass(frozen=True)
class Score:
    """One reward's verdict on one response.

    `value` is None when the reward could not be judged (see `reason`); `extracted` is the
    final answer the rule looked at, when it found one; `message` explains an unusual reason.
    """

    value: float | None
    reason: Reason | None = None
    extracted: str | None = None
    message: str | None = None

    @classmethod
    def zero(cls, reason: Reason, extracted: str | None = None) -> Score:
        return cls(0.0, reason, extracted)

    @classmethod
    def unknown(cls, reason: Reason, message: str | None = None) -> Score:
        return cls(None, reason, message=message)
