"""Request ids, access logs and Prometheus metrics.

Each app has a registry of its own (tests run several apps in one process). Counters of what
the service does are updated as it happens; the state of its pools is read at scrape time.
"""

from __future__ import annotations

import collections
import logging
import re
import time
import uuid
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reward_service.api.limits import Admission
from reward_service.api.models import ScoreResponse
from reward_service.logs import request_id
from reward_service.sandbox import Sandbox
from reward_service.workers import WorkerPool

access_log = logging.getLogger("reward_service.access")

# A client's own id is echoed if it is this tame; otherwise the service makes one.
_CLIENT_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "reward_requests",
            "HTTP requests by endpoint and status.",
            ["endpoint", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "reward_request_duration_seconds",
            "HTTP request latency by endpoint.",
            ["endpoint"],
            buckets=_SECONDS,
            registry=self.registry,
        )
        self.items = Counter(
            "reward_items",
            "Items by status (scored, unjudged) and headline reason (ok when none).",
            ["status", "reason"],
            registry=self.registry,
        )

    def watch(self, pool: WorkerPool, sandbox: Sandbox, admission: Admission) -> None:
        """Report the state of these pools at every scrape."""
        self.registry.register(_PoolState(pool, sandbox, admission))

    def count_items(self, response: ScoreResponse) -> None:
        # Counted first: a labelled increment per item held the event loop ~80 ms per 16k.
        outcomes = collections.Counter(
            (result.details.status, result.details.reason or "ok") for result in response.results
        )
        for (status, reason), count in outcomes.items():
            self.items.labels(status, reason).inc(count)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _PoolState(Collector):
    def __init__(self, pool: WorkerPool, sandbox: Sandbox, admission: Admission) -> None:
        self.pool, self.sandbox, self.admission = pool, sandbox, admission

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily("reward_workers", "Scoring worker processes.", self.pool.processes)
        yield CounterMetricFamily(
            "reward_worker_restarts",
            "Scoring workers killed (hard time limit, crash) and replaced.",
            self.pool.replaced,
        )
        stats = self.sandbox.stats()
        containers = GaugeMetricFamily(
            "reward_sandbox_containers", "Warm sandbox slots by state.", labels=["state"]
        )
        containers.add_metric(["busy"], stats.busy)
        containers.add_metric(["idle"], stats.size - stats.busy)
        yield containers
        yield CounterMetricFamily(
            "reward_sandbox_replaced", "Sandbox containers replaced.", stats.replaced
        )
        yield GaugeMetricFamily(
            "reward_requests_in_progress",
            "Requests admitted and not yet answered.",
            self.admission.requests,
        )
        yield GaugeMetricFamily(
            "reward_requests_waiting",
            "Requests waiting for a place among those in progress.",
            self.admission.waiting,
        )
        yield GaugeMetricFamily(
            "reward_queued_items", "Items admitted and not yet answered.", self.admission.depth
        )
        yield GaugeMetricFamily(
            "reward_queued_items_limit", "Most items admitted at once.", self.admission.max_items
        )


_CLIENT_CLOSED_REQUEST = 499


class RequestObserver:
    """ASGI middleware: a request id (echoed as `X-Request-ID`), an access log line, metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"")
        current = given.decode() if _CLIENT_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(current)
        # What the client sees if the app raises: the last-resort handler's 503. An app that
        # returns without answering did so because the client hung up: nginx's 499 (client
        # closed request), not a 503 that would page whoever watches the 5xx rate.
        status = 503
        answered = False
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status, answered = message["status"], True
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", current.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
            if not answered:
                status = _CLIENT_CLOSED_REQUEST
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            endpoint = getattr(route, "path", "unmatched")
            self.metrics.requests.labels(endpoint, scope["method"], str(status)).inc()
            self.metrics.latency.labels(endpoint).observe(elapsed)
            access_log.info(
                "%s %s %d %.1f ms",
                scope["method"],
                scope["path"],
                status,
                elapsed * 1000,
                extra={
                    "fields": {
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 1),
                    }
                },
            )
            request_id.reset(token)
