"""The worker pool: hard time limits, crash isolation, cancellation, memory limits."""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import signal
import time
from pathlib import Path

import pytest

from reward_service.scores import Reason
from reward_service.workers import TaskFailure, WorkerPool, _address_space_mb


def square(x: int) -> int:
    return x * x


def sleep_interruptibly(seconds: float) -> str:
    time.sleep(seconds)
    return "slept"


def spin(cpu_seconds: float) -> str:
    """Work (as sympy does) until this process has used `cpu_seconds` more CPU time."""
    end = time.process_time() + cpu_seconds
    while time.process_time() < end:
        pass
    return "spun"


def spin_deaf_to_signals(cpu_seconds: float) -> str:
    # Like C-level big-integer work: no Python signal handler can run, only a kill stops it.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGPROF})
    return spin(cpu_seconds)


def die(_: object) -> None:
    os._exit(3)


def die_once(marker: str) -> str:
    path = Path(marker)
    if not path.exists():
        path.write_text("died")
        os._exit(3)
    return "survived"


def raise_bug(_: object) -> None:
    raise KeyError("a bug in a reward rule")


def allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


_HOARD: list[bytearray] = []


def hoard(megabytes: int) -> int:
    """Keep `megabytes` alive in this worker (as a cache would); the hoards it holds."""
    _HOARD.append(bytearray(megabytes * 1024 * 1024))
    return len(_HOARD)


def address_space_mb(_: object) -> float:
    return _address_space_mb()


def act(order: tuple[str, object]) -> object:
    """Run the named function of this module: one `map` call mixing behaviours."""
    name, arg = order
    return globals()[name](arg)


def run(coro):
    return asyncio.run(coro)


def test_results_come_back_in_order_under_concurrency():
    async def main():
        async with WorkerPool(processes=2, item_timeout_s=5) as pool:
            return await asyncio.gather(*(pool.run(square, i) for i in range(50)))

    assert run(main()) == [i * i for i in range(50)]


def test_map_keeps_the_order_of_its_args_across_chunks_and_workers():
    async def main():
        async with WorkerPool(processes=2, item_timeout_s=5) as pool:
            return await pool.map(square, range(100)), await pool.map(square, [])

    assert run(main()) == ([i * i for i in range(100)], [])


def test_a_stuck_arg_costs_its_worker_and_the_rest_of_its_chunk_still_runs():
    async def main():
        async with WorkerPool(processes=1, item_timeout_s=1) as pool:
            started = time.monotonic()
            orders = [("square", 1), ("spin_deaf_to_signals", 60), ("square", 2), ("square", 3)]
            outcomes = await pool.map(act, orders)
            return outcomes, time.monotonic() - started, pool.replaced

    outcomes, elapsed, replaced = run(main())
    assert outcomes[0] == 1 and outcomes[2:] == [4, 9]
    assert isinstance(outcomes[1], TaskFailure) and outcomes[1].reason is Reason.TIMEOUT
    assert elapsed < 5
    assert replaced == 1


def test_a_crash_mid_chunk_is_retried_and_the_rest_of_the_chunk_runs(tmp_path):
    async def main():
        async with WorkerPool(processes=1, item_timeout_s=5) as pool:
            marker = str(tmp_path / "marker")
            once = await pool.map(act, [("square", 1), ("die_once", marker), ("square", 2)])
            twice = await pool.map(act, [("square", 1), ("die", None), ("square", 2)])
            return once, twice, pool.replaced

    once, twice, replaced = run(main())
    assert once == [1, "survived", 4]
    assert twice[0::2] == [1, 4]
    assert isinstance(twice[1], TaskFailure) and twice[1].reason is Reason.WORKER_CRASHED
    assert replaced == 3


def test_soft_limit_stops_python_level_work_without_a_respawn():
    async def main():
        async with WorkerPool(processes=1, item_timeout_s=1) as pool:
            outcome = await pool.run(spin, 30)
            return outcome, pool.replaced, await pool.run(square, 3)

    outcome, replaced, after = run(main())
    assert isinstance(outcome, TaskFailure) and outcome.reason is Reason.TIMEOUT
    assert replaced == 0
    assert after == 9


def test_hard_limit_kills_a_worker_that_ignores_signals_and_the_pool_goes_on():
    async def main():
        async with WorkerPool(processes=2, item_timeout_s=1) as pool:
            started = time.monotonic()
            stuck = asyncio.ensure_future(pool.run(spin_deaf_to_signals, 60))
            quick = await asyncio.gather(*(pool.run(square, i) for i in range(20)))
            quick_done = time.monotonic() - started
            outcome = await stuck
            elapsed = time.monotonic() - started
            return outcome, quick, quick_done, elapsed, pool.replaced, await pool.run(square, 4)

    outcome, quick, quick_done, elapsed, replaced, after = run(main())
    assert isinstance(outcome, TaskFailure) and outcome.reason is Reason.TIMEOUT
    assert quick == [i * i for i in range(20)]
    assert quick_done < 1.0, "the other worker must keep serving while one is stuck"
    assert 0.9 < elapsed < 5
    assert replaced == 1
    assert after == 16


def test_a_worker_starved_of_the_cpu_is_not_timed_out():
    """The limit is CPU time: on a host busy with other work, a worker starved past its
    limit on the clock once turned a correct answer into a timeout zero."""

    async def main():
        async with WorkerPool(processes=1, item_timeout_s=0.5) as pool:
            (worker,) = pool._workers
            item = asyncio.ensure_future(pool.run(spin, 0.15))
            await asyncio.sleep(0.1)
            os.kill(worker.process.pid, signal.SIGSTOP)  # as starved as a process gets
            await asyncio.sleep(1.5)
            os.kill(worker.process.pid, signal.SIGCONT)
            return await item, pool.replaced

    assert run(main()) == ("spun", 0)


