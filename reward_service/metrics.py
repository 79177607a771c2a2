"""Evaluation metrics over scored samples: pass@k, majority vote (cons@k), rates.

Pure functions; the equivalence classes that majority voting needs come from
`reward_service.rewards.math.equivalence_classes`, computed in the worker pool.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sample:
    """What the metrics need of one scored item."""

    problem: str
    task: str
    accuracy: float | None
    extracted: str | None = None
    format: float | None = None
    language: float | None = None
    reason: str | None = None
    unjudged: bool = False


@dataclass
class TaskSummary:
    items: int = 0
    problems: int = 0
    accuracy: float | None = None
    pass_at: dict[int, float] = field(default_factory=dict)
    cons_at: dict[int, float] = field(default_factory=dict)
    format_rate: float | None = None
    language_mean: float | None = None
    unjudged: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        data: dict = {"items": self.items, "problems": self.problems, "accuracy": self.accuracy}
        data.update({f"pass@{k}": v for k, v in self.pass_at.items()})
        data.update({f"cons@{k}": v for k, v in self.cons_at.items()})
        data.update(
            format_rate=self.format_rate,
            language_mean=self.language_mean,
            unjudged=self.unjudged,
            reasons=self.reasons,
        )
        return data


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k of Chen et al. (2021): 1 - C(n-c, k) / C(n, k), for n samples, c correct.

    >>> pass_at_k(4, 1, 1), pass_at_k(4, 1, 2), pass_at_k(4, 0, 4), pass_at_k(4, 1, 4)
    (0.25, 0.5, 0.0, 1.0)
    """
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def ks_for(samples_per_problem: int) -> list[int]:
    """k = 1, 2, 4, ... up to the samples per problem, and that number itself.

    >>> ks_for(16), ks_for(10), ks_for(1)
    ([1, 2, 4, 8, 16], [1, 2, 4, 8, 10], [1])
    """
    ks = [1 << i for i in range(samples_per_problem.bit_length()) if 1 << i <= samples_per_problem]
    return ks if ks[-1] == samples_per_problem else [*ks, samples_per_problem]


def majority_vote_correct(classes: Sequence[int | None], correct: Sequence[bool], k: int) -> bool:
    """Whether the most frequent answer among the first k samples is correct.

    `classes[i]` is sample i's equivalence class (None: it gave no answer, and does not
    vote). Ties go to the class whose first vote came earliest; the class counts as correct
    when its earliest member is. No vote at all is not correct.

    >>> majority_vote_correct([0, 1, 1, 0], [True, False, False, True], 4)  # 2-2 tie: 0 first
    True
    >>> majority_vote_correct([0, 1, 1, None], [True, False, False, False], 3)
    False
    """
    votes: Counter[int] = Counter()
    first: dict[int, int] = {}
    for index, cls in enumerate(classes[:k]):
        if cls is not None:
            votes[cls] += 1
            first.setdefault(cls, index)
    if not votes:
        return False
    winner = min(votes, key=lambda cls: (-votes[cls], first[cls]))
    return correct[first[winner]]


def summarize(
    samples: Sequence[Sample], classes: dict[str, list[int | None]] | None = None
) -> dict[str, TaskSummary]:
    """Summaries per task and `"overall"`. `classes` maps a math problem to its samples'
    equivalence classes (in sample order), for cons@k."""
    by_task: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_task[sample.task].append(sample)
    summaries = {task: _summarize(group, classes or {}) for task, group in by_task.items()}
    if len(by_task) > 1:
        summaries["overall"] = _summarize(samples, classes or {})
    elif by_task:
        summaries["overall"] = next(iter(summaries.values()))
    return summaries


def _summarize(samples: Sequence[Sample], classes: dict[str, list[int | None]]) -> TaskSummary:
    summary = TaskSummary(items=len(samples))
    summary.unjudged = sum(sample.unjudged for sample in samples)
    summary.reasons = dict(Counter(s.reason for s in samples if s.reason).most_common())
    problems: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        problems[sample.problem].append(sample)
    summary.problems = len(problems)

    judged = {
        name: [s for s in group if s.accuracy is not None] for name, group in problems.items()
    }
    judged = {name: group for name, group in judged.items() if group}
    if judged:
        accuracies = [s.accuracy for group in judged.values() for s in group]
        summary.accuracy = sum(accuracies) / len(accuracies)  # type: ignore[arg-type]
        for k in ks_for(max(len(group) for group in judged.values())):
            # Each k over the problems that have at least k samples.
            eligible = [name for name, group in judged.items() if len(group) >= k]
            summary.pass_at[k] = sum(
                pass_at_k(len(judged[name]), sum(s.accuracy == 1.0 for s in judged[name]), k)
                for name in eligible
            ) / len(eligible)
            voted = [name for name in eligible if name in classes]
            if voted:
                summary.cons_at[k] = sum(
                    majority_vote_correct(
                        classes[name], [s.accuracy == 1.0 for s in problems[name]], k
                    )
                    for name in voted
                ) / len(voted)

    formats = [s.format for s in samples if s.format is not None]
    languages = [s.language for s in samples if s.language is not None]
    summary.format_rate = sum(formats) / len(formats) if formats else None
    summary.language_mean = sum(languages) / len(languages) if languages else None
    return summary
