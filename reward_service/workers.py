"""A pool of scoring processes with a hard CPU-time limit per item and crash isolation.

Why not `concurrent.futures.ProcessPoolExecutor`: it cannot stop one task. A reward rule stuck
in C-level big-integer work (`\\boxed{9^{9^{9^{99}}}}`) ignores every signal-based timeout,
and killing its process breaks the whole executor. Here each worker is a process of its own
behind a pipe: the parent waits for the answer with a deadline and, past it, kills that one
worker and starts a fresh one, while the others go on.

The limit counts the CPU time the worker spent on the item, not the time on the clock: on a
host busy with other work (the workers run at a lower priority), a starved worker once timed
out correct answers that needed a fraction of their limit, booking the host's load as the
response's fault. The parent reads a late worker's CPU time from /proc; a worker that gets
no CPU at all is given up on only after `_WALL_BACKSTOP` limits of clock time.

Inside a worker, a SIGPROF timer (which counts the process's CPU time; the worker runs tasks
in its main thread, where signals work) gives a soft limit a little before the hard one, so
the usual slow sympy call is interrupted cleanly without a respawn. Workers fork from a
forkserver that has already imported the reward modules, so a replacement is ready in
milliseconds.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import resource
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from reward_service.scores import Reason
from reward_service.turns import Handoff

log = logging.getLogger(__name__)

Arg = TypeVar("Arg")
Result = TypeVar("Result")

_PRELOADED_MODULES = ["reward_service.scoring"]
# The soft limit fires this long before the hard one (at most half of it), so that the
# worker's own timeout answer reaches the parent before the parent gives up on it.
_SOFT_LIMIT_MARGIN_S = 1.0
# A worker that has not answered after this many item limits of clock time is given up on,
# whatever CPU time it got: only a stopped or utterly starved process gets that far.
_WALL_BACKSTOP = 10
_CLOCK_TICKS_PER_S = os.sysconf("SC_CLK_TCK")
# Workers yield the cores to the event loop: with every core busy judging, the loop (which
# answers /health and hands out the work) otherwise waits its turn, ~80 ms on 2 cores.
_WORKER_NICENESS = 10
# A worker whose address space passes this share of its limit retires after its chunk: what
# its caches and allocator keep would make later items fail for memory (and native libraries
# fail to load) through no fault of theirs.
_RETIRE_AT = 0.75
# A worker that cannot be started (no file or process left for now) is tried again, ever
# more slowly.
_RESPAWN_PAUSE_S, _LONGEST_RESPAWN_PAUSE_S = 0.1, 5.0
# Most args sent to a worker in one message: enough to keep it busy while the parent reads
# results, few enough that the work still spreads over all workers.
_MAX_CHUNK = 16
# A chunk answered within this may grow; a slower one shrinks.
_QUICK_CHUNK_S = 0.05


@dataclass(frozen=True)
class TaskFailure:
    """A task that produced no result: timed out, ran out of memory, crashed or raised."""

    reason: Reason
    detail: str = ""


class _SoftTimeout(BaseException):
    """Raised by the worker's alarm; a BaseException so `except Exception` cannot eat it."""


@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Connection
    # The worker's CPU time when it sent its last message: where its current item started.
    cpu_s: float = 0.0


