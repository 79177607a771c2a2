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

# The target languages the language reward knows (api.models.Language, not imported here
# to keep the CLI quick to start).
REASONING_LANGUAGES = ["de", "en", "es", "fr", "it", "ja", "ko", "nl", "pt", "ru", "zh"]
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
    help="Hard limit per item, in seconds of CPU time; a worker past it is killed.  [default: 5]",
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
@click.option(
    "--ray",
    "on_ray",
    is_flag=True,
    help="Serve with Ray Serve: replicas of this service on a Ray cluster, behind Serve's "
    "HTTP proxy on --host/--port (needs `pip install reward-service[ray]`).",
)
@click.option(
    "--address",
    default=None,
    help="With --ray: the cluster to join (`auto`, `ray://...`).  [default: start a local one]",
)
@click.option(
    "--replicas", type=click.IntRange(1), default=1, show_default=True, help="With --ray."
)
@click.option(
    "--replica-cpus",
    type=click.FloatRange(min=0, min_open=True),
    default=2.0,
    show_default=True,
    help="With --ray: CPUs per replica; its scoring processes and sandbox containers.",
)
@click.option(
    "--autoscaling",
    default=None,
    metavar="JSON",
    help='With --ray: Serve\'s autoscaling_config, e.g. \'{"min_replicas": 1, "max_replicas": '
    "4}'; replaces --replicas.",
)
def serve(
    host: str | None,
    port: int | None,
    workers: int | None,
    item_timeout: float | None,
    sandbox: str | None,
    log_level: str | None,
    log_format: str | None,
    on_ray: bool,
    address: str | None,
    replicas: int,
    replica_cpus: float,
    autoscaling: str | None,
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
    if on_ray:
        _serve_on_ray(settings, address, replicas, replica_cpus, autoscaling)
        return
    from reward_service.api.app import create_app

    run_server(create_app(settings), settings)


def _serve_on_ray(
    settings: Settings,
    address: str | None,
    replicas: int,
    replica_cpus: float,
    autoscaling: str | None,
) -> None:
    try:
        from reward_service.ray_serve import RayServeArgs, run
    except ImportError as exc:
        click.echo(
            f"error: --ray needs Ray Serve: pip install 'reward-service[ray]' ({exc})", err=True
        )
        sys.exit(EXIT_BAD_CONFIG)
    try:
        args = RayServeArgs(replicas=replicas, replica_cpus=replica_cpus, autoscaling=autoscaling)
    except (ValidationError, ValueError) as exc:
        click.echo(f"error: invalid setting: {exc}", err=True)
        sys.exit(EXIT_BAD_CONFIG)
    run(args, settings, address)


@main.command()
@click.argument("source", metavar="IN.jsonl")
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="OUT.jsonl",
    help="Where each item plus its result goes, in input order (`-`: stdout; `.gz` works). "
    "An existing file is resumed: items it holds unchanged are skipped.",
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
    help="Hard limit per item, in seconds of CPU time.  [default: 5]",
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


@main.command("filter")
@click.argument("source", metavar="IN.jsonl")
@click.option(
    "-o", "--output", required=True, metavar="SFT.jsonl", help="The kept responses (`.gz` works)."
)
@click.option(
    "--rejected",
    "rejected_path",
    metavar="REJECTED.jsonl",
    help="Every rejected response, with its reasons.",
)
@click.option("--report", "report_path", metavar="REPORT.html", help="An HTML report with plots.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["messages", "text"]),
    default="messages",
    show_default=True,
    help="messages: chat messages (TRL's SFTTrainer); text: prompt/completion.",
)
@click.option(
    "--template",
    type=click.Choice(["think_answer", "think", "none"]),
    default="think",
    show_default=True,
    help="The format rule for items that name none.",
)
@click.option(
    "--language",
    type=click.Choice(REASONING_LANGUAGES),
    default=None,
    help="Target language of the reasoning.  [default: the item's, else the one detected in "
    "its prompt]",
)
@click.option(
    "--min-language",
    type=click.FloatRange(0, 1),
    default=0.95,
    show_default=True,
    help="Least share of the reasoning in the target language.",
)
@click.option(
    "--max-paragraph-chars",
    type=click.IntRange(1),
    default=2000,
    show_default=True,
    help="Longest paragraph of the reasoning.",
)
@click.option(
    "--max-tokens",
    type=click.IntRange(1),
    default=32768,
    show_default=True,
    help="Longest response, in words and CJK characters (or --tokenizer's tokens).",
)
@click.option(
    "--tokenizer",
    default=None,
    help="A Hugging Face tokenizer name to count --max-tokens with (needs `transformers`).",
)
@click.option(
    "--max-repeats",
    type=click.IntRange(1),
    default=4,
    show_default=True,
    help="Most times a line or sentence (20+ characters) may repeat in the reasoning.",
)
@click.option(
    "--per-prompt",
    type=click.IntRange(1),
    default=4,
    show_default=True,
    help="Most responses kept per prompt (shortest first, near-duplicates dropped).",
)
@click.option(
    "--scores",
    "scores_path",
    metavar="SCORES.jsonl",
    default=None,
    help="Where the scored responses go, to resume from.  [default: SFT.jsonl with .scores.jsonl]",
)
@click.option(
    "--workers", type=int, default=None, help="Scoring processes.  [default: one per core]"
)
@click.option(
    "--sandbox",
    type=click.Choice(["auto", "docker", "local", "remote"]),
    default=None,
    help="Where code items run (see `serve --help`).  [default: auto]",
)
def filter_command(
    source: str,
    output: str,
    rejected_path: str | None,
    report_path: str | None,
    output_format: str,
    template: str,
    language: str | None,
    min_language: float,
    max_paragraph_chars: int,
    max_tokens: int,
    tokenizer: str | None,
    max_repeats: int,
    per_prompt: int,
    scores_path: str | None,
    workers: int | None,
    sandbox: str | None,
) -> None:
    """Rejection sampling for SFT data (R1's third stage): keep the correct responses of a
    sampling dump whose reasoning is clean, at most --per-prompt per prompt.

    IN.jsonl takes the lines of `score` (score items, or {"id", "prompt", "answer" | "tests",
    "responses": [...]}). A response is kept if its accuracy is 1, its format passes, at least
    --min-language of its reasoning is in the target language, no paragraph of the reasoning
    is over --max-paragraph-chars, the reasoning of a non-code task holds no code block, it is
    under --max-tokens, and no line or sentence repeats more than --max-repeats times. Scoring
    is resumable: a rerun scores only what the scores file lacks, or what changed since.
    """
    from tqdm import tqdm

    from reward_service.evaluate import MalformedInput
    from reward_service.filtering import FilterOptions, filter_file
    from reward_service.report import render_filter_html, render_filter_table
    from reward_service.rewards.readability import token_count

    if output == "-":
        click.echo("error: --output must be a file (the scores file goes beside it)", err=True)
        sys.exit(EXIT_BAD_CONFIG)
    count = token_count if tokenizer is None else _tokenizer_count(tokenizer)
    settings = _settings(workers={"processes": workers}, sandbox={"backend": sandbox})
    options = FilterOptions(
        min_language=min_language,
        language=language,
        max_paragraph_chars=max_paragraph_chars,
        max_tokens=max_tokens,
        max_repeats=max_repeats,
        per_prompt=per_prompt,
        output_format=output_format,  # type: ignore[arg-type]
        template=template,
    )
    with tqdm(unit="response", disable=not sys.stderr.isatty(), file=sys.stderr) as bar:
        try:
            summary = filter_file(
                source,
                output,
                settings,
                options,
                rejected_path=rejected_path,
                scores_path=scores_path,
                count=count,
                progress=bar.update,
                warn=lambda message: click.echo(message, err=True),
                total=lambda total: bar.reset(total=total),
            )
        except (MalformedInput, OSError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
    click.echo(render_filter_table(summary))
    if report_path:
        with open(report_path, "w", encoding="utf-8") as handle:
            handle.write(render_filter_html(summary, f"Rejection sampling of {source}"))


def _tokenizer_count(name: str) -> Any:
    try:
        from transformers import AutoTokenizer
    except ImportError:
        click.echo("error: --tokenizer needs `transformers` (pip install transformers)", err=True)
        sys.exit(EXIT_BAD_CONFIG)
    try:
        tokenizer = AutoTokenizer.from_pretrained(name)
    except (OSError, ValueError) as exc:  # ValueError: a folder without a tokenizer
        click.echo(f"error: cannot load tokenizer {name!r}: {exc}", err=True)
        sys.exit(EXIT_BAD_CONFIG)
    return lambda text: len(tokenizer.encode(text, add_special_tokens=False))


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

    from reward_service.api.connections import bounded_http_protocol
    from reward_service.logs import log_config

    server = settings.server
    open_files = _allow_all_open_files()
    uvicorn.run(
        app,
        host=server.host,
        port=server.port,
        log_level=server.log_level,
        log_config=log_config(server.log_format, server.log_level),
        http=bounded_http_protocol(server.header_timeout_s, _most_connections(open_files)),
        access_log=False,  # the app logs each request itself, with its id
        timeout_graceful_shutdown=server.shutdown_timeout_s,
        # A burst of one request per rollout connects all at once: let them wait to be accepted.
        backlog=max(2048, server.max_requests),
    )


def _allow_all_open_files() -> int:
    """Raise the soft limit on open files to the hard one, as far as the kernel allows: each
    connection is a file, and a burst of one request per rollout opens thousands (a default
    soft limit of 1024 would leave them in the accept queue). The soft limit then."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 1 << 20
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            pass  # above the kernel's nr_open: keep the soft limit
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return wanted if soft == resource.RLIM_INFINITY else soft


def _most_connections(open_files: int) -> int:
    """Connections kept open at once, of `open_files`: the others are workers' pipes, sandbox
    sessions, the Docker client's and the logs."""
    return max(open_files // 2, open_files - 1024)


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
