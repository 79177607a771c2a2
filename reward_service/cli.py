"""Command line: `reward-service serve | sandbox build`.

Each command only parses its options and calls a library function, so Python users and tests
can do the same without the CLI. Every option can also come from the environment
(`REWARD_WORKERS__PROCESSES`, ...; see `reward_service.config`); a flag given here wins.
"""

from __future__ import annotations

import sys
from typing import Any

import click
from pydantic import ValidationError

from reward_service import __version__
from reward_service.config import Settings

EXIT_BAD_CONFIG = 2
EXIT_BUILD_FAILED = 4


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reward-service")
def main() -> None:
    """Verifiable, rule-based rewards for RL of reasoning models (GRPO), over HTTP."""


@main.command()
@click.option("--host", default=None, help="Interface to bind.  [default: 127.0.0.1]")
@click.option("--port", type=int, default=None, help="TCP port.  [default: 8000]")
@click.option(
    "--workers",
    type=int,
    default=None,
    help="Scoring worker processes (one event loop feeds them).  [default: one per core]",
)
@click.option(
    "--item-timeout",
    type=float,
    default=None,
    help="Hard time limit per item in seconds; a worker past it is killed.  [default: 5]",
)
@click.option(
    "--sandbox",
    type=click.Choice(["auto", "docker", "local"]),
    default=None,
    help="Where code runs: docker; local (NO isolation, trusted code only); auto = docker "
    "when a daemon answers, else local.  [default: auto]",
)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default=None,
    help="Log level.  [default: info]",
)
def serve(
    host: str | None,
    port: int | None,
    workers: int | None,
    item_timeout: float | None,
    sandbox: str | None,
    log_level: str | None,
) -> None:
    """Start the HTTP service (POST /v1/score, /v1/accuracy; GET /health; docs at /docs)."""
    settings = _settings(
        server={"host": host, "port": port, "log_level": log_level},
        workers={"processes": workers, "item_timeout_s": item_timeout},
        sandbox={"backend": sandbox},
    )
    run_server(settings)


@main.group()
def sandbox() -> None:
    """Manage the code sandbox images."""


@sandbox.command("build")
def sandbox_build() -> None:
    """Build the sandbox images offline (debootstrap + docker import + docker build).

    Idempotent: images already present are kept, so a second run returns in seconds. Needs a
    Docker daemon and, for the base image, root and debootstrap.
    """
    from reward_service.sandbox.images import ImageBuildError, build_images

    try:
        tag = build_images(echo=click.echo)
    except ImageBuildError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BUILD_FAILED)
    click.echo(f"ready: {tag}")


def run_server(settings: Settings) -> None:
    """Serve the API with uvicorn until interrupted."""
    import uvicorn

    from reward_service.api.app import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.server.host,
        port=settings.server.port,
        log_level=settings.server.log_level,
    )


def _settings(**groups: dict[str, Any]) -> Settings:
    """Settings from the environment, overridden by the flags that were given."""
    try:
        base = Settings()
        overrides = {
            name: {
                **getattr(base, name).model_dump(),
                **{k: v for k, v in values.items() if v is not None},
            }
            for name, values in groups.items()
        }
        return Settings(**overrides)
    except ValidationError as exc:
        click.echo(f"error: invalid setting: {exc}", err=True)
        sys.exit(EXIT_BAD_CONFIG)
