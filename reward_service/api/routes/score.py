"""Scoring endpoints: everything at once, or one reward at a time."""

from __future__ import annotations

from fastapi import APIRouter, Response

from reward_service.api.body_in_turns import JsonInTurnsRoute
from reward_service.api.deps import ServiceDep
from reward_service.api.models import ScoreRequest, ScoreResponse
from reward_service.api.responses import score_json

router = APIRouter(prefix="/v1", tags=["score"], route_class=JsonInTurnsRoute)


@router.post("/score", operation_id="score", response_model=ScoreResponse)
async def score(request: ScoreRequest, service: ServiceDep) -> Response:
    """Score a batch with every reward it asks for, plus GRPO group statistics."""
    return await score_json(await service.score(request))


@router.post("/accuracy", operation_id="accuracy", response_model=ScoreResponse)
async def accuracy(request: ScoreRequest, service: ServiceDep) -> Response:
    """Score only accuracy (math equivalence, code tests) for a batch."""
    return await score_json(await service.score(request, {"accuracy"}))


@router.post("/format", operation_id="format", response_model=ScoreResponse)
async def format_(request: ScoreRequest, service: ServiceDep) -> Response:
    """Score only the reasoning template (the items' `format`) for a batch."""
    return await score_json(await service.score(request, {"format"}))


@router.post("/language", operation_id="language", response_model=ScoreResponse)
async def language(request: ScoreRequest, service: ServiceDep) -> Response:
    """Score only language consistency of the reasoning (the items' `language`) for a batch."""
    return await score_json(await service.score(request, {"language"}))
