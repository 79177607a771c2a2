"""Python clients for the service: `RewardClient` (sync) and `AsyncRewardClient` (asyncio).

Both batch large inputs into requests of `batch_size` items (a group is never split, so its
advantages stay right), send up to `concurrency` requests at once, and retry with exponential
backoff and jitter on connection errors and on 429, 500, 502, 503 and 504 only. They reuse the
API's pydantic models.

Given several base URLs (a list, or one comma-separated string), each request goes to the
endpoint with the fewest requests outstanding, and one that fails (connection error, or one of
those statuses) is retried on another at once; only when every endpoint has failed does the
client back off. Each request's results are returned exactly once, whichever endpoint answered.

    with RewardClient("http://127.0.0.1:8000") as client:
        results = client.score([{"response": "<think>…</think> \\boxed{4}", "answer": "4"}])
        results[0].reward
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
from pydantic import ValidationError

from reward_service.api.models import ItemResult, ScoreItem, ScoreRequest, ScoreResponse
from reward_service.batching import group_batches

ItemLike = ScoreItem | Mapping[str, Any]
# The service itself answers 429 and 503 when busy, and never 500; a 500, 502 or 504 comes from
# a proxy in front of it (Ray Serve's, when a replica dies mid-request): retried too.
_RETRY_STATUSES = {429, 500, 502, 503, 504}


class RewardServiceError(Exception):
    """Base of the client's errors."""


class ServiceUnavailable(RewardServiceError):
    """The service could not be reached, or kept answering 429/5xx, after every retry."""


