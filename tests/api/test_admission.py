"""Admission by work: items in progress over the rate the service answers items when busy."""

from __future__ import annotations

import asyncio

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


def admission(max_queue_s: float, max_items: int = 100_000, max_requests: int = 10) -> Admission:
    return Admission(
        max_requests=max_requests,
        max_waiting=10,
        max_items=max_items,
        max_queue_s=max_queue_s,
        max_body_bytes=1 << 20,
    )


def refusal(admission: Admission, items: int, code_items: int = 0) -> HTTPException:
    with pytest.raises(HTTPException) as refused:
        admission.hold(items, code_items).__enter__()
    assert refused.value.status_code == 429
    return refused.value


def test_work_the_service_will_finish_in_time_is_queued_and_more_is_refused_with_the_wait(clock):
    queue = admission(max_queue_s=2.0)
    for _ in range(20):  # busy for 20 s, answering 100 items a second
        with queue.hold(100):
            clock.now += 1.0
    assert queue.workers.rate() == pytest.approx(100)
    with queue.hold(100):  # nothing ahead: queued
        with queue.hold(100):  # a second of turns ahead: queued
            with queue.hold(100):  # two seconds: queued
                refused = refusal(queue, 100)  # three seconds: past 2 s
    assert refused.headers["Retry-After"] == "1"
    assert "100 items would wait 3 s for their turns with the 300 in progress" in refused.detail
    assert queue.depth == 0


def test_an_idle_spell_is_no_evidence_of_a_low_capacity(clock):
    """A few items now and then, answered slowly: the rate of an idle service says nothing
    of what it can do, and a large request must not be refused for it."""
    queue = admission(max_queue_s=2.0)
    for _ in range(10):  # one item every 3 s, each taking 1 s
        with queue.hold(1):
            clock.now += 1.0
        clock.now += 2.0
    assert queue.workers.rate() is None
    with queue.hold(10_000), queue.hold(10_000):
        pass


def test_a_small_request_is_not_refused_for_a_large_one_it_takes_turns_with(clock):
    """One client's 400 slow items once made every other client's request a 429 (Retry-After
    1,769 s), as if it waited for all of them: it waits for a turn of each request."""
    queue = admission(max_queue_s=2.0)
    for _ in range(20):
        with queue.hold(1):
            clock.now += 1.0
    assert queue.workers.rate() == pytest.approx(1)
    with queue.hold(1_000), queue.hold(1):  # a turn of the thousand items ahead: 1 s
        refused = refusal(queue, 500)  # 500 of the thousand and the one ahead
    assert int(refused.headers["Retry-After"]) == 499


def test_slow_code_items_make_no_math_request_wait(clock):
    """The workers and the sandbox answer at their own rates: with one rate for both, code
    items that loop for seconds once had four requests of 100 math items refused (a wait of
    371 s). Code waits by the sandbox's rate, math by the workers'."""
    queue = admission(max_queue_s=2.0)
    for _ in range(20):  # code: one item every 5 s
        with queue.hold(5, code_items=5):
            clock.now += 25.0
    for _ in range(20):  # math: 1,000 items a second
        with queue.hold(1_000):
            clock.now += 1.0
    assert queue.sandbox.rate() == pytest.approx(0.2)
    assert queue.workers.rate() == pytest.approx(1_000)
    with queue.hold(10, code_items=10), queue.hold(300), queue.hold(300), queue.hold(300):
        with queue.hold(300):  # 0.9 s of math ahead of it (at one rate for both: 23 s)
            pass
        refused = refusal(queue, 10, code_items=10)  # 50 s of code ahead of it
    assert "10 items would wait 50 s" in refused.detail


def test_the_wait_a_refusal_gives_is_at_most_an_hour(clock):
    queue = admission(max_queue_s=2.0)
    for _ in range(20):  # a second per item: pathological ones
        with queue.hold(1):
            clock.now += 1.0
    with queue.hold(90_000):
        refused = refusal(queue, 9_000)
    assert "would wait 9000 s" in refused.detail
    assert refused.headers["Retry-After"] == "3600"


def test_concurrent_requests_count_the_busy_time_once(clock):
    queue = admission(max_queue_s=60.0)
    for _ in range(20):  # two requests at a time, 50 items each per second: 100 items/s
        first, second = queue.hold(50), queue.hold(50)
        first.__enter__(), second.__enter__()
        clock.now += 1.0
        first.__exit__(None, None, None), second.__exit__(None, None, None)
    assert queue.workers.rate() == pytest.approx(100)


