"""Operational endpoints."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST

from reward_service import __version__
from reward_service.api.deps import ServiceDep
from reward_service.api.models import Health

router = APIRouter(tags=["ops"])


@router.get("/health", operation_id="health", response_model=Health)
async def health(service: ServiceDep) -> Health:
    """Liveness: the service is up; which sandbox backend judges code. Needs no token."""
    return Health(version=__version__, workers=service.pool.processes, sandbox=service.sandbox.name)


@router.get("/metrics", operation_id="metrics", response_class=Response)
async def metrics(service: ServiceDep) -> Response:
    """Prometheus metrics: requests, latency, item outcomes, pools, queue depth."""
    return Response(service.metrics.render(), media_type=CONTENT_TYPE_LATEST)
