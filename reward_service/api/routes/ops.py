"""Operational endpoints."""

from __future__ import annotations

from fastapi import APIRouter

from reward_service import __version__
from reward_service.api.deps import PoolDep, SandboxDep
from reward_service.api.models import Health

router = APIRouter(tags=["ops"])


@router.get("/health", operation_id="health", response_model=Health)
async def health(pool: PoolDep, sandbox: SandboxDep) -> Health:
    """Liveness: the service is up; which sandbox backend judges code."""
    return Health(version=__version__, workers=pool.processes, sandbox=sandbox.name)
