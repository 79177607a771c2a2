"""Adapters that plug the service into RL trainers, plus the helpers they share.

- `reward_service.integrations.trl`: a reward function for TRL's `GRPOTrainer`.
- `reward_service.integrations.verl`: `compute_score` / `compute_score_batch` for verl's
  `custom_reward_function` (naive and batch reward managers).
- OpenRLHF needs no adapter: the service answers its remote reward-model protocol itself
  (`POST /get_reward`, see `reward_service.api.routes.openrlhf`).

Nothing here imports a trainer: the adapters only match the shapes the trainers pass.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["reference_fields"]


def reference_fields(task: str, reference: Any) -> dict[str, Any]:
    """The score-item fields that carry one reference, for a task.

    Args:
        task: "math" (the reference is the answer), "code" (the reference is the `tests`
            object, or its JSON text) or "none" (no reference).
        reference: the dataset's value; None or an empty string means no reference, which
            the service reports as unjudged (`null`), never as a wrong answer.

    Returns:
        `{"task": ..., "answer": ...}` or `{"task": ..., "tests": ...}` (or just the task).

    Example:
        >>> reference_fields("math", 72)
        {'task': 'math', 'answer': '72'}
        >>> reference_fields("code", '{"cases": [{"stdin": "", "stdout": "1"}]}')["tests"]
        {'cases': [{'stdin': '', 'stdout': '1'}]}
    """
    fields: dict[str, Any] = {"task": task}
    if isinstance(reference, list | tuple) and len(reference) == 1:
        reference = reference[0]
    if task == "math" and reference is not None:
        fields["answer"] = str(reference)
    elif task == "code" and reference is not None and reference != "":
        fields["tests"] = json.loads(reference) if isinstance(reference, str | bytes) else reference
        if not isinstance(fields["tests"], Mapping):
            raise ValueError(f"code tests must be an object, got {type(fields['tests']).__name__}")
        fields["tests"] = dict(fields["tests"])
    return fields
