"""The sandbox service: the Docker warm pool behind a small HTTP API (`reward-service sandbox
serve`).

In docker-compose it is the one container that holds the Docker socket; the scoring service
reaches it over an internal network (sandbox backend `remote`) and cannot drive Docker itself.
It checks each job's limits against its own maxima, so that a scoring service that has been
subverted still cannot hold containers longer or larger than the settings allow.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict

from fastapi import FastAPI, HTTPException, Request

from reward_service import __version__
from reward_service.api.auth import BearerAuth
from reward_service.api.body_in_turns import JsonInTurnsRoute
from reward_service.api.errors import install_error_handlers
from reward_service.api.limits import BodyLimit, CancelOnHangUp
from reward_service.config import SandboxSettings, Settings
from reward_service.sandbox import Sandbox, SandboxUnavailable, open_sandbox
from reward_service.sandbox.types import RunReply, SandboxJob


def create_sandbox_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; its Docker pool lives as long as its lifespan (and must start)."""
    settings = settings or Settings()
    docker_only = settings.sandbox.model_copy(update={"backend": "docker"})

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sandbox = await open_sandbox(docker_only)
        app.state.sandbox = sandbox
        try:
            yield
        finally:
            await sandbox.close()

    app = FastAPI(
        title="reward_service sandbox",
        version=__version__,
        summary="Runs untrusted code in locked-down Docker containers for the scoring service.",
        lifespan=lifespan,
    )
    app.router.route_class = JsonInTurnsRoute
    install_error_handlers(app)

    @app.get("/health", operation_id="sandbox_health")
    async def health(request: Request) -> dict:
        """Liveness and the pool's state. Needs no token."""
        sandbox: Sandbox = request.app.state.sandbox
        return {"status": "ok", "version": __version__, "pool": asdict(sandbox.stats())}

    @app.post("/v1/run", operation_id="run", responses={503: {"description": "sandbox fault"}})
    async def run(job: SandboxJob, request: Request) -> RunReply:
        """Run one job: compile once, then each input (or the harness); the runner's report."""
        problems = limit_violations(job, docker_only)
        if problems:
            raise HTTPException(422, "; ".join(problems))
        sandbox: Sandbox = request.app.state.sandbox
        try:
            report = await sandbox.run(job)
        except SandboxUnavailable as exc:
            raise HTTPException(503, str(exc)) from exc
        return RunReply(report, sandbox.stats())

    app.add_middleware(CancelOnHangUp)
    if settings.service_token is not None:
        app.add_middleware(BearerAuth, token=settings.service_token.get_secret_value())
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.server.max_body_mb << 20,
        max_values=settings.server.max_json_values,
        timeout_s=settings.server.body_timeout_s,
    )
    return app


def limit_violations(job: SandboxJob, settings: SandboxSettings) -> list[str]:
    """The job limits that are negative or above this service's maxima."""
    problems = []
    for field, maximum in settings.maxima().items():
        if field == "budget_s":
            where, asked = field, job.budget_s
        else:
            where, asked = f"limits.{field}", getattr(job.limits, field)
        if not 0 <= asked <= maximum:
            problems.append(f"{where}: {asked} is not in [0, {maximum}]")
    return problems
