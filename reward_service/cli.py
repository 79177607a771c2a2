"""Command line: `reward-service serve | score | sandbox build`.

Each command only parses its options and calls a library function, so Python users and tests
can do the same without the CLI. Every option can also come from the environment
(`REWARD_WORKERS__PROCESSES`, ...; see `reward_service.config`); a flag given here wins.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click
from pydantic import ValidationError

from reward_service import __version__
from reward_service.config import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

EXIT_BAD_CONFIG = 2
EXIT_BAD_INPUT = 3
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
    type=click.Choice(["auto", "docker", "local", "remote"]),
    default=None,
    help="Where code runs: docker; local (NO isolation, trusted code only); auto = docker "
    "when a daemon answers, else local; remote = the `sandbox serve` at "
    "REWARD_SANDBOX__URL.  [default: auto]",
)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default=None,
    help="Log level.  [default: info]",
)
@click.option(
    "--log-format",
    type=click.Choice(["json", "text"]),
    default=None,
    help="json: one object per line with the request id; text: for people.  [default: json]",
)
def serve(
    host: str | None,
    port: int | None,
    workers: int | None,
    item_timeout: float | None,
    sandbox: str | None,
    log_level: str | None,
    log_format: str | None,
) -> None:
    """Start the HTTP service (POST /v1/score, /v1/accuracy; GET /health, /metrics; docs at
    /docs).

    With REWARD_SERVICE_TOKEN set, every endpoint but /health needs `Authorization: Bearer
    <token>`. On SIGTERM, requests in flight finish (REWARD_SERVER__SHUTDOWN_TIMEOUT_S, default
    30 s) and the sandbox containers are removed.
    """
    settings = _settings(
        server={"host": host, "port": port, "log_level": log_level, "log_format": log_format},
        workers={"processes": workers, "item_timeout_s": item_timeout},
        sandbox={"backend": sandbox},
    )
    from reward_service.api.app import create_app

    run_server(create_app(settings), settings)


@main.command()
@click.argument("source", metavar="IN.jsonl")
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="OUT.jsonl",
    help="Where each item plus its result goes, in input order (`-`: stdout; `.gz` works). "
    "An existing file is resumed: items whose id it holds are skipped.",
)
@click.option(
    "--summary", "summary_path", metavar="SUMMARY.json", help="Write the summary as JSON."
)
@click.option(
    "--report", "report_path", metavar="REPORT.html", help="Write an HTML report with plots."
)
@click.option(
    "--strict", is_flag=True, help="Stop at the first malformed line instead of skipping it."
)
@click.option(
    "--workers", type=int, default=None, help="Scoring processes.  [default: one per core]"
)
@click.option(
    "--item-timeout",
    type=float,
    default=None,
    help="Hard time limit per item, seconds.  [default: 5]",
)
@click.option(
    "--sandbox",
    type=click.Choice(["auto", "docker", "local", "remote"]),
    default=None,
    help="Where code items run (see `serve --help`).  [default: auto]",
)
def score(
    source: str,
    output: str,
    summary_path: str | None,
    report_path: str | None,
    strict: bool,
    workers: int | None,
    item_timeout: float | None,
    sandbox: str | None,
) -> None:
    """Score an evaluation dump offline: IN.jsonl (`-`: stdin; `.gz` works) to OUT.jsonl.

    Each input line is a score item (the fields of POST /v1/score), or a dump line with several
    samples, {"id", "prompt", "answer" | "tests", "responses": [...]}, which becomes one group.
    Prints a summary per task: accuracy (mean pass@1), pass@k (unbiased, Chen et al. 2021) and
    cons@k (majority vote over equivalent answers) for k = 1, 2, 4, ... samples per problem,
    format rate, mean language ratio, and counts of unjudged items and reasons.
    """
    import json

    from tqdm import tqdm

    from reward_service.evaluate import MalformedInput, score_file
    from reward_service.report import render_html, render_table

    settings = _settings(
        workers={"processes": workers, "item_timeout_s": item_timeout},
        sandbox={"backend": sandbox},
    )
    with tqdm(unit="item", disable=not sys.stderr.isatty(), file=sys.stderr) as bar:
        try:
            evaluation, records = score_file(
                source,
                output,
                settings,
                strict=strict,
                progress=bar.update,
                warn=lambda message: click.echo(message, err=True),
                total=lambda total: bar.reset(total=total),
            )
        except MalformedInput as exc:
            click.echo(f"error: malformed input, {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except OSError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
    click.echo(
        f"scored {evaluation.scored} items, skipped {evaluation.skipped} already in {output}, "
        f"{len(evaluation.malformed)} malformed lines",
        err=True,
    )
    if evaluation.summary:
        click.echo(render_table(evaluation.summary), err=output == "-")
    if summary_path:
        with open(summary_path, "w", encoding="utf-8") as handle:
            json.dump(evaluation.as_dict(), handle, indent=2)
    if report_path and evaluation.summary:
        with open(report_path, "w", encoding="utf-8") as handle:
            handle.write(render_html(evaluation.summary, records, f"Evaluation of {source}"))


@main.group()
def sandbox() -> None:
    """The code sandbox: build its images, or serve it to scoring services over HTTP."""


@sandbox.command("build")
@click.option(
    "--service",
    is_flag=True,
    help="Also build the service image docker-compose.yml runs (reward-service:latest), from "
    "this checkout: wheels made on the host, installed with no network in the build.",
)
def sandbox_build(service: bool) -> None:
    """Build the sandbox images offline (debootstrap + docker import + docker build).

    Idempotent: images already present are kept, so a second run returns in seconds (the
    service image is rebuilt each time, from Docker's cache when nothing changed). Needs a
    Docker daemon and, for the base image, root and debootstrap.
    """
    from reward_service.sandbox.images import ImageBuildError, build_images
    from reward_service.service_image import build_service_image

    try:
        tag = build_service_image(click.echo) if service else build_images(click.echo)
    except ImageBuildError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BUILD_FAILED)
    click.echo(f"ready: {tag}")


@sandbox.command("serve")
@click.option("--host", default=None, help="Interface to bind.  [default: 127.0.0.1]")
@click.option("--port", type=int, default=None, help="TCP port.  [default: 8000]")
@click.option(
    "--log-format",
    type=click.Choice(["json", "text"]),
    default=None,
    help="json: one object per line; text: for people.  [default: json]",
)
def sandbox_serve(host: str | None, port: int | None, log_format: str | None) -> None:
    """Serve the Docker sandbox over HTTP (POST /v1/run, GET /health) to scoring services
    started with `--sandbox remote` and REWARD_SANDBOX__URL.

    Only this process then needs the Docker socket (docker-compose.yml runs it so). The pool
    and job limits come from the REWARD_SANDBOX__* settings; jobs above its maxima get 422.
    With REWARD_SERVICE_TOKEN set, /v1/run needs that bearer token. On SIGTERM its containers
    are removed.
    """
    from reward_service.api.sandbox_app import create_sandbox_app

    settings = _settings(server={"host": host, "port": port, "log_format": log_format})
    run_server(create_sandbox_app(settings), settings)


def run_server(app: FastAPI, settings: Settings) -> None:
    """Serve an app with uvicorn until interrupted."""
    import uvicorn

    from reward_service.logs import log_config

    server = settings.server
    uvicorn.run(
        app,
        host=server.host,
        port=server.port,
        log_level=server.log_level,
        log_config=log_config(server.log_format, server.log_level),
        access_log=False,  # the app logs each request itself, with its id
        timeout_graceful_shutdown=server.shutdown_timeout_s,
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