class WorkerPool:
    """Run picklable `fn(arg)` calls in worker processes, at most one per worker at a time.

    Use as an async context manager:

        async with WorkerPool(processes=2, item_timeout_s=5) as pool:
            outcome = await pool.run(len, "abc")   # 3, or a TaskFailure
    """

    def __init__(self, processes: int, item_timeout_s: float, memory_mb: int | None = None) -> None:
        self.processes = processes
        self.item_timeout_s = item_timeout_s
        self.memory_mb = memory_mb
        self.replaced = 0
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(_PRELOADED_MODULES)
        # Handed out first come, first served: requests in progress take turns.
        self._idle: Handoff[_Worker] = Handoff()
        self._workers: set[_Worker] = set()
        self._refills: set[asyncio.Task[None]] = set()
        self._closed = False

    async def __aenter__(self) -> WorkerPool:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        workers = await asyncio.gather(*(self._spawn() for _ in range(self.processes)))
        for worker in workers:
            self._idle.give(worker)

    async def close(self) -> None:
        self._closed = True
        for refill in list(self._refills):
            refill.cancel()
        await asyncio.gather(*self._refills, return_exceptions=True)
        await asyncio.gather(*(asyncio.to_thread(self._stop, w) for w in list(self._workers)))

    async def run(self, fn: Callable[[Arg], Result], arg: Arg) -> Result | TaskFailure:
        """Run `fn(arg)` in a worker under the hard time limit; see `map`."""
        return (await self.map(fn, [arg]))[0]

    async def map(
        self,
        fn: Callable[[Arg], Result],
        args: Sequence[Arg],
        key: Callable[[Arg], Hashable] | None = None,
    ) -> list[Result | TaskFailure]:
        """Run `fn(arg)` for every arg in the workers; outcomes in the order of `args`.

        Args travel in chunks, and each result streams back on its own, under its own hard
        time limit: a worker keeps busy on the next arg while the parent takes in the last
        result, and one pipe message serves several args. Idle workers take the next chunk
        from the shared queue, so a slow arg delays only the rest of its own chunk. With a
        `key`, a chunk holds neighbouring args of one key only, so that work a worker caches
        per key (a reference answer's parse) is done by one worker where the load allows.

        A worker that dies on an arg is replaced and the arg retried once in another
        worker; dying again makes it the arg's fault (`worker_crashed`). A timed-out arg
        costs its worker, which is replaced; the rest of its chunk goes back to the queue.
        """
        outcomes: list[Result | TaskFailure | None] = [None] * len(args)
        queue = deque(range(len(args)))
        crashed: set[int] = set()

        async def drain() -> None:
            # Chunks grow while they are quick and shrink when they are not: a worker is
            # handed out again after each chunk, so another request waits for one chunk,
            # and a chunk of 16 slow items once held a worker for a minute.
            largest = 1
            while queue:
                size = min(largest, -(-len(queue) // self.processes))
                chunk = [queue.popleft()]
                while queue and len(chunk) < size and _same_key(key, args, chunk[0], queue[0]):
                    chunk.append(queue.popleft())
                done, took_s = await self._run_chunk(fn, [args[i] for i in chunk], chunk, outcomes)
                if took_s < _QUICK_CHUNK_S:
                    largest = min(2 * largest, _MAX_CHUNK)
                else:
                    largest = max(largest // 2, 1)
                if done < len(chunk) and chunk[done] not in crashed:
                    crashed.add(chunk[done])
                elif done < len(chunk):
                    outcomes[chunk[done]] = TaskFailure(
                        Reason.WORKER_CRASHED, "the worker process died twice on this item"
                    )
                    done += 1
                queue.extendleft(reversed(chunk[done:]))

        await asyncio.gather(*(drain() for _ in range(min(self.processes, len(args)))))
        return outcomes  # type: ignore[return-value]

    async def _run_chunk(
        self, fn: Callable[[Arg], Result], args: list[Arg], slots: list[int], outcomes: list
    ) -> tuple[int, float]:
        """Run one chunk in an idle worker: the count of args that got an outcome, and the
        seconds the worker took (from the moment it had the chunk).

        Fewer than all means the worker died on the next one.
        """
        while True:
            worker = await self._idle.take()
            try:
                worker.conn.send((fn, args))
                break
            except OSError:  # it died between chunks: not this chunk's doing
                self._replace(worker)
            except BaseException:
                self._idle.give(worker)
                raise
        started = time.monotonic()
        done = 0
        try:
            for slot in slots:
                outcomes[slot] = await self._receive(worker)
                done += 1
            retiring = await self._receive(worker)
        except asyncio.TimeoutError:
            self._replace(worker)
            outcomes[slots[done]] = TaskFailure(
                Reason.TIMEOUT, f"no answer within {self.item_timeout_s} s of CPU time"
            )
            return done + 1, time.monotonic() - started
        except (EOFError, OSError):
            self._replace(worker)
            log.warning("scoring worker %s died on a task", worker.process.pid)
            return done, time.monotonic() - started
        except BaseException:
            # Cancelled mid-chunk: the worker's late answers must not reach the next chunk.
            self._replace(worker)
            raise
        if retiring:
            self._replace(worker)
        else:
            self._idle.give(worker)
        return done, time.monotonic() - started

    async def _receive(self, worker: _Worker) -> Any:
        """The worker's next message; TimeoutError once its item has used up its CPU time."""
        loop = asyncio.get_running_loop()
        fd = worker.conn.fileno()
        if not worker.conn.poll():
            readable = loop.create_future()
            loop.add_reader(fd, lambda: readable.done() or readable.set_result(None))
            try:
                await self._await_answer(worker, readable)
            finally:
                loop.remove_reader(fd)
        message, worker.cpu_s = worker.conn.recv()
        return message

    async def _await_answer(self, worker: _Worker, readable: asyncio.Future[None]) -> None:
        # The item cannot have used its CPU time before its clock time: check the CPU
        # time only then, and again after as much clock time as it has CPU time left.
        backstop = time.monotonic() + _WALL_BACKSTOP * self.item_timeout_s
        wait_s = self.item_timeout_s
        while True:
            await asyncio.wait({readable}, timeout=wait_s)
            if readable.done():
                return
            cpu_left_s = self.item_timeout_s - (_cpu_seconds(worker.process.pid) - worker.cpu_s)
            wall_left_s = backstop - time.monotonic()
            if cpu_left_s <= 0 or wall_left_s <= 0:
                raise asyncio.TimeoutError
            wait_s = min(cpu_left_s, wall_left_s)

    def _replace(self, worker: _Worker) -> None:
        self.replaced += 1
        worker.process.kill()
        refill = asyncio.get_running_loop().create_task(self._refill(worker))
        self._refills.add(refill)
        refill.add_done_callback(self._refills.discard)

    async def _refill(self, dead: _Worker) -> None:
        await asyncio.to_thread(self._stop, dead)
        pause_s = _RESPAWN_PAUSE_S
        while not self._closed:
            try:
                self._idle.give(await self._spawn())
                return
            except OSError as exc:  # out of files or processes for now: the pool must not shrink
                log.error("starting a scoring worker failed (%s); again in %.1f s", exc, pause_s)
                await asyncio.sleep(pause_s)
                pause_s = min(2 * pause_s, _LONGEST_RESPAWN_PAUSE_S)

    async def _spawn(self) -> _Worker:
        parent_end, child_end = self._context.Pipe(duplex=True)
        soft_limit = self.item_timeout_s - min(_SOFT_LIMIT_MARGIN_S, self.item_timeout_s / 2)
        process = self._context.Process(
            target=_serve,
            args=(child_end, soft_limit, self.memory_mb),
            name="reward-worker",
            daemon=True,
        )
        await asyncio.to_thread(process.start)
        child_end.close()
        worker = _Worker(process, parent_end)
        self._workers.add(worker)
        return worker

    def _stop(self, worker: _Worker) -> None:
        worker.conn.close()
        worker.process.join(timeout=2)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        self._workers.discard(worker)


def _same_key(key: Callable[[Any], Hashable] | None, args: Sequence, a: int, b: int) -> bool:
    return key is None or key(args[a]) == key(args[b])


def _serve(conn: Connection, soft_limit_s: float, memory_mb: int | None) -> None:
    """Worker main loop: receive `(fn, args)`, send back each result or TaskFailure, then
    whether it retires."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGPROF, _raise_soft_timeout)
    os.nice(_WORKER_NICENESS)
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    logging.getLogger("math_verify").setLevel(logging.ERROR)
    # A reference may be an integer of thousands of digits; the item's time limit bounds what
    # converting it costs, where Python's default limit would make it an error.
    sys.set_int_max_str_digits(0)
    while True:
        try:
            fn, args = conn.recv()
        except EOFError:
            return
        for arg in args:
            conn.send((_run_with_soft_limit(fn, arg, soft_limit_s), time.process_time()))
        retiring = bool(memory_mb) and _address_space_mb() > _RETIRE_AT * memory_mb
        # After each chunk: whether the parent should start a fresh one.
        conn.send((retiring, time.process_time()))
        if retiring:
            return


def _cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) process `pid` has used; infinite where /proc cannot
    tell, so that a late answer is then timed out on the clock."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            # Fields after the command name, which may itself hold spaces and parentheses.
            fields = stat.read().rpartition(b")")[2].split()
    except OSError:
        return float("inf")
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS_PER_S


def _address_space_mb() -> float:
    """This process's virtual size (what RLIMIT_AS bounds), MiB; 0 where /proc has none."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[0])
    except OSError:
        return 0.0
    return pages * resource.getpagesize() / (1 << 20)


def _run_with_soft_limit(fn: Callable[[Any], Any], arg: Any, soft_limit_s: float) -> Any:
    try:
        signal.setitimer(signal.ITIMER_PROF, soft_limit_s)
        try:
            return fn(arg)
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
    except _SoftTimeout:
        return TaskFailure(Reason.TIMEOUT, f"no answer within {soft_limit_s:.2f} s of CPU time")
    except MemoryError:
        return TaskFailure(Reason.MEMORY, "the item exhausted the worker's memory limit")
    except Exception as exc:
        log.exception("scoring task raised")
        return TaskFailure(Reason.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}"[:500])


def _raise_soft_timeout(signum: int, frame: object) -> None:
    raise _SoftTimeout
