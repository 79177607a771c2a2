"""A reward function for TRL's `GRPOTrainer`, backed by the service.

Matched against huggingface/trl v1.9.0-26-gf2cd57710 (commit
f2cd57710ae345ea6428ae95363267fcf38a3dc8), `trl/trainer/grpo_trainer.py`:

- `GRPOTrainer._calculate_rewards` calls each plain reward function as
  `reward_func(prompts=prompts, completions=completions, completion_ids=completion_ids_list,
  **reward_kwargs)`, where `reward_kwargs` holds every dataset column but "prompt" and
  "completion" as a list with one value per completion (so the reference column arrives as
  `kwargs[answer_key]`), plus `trainer_state`, `log_extra`, `log_metric` and, with
  environments, `environments`.
- The batch holds `num_generations` completions of each prompt; prompts are strings, or
  message lists for conversational datasets, in which case each completion is
  `[{"role": "assistant", "content": ...}]` (possibly with `reasoning_content` when the
  tokenizer has a response schema, see `parse_response`).
- It turns `None` into NaN, and a completion for which every reward function returned None is
  "unscorable": left out of its group's baseline, advantage 0 (`_generate_and_score_completions`).
- It names the function for logging with `get_callable_name` (`trl/trainer/utils.py`):
  `__name__`, or the class name. Reward functions must be picklable.

    from trl import GRPOTrainer
    from reward_service.integrations.trl import reward_func

    trainer = GRPOTrainer(model=..., train_dataset=dataset,  # with an "answer" column
                          reward_funcs=[reward_func("http://127.0.0.1:8000")])
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from reward_service.client import RewardClient
from reward_service.integrations import reference_fields

log = logging.getLogger(__name__)

RewardChoice = Literal["accuracy", "format", "language", "reward"]
Completion = str | Sequence[Mapping[str, Any]]


class ServiceReward:
    """A picklable GRPOTrainer reward function; build it with `reward_func`.

    It holds one `RewardClient`, opened on first use (and again after unpickling in another
    process); `close` releases it.
    """

    def __init__(
        self,
        base_url: str | Sequence[str],
        reward: RewardChoice,
        task: str,
        answer_key: str,
        *,
        format: str | None,
        language: str | None,
        weights: Mapping[str, float] | None,
        think_in_prompt: bool,
        name: str,
        client_options: Mapping[str, Any],
    ) -> None:
        self.base_url = base_url
        self.reward = reward
        self.task = task
        self.answer_key = answer_key
        self.format = format
        self.language = language
        self.weights = dict(weights) if weights is not None else None
        self.think_in_prompt = think_in_prompt
        self.__name__ = name
        self.client_options = dict(client_options)
        self._client: RewardClient | None = None

    def __call__(
        self, prompts: Sequence[Any], completions: Sequence[Completion], **kwargs: Any
    ) -> list[float | None]:
        """Score one GRPOTrainer batch.

        Args:
            prompts: one prompt per completion (a string, or a list of messages).
            completions: strings, or `[{"role": "assistant", "content": ...}]` lists.
            **kwargs: the dataset columns as lists (the reference under `answer_key`), and
                TRL's extras (`trainer_state`, `completion_ids`, `log_metric`, ...).

        Returns:
            One value per completion; None where the service could not judge it.
        """
        items = self.items(prompts, completions, kwargs)
        options: dict[str, Any] = {}
        if self.think_in_prompt:
            options["template"] = {"think_in_prompt": True}
        results = self.client.score(items, weights=self.weights, **options)
        values = [
            result.reward if self.reward == "reward" else getattr(result.scores, self.reward)
            for result in results
        ]
        _report_unjudged(self.__name__, values, kwargs.get("log_metric"))
        return values

    def items(
        self, prompts: Sequence[Any], completions: Sequence[Completion], columns: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """The score items of a batch: completions of one prompt share a group.

        Args:
            prompts: as in `__call__`.
            completions: as in `__call__`.
            columns: the dataset columns TRL passed as keyword arguments.

        Returns:
            One item dict per completion, in order.

        Raises:
            KeyError: accuracy is asked for and the reference column is missing.
        """
        if len(prompts) != len(completions):
            raise ValueError(f"{len(prompts)} prompts for {len(completions)} completions")
        needs_reference = self.reward in ("accuracy", "reward") and self.task != "none"
        if needs_reference and self.answer_key not in columns:
            found = sorted(key for key in columns if not key.startswith(("trainer_", "log_")))
            raise KeyError(f"no dataset column {self.answer_key!r} among {found}")
        references = columns.get(self.answer_key) if needs_reference else None
        groups: dict[str, str] = {}
        items = []
        for index, (prompt, completion) in enumerate(zip(prompts, completions, strict=True)):
            key = prompt if isinstance(prompt, str) else json.dumps(prompt, default=str)
            item: dict[str, Any] = {
                "group": groups.setdefault(key, f"p{len(groups)}"),
                "response": completion_text(completion),
            }
            if references is not None:
                item.update(reference_fields(self.task, references[index]))
            else:
                item["task"] = "none"
            if self.reward in ("format", "reward") and self.format is not None:
                item["format"] = self.format
            if self.reward in ("language", "reward") and self.language is not None:
                item["language"] = self.language
            items.append(item)
        return items

    @property
    def client(self) -> RewardClient:
        """The client, opened on first use."""
        if self._client is None:
            self._client = RewardClient(self.base_url, **self.client_options)
        return self._client

    def close(self) -> None:
        """Close the client's connections (it reopens if called again)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_client": None}


