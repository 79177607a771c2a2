"""Request dependencies, as `Annotated` aliases so handlers read like their signatures."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from reward_service.config import Settings
from reward_service.sandbox import Sandbox
from reward_service.workers import WorkerPool


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _pool(request: Request) -> WorkerPool:
    return request.app.state.pool


def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox


SettingsDep = Annotated[Settings, Depends(_settings)]
PoolDep = Annotated[WorkerPool, Depends(_pool)]
SandboxDep = Annotated[Sandbox, Depends(_sandbox)]