class RequestRejected(RewardServiceError):
    """The service refused the request (4xx other than 429, which is retried): `status` and
    its `message`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class _Endpoint:
    """One base URL: its HTTP client, its requests in flight, and until when it is avoided
    after a failure."""

    def __init__(self, url: str, http: Any) -> None:
        self.url = url
        self.http = http
        self.outstanding = 0
        self.avoid_until = 0.0


def base_urls(base_url: str | Sequence[str]) -> list[str]:
    """The endpoints: a list, or a comma-separated string.

    >>> base_urls("http://a:8000/, http://b:8000")
    ['http://a:8000', 'http://b:8000']
    """
    urls = base_url.split(",") if isinstance(base_url, str) else list(base_url)
    cleaned = [url.strip().rstrip("/") for url in urls if url.strip()]
    if not cleaned:
        raise ValueError("no base URL given")
    return cleaned


class _Base:
    def __init__(
        self,
        base_url: str | Sequence[str],
        *,
        timeout: float = 300.0,
        retries: int = 3,
        backoff_s: float = 0.5,
        batch_size: int = 1024,
        concurrency: int = 4,
        token: str | None = None,
        endpoint: str = "/v1/score",
    ) -> None:
        if batch_size < 1 or concurrency < 1 or retries < 0:
            raise ValueError("batch_size and concurrency must be >= 1, retries >= 0")
        self.base_urls = base_urls(base_url)
        self.timeout = timeout
        self.retries = retries
        self.backoff_s = backoff_s
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.endpoint = endpoint
        self.headers = {"authorization": f"Bearer {token}"} if token else {}

    def _requests(self, items: Sequence[ItemLike], options: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            parsed = [ScoreItem.model_validate(item) for item in items]
            bodies = [
                ScoreRequest(items=batch, **options).model_dump(mode="json", exclude_none=True)
                for batch in group_batches(parsed, self.batch_size, lambda item: item.group)
            ]
        except ValidationError as exc:
            raise RequestRejected(422, f"invalid items or options: {exc}") from exc
        return bodies

    def _delay(self, attempt: int) -> float:
        return self.backoff_s * 2**attempt * (0.5 + random.random())

    def _pick(self, tried: set[str]) -> _Endpoint:
        """The endpoint for the next try: not yet tried for this request if any is left, and
        among those the one not being avoided with the fewest requests in flight."""
        fresh = [e for e in self._endpoints if e.url not in tried] or self._endpoints
        now = time.monotonic()
        return min(fresh, key=lambda e: (e.avoid_until > now, e.outstanding))

    def _failed(self, endpoint: _Endpoint, attempt: int) -> None:
        endpoint.avoid_until = time.monotonic() + self._delay(attempt)

    def _tries(self) -> int:
        return (self.retries + 1) * len(self._endpoints)

    def _round_over(self, tries: int) -> bool:
        """Whether every endpoint has been tried once more: then back off before the next."""
        return tries % len(self._endpoints) == 0

    @staticmethod
    def _parse(response: httpx.Response) -> list[ItemResult] | None:
        """The results, or None when the answer asks for a retry."""
        if response.status_code in _RETRY_STATUSES:
            return None
        if response.status_code >= 400:
            try:
                message = response.json().get("message", response.text)
            except ValueError:
                message = response.text
            raise RequestRejected(response.status_code, message)
        return ScoreResponse.model_validate_json(response.content).results


class RewardClient(_Base):
    """Blocking client; use as a context manager (or call `close`)."""

    def __init__(
        self,
        base_url: str | Sequence[str],
        *,
        transport: httpx.BaseTransport | None = None,
        **kw: Any,
    ):
        super().__init__(base_url, **kw)
        self._endpoints = [
            _Endpoint(
                url,
                httpx.Client(
                    base_url=url, timeout=self.timeout, headers=self.headers, transport=transport
                ),
            )
            for url in self.base_urls
        ]
        self._lock = threading.Lock()

    def __enter__(self) -> RewardClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        for endpoint in self._endpoints:
            endpoint.http.close()

    def score(
        self, items: Sequence[ItemLike], weights: Mapping[str, float] | None = None, **options: Any
    ) -> list[ItemResult]:
        """Score items (dicts with the fields of POST /v1/score, or `ScoreItem`s).

        Args:
            items: the items, in any number: they are sent in batches of `batch_size`.
            weights: reward weights, e.g. `{"accuracy": 1.0, "format": 0.2}`.
            **options: request options, e.g. `template={"think_in_prompt": True}`.

        Returns:
            One `ItemResult` per item, in order.

        Raises:
            RequestRejected: the service answered 4xx (bad items, limits).
            ServiceUnavailable: no answer after every retry on every endpoint.
        """
        if weights is not None:
            options["weights"] = dict(weights)
        bodies = self._requests(items, options)
        if len(bodies) == 1 or self.concurrency == 1:
            return [result for body in bodies for result in self._send(body)]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(self.concurrency, len(bodies))) as pool:
            return [result for batch in pool.map(self._send, bodies) for result in batch]

    def _send(self, body: dict[str, Any]) -> list[ItemResult]:
        problem, tried = "", set()
        for tries in range(self._tries()):
            if tries and self._round_over(tries):
                time.sleep(self._delay(tries // len(self._endpoints) - 1))
                tried.clear()
            with self._lock:
                endpoint = self._pick(tried)
                endpoint.outstanding += 1
            tried.add(endpoint.url)
            try:
                results = self._parse(endpoint.http.post(self.endpoint, json=body))
            except httpx.TransportError as exc:
                results, problem = None, f"{endpoint.url}: {type(exc).__name__}: {exc}"
            else:
                if results is None:
                    problem = f"{endpoint.url}: busy or failing (429/5xx)"
            finally:
                with self._lock:
                    endpoint.outstanding -= 1
            if results is not None:
                return results
            self._failed(endpoint, tries // len(self._endpoints))
        raise ServiceUnavailable(f"{problem}, after {self.retries + 1} tries on each endpoint")


class AsyncRewardClient(_Base):
    """asyncio client; use as an async context manager (or await `aclose`)."""

    def __init__(
        self,
        base_url: str | Sequence[str],
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        **kw: Any,
    ):
        super().__init__(base_url, **kw)
        self._endpoints = [
            _Endpoint(
                url,
                httpx.AsyncClient(
                    base_url=url, timeout=self.timeout, headers=self.headers, transport=transport
                ),
            )
            for url in self.base_urls
        ]

    async def __aenter__(self) -> AsyncRewardClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for endpoint in self._endpoints:
            await endpoint.http.aclose()

    async def score(
        self, items: Sequence[ItemLike], weights: Mapping[str, float] | None = None, **options: Any
    ) -> list[ItemResult]:
        """As `RewardClient.score`, with up to `concurrency` requests in flight."""
        if weights is not None:
            options["weights"] = dict(weights)
        slots = asyncio.Semaphore(self.concurrency)

        async def send(body: dict[str, Any]) -> list[ItemResult]:
            async with slots:
                return await self._send(body)

        batches = await asyncio.gather(*(send(body) for body in self._requests(items, options)))
        return [result for batch in batches for result in batch]

    async def _send(self, body: dict[str, Any]) -> list[ItemResult]:
        problem, tried = "", set()
        for tries in range(self._tries()):
            if tries and self._round_over(tries):
                await asyncio.sleep(self._delay(tries // len(self._endpoints) - 1))
                tried.clear()
            endpoint = self._pick(tried)
            tried.add(endpoint.url)
            endpoint.outstanding += 1
            try:
                results = self._parse(await endpoint.http.post(self.endpoint, json=body))
            except httpx.TransportError as exc:
                results, problem = None, f"{endpoint.url}: {type(exc).__name__}: {exc}"
            else:
                if results is None:
                    problem = f"{endpoint.url}: busy or failing (429/5xx)"
            finally:
                endpoint.outstanding -= 1
            if results is not None:
                return results
            self._failed(endpoint, tries // len(self._endpoints))
        raise ServiceUnavailable(f"{problem}, after {self.retries + 1} tries on each endpoint")
