"""Admission by work: items in progress over the rate the service answers items when busy."""

from __future__ import annotations

import pytest
from fastapi import HTTPException

from reward_service.api import limits
from reward_service.api.limits import Admission


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(limits, "time", clock)
    return clock


def admission(max_queue_s: float, max_items: int = 100_000) -> Admission:
    return Admission(
        max_requests=10, max_items=max_items, max_queue_s=max_queue_s, max_body_bytes=1 << 20
    )


def refusal(admission: Admission, items: int) -> HTTPException:
    with pytest.raises(HTTPException) as refused:
        admission.hold(items).__enter__()
    assert refused.value.status_code == 429
    return refused.value


def test_work_the_service_will_finish_in_time_is_queued_and_more_is_refused_with_the_wait(clock):
    queue = admission(max_queue_s=2.0)
    for _ in range(20):  # busy for 20 s, answering 100 items a second
        with queue.hold(100):
            clock.now += 1.0
    assert queue.rate() == pytest.approx(100)
    with queue.hold(100):  # a second of work: queued
        with queue.hold(100):  # two in all: queued
            refused = refusal(queue, 100)  # three seconds in all: past 2 s
    assert refused.headers["Retry-After"] == "1"
    assert "would take 3 s" in refused.detail
    assert queue.depth == 0


def test_an_idle_spell_is_no_evidence_of_a_low_capacity(clock):
    """A few items now and then, answered slowly: the rate of an idle service says nothing
    of what it can do, and a large request must not be refused for it."""
    queue = admission(max_queue_s=2.0)
    for _ in range(10):  # one item every 3 s, each taking 1 s
        with queue.hold(1):
            clock.now += 1.0
        clock.now += 2.0
    assert queue.rate() is None
    with queue.hold(10_000), queue.hold(10_000):
        pass


def test_a_request_with_nothing_ahead_of_it_is_not_refused_by_its_wait(clock):
    queue = admission(max_queue_s=2.0)
    for _ in range(20):
        with queue.hold(1):
            clock.now += 1.0
    assert queue.rate() == pytest.approx(1)
    with queue.hold(1_000):  # a thousand seconds of work, but nothing ahead
        refused = refusal(queue, 1)
    assert int(refused.headers["Retry-After"]) == 999


def test_concurrent_requests_count_the_busy_time_once(clock):
    queue = admission(max_queue_s=60.0)
    for _ in range(20):  # two requests at a time, 50 items each per second: 100 items/s
        first, second = queue.hold(50), queue.hold(50)
        first.__enter__(), second.__enter__()
        clock.now += 1.0
        first.__exit__(None, None, None), second.__exit__(None, None, None)
    assert queue.rate() == pytest.approx(100)


def test_past_the_item_bound_a_request_is_refused_whatever_the_rate(clock):
    queue = admission(max_queue_s=0.001, max_items=1_000)
    with queue.hold(1_000):
        refused = refusal(queue, 1)
    assert refused.headers["Retry-After"] == "1"
    assert "limit of 1000" in refused.detail
