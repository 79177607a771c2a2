"""Score a batch: run the asked-for reward rules for each item, then combine.

The one scoring path for every front end (HTTP routes, offline CLI). Math answers are
extracted here, and the ones exact arithmetic decides are scored here too; the rest go to the
worker pool, each under its own time limit, so a pathological item costs its own time and
nothing else. Code runs in the sandbox. A GRPO group repeats answers and submissions: each
distinct job of a request is judged once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable, Collection
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from reward_service.api.models import (
    CaseFailure,
    CodeReference,
    Details,
    FloatCompare,
    GroupStats,
    ItemResult,
    RewardName,
    ScoreItem,
    ScoreRequest,
    ScoreResponse,
    Scores,
    functional_argument_lines,
)
from reward_service.config import SandboxSettings, Settings
from reward_service.extract import (
    THINK_CLOSE,
    MathAnswer,
    extract_code_block,
    extract_math_answer,
    final_part,
)
from reward_service.rewards.code import (
    FAILURES_SHOWN,
    CallCase,
    CodeScore,
    CodeTests,
    IOCase,
    judge_code,
    sandbox_jobs,
    within_budget,
)
from reward_service.rewards.combine import group_advantages, weighted_reward
from reward_service.rewards.format import Tags, score_format
from reward_service.rewards.language import latin_detector, score_language
from reward_service.rewards.math import MathOptions, parse_reference, quick_score, score_answer
from reward_service.sandbox import Sandbox, SandboxUnavailable
from reward_service.sandbox.compare import Compare, FloatTolerance
from reward_service.sandbox.types import Limits, RunReport
from reward_service.scores import Reason, Score
from reward_service.turns import dumps_in_turns, taking_turns
from reward_service.workers import TaskFailure, WorkerPool

log = logging.getLogger(__name__)

ALL_REWARDS: frozenset[RewardName] = frozenset({"accuracy", "format", "language"})

# Final parts longer than this are read by a worker: the event loop's work per item is bounded.
# Extraction costs up to 8 µs a character, for text dense in what it looks for (4,096 such
# characters held the loop 33 ms an item), so an item costs the loop a slice at most.
_LOOP_FINAL_CHARS = 512
# Failures of a worker task that are the item's own doing score 0; anything else is ours.
_ITEM_FAULTS = {Reason.TIMEOUT, Reason.MEMORY, Reason.WORKER_CRASHED}
# Failures listed over all the code items of a request (at least one an item): 5,000 small
# items failing 20 cases each with excerpts of NULs made a 2 MiB request a 178 MiB answer.
_FAILURES_SHOWN_PER_REQUEST = 2_000


@dataclass(frozen=True)
class MathJob:
    """A final answer (extracted in the parent: only it crosses the pipe) and its reference;
    or, for a final part too long to read in the event loop, that final part, to read here."""

    answer: MathAnswer | str
    reference: str
    options: MathOptions


@dataclass(frozen=True)
class LanguageJob:
    response: str
    target: str
    tags: Tags


def judge_math(job: MathJob) -> Score:
    """Worker-side: math accuracy of one response (the reference parse is cached per worker)."""
    reference = parse_reference(job.reference)
    if reference is None:
        return Score.unknown(Reason.BAD_REFERENCE)
    answer = job.answer
    if isinstance(answer, str):  # a final part too long to read in the event loop
        answer = extract_math_answer(THINK_CLOSE + answer)
    return score_answer(answer, reference, job.options)


def judge_language(job: LanguageJob) -> Score:
    """Worker-side: language consistency of one response's reasoning."""
    return score_language(job.response, job.target, latin_detector(), job.tags)  # type: ignore[arg-type]


# Per-request sandbox limit -> the job limit it sets (also the setting that is its default).
_REQUEST_LIMITS = {
    "timeout_s": "time_s",
    "memory_mb": "memory_mb",
    "output_bytes": "output_bytes",
    "file_bytes": "file_bytes",
    "processes": "processes",
    "budget_s": "budget_s",
}


def limit_violations(request: ScoreRequest, settings: SandboxSettings) -> list[str]:
    """Per-request sandbox limits above the server's maxima, as `field: problem` strings."""
    problems = []
    maxima = settings.maxima()
    for index, item in enumerate(request.items):
        if item.tests is None:
            continue
        for field, limit in _REQUEST_LIMITS.items():
            asked, maximum = getattr(item.tests, field), maxima[limit]
            if asked is not None and asked > maximum:
                problems.append(
                    f"items.{index}.tests.{field}: {asked} is above the server maximum {maximum}"
                )
    return problems


