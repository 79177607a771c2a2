"""Scoring endpoints: everything at once, or one reward at a time."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from reward_service.api.deps import PoolDep, SandboxDep, SettingsDep
from reward_service.api.models import RewardName, ScoreRequest, ScoreResponse
from reward_service.scoring import ALL_REWARDS, limit_violations, score_items

router = APIRouter(prefix="/v1", tags=["score"])


async def _score(
    request: ScoreRequest,
    pool: PoolDep,
    sandbox: SandboxDep,
    settings: SettingsDep,
    rewards: frozenset[RewardName],
) -> ScoreResponse:
    problems = limit_violations(request, settings.sandbox)
    if problems:
        raise HTTPException(422, "invalid request: " + "; ".join(problems[:10]))
    return await score_items(request, pool, sandbox, settings, rewards)


@router.post("/score", operation_id="score", response_model=ScoreResponse)
async def score(
    request: ScoreRequest, pool: PoolDep, sandbox: SandboxDep, settings: SettingsDep
) -> ScoreResponse:
    """Score a batch with every reward it asks for, plus GRPO group statistics."""
    return await _score(request, pool, sandbox, settings, ALL_REWARDS)


@router.post("/accuracy", operation_id="accuracy", response_model=ScoreResponse)
async def accuracy(
    request: ScoreRequest, pool: PoolDep, sandbox: SandboxDep, settings: SettingsDep
) -> ScoreResponse:
    """Score only accuracy (math equivalence, code tests) for a batch."""
    return await _score(request, pool, sandbox, settings, frozenset({"accuracy"}))


@router.post("/format", operation_id="format", response_model=ScoreResponse)
async def format_(
    request: ScoreRequest, pool: PoolDep, sandbox: SandboxDep, settings: SettingsDep
) -> ScoreResponse:
    """Score only the reasoning template (the items' `format`) for a batch."""
    return await _score(request, pool, sandbox, settings, frozenset({"format"}))


@router.post("/language", operation_id="language", response_model=ScoreResponse)
async def language(
    request: ScoreRequest, pool: PoolDep, sandbox: SandboxDep, settings: SettingsDep
) -> ScoreResponse:
    """Score only language consistency of the reasoning (the items' `language`) for a batch."""
    return await _score(request, pool, sandbox, settings, frozenset({"language"}))
