"""All settings in one place: environment variables (`REWARD_` prefix) and CLI flags.

Nested groups are reached with a double underscore, e.g. `REWARD_WORKERS__PROCESSES=4` or
`REWARD_SERVER__PORT=9000`. CLI flags are passed as init kwargs, so they win over the
environment. Settings are built by the CLI or by the caller of `create_app`, never at import.
"""

from __future__ import annotations

import os

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServerSettings(BaseModel):
    host: str = Field("127.0.0.1", description="Interface to bind.")
    port: int = Field(8000, ge=0, le=65535, description="TCP port to listen on.")
    log_level: str = Field("info", description="uvicorn log level.")


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
        description="Hard time limit per item; a worker still busy then is killed and replaced.",
    )
    memory_mb: int = Field(
        2048, ge=256, description="Address-space limit of each worker process, in MiB."
    )


class MathSettings(BaseModel):
    max_answer_chars: int = Field(
        1000, ge=1, description="Extracted answers longer than this score 0 unparsed."
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="REWARD_", env_nested_delimiter="__", extra="forbid"
    )

    server: ServerSettings = ServerSettings()
    workers: WorkerSettings = WorkerSettings()
    math: MathSettings = MathSettings()
