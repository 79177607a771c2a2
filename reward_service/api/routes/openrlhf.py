"""OpenRLHF's remote reward-model protocol: `POST /get_reward`.

Matched against OpenRLHF/OpenRLHF v0.11.0 (commit 3c3be6234e0cb353e76bb8019947db9dfe99fca7):
`openrlhf/utils/agent.py` (`SingleTurnAgentExecutor._fetch_rewards_via_http`) posts
`{"query": [...], "prompts": [...], "labels": [...]}` to each `--remote_rm_url`, where a query
is `tokenizer.decode(prompt_tokens + response_tokens, skip_special_tokens=False)` (so it may
carry special tokens such as a BOS in front and an end-of-turn token at the end), a prompt is
the dataset prompt after the chat template, and a label is the dataset's `--label_key` value.
It reads `rewards`, `scores` (falling back to `rewards`) and `extra_logs` (a dict, each value
turned into a per-sample tensor by `samples_generator._process_response_into_experience`).
Earlier releases (`openrlhf/utils/remote_rm_utils.py`, `remote_rm_fn`, e.g. commit
9b8641c181296428ec764a8626ddccd750a780b0) sent the same body and read `rewards`.

Here the labels are math references; `rewards` is the weighted reward (accuracy, plus format
when asked for in the query string), `scores` is accuracy, and `extra_logs` holds per-sample
`accuracy`, `unjudged` (1.0 where the service could not judge: reward 0.0 there) and, when
asked, `format`. Scoring goes through `score_items`, like `/v1/score`.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reward_service.api.body_in_turns import JsonInTurnsRoute
from reward_service.api.deps import ServiceDep
from reward_service.api.models import (
    MAX_ITEMS,
    MAX_REFERENCE_CHARS,
    MAX_RESPONSE_CHARS,
    FormatName,
    ItemResult,
    ScoreItem,
    ScoreRequest,
    Template,
    Weights,
)
from reward_service.turns import taking_turns

log = logging.getLogger(__name__)

router = APIRouter(tags=["openrlhf"], route_class=JsonInTurnsRoute)

# Special tokens a decoded query may end with (`<|im_end|>`, `<|endoftext|>`, `</s>`,
# DeepSeek's `<｜end▁of▁sentence｜>`), and whitespace, written backwards: matched from the end
# of the reversed query, they are stripped in one linear pass (a pattern anchored at the end
# is tried from every position, and stripping token by token copied the query each time).
_TRAILING_SPECIALS_REVERSED = re.compile(r"(?:\s+|>[|\uff5c][^<>\s]{1,40}[|\uff5c]<|>s/<)*")

Query_ = Annotated[str, Field(max_length=MAX_RESPONSE_CHARS + MAX_REFERENCE_CHARS)]
Label = Annotated[str | int | float | None, Field(union_mode="left_to_right")]


class GetRewardRequest(BaseModel):
    """What OpenRLHF posts; fields it may add later are ignored."""

    model_config = ConfigDict(extra="ignore")

    # Fail fast: 16,384 queries of the wrong type would make as many errors.
    query: list[Query_] = Field(min_length=1, max_length=MAX_ITEMS, fail_fast=True)
    prompts: list[str] | None = Field(
        None, fail_fast=True, description="The prompt each query starts with."
    )
    labels: list[Label] | None = Field(
        None, fail_fast=True, description="The math reference of each query."
    )


class GetRewardResponse(BaseModel):
    rewards: list[float]
    scores: list[float]
    extra_logs: dict[str, list[float]]


@router.post("/get_reward", operation_id="openrlhf_get_reward", response_model=GetRewardResponse)
async def get_reward(
    body: GetRewardRequest,
    service: ServiceDep,
    format: Annotated[FormatName, Query(description="Template to score too.")] = "none",
    format_weight: Annotated[float, Query(ge=-10, le=10)] = 0.0,
    think_in_prompt: Annotated[bool, Query(description="The prompt opened <think>.")] = False,
) -> GetRewardResponse:
    """Score OpenRLHF queries (prompt + response) for math accuracy against their labels."""
    request = await _score_request(body, format, format_weight, think_in_prompt)
    results = (await service.score(request)).results
    return _openrlhf_response(results, with_format=format != "none")


def response_text(query: str, prompt: str | None) -> str:
    """The response part of an OpenRLHF query: after its prompt, without trailing special tokens.

    Args:
        query: the decoded prompt + response.
        prompt: the prompt; when it is not at the start (a BOS token in front), the text
            after its first occurrence; when it is absent, the whole query.

    Returns:
        The response.

    Example:
        >>> response_text("<s>Q: 1+1? A: \\\\boxed{2}<|im_end|>", "Q: 1+1? A:")
        ' \\\\boxed{2}'
    """
    return _response_part(query, prompt)[0]


def _response_part(query: str, prompt: str | None) -> tuple[str, bool]:
    """`response_text`, and whether the prompt (if any) was found in the query."""
    if prompt:
        at = query.find(prompt)
        if at < 0:
            return _without_trailing_specials(query), False
        query = query[at + len(prompt) :]
    return _without_trailing_specials(query), True


def _without_trailing_specials(text: str) -> str:
    """`text` without the special tokens (and whitespace) it ends with."""
    trailing = _TRAILING_SPECIALS_REVERSED.match(text[::-1]).end()
    return text[: len(text) - trailing]


async def _score_request(
    body: GetRewardRequest, format: FormatName, format_weight: float, think_in_prompt: bool
) -> ScoreRequest:
    if format == "none" and format_weight != 0:
        raise HTTPException(422, "invalid request: format_weight without format; give format too")
    count = len(body.query)
    for name, values in (("prompts", body.prompts), ("labels", body.labels)):
        if values is not None and len(values) != count:
            raise HTTPException(422, f"invalid request: {len(values)} {name} for {count} queries")
    prompts = body.prompts or [None] * count
    labels = body.labels or [None] * count
    items = []
    prompts_missing = 0
    queries = zip(body.query, prompts, labels, strict=True)
    async for index, (query, prompt, label) in taking_turns(enumerate(queries)):
        response, prompt_found = _response_part(query, prompt)
        prompts_missing += not prompt_found
        try:
            items.append(
                ScoreItem(
                    response=response,
                    task="math",
                    answer=None if label is None else str(label),
                    format=format,
                )
            )
        except ValidationError as exc:
            error = exc.errors()[0]
            field = "labels" if error["loc"][:1] == ("answer",) else "query"
            raise HTTPException(422, f"invalid request: {field}.{index}: {error['msg']}") from exc
    if prompts_missing:
        log.warning(
            "openrlhf: %d of %d prompts are not in their query; scored the whole query",
            prompts_missing,
            count,
        )
    return ScoreRequest(
        items=items,
        weights=Weights(accuracy=1.0, format=format_weight),
        template=Template(think_in_prompt=think_in_prompt),
    )


def _openrlhf_response(results: list[ItemResult], with_format: bool) -> GetRewardResponse:
    unjudged = [1.0 if result.details.status == "unjudged" else 0.0 for result in results]
    if any(unjudged):
        log.warning(
            "openrlhf: %d of %d queries unjudged; reward 0.0", int(sum(unjudged)), len(results)
        )
    extra_logs = {
        "accuracy": [result.scores.accuracy or 0.0 for result in results],
        "unjudged": unjudged,
    }
    if with_format:
        extra_logs["format"] = [result.scores.format or 0.0 for result in results]
    return GetRewardResponse(
        rewards=[result.reward or 0.0 for result in results],
        scores=extra_logs["accuracy"],
        extra_logs=extra_logs,
    )
