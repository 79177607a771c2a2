"""The FastAPI application: routes, middleware, error handlers, and the pools' lifetime."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from reward_service import __version__
from reward_service.api.auth import BearerAuth
from reward_service.api.errors import install_error_handlers
from reward_service.api.limits import Admission, BodyLimit, CancelOnHangUp, RequestAdmission
from reward_service.api.observability import Metrics, RequestObserver
from reward_service.api.routes import openrlhf, ops, score
from reward_service.api.service import ScoringService
from reward_service.config import Settings
from reward_service.sandbox import open_sandbox
from reward_service.workers import WorkerPool


def _collect_garbage_in_short_pauses() -> None:
    """The garbage collector's full passes walk every live object with the event loop held:
    50-120 ms each while a 16k-item batch is in progress. What start-up made (modules, sympy's
    caches) lives as long as the process, so it is frozen out of the passes; and collections
    of the young are rarer, so that a batch's objects are not walked again and again."""
    gc.collect()  # what is garbage now would never be freed once frozen
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the worker pool and the sandbox live as long as its lifespan."""
    settings = settings or Settings()
    metrics = Metrics()
    admission = Admission(
        settings.server.max_requests,
        settings.server.max_waiting_requests,
        settings.server.max_queued_items,
        settings.server.max_queue_s,
        settings.server.max_bodies_mb << 20,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        token = settings.service_token.get_secret_value() if settings.service_token else None
        sandbox = await open_sandbox(settings.sandbox, token)
        try:
            async with WorkerPool(
                processes=settings.workers.processes,
                item_timeout_s=settings.workers.item_timeout_s,
                memory_mb=settings.workers.memory_mb,
            ) as pool:
                metrics.watch(pool, sandbox, admission)
                app.state.service = ScoringService(settings, pool, sandbox, admission, metrics)
                _collect_garbage_in_short_pauses()
                yield
        finally:
            await sandbox.close()

    app = FastAPI(
        title="reward_service",
        version=__version__,
        summary="Verifiable rule-based rewards for RL of reasoning models.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(score.router)
    app.include_router(ops.router)
    app.include_router(openrlhf.router)
    # Added last is outermost: ids and metrics see every answer, auth's refusals included; a
    # body is read (and counted) only for a caller with the token, and a request takes a place
    # among those in progress only once its body is here.
    app.add_middleware(CancelOnHangUp)
    app.add_middleware(RequestAdmission, admission=admission)
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.server.max_body_mb << 20,
        max_values=settings.server.max_json_values,
        admission=admission,
        timeout_s=settings.server.body_timeout_s,
    )
    if settings.service_token is not None:
        app.add_middleware(BearerAuth, token=settings.service_token.get_secret_value())
    if settings.server.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.server.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        )
    app.add_middleware(RequestObserver, metrics=metrics)
    return app
