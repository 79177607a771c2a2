"""Request dependencies, as `Annotated` aliases so handlers read like their signatures.

They are `async` so that FastAPI calls them in the event loop instead of a thread pool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from reward_service.api.service import ScoringService


async def _service(request: Request) -> ScoringService:
    return request.app.state.service


ServiceDep = Annotated[ScoringService, Depends(_service)]
