"""Score a batch: run the asked-for reward rules for each item, then combine.

The one scoring path for every front end (HTTP routes, offline CLI). Math items are judged
one per worker-pool task, so a pathological item costs its own time limit and nothing else;
code items go to the sandbox, and identical submissions in a batch (common in a GRPO group)
run once.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Collection
from dataclasses import dataclass

from reward_service.api.models import (
    CaseFailure,
    CodeReference,
    Details,
    GroupStats,
    ItemResult,
    RewardName,
    ScoreItem,
    ScoreRequest,
    ScoreResponse,
    Scores,
)
from reward_service.config import SandboxSettings, Settings
from reward_service.extract import extract_code_block
from reward_service.rewards.code import CodeScore, CodeTests, IOCase, judge_code, sandbox_jobs
from reward_service.rewards.combine import group_advantages, weighted_reward
from reward_service.rewards.math import MathOptions, parse_reference, score_math
from reward_service.sandbox import Sandbox, SandboxUnavailable
from reward_service.sandbox.types import Limits
from reward_service.scores import Reason, Score
from reward_service.workers import TaskFailure, WorkerPool

log = logging.getLogger(__name__)

ALL_REWARDS: frozenset[RewardName] = frozenset({"accuracy", "format", "language"})

# Failures of a worker task that are the item's own doing score 0; anything else is ours.
_ITEM_FAULTS = {Reason.TIMEOUT, Reason.MEMORY, Reason.WORKER_CRASHED}


@dataclass(frozen=True)
class MathJob:
    response: str
    answer: str
    options: MathOptions


def judge_math(job: MathJob) -> Score:
    """Worker-side: math accuracy of one response (the reference parse is cached per worker)."""
    reference = parse_reference(job.answer)
    if reference is None:
        return Score.unknown(Reason.BAD_REFERENCE)
    return score_math(job.response, reference, job.options)


# Per-request sandbox limit -> the server setting that is its default, and its maximum.
_REQUEST_LIMITS = {
    "timeout_s": ("time_s", "max_time_s"),
    "memory_mb": ("memory_mb", "max_memory_mb"),
    "output_bytes": ("output_bytes", "output_bytes"),
    "file_bytes": ("file_bytes", "file_bytes"),
    "processes": ("processes", "processes"),
}


def limit_violations(request: ScoreRequest, settings: SandboxSettings) -> list[str]:
    """Per-request sandbox limits above the server's maxima, as `field: problem` strings."""
    problems = []
    for index, item in enumerate(request.items):
        if item.tests is None:
            continue
        for field, (_, maximum_setting) in _REQUEST_LIMITS.items():
            asked, maximum = getattr(item.tests, field), getattr(settings, maximum_setting)
            if asked is not None and asked > maximum:
                problems.append(
                    f"items.{index}.tests.{field}: {asked} is above the server maximum {maximum}"
                )
    return problems


class _Batch:
    """One request's scoring: the shared pools, plus the code runs already started."""

    def __init__(self, pool: WorkerPool, sandbox: Sandbox, settings: Settings) -> None:
        self.pool = pool
        self.sandbox = sandbox
        self.settings = settings
        self.math_options = MathOptions(max_answer_chars=settings.math.max_answer_chars)
        self.code_runs: dict[tuple[str, CodeTests], asyncio.Task[Score]] = {}

    async def accuracy(self, item: ScoreItem) -> Score | None:
        if item.task == "math":
            return await self._math(item)
        if item.task == "code":
            return await self._code(item)
        return None

    async def _math(self, item: ScoreItem) -> Score:
        if item.answer is None or not item.answer.strip():
            return Score.unknown(Reason.NO_REFERENCE)
        job = MathJob(item.response, item.answer, self.math_options)
        outcome = await self.pool.run(judge_math, job)
        if isinstance(outcome, TaskFailure):
            if outcome.reason in _ITEM_FAULTS:
                return Score.zero(outcome.reason)
            return Score.unknown(outcome.reason, outcome.detail[-500:])
        return outcome

    async def _code(self, item: ScoreItem) -> Score:
        if item.tests is None:
            return Score.unknown(Reason.NO_REFERENCE)
        block = extract_code_block(item.response)
        if block is None:
            return Score.zero(Reason.NO_CODE)
        tests = _code_tests(item.tests, self.settings.sandbox)
        key = (block.code, tests)
        if key not in self.code_runs:
            self.code_runs[key] = asyncio.ensure_future(self._run_code(block.code, tests))
        return await self.code_runs[key]

    async def _run_code(self, code: str, tests: CodeTests) -> Score:
        nonce = secrets.token_hex(16)
        try:
            reports = [await self.sandbox.run(job) for job in sandbox_jobs(code, tests, nonce)]
        except SandboxUnavailable as exc:
            log.error("code item unjudged: %s", exc)
            return Score.unknown(Reason.SANDBOX_ERROR, str(exc))
        return judge_code(code, tests, reports, nonce)


async def score_items(
    request: ScoreRequest,
    pool: WorkerPool,
    sandbox: Sandbox,
    settings: Settings,
    rewards: Collection[RewardName] = ALL_REWARDS,
) -> ScoreResponse:
    """Score every item of the request; per-item trouble never fails the batch."""
    batch = _Batch(pool, sandbox, settings)
    if "accuracy" in rewards:
        accuracies = await asyncio.gather(*(batch.accuracy(item) for item in request.items))
    else:
        accuracies = [None] * len(request.items)

    weights = request.weights.model_dump()
    results = [
        _item_result(item, accuracy, weights, sandbox.name)
        for item, accuracy in zip(request.items, accuracies, strict=True)
    ]
    advantages, stats = group_advantages(
        [result.reward for result in results], [result.group for result in results]
    )
    for result, advantage in zip(results, advantages, strict=True):
        result.advantage = advantage
    return ScoreResponse(
        results=results,
        groups={name: GroupStats(mean=s.mean, std=s.std, n=s.n) for name, s in stats.items()},
    )


def _item_result(
    item: ScoreItem, accuracy: Score | None, weights: dict[str, float], sandbox: str
) -> ItemResult:
    asked = {"accuracy": accuracy} if accuracy is not None else {}
    values = {name: score.value for name, score in asked.items()}
    details = Details(
        status="unjudged" if any(value is None for value in values.values()) else "scored"
    )
    if accuracy is not None:
        details.extracted = accuracy.extracted
        details.reason = accuracy.reason.value if accuracy.reason else None
        details.message = accuracy.message
    if item.task == "code":
        details.sandbox = sandbox
    if isinstance(accuracy, CodeScore):
        details.passed, details.total = accuracy.passed, accuracy.total
        details.failures = [
            CaseFailure(case=f.case, reason=f.reason.value, excerpt=f.excerpt)
            for f in accuracy.failures
        ]
    return ItemResult(
        id=item.id,
        group=item.group,
        reward=weighted_reward(values, list(asked), weights),
        scores=Scores(**values),
        details=details,
    )


def _code_tests(reference: CodeReference, settings: SandboxSettings) -> CodeTests:
    chosen = {}
    for field, (default_setting, _) in _REQUEST_LIMITS.items():
        asked = getattr(reference, field)
        chosen[default_setting] = getattr(settings, default_setting) if asked is None else asked
    limits = Limits(**chosen)
    return CodeTests(
        language=reference.language,
        cases=tuple(IOCase(c.stdin, c.stdout, c.float_tolerance) for c in reference.cases),
        limits=limits,
        assert_code=reference.assert_code,
        entry_point=reference.entry_point,
    )
