"""All settings in one place: environment variables (`REWARD_` prefix) and CLI flags.

Nested groups are reached with a double underscore, e.g. `REWARD_WORKERS__PROCESSES=4` or
`REWARD_SERVER__PORT=9000`. CLI flags are passed as init kwargs, so they win over the
environment. Settings are built by the CLI or by the caller of `create_app`, never at import.
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServerSettings(BaseModel):
    host: str = Field("127.0.0.1", description="Interface to bind.")
    port: int = Field(8000, ge=0, le=65535, description="TCP port to listen on.")
    log_level: str = Field("info", description="uvicorn log level.")
    log_format: Literal["json", "text"] = Field(
        "json", description="json: one JSON object per line, with the request id; text: plain."
    )
    max_body_mb: int = Field(64, ge=1, description="Largest request body, MiB (larger: 413).")
    max_json_values: int = Field(
        250_000,
        ge=1,
        description="Most JSON values in a request body (its commas, brackets and braces "
        "outside strings), larger: 413. Parsing and validating take about 0.25 µs a value in "
        "the event loop: this bounds that stretch (a tenth of a second) and the memory a body "
        "costs before it is validated. The largest batch of math items, with six fields each, "
        "holds about 115,000.",
    )
    max_bodies_mb: int = Field(
        512,
        ge=1,
        description="Request bodies in progress at once, MiB, by the bytes received: past it "
        "429 with Retry-After (before the body is read when its Content-Length would pass it).",
    )
    body_timeout_s: float = Field(
        60.0,
        gt=0,
        description="Seconds a request's body may take to arrive; past it 408 (a connection "
        "that sends nothing holds a place among the requests in progress).",
    )
    header_timeout_s: float = Field(
        10.0,
        gt=0,
        description="Seconds a connection may go without a request in progress (its head not "
        "yet in) before it is closed: a client that opens connections and sends nothing would "
        "hold an open file each.",
    )
    max_requests: int = Field(
        4096,
        ge=1,
        description="Requests in progress at once (/health and /metrics aside), counted once "
        "their body is here; past it a request waits for a place. Trainers that post one "
        "rollout per request send thousands at once.",
    )
    max_waiting_requests: int = Field(
        65536,
        ge=0,
        description="Requests waiting for a place once max_requests are in progress (each "
        "holds a connection, a few kB, and its body, which counts against max_bodies_mb); past "
        "it 429 with Retry-After. Connections past the open-files limit wait in the kernel's "
        "accept queue instead.",
    )
    max_queued_items: int = Field(
        65536,
        ge=16384,
        description="Items admitted at once over all requests; past it a request gets 429 "
        "with Retry-After. At least the largest request (16384 items).",
    )
    max_queue_s: float = Field(
        300.0,
        gt=0,
        description="Most seconds of work queued: past it (items in progress over the rate "
        "items were answered lately) a request gets 429 with the wait as Retry-After.",
    )
    shutdown_timeout_s: float = Field(
        30.0, ge=0, description="On SIGTERM, how long in-flight requests may take to finish."
    )
    cors_origins: list[str] = Field(
        [], description="Origins allowed to call from a browser (CORS); none by default."
    )


class WorkerSettings(BaseModel):
    processes: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        le=256,
        description="Scoring worker processes (default: one per core).",
    )
    item_timeout_s: float = Field(
        5.0,
        ge=0.05,
        le=600,
        description=(
            "Hard limit per item, in seconds of CPU time; a worker still busy then is killed"
            " and replaced."
        ),
    )
    memory_mb: int = Field(
        2048, ge=256, description="Address-space limit of each worker process, in MiB."
    )


class MathSettings(BaseModel):
    max_answer_chars: int = Field(
        1000, ge=1, description="Extracted answers longer than this score 0 unparsed."
    )


class SandboxSettings(BaseModel):
    backend: Literal["auto", "docker", "local", "remote"] = Field(
        "auto",
        description="Where code runs: docker; local (NO isolation); auto = docker if a daemon "
        "answers, else local; remote = a `reward-service sandbox serve` at `url`.",
    )
    url: str | None = Field(
        None,
        description="Base URL of the sandbox service for backend=remote, e.g. http://sandbox:8001.",
    )
    image: str | None = Field(
        None, description="Sandbox image tag (default: the one `sandbox build` makes)."
    )
    pool_size: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        le=256,
        description="Warm sandbox containers (default: one per core).",
    )
    time_s: float = Field(5.0, gt=0, description="Default CPU time per test case, seconds.")
    max_time_s: float = Field(30.0, gt=0, description="Most a request may ask for per case.")
    budget_s: float = Field(
        120.0,
        gt=0,
        description="Default sandbox time per item, seconds, over all its test cases "
        "(compiling included); cases past it are not run and fail.",
    )
    max_budget_s: float = Field(600.0, gt=0, description="Most a request may ask for per item.")
    memory_mb: int = Field(256, ge=16, description="Default memory per program, MiB.")
    max_memory_mb: int = Field(1024, ge=16, description="Most a request may ask for, MiB.")
    output_bytes: int = Field(1 << 20, ge=1024, description="Most stdout per run, bytes.")
    file_bytes: int = Field(16 << 20, ge=0, description="Largest file a program may write.")
    processes: int = Field(32, ge=1, le=1024, description="Processes a program may run at once.")
    workdir_mb: int = Field(64, ge=8, description="Size of each container's tmpfs work dir.")
    cpus: float = Field(1.0, gt=0, description="CPUs per sandbox container.")

    def maxima(self) -> dict[str, float]:
        """The most a job may ask for, per limit (named as in `sandbox.types.Limits`, whose
        default is the setting of the same name)."""
        return {
            "budget_s": self.max_budget_s,
            "time_s": self.max_time_s,
            "memory_mb": self.max_memory_mb,
            "output_bytes": self.output_bytes,
            "file_bytes": self.file_bytes,
            "processes": self.processes,
        }

    @model_validator(mode="after")
    def _remote_has_url(self) -> SandboxSettings:
        if self.backend == "remote" and not self.url:
            raise ValueError("backend=remote needs url (REWARD_SANDBOX__URL)")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="REWARD_", env_nested_delimiter="__", extra="forbid"
    )

    service_token: SecretStr | None = Field(
        None,
        description="Bearer token every endpoint but /health requires (REWARD_SERVICE_TOKEN); "
        "none: no auth.",
    )
    server: ServerSettings = ServerSettings()
    workers: WorkerSettings = WorkerSettings()
    math: MathSettings = MathSettings()
    sandbox: SandboxSettings = SandboxSettings()
