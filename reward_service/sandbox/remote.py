"""The remote backend: jobs go over HTTP to a sandbox service (`reward-service sandbox serve`).

This is how docker-compose runs it: only the sandbox service holds the Docker socket, and the
scoring service, which parses untrusted model output, can ask it to run code in its locked-down
containers and nothing else. Any failure to get a report (service down, restarting, refusing)
is the sandbox's fault, so the item comes back unjudged.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

import httpx
from pydantic import TypeAdapter, ValidationError

from reward_service.sandbox.types import (
    PoolStats,
    RunReply,
    RunReport,
    SandboxJob,
    SandboxUnavailable,
)
from reward_service.turns import dumps_in_turns

log = logging.getLogger(__name__)

_JSON = {"Content-Type": "application/json"}
_REPLY = TypeAdapter(RunReply)
_POOL = TypeAdapter(PoolStats)
# On top of a job's own deadline: how long it may wait for a free container behind other jobs.
QUEUE_ALLOWANCE_S = 300.0


class RemoteSandbox:
    # The sandbox service runs nothing but the Docker backend.
    name = "docker"

    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        # No pool timeout: jobs past the connection limit wait their turn, as they would for
        # a container.
        self._client = httpx.AsyncClient(
            base_url=self.url,
            headers=headers,
            timeout=httpx.Timeout(10.0, pool=None),
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
        )
        self._stats = PoolStats(size=0, busy=0, replaced=0)

    def stats(self) -> PoolStats:
        """The pool as the sandbox service last reported it."""
        return self._stats

    async def start(self) -> None:
        # The sandbox service may come up after this one: items are unjudged until it answers.
        try:
            reply = await self._client.get("/health")
            reply.raise_for_status()
            self._stats = _POOL.validate_python(reply.json()["pool"])
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            log.warning("the sandbox service at %s does not answer yet: %s", self.url, exc)

    async def run(self, job: SandboxJob) -> RunReport:
        timeout = httpx.Timeout(10.0, read=job.longest_s() + QUEUE_ALLOWANCE_S, pool=None)
        try:
            content = await dumps_in_turns(asdict(job))
            reply = await self._client.post(
                "/v1/run", content=content, headers=_JSON, timeout=timeout
            )
        except httpx.HTTPError as exc:
            raise SandboxUnavailable(
                f"the sandbox service at {self.url} failed: {type(exc).__name__}: {exc}"
            ) from exc
        if reply.status_code != 200:
            raise SandboxUnavailable(
                f"the sandbox service answered {reply.status_code}: {_message(reply)}"
            )
        try:
            answer = _REPLY.validate_json(reply.content)
        except ValidationError as exc:
            raise SandboxUnavailable("the sandbox service's reply is unreadable") from exc
        self._stats = answer.pool
        return answer.report

    async def close(self) -> None:
        await self._client.aclose()


def _message(reply: httpx.Response) -> str:
    try:
        return str(reply.json()["message"])
    except (ValueError, KeyError, TypeError):
        return reply.text[:300]
