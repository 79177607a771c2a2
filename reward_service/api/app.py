"""The FastAPI application: routes, error handlers, and the worker pool's lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from reward_service import __version__
from reward_service.api.errors import install_error_handlers
from reward_service.api.routes import openrlhf, ops, score
from reward_service.config import Settings
from reward_service.sandbox import open_sandbox
from reward_service.workers import WorkerPool


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the worker pool and the sandbox live as long as its lifespan."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sandbox = await open_sandbox(settings.sandbox)
        try:
            async with WorkerPool(
                processes=settings.workers.processes,
                item_timeout_s=settings.workers.item_timeout_s,
                memory_mb=settings.workers.memory_mb,
            ) as pool:
                app.state.pool = pool
                app.state.sandbox = sandbox
                yield
        finally:
            await sandbox.close()

    app = FastAPI(
        title="reward_service",
        version=__version__,
        summary="Verifiable rule-based rewards for RL of reasoning models.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(score.router)
    app.include_router(ops.router)
    app.include_router(openrlhf.router)
    return app
