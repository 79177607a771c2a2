"""Splitting items into batches of about a given size without splitting a GRPO group."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


def group_batches(
    items: Sequence[T], size: int, group: Callable[[T], str | None]
) -> Iterator[list[T]]:
    """Consecutive batches of at least `size` items (the last may be smaller), cut only between
    groups: a group's statistics, and so its advantages, need all of it in one request.

    >>> [len(b) for b in group_batches("aabbbc", 2, lambda x: x)]
    [2, 3, 1]
    >>> [len(b) for b in group_batches([1, 2, 3], 2, lambda x: None)]
    [2, 1]
    """
    batch: list[T] = []
    for item in items:
        key = group(item)
        if len(batch) >= size and (key is None or key != group(batch[-1])):
            yield batch
            batch = []
        batch.append(item)
    if batch:
        yield batch