def test_past_the_item_bound_a_request_is_refused_whatever_the_rate(clock):
    queue = admission(max_queue_s=0.001, max_items=1_000)
    with queue.hold(1_000):
        refused = refusal(queue, 1)
    assert refused.headers["Retry-After"] == "1"
    assert "limit of 1000" in refused.detail


def test_past_the_requests_in_progress_requests_wait_their_turn_in_order():
    asyncio.run(waiting_in_order())


async def waiting_in_order() -> None:
    queue = admission(max_queue_s=60.0, max_requests=2)
    await queue.enter()
    await queue.enter()
    entered: list[int] = []

    async def request(n: int) -> None:
        await queue.enter()
        entered.append(n)

    waiting = [asyncio.ensure_future(request(n)) for n in range(3)]
    await asyncio.sleep(0)
    assert (queue.requests, queue.waiting, entered) == (2, 3, [])
    waiting[1].cancel()  # a client that hung up while waiting, passed over even before
    queue.leave()  # its task has run
    await asyncio.sleep(0)
    assert entered == [0] and queue.waiting == 1
    queue.leave()
    await asyncio.sleep(0)
    assert entered == [0, 2] and queue.waiting == 0
    for _ in range(2):
        queue.leave()
    assert queue.requests == 0


def test_requests_doing_work_in_the_event_loop_at_once_are_bounded():
    """Thousands of requests in progress, each doing its share of work in the event loop,
    made each pass of the loop long (/health waited 1.5 s in a burst of 3,000): a request
    does it in one of `ACTIVE_REQUESTS` turns, and gives its turn away while it waits for
    the workers or the sandbox, and once its answer is being sent."""
    asyncio.run(taking_turns_in_the_loop())


async def taking_turns_in_the_loop() -> None:
    queue = admission(max_queue_s=60.0, max_requests=1_000)
    working = 0
    most = 0
    released = asyncio.Event()

    async def request(waits_for_judges: bool) -> None:
        nonlocal working, most
        async with queue.working():
            working += 1
            most = max(most, working)
            await asyncio.sleep(0.001)
            if waits_for_judges:
                working -= 1
                async with queue.aside():
                    await released.wait()
                working += 1
            await asyncio.sleep(0.001)
            working -= 1

    judged = [asyncio.create_task(request(True)) for _ in range(limits.ACTIVE_REQUESTS * 2)]
    await asyncio.sleep(0.05)
    # Every one of twice the turns is waiting for its judges, none for a turn.
    assert working == 0 and not any(task.done() for task in judged)
    plain = [asyncio.create_task(request(False)) for _ in range(limits.ACTIVE_REQUESTS * 4)]
    await asyncio.wait_for(asyncio.gather(*plain), timeout=5)
    released.set()
    await asyncio.wait_for(asyncio.gather(*judged), timeout=5)
    assert most == limits.ACTIVE_REQUESTS


def test_a_request_whose_answer_is_not_read_holds_no_turn():
    asyncio.run(answers_not_read())


async def answers_not_read() -> None:
    """A client that reads nothing of its answer keeps its `send` waiting: it must not keep
    its turn, or `ACTIVE_REQUESTS` such clients would stop the service."""
    queue = admission(max_queue_s=60.0, max_requests=1_000)
    never = asyncio.Event()

    async def app(scope, receive, send) -> None:  # noqa: ANN001
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"x"})

    async def unread(message) -> None:  # noqa: ANN001
        if message["type"] == "http.response.body":
            await never.wait()

    middleware = limits.RequestAdmission(app, queue)
    scope = {"type": "http", "path": "/v1/score"}
    stuck = [
        asyncio.create_task(middleware(scope, None, unread))
        for _ in range(limits.ACTIVE_REQUESTS + 1)
    ]
    await asyncio.sleep(0.05)
    sent: list[dict] = []

    async def read(message) -> None:  # noqa: ANN001
        sent.append(message)

    await asyncio.wait_for(middleware(scope, None, read), timeout=5)
    assert [message["type"] for message in sent] == ["http.response.start", "http.response.body"]
    for task in stuck:
        task.cancel()
