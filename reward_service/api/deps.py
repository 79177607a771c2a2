"""Request dependencies, as `Annotated` aliases so handlers read like their signatures.

They are `async` so that FastAPI calls them in the event loop instead of a thread pool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from reward_service.config import Settings
from reward_service.sandbox import Sandbox
from reward_service.workers import WorkerPool


async def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def _pool(request: Request) -> WorkerPool:
    return request.app.state.pool


async def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox


SettingsDep = Annotated[Settings, Depends(_settings)]
PoolDep = Annotated[WorkerPool, Depends(_pool)]
SandboxDep = Annotated[Sandbox, Depends(_sandbox)]
