"""What the routes share: the pools, the settings, admission control and metrics."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from fastapi import HTTPException

from reward_service.api.limits import Admission
from reward_service.api.models import RewardName, ScoreRequest, ScoreResponse
from reward_service.api.observability import Metrics
from reward_service.config import Settings
from reward_service.sandbox import Sandbox
from reward_service.scoring import ALL_REWARDS, limit_violations, score_items, unasked_problems
from reward_service.workers import WorkerPool


@dataclass(frozen=True)
class ScoringService:
    settings: Settings
    pool: WorkerPool
    sandbox: Sandbox
    admission: Admission
    metrics: Metrics

    async def score(
        self, request: ScoreRequest, rewards: Collection[RewardName] = ALL_REWARDS
    ) -> ScoreResponse:
        """Score a request within the server's limits (422) and its capacity (429)."""
        problems = unasked_problems(request, rewards)
        problems += limit_violations(request, self.settings.sandbox)
        if problems:
            raise HTTPException(422, "invalid request: " + "; ".join(problems[:10]))
        code_items = sum(item.task == "code" for item in request.items)
        with self.admission.hold(len(request.items), code_items):
            response = await score_items(
                request, self.pool, self.sandbox, self.settings, rewards, self.admission.aside
            )
        self.metrics.count_items(response)
        return response