def test_a_worker_that_gets_no_cpu_at_all_is_given_up_on_at_the_backstop():
    async def main():
        async with WorkerPool(processes=1, item_timeout_s=0.2) as pool:
            started = time.monotonic()
            outcome = await pool.run(sleep_interruptibly, 60)
            return outcome, time.monotonic() - started, pool.replaced, await pool.run(square, 2)

    outcome, elapsed, replaced, after = run(main())
    assert isinstance(outcome, TaskFailure) and outcome.reason is Reason.TIMEOUT
    assert 1.9 < elapsed < 5  # ten limits of clock time
    assert (replaced, after) == (1, 4)


def test_a_crash_is_retried_once_in_a_fresh_worker(tmp_path):
    async def main():
        async with WorkerPool(processes=1, item_timeout_s=5) as pool:
            return await pool.run(die_once, str(tmp_path / "marker")), pool.replaced

    assert run(main()) == ("survived", 1)


def test_dying_twice_makes_it_the_items_fault():
    async def main():
        async with WorkerPool(processes=2, item_timeout_s=5) as pool:
            return await pool.run(die, None), await pool.run(square, 5)

    outcome, after = run(main())
    assert isinstance(outcome, TaskFailure) and outcome.reason is Reason.WORKER_CRASHED
    assert after == 25


def test_an_exception_is_an_internal_error_with_its_traceback():
    async def main():
        async with WorkerPool(processes=1, item_timeout_s=5) as pool:
            return await pool.run(raise_bug, None)

    outcome = run(main())
    assert isinstance(outcome, TaskFailure) and outcome.reason is Reason.INTERNAL_ERROR
    assert "a bug in a reward rule" in outcome.detail


def test_memory_limit_turns_a_huge_allocation_into_a_memory_failure():
    async def main():
        async with WorkerPool(processes=1, item_timeout_s=5, memory_mb=512) as pool:
            return await pool.run(allocate, 4096), await pool.run(allocate, 16)

    outcome, small = run(main())
    assert isinstance(outcome, TaskFailure) and outcome.reason is Reason.MEMORY
    assert small == 16 * 1024 * 1024


def test_a_worker_near_its_memory_limit_retires_and_the_next_item_gets_a_fresh_one():
    """What a worker keeps (caches, the allocator's arenas) once made every later item in it
    fail for memory; past 75% of its limit it is replaced between chunks."""

    async def main():
        async with WorkerPool(processes=1, item_timeout_s=5) as probe:
            base_mb = await probe.run(address_space_mb, None)
        limit_mb = int(base_mb) + 400
        async with WorkerPool(processes=1, item_timeout_s=5, memory_mb=limit_mb) as pool:
            kept = await pool.run(hoard, int(0.75 * limit_mb - base_mb) + 50)
            fresh = await pool.run(hoard, 1)
            return kept, fresh, pool.replaced

    assert run(main()) == (1, 1, 1)


def test_another_map_waits_for_one_slow_item_not_a_chunk_of_them():
    """Chunks grow only while they are quick: 16 slow items once went to the one worker in
    a chunk, and another request waited for all of them."""

    async def main():
        async with WorkerPool(processes=1, item_timeout_s=5) as pool:
            slow = asyncio.ensure_future(pool.map(sleep_interruptibly, [0.3] * 16))
            await asyncio.sleep(0.1)
            started = time.monotonic()
            assert await pool.run(square, 3) == 9
            waited = time.monotonic() - started
            await slow
            return waited

    assert run(main()) < 1.0


def test_a_waiter_cancelled_just_before_a_worker_is_released_loses_no_worker():
    """A client that hangs up cancels its request's waits for a worker; a worker released
    before the cancelled task has run once went to nobody, for good."""

    async def main():
        async with WorkerPool(processes=1, item_timeout_s=5) as pool:
            worker = await pool._idle.take()
            waiter = asyncio.ensure_future(pool._idle.take())
            await asyncio.sleep(0)
            waiter.cancel()
            pool._idle.give(worker)
            with contextlib.suppress(asyncio.CancelledError):
                await waiter
            return await pool.run(square, 4)

    assert run(main()) == 16


def test_a_worker_that_cannot_be_started_for_a_while_is_started_later():
    """Out of open files (a burst holds thousands of connections), replacing a dead worker
    failed once and for all, and the pool shrank for good."""

    async def main():
        async with WorkerPool(processes=1, item_timeout_s=5) as pool:
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (len(os.listdir("/proc/self/fd")), hard))
            try:
                dead = asyncio.ensure_future(pool.run(die, None))
                await asyncio.sleep(1.0)  # the replacement fails meanwhile
            finally:
                resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
            await dead
            return await pool.run(square, 5)

    assert run(main()) == 25


def test_a_cancelled_task_never_leaks_its_late_answer_into_the_next_one():
    async def main():
        async with WorkerPool(processes=1, item_timeout_s=5) as pool:
            slow = asyncio.ensure_future(pool.run(sleep_interruptibly, 0.3))
            await asyncio.sleep(0.1)
            slow.cancel()
            with pytest.raises(asyncio.CancelledError):
                await slow
            await asyncio.sleep(0.4)
            return await pool.run(square, 6)

    assert run(main()) == 36


def test_close_stops_every_worker_process():
    async def main():
        pool = WorkerPool(processes=2, item_timeout_s=5)
        await pool.start()
        processes = [worker.process for worker in pool._workers]
        await pool.close()
        return processes

    assert all(not process.is_alive() for process in run(main()))