def reward_func(
    base_url: str | Sequence[str],
    reward: RewardChoice = "accuracy",
    task: str = "math",
    answer_key: str = "answer",
    *,
    format: str | None = None,
    language: str | None = None,
    weights: Mapping[str, float] | None = None,
    think_in_prompt: bool = False,
    name: str | None = None,
    **client_options: Any,
) -> ServiceReward:
    """A GRPOTrainer reward function `(prompts, completions, **kwargs) -> list[float | None]`.

    Args:
        base_url: the service, e.g. "http://127.0.0.1:8000"; several endpoints as a list or
            comma-separated, spread over and failed over by the client.
        reward: the value returned per completion: one score ("accuracy", "format",
            "language") or "reward" (the weighted sum of those asked for, see `weights`).
        task: "math" (the reference column holds answers), "code" (it holds `tests` objects
            or their JSON) or "none".
        answer_key: the dataset column holding the references.
        format: the template to check ("think_answer" or "think"); with reward="format" it
            defaults to "think_answer".
        language: the target language of the reasoning (e.g. "en"); needed for "language".
        weights: score weights for reward="reward", e.g. `{"accuracy": 1.0, "format": 0.2}`.
        think_in_prompt: the chat template already opened `<think>` in the prompt.
        name: the name TRL logs the reward under (default `service_<reward>`).
        **client_options: passed to `RewardClient` (timeout, retries, batch_size, token, ...).

    Returns:
        The reward function. An unjudged completion (the service's fault, e.g. no reference)
        gets None, which TRL treats as "no reward" rather than 0; the count is logged.

    Example:
        >>> accuracy = reward_func("http://127.0.0.1:8000")
        >>> accuracy.__name__
        'service_accuracy'
        >>> fmt = reward_func("http://127.0.0.1:8000", reward="format", think_in_prompt=True)
    """
    if reward not in ("accuracy", "format", "language", "reward"):
        raise ValueError(f"unknown reward {reward!r}")
    if reward == "format" and format is None:
        format = "think_answer"
    if reward == "language" and language is None:
        raise ValueError('reward="language" needs a target `language`, e.g. "en"')
    return ServiceReward(
        base_url,
        reward,
        task,
        answer_key,
        format=format,
        language=language,
        weights=weights,
        think_in_prompt=think_in_prompt,
        name=name or f"service_{reward}",
        client_options=client_options,
    )


def completion_text(completion: Completion) -> str:
    """The text to score of one TRL completion.

    Args:
        completion: a string, or a list of messages; the last assistant message counts. A
            `reasoning_content` that a response parser split off goes back inside
            `<think>...</think>`, so answers in the reasoning still do not count.

    Returns:
        The response text.

    Example:
        >>> completion_text([{"role": "assistant", "content": "\\\\boxed{4}"}])
        '\\\\boxed{4}'
    """
    if isinstance(completion, str):
        return completion
    messages = [m for m in completion if m.get("role", "assistant") == "assistant"]
    if not messages:
        return ""
    message = messages[-1]
    text = _content_text(message.get("content"))
    reasoning = message.get("reasoning_content")
    if reasoning:
        text = f"<think>{reasoning}</think>{text}"
    return text


def _content_text(content: Any) -> str:
    """A message's content as text: a string, or the text parts of a multimodal list."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(
        part.get("text", "") for part in content if isinstance(part, Mapping) and "text" in part
    )


def _report_unjudged(
    name: str, values: Sequence[float | None], log_metric: Callable[[str, float], None] | None
) -> None:
    """Log how many values are None, and hand the share to TRL's `log_metric` when given."""
    unjudged = sum(value is None for value in values)
    if unjudged:
        log.warning(
            "%s: %d of %d completions unjudged by the reward service (returned None, TRL "
            "leaves them out)",
            name,
            unjudged,
            len(values),
        )
    if callable(log_metric) and values:
        log_metric(f"{name}/unjudged_frac", unjudged / len(values))