# What an item gives to ask for each score.
_WHAT_ASKS = {
    "accuracy": "an `answer` or `tests`",
    "format": "a `format`",
    "language": "a `language`",
}


def unasked_problems(request: ScoreRequest, rewards: Collection[RewardName]) -> list[str]:
    """Items that ask for none of `rewards`, and weights other than the default given for a
    score that no item asks for, as `field: problem` strings: either would leave a reward
    silently short of what was meant."""
    asked: set[str] = set()
    problems = []
    for index, item in enumerate(request.items):
        names = _asked(item, rewards)
        if not names:
            give = " or ".join(what for name, what in _WHAT_ASKS.items() if name in rewards)
            problems.append(f"items.{index}: asks for no score here; give it {give}")
        asked.update(names)
    weights = request.weights
    for name in sorted(weights.model_fields_set - asked):
        if getattr(weights, name) != type(weights).model_fields[name].default:
            problems.append(
                f"weights.{name}: no item asks for {name}; give the items {_WHAT_ASKS[name]}"
            )
    return problems


# What a request enters while it waits for its judgments (`Admission.aside`).
Aside = Callable[[], AbstractAsyncContextManager[None]]

# A reward decided later: by a worker (math, language jobs) or by the sandbox (code runs).
_Pending = MathJob | LanguageJob | tuple[str, CodeTests]


class _Batch:
    """One request's scoring, in three steps: plan each item's rewards (settling what the
    event loop can settle at once), judge the distinct pending jobs all together, assemble."""

    def __init__(
        self, pool: WorkerPool, sandbox: Sandbox, settings: Settings, tags: Tags, aside: Aside
    ) -> None:
        self.pool = pool
        self.sandbox = sandbox
        self.settings = settings
        self.tags = tags
        self.aside = aside
        self.math_options = MathOptions(max_answer_chars=settings.math.max_answer_chars)

    async def scores(
        self, items: list[ScoreItem], rewards: Collection[RewardName]
    ) -> list[dict[str, Score]]:
        """The asked-for scores of each item; a reward not asked for is absent."""
        plans = [await self.plan(item, rewards) async for item in taking_turns(items)]
        # A group repeats answers and submissions: each distinct job is judged once.
        pending = dict.fromkeys(
            job for plan in plans for job in plan.values() if not isinstance(job, Score)
        )
        math_jobs = sorted((job for job in pending if isinstance(job, MathJob)), key=_reference_of)
        language_jobs = [job for job in pending if isinstance(job, LanguageJob)]
        code_runs = [job for job in pending if isinstance(job, tuple)]
        async with self.aside() if pending else contextlib.nullcontext():
            math, language, code = await asyncio.gather(
                self.pool.map(judge_math, math_jobs, key=_reference_of),
                self.pool.map(judge_language, language_jobs),
                self._run_codes(code_runs),
            )
        judged: dict[_Pending, Score] = dict(zip(code_runs, code, strict=True))
        for jobs, outcomes in ((math_jobs, math), (language_jobs, language)):
            judged.update(zip(jobs, map(_worker_score, outcomes), strict=True))
        return [
            {name: job if isinstance(job, Score) else judged[job] for name, job in plan.items()}
            async for plan in taking_turns(plans)
        ]

    async def plan(
        self, item: ScoreItem, rewards: Collection[RewardName]
    ) -> dict[str, Score | _Pending]:
        """What to do for each asked-for reward of the item; a failure of ours while planning
        it leaves that item unjudged, never the batch."""
        try:
            return await self._plan(item, rewards)
        except Exception as exc:
            log.exception("planning an item failed")
            failed = Score.unknown(Reason.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}"[:500])
            return dict.fromkeys(_asked(item, rewards), failed)

    async def _plan(
        self, item: ScoreItem, rewards: Collection[RewardName]
    ) -> dict[str, Score | _Pending]:
        planned: dict[str, Score | _Pending] = {}
        for name in _asked(item, rewards):
            if name == "accuracy":
                planned[name] = await self._code(item) if item.task == "code" else self._math(item)
            elif name == "format":
                planned[name] = score_format(item.response, item.format, self.tags)  # type: ignore[arg-type]
            else:
                planned[name] = LanguageJob(item.response, item.language, self.tags)  # type: ignore[arg-type]
        return planned

    def _math(self, item: ScoreItem) -> Score | MathJob:
        if item.answer is None or not item.answer.strip():
            return Score.unknown(Reason.NO_REFERENCE)
        response = self.tags.standardize(item.response)
        final = final_part(response)
        if final is not None and len(final) > _LOOP_FINAL_CHARS:
            # Reading a long final part is a worker's job, under its deadline.
            return MathJob(final, item.answer, self.math_options)
        answer = extract_math_answer(response)
        quick = quick_score(answer, item.answer, self.math_options)
        if quick is not None:
            return quick
        return MathJob(answer, item.answer, self.math_options)

    async def _code(self, item: ScoreItem) -> Score | tuple[str, CodeTests]:
        if item.tests is None:
            return Score.unknown(Reason.NO_REFERENCE)
        block = extract_code_block(self.tags.standardize(item.response))
        if block is None:
            return Score.zero(Reason.NO_CODE)
        return block.code, await _code_tests(item.tests, self.settings.sandbox)

    async def _run_codes(self, runs: list[tuple[str, CodeTests]]) -> list[Score]:
        """The score of each run. Fewer runs of a request than the sandbox has containers go
        at once (one less, where it has more than one): a request's jobs join the sandbox's
        queue a few at a time, so the jobs of other requests take turns with them instead of
        waiting for all of them, and a container is left for them (two looping submissions
        given a minute each once held both of two, and a one-line program waited 59 s)."""
        scores: dict[int, Score] = {}
        queue = iter(enumerate(runs))

        async def drain() -> None:
            for index, (code, tests) in queue:
                scores[index] = await self._run_code(code, tests)

        going = min(len(runs), max(1, self.settings.sandbox.pool_size - 1))
        await asyncio.gather(*(drain() for _ in range(going)))
        return [scores[index] for index in range(len(runs))]

    async def _run_code(self, code: str, tests: CodeTests) -> Score:
        nonce = secrets.token_hex(16)
        reports: list[RunReport] = []
        spent_s = 0.0
        try:
            for job in sandbox_jobs(code, tests, nonce):
                budgeted = within_budget(job, spent_s)
                if isinstance(budgeted, RunReport):
                    reports.append(budgeted)
                    continue
                reports.append(await self.sandbox.run(budgeted))
                spent_s += reports[-1].spent_s
        except SandboxUnavailable as exc:
            log.error("code item unjudged: %s", exc)
            return Score.unknown(Reason.SANDBOX_ERROR, str(exc))
        return judge_code(code, tests, reports, nonce)


