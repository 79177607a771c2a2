"""Admission by work: items in progress over the rate items were answered lately."""

from __future__ import annotations

import pytest
from fastapi import HTTPException

from reward_service.api.limits import Admission


def test_work_the_service_will_finish_in_time_is_admitted_and_more_is_refused_with_the_wait():
    admission = Admission(
        max_requests=10, max_items=100_000, max_queue_s=2.0, max_body_bytes=1 << 20
    )
    with admission.hold(100):
        pass
    rate = admission.rate()
    assert rate is not None and 50 <= rate <= 100  # 100 items answered within the last second
    with admission.hold(int(rate)):  # a second of work: queued
        with pytest.raises(HTTPException) as refused:
            admission.hold(int(rate) * 2).__enter__()  # three seconds in all: past 2 s
    assert refused.value.status_code == 429
    assert int(refused.value.headers["Retry-After"]) >= 1
    assert "would take" in refused.value.detail
    assert admission.depth == 0


def test_before_anything_was_answered_only_the_item_bound_refuses():
    admission = Admission(
        max_requests=10, max_items=1_000, max_queue_s=0.001, max_body_bytes=1 << 20
    )
    with admission.hold(1_000):
        with pytest.raises(HTTPException) as refused:
            admission.hold(1).__enter__()
    assert refused.value.headers["Retry-After"] == "1"
    assert "limit of 1000" in refused.value.detail
