"""Request dependencies, as `Annotated` aliases so handlers read like their signatures.

They are `async` so that FastAPI calls them in the event loop instead of a thread pool.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends, Request

from reward_service.api.service import ScoringService


async def _service(request: Request) -> ScoringService:
    # FastAPI parses a body's JSON before it solves the dependencies and validates the body
    # after: a turn here lets other requests run between the two (for the largest batches,
    # each holds the event loop ~0.1 s).
    await asyncio.sleep(0)
    return request.app.state.service


ServiceDep = Annotated[ScoringService, Depends(_service)]