def _asked(item: ScoreItem, rewards: Collection[RewardName]) -> list[str]:
    asked = []
    if "accuracy" in rewards and item.task != "none":
        asked.append("accuracy")
    if "format" in rewards and item.format not in (None, "none"):
        asked.append("format")
    if "language" in rewards and item.language is not None:
        asked.append("language")
    return asked


def _reference_of(job: MathJob) -> str:
    return job.reference


def _worker_score(outcome: Score | TaskFailure) -> Score:
    if not isinstance(outcome, TaskFailure):
        return outcome
    if outcome.reason in _ITEM_FAULTS:
        return Score.zero(outcome.reason)
    return Score.unknown(outcome.reason, outcome.detail[-500:])


async def score_items(
    request: ScoreRequest,
    pool: WorkerPool,
    sandbox: Sandbox,
    settings: Settings,
    rewards: Collection[RewardName] = ALL_REWARDS,
    aside: Aside = contextlib.nullcontext,
) -> ScoreResponse:
    """Score every item of the request; per-item trouble never fails the batch. `aside` is
    entered while the request waits for the workers and the sandbox."""
    template = request.template
    tags = Tags(template.think_tag, template.answer_tag, template.think_in_prompt)
    asked = await _Batch(pool, sandbox, settings, tags, aside).scores(request.items, rewards)

    weights = request.weights.model_dump()
    shown = failures_shown(sum(item.task == "code" for item in request.items))
    results = [
        _item_result(item, scores, weights, sandbox.name, shown)
        async for item, scores in taking_turns(zip(request.items, asked, strict=True))
    ]
    advantages, stats = group_advantages(
        [result.reward for result in results],
        [result.group for result in results],
        request.advantage.std,
        request.advantage.eps,
    )
    for result, advantage in zip(results, advantages, strict=True):
        result.advantage = advantage
    return ScoreResponse(
        results=results,
        groups={name: GroupStats(mean=s.mean, std=s.std, n=s.n) for name, s in stats.items()},
    )


