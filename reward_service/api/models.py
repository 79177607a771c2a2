"""Request and response shapes of the HTTP API (v1), with their limits, side by side.

The limits sit on the fields so that an oversized or malformed request gets a 422 that names
the field, instead of tiring a worker.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_ITEMS = 16384
MAX_RESPONSE_CHARS = 1_000_000
MAX_REFERENCE_CHARS = 100_000
MAX_KEY_CHARS = 256

Task = Literal["math", "none"]
RewardName = Literal["accuracy", "format", "language"]
Status = Literal["scored", "unjudged"]


class ScoreItem(BaseModel):
    """One response to score, with its reference."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, max_length=MAX_KEY_CHARS, description="Echoed back.")
    group: str | None = Field(
        None,
        max_length=MAX_KEY_CHARS,
        description="Items sharing a group get GRPO advantages (e.g. the prompt id).",
    )
    response: str = Field(
        max_length=MAX_RESPONSE_CHARS, description="The full model response, <think> included."
    )
    task: Task | None = Field(
        None, description='"math" or "none"; default: "math" when an answer is given, else "none".'
    )
    answer: str | None = Field(
        None, max_length=MAX_REFERENCE_CHARS, description="Math reference (plain text or LaTeX)."
    )

    @model_validator(mode="after")
    def _infer_task(self) -> ScoreItem:
        if self.task is None:
            self.task = "math" if self.answer is not None else "none"
        return self


class Weights(BaseModel):
    """Weight of each score in `reward` (sum of weight * score over the scores asked for)."""

    model_config = ConfigDict(extra="forbid")

    accuracy: float = 1.0
    format: float = 0.0
    language: float = 0.0

    @field_validator("accuracy", "format", "language")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("weights must be finite numbers")
        return value


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[ScoreItem] = Field(min_length=1, max_length=MAX_ITEMS)
    weights: Weights = Weights()


class Scores(BaseModel):
    """Each score in [0, 1], or null when it was not asked for or could not be judged."""

    accuracy: float | None = None
    format: float | None = None
    language: float | None = None


class Details(BaseModel):
    extracted: str | None = Field(None, description="The final answer that was judged.")
    reason: str | None = Field(None, description="Why a score is 0 or null.")
    status: Status = Field(
        "scored",
        description='"unjudged" when the service, not the response, failed; leave it out.',
    )


class ItemResult(BaseModel):
    id: str | None = None
    group: str | None = None
    reward: float | None = None
    advantage: float | None = None
    scores: Scores
    details: Details


class GroupStats(BaseModel):
    mean: float
    std: float
    n: int


class ScoreResponse(BaseModel):
    results: list[ItemResult]
    groups: dict[str, GroupStats]


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str
    workers: int


class ErrorMessage(BaseModel):
    message: str
    detail: list[dict] | None = None
