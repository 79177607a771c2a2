"""Error answers: 4xx with a JSON message naming the problem, and never a 500."""

from __future__ import annotations

import logging
import sys

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from reward_service.json_in_turns import NumberTooLong

log = logging.getLogger(__name__)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


# Errors listed in a 422's detail, at most.
_ERRORS_SHOWN = 100
# The item lists of the request shapes: too long a list is too large a request (413).
_ITEM_LISTS = {("body", "items"), ("body", "query")}


async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    for error in errors:
        if error["type"] == "too_long" and tuple(error["loc"]) in _ITEM_LISTS:
            limit = error.get("ctx", {}).get("max_length")
            return JSONResponse(
                status_code=413,
                content={"message": f"too many items: at most {limit} per request; split it"},
            )
    problems = "; ".join(f"{_field(error['loc'])}: {error['msg']}" for error in errors[:10])
    detail = [
        {"loc": list(error["loc"]), "msg": error["msg"], "type": error["type"]}
        for error in errors[:_ERRORS_SHOWN]
    ]
    return JSONResponse(
        status_code=422, content={"message": f"invalid request: {problems}", "detail": detail}
    )


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    if isinstance(exc.__cause__, RequestValidationError):  # raised by `JsonInTurnsRequest.json`
        return await _invalid_request(request, exc.__cause__)
    unreadable = _unreadable_json(exc.__cause__)
    if exc.status_code == 400 and unreadable is not None:
        # FastAPI's "There was an error parsing the body" for JSON that parses only past
        # Python's own limits: say which.
        return JSONResponse(status_code=422, content={"message": f"invalid request: {unreadable}"})
    return JSONResponse(
        status_code=exc.status_code, content={"message": str(exc.detail)}, headers=exc.headers
    )


def _unreadable_json(cause: BaseException | None) -> str | None:
    if isinstance(cause, NumberTooLong):
        return f"body: {cause}; send it as a string"
    if isinstance(cause, RecursionError):
        return "body: JSON nested too deeply"
    if isinstance(cause, UnicodeDecodeError):
        return f"body: not valid UTF-8 ({cause.reason}); send JSON as UTF-8"
    if isinstance(cause, ValueError) and "integer string conversion" in str(cause):
        digits = sys.get_int_max_str_digits()  # the error exists only where this does
        return f"body: a number of more than {digits} digits; send it as a string"
    return None


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Per-item trouble is handled at the item boundary (workers.py); reaching this means a bug
    # in request handling. 503 tells clients to retry instead of scoring the batch as failed.
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(
        status_code=503, content={"message": f"internal error: {type(exc).__name__}; retry"}
    )


def _field(loc: tuple) -> str:
    """`items.0.tests.compare.float.abs`: the path in the request, without the names pydantic
    gives the members of a union (`FloatCompare`, `literal['exact','tokens']`).

    >>> _field(("body", "items", 0, "tests", "compare", "FloatCompare", "float", "abs"))
    'items.0.tests.compare.float.abs'
    """
    parts = [
        str(part)
        for part in loc
        if part != "body" and not (isinstance(part, str) and ("[" in part or part[:1].isupper()))
    ]
    return ".".join(parts) or "body"