def failures_shown(code_items: int) -> int:
    """The failures each code item lists, of a request of `code_items`.

    >>> failures_shown(1), failures_shown(100), failures_shown(1_000), failures_shown(16_384)
    (20, 20, 2, 1)
    """
    return max(1, min(FAILURES_SHOWN, _FAILURES_SHOWN_PER_REQUEST // max(code_items, 1)))


def _item_result(
    item: ScoreItem,
    asked: dict[str, Score],
    weights: dict[str, float],
    sandbox: str,
    failures_shown: int,
) -> ItemResult:
    values = {name: score.value for name, score in asked.items()}
    details = Details(
        status="unjudged" if any(value is None for value in values.values()) else "scored"
    )
    accuracy = asked.get("accuracy")
    if accuracy is not None:
        details.extracted = accuracy.extracted
        details.message = accuracy.message
    reasons = {name: score.reason.value for name, score in asked.items() if score.reason}
    # The headline reason: accuracy's first, as it decides most of the reward.
    details.reason = next(
        (reasons[name] for name in ("accuracy", "format", "language") if name in reasons), None
    )
    if len(reasons) > 1 or (reasons and "accuracy" not in reasons):
        details.reasons = reasons
    if item.task == "code":
        details.sandbox = sandbox
    if isinstance(accuracy, CodeScore):
        details.passed, details.total = accuracy.passed, accuracy.total
        details.scoring = accuracy.scoring
        details.failures = [
            CaseFailure(case=f.case, reason=f.reason.value, excerpt=f.excerpt)
            for f in accuracy.failures[:failures_shown]
        ]
    return ItemResult(
        id=item.id,
        group=item.group,
        reward=weighted_reward(values, list(asked), weights),
        scores=Scores(**values),
        details=details,
    )


async def _code_tests(reference: CodeReference, settings: SandboxSettings) -> CodeTests:
    chosen = {}
    for field, limit in _REQUEST_LIMITS.items():
        asked = getattr(reference, field)
        chosen[limit] = getattr(settings, limit) if asked is None else asked
    budget_s = chosen.pop("budget_s")
    limits = Limits(**chosen)
    cases, calls = await dataset_tests(reference)
    return CodeTests(
        language=reference.language,
        cases=tuple(IOCase(c.stdin, c.stdout) for c in reference.cases) + cases,
        limits=limits,
        assert_code=reference.assert_code,
        entry_point=reference.function(),
        compare=_compare(reference.compare),
        scoring=reference.scoring,
        calls=calls,
        checker=reference.checker,
        budget_s=budget_s,
    )


async def dataset_tests(
    reference: CodeReference,
) -> tuple[tuple[IOCase, ...], tuple[CallCase, ...]]:
    """The stdio and call-based cases of `input_output` (APPS, TACO, PRIME) and `test_cases`
    (LiveCodeBench). Lists of lines in APPS stdio tests are joined with newlines. Calls are
    written out as JSON in turns: one `json.dumps` of 30 million quotes held the event loop
    0.15 s."""
    cases: list[IOCase] = []
    calls: list[CallCase] = []
    if reference.input_output is not None:
        pairs = zip(reference.input_output.inputs, reference.input_output.outputs, strict=True)
        async for given, wanted in taking_turns(pairs):
            if reference.input_output.fn_name is None:
                cases.append(IOCase(_text(given), _text(wanted)))
            else:
                arguments = given if isinstance(given, list) else [given]
                calls.append(CallCase(await _json(arguments), await _json(wanted)))
    for case in reference.test_cases or ():
        if case.testtype == "stdin":
            cases.append(IOCase(case.input, case.output))
        else:  # validated JSON: written as it is given (parsing and writing it out again
            # held the event loop 0.3 s for 7 million quotes)
            arguments = ", ".join(functional_argument_lines(case.input))
            calls.append(CallCase(f"[{arguments}]", case.output))
    return tuple(cases), tuple(calls)


async def _json(value: object) -> str:
    return (await dumps_in_turns(value)).decode()


def _text(value: object) -> str:
    if isinstance(value, list):
        return "\n".join(str(line) for line in value)
    return str(value)


def _compare(asked: str | FloatCompare) -> Compare:
    if isinstance(asked, FloatCompare):
        return FloatTolerance(abs=asked.tolerance.abs, rel=asked.tolerance.rel)
    return asked  # type: ignore[return-value]
