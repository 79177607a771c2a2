"""Scoring endpoints: everything at once, or one reward at a time."""

from __future__ import annotations

from fastapi import APIRouter

from reward_service.api.deps import PoolDep, SettingsDep
from reward_service.api.models import ScoreRequest, ScoreResponse
from reward_service.rewards.math import MathOptions
from reward_service.scoring import score_items

router = APIRouter(prefix="/v1", tags=["score"])


def _math_options(settings: SettingsDep) -> MathOptions:
    return MathOptions(max_answer_chars=settings.math.max_answer_chars)


@router.post("/score", operation_id="score", response_model=ScoreResponse)
async def score(request: ScoreRequest, pool: PoolDep, settings: SettingsDep) -> ScoreResponse:
    """Score a batch with every reward it asks for, plus GRPO group statistics."""
    return await score_items(request, pool, _math_options(settings))


@router.post("/accuracy", operation_id="accuracy", response_model=ScoreResponse)
async def accuracy(request: ScoreRequest, pool: PoolDep, settings: SettingsDep) -> ScoreResponse:
    """Score only accuracy (math equivalence) for a batch."""
    return await score_items(request, pool, _math_options(settings), rewards={"accuracy"})
