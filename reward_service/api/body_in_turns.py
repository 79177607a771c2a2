"""Request bodies parsed and validated in turns with the event loop.

A large body is parsed by `loads_in_turns`. Validating it against the route's model would be
one more long call: 230 ms for 16,384 code items, and test data given as JSON text was parsed
inside it (0.96 s for one string of 31 million escaped quotes). Here that text is parsed in
turns first, a model's list of items is validated a slice of items at a time, and the model
then takes the validated items as they are. Validation stops at the first slice with errors,
so that a 422 names a bounded number of them.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterator
from typing import Any

from annotated_types import MaxLen
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter, ValidationError

from reward_service.api.json_values import JsonValueCount
from reward_service.api.models import (
    EMBEDDED_JSON_FIELDS,
    MAX_EMBEDDED_JSON_VALUES,
    TOO_MUCH_EMBEDDED_JSON,
    CheckedCase,
    ParsedJsonText,
    ScoreItem,
    embedded_json_values,
    functional_json_texts,
    functional_text_problem,
    lines_of_json,
    unreadable_json_text,
)
from reward_service.json_in_turns import (
    SMALL_BODY_BYTES,
    loads_in_turns,
    loads_text_in_turns,
)
from reward_service.turns import json_weight, taking_turns

# Items validated in one call: about 0.1 ms each. Their text counts too: validation encodes
# each string to UTF-8, 11 ms per million CJK characters (32 such responses took 0.36 s).
ITEMS_PER_SLICE = 32
_CHARACTERS_PER_SLICE = 1 << 20
# JSON text counted in one call.
_COUNT_BYTES = 1 << 20


class JsonInTurnsRequest(Request):
    """A request whose `json()` is its body parsed in turns, and validated in turns against
    `model` where the route has one."""

    model: type[BaseModel] | None = None

    async def body(self) -> bytes:
        # Starlette joins the body's chunks with the empty one that ends them: a copy of a
        # body that comes whole (`BodyLimit` read it), 45 ms in one stretch for 64 MiB.
        if not hasattr(self, "_body"):
            chunks = [chunk async for chunk in self.stream() if chunk]
            self._body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        return self._body

    async def json(self) -> Any:
        """The body's value; where the route has a model, the model (FastAPI's validation of
        it then takes it as it is), or a `RequestValidationError`, which FastAPI wraps in a
        400 that `errors.py` answers as the 422 it is."""
        if not hasattr(self, "_json"):
            value = await loads_in_turns(await self.body())
            self._json = value if self.model is None else await validated(self.model, value)
        return self._json


class JsonInTurnsRoute(APIRoute):
    """A route whose JSON body is parsed and validated in turns (the FastAPI way to change
    the request class)."""

    def get_route_handler(self):  # type: ignore[no-untyped-def]
        handler = super().get_route_handler()
        request_class = type("RouteRequest", (JsonInTurnsRequest,), {"model": _model(self)})

        async def in_turns(request: Request):  # type: ignore[no-untyped-def]
            return await handler(request_class(request.scope, request.receive))

        return in_turns


def _model(route: APIRoute) -> type[BaseModel] | None:
    """The model the route's body is, if it is one."""
    params = route.dependant.body_params
    annotation = params[0].field_info.annotation if len(params) == 1 else None
    is_model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
    return annotation if is_model else None


async def validated(model: type[BaseModel], data: Any) -> BaseModel:
    """`model.model_validate(data)`, its lists of items validated a slice at a time."""
    if isinstance(data, dict):
        data = dict(data)
        for name, item_model, most in _item_lists(model):
            items = data.get(name)
            if isinstance(items, list) and (most is None or len(items) <= most):
                data[name] = await _validated_items(item_model, items, ("body", name))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(_errors(exc, ("body",))) from None


@functools.cache
def _item_lists(model: type[BaseModel]) -> list[tuple[str, type[BaseModel], int | None]]:
    """The fields of `model` that are lists of models: name, item model, most items."""
    lists = []
    for name, field in model.model_fields.items():
        if typing.get_origin(field.annotation) is not list:
            continue
        (item,) = typing.get_args(field.annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            most = next((m.max_length for m in field.metadata if isinstance(m, MaxLen)), None)
            lists.append((field.alias or name, item, most))
    return lists


async def _validated_items(item_model: type[BaseModel], items: list, loc: tuple) -> list:
    if item_model is ScoreItem:
        await _read_json_texts(items)
    adapter = _list_adapter(item_model)
    validated: list = []
    async for start, end in taking_turns(_slices(items)):
        try:
            validated += adapter.validate_python(items[start:end])
        except ValidationError as exc:
            raise RequestValidationError(_errors(exc, loc, start)) from None
    return validated


def _slices(items: list) -> Iterator[tuple[int, int]]:
    """(start, end) of slices of at most `ITEMS_PER_SLICE` items weighing about
    `_CHARACTERS_PER_SLICE` (an item weighing more is a slice of its own)."""
    start = weight = 0
    for end, item in enumerate(items, start=1):
        weight += json_weight(item, _CHARACTERS_PER_SLICE - weight)
        if end - start == ITEMS_PER_SLICE or weight >= _CHARACTERS_PER_SLICE:
            yield start, end
            start, weight = end, 0
    if start < len(items):
        yield start, len(items)


@functools.cache
def _list_adapter(item_model: type[BaseModel]) -> TypeAdapter:
    return TypeAdapter(list[item_model])  # type: ignore[valid-type]


async def _read_json_texts(items: list) -> None:
    """Parse, in turns and in place, the test data the items give as JSON text, once its
    values are counted as `ScoreRequest` counts them (a 422 past the bound)."""
    values = 0
    async for item in taking_turns(items):
        tests = item.get("tests") if isinstance(item, dict) else None
        if not isinstance(tests, dict):
            continue
        for field in EMBEDDED_JSON_FIELDS:
            text = tests.get(field)
            if isinstance(text, str):
                values += await _values_in(text, MAX_EMBEDDED_JSON_VALUES - values)
                _bound_embedded_json(values)
                tests[field] = await _parsed(text)
        await _check_large_functional_cases(tests.get("test_cases"))
        values += embedded_json_values({"items": [item]})  # the lines of functional tests
        _bound_embedded_json(values)


def _bound_embedded_json(values: int) -> None:
    if values > MAX_EMBEDDED_JSON_VALUES:
        raise RequestValidationError([_value_error(("body",), TOO_MUCH_EMBEDDED_JSON)])


async def _check_large_functional_cases(cases: Any) -> None:
    """Check, in turns and in place, the JSON of large functional test cases (7 million
    escaped quotes held the event loop 0.1 s in their validation's `json.loads`)."""
    if isinstance(cases, ParsedJsonText):
        cases = cases.value
    for index, case in enumerate(cases if isinstance(cases, list) else ()):
        if not isinstance(case, dict) or case.get("testtype") != "functional":
            continue
        texts = case.get("input"), case.get("output")
        if all(isinstance(text, str) for text in texts) and sum(map(len, texts)) > SMALL_BODY_BYTES:
            checked = cases[index] = CheckedCase(case)
            checked.problem = await _functional_problem(*texts)
            async for text in taking_turns(texts):
                checked.values += lines_of_json(text)


async def _functional_problem(input: str, output: str) -> str | None:
    """`functional_json_problem`, in turns."""
    async for text in taking_turns(functional_json_texts(input, output)):
        try:
            parsed = await loads_text_in_turns(text)
        except (ValueError, RecursionError) as exc:
            parsed = exc
        problem = functional_text_problem(text, parsed)
        if problem is not None:
            return problem
    return None


async def _values_in(text: str, limit: int) -> int:
    """The JSON values `text` holds, counted up to past `limit`."""
    encoded = text.encode("utf-8", "surrogatepass")
    count = JsonValueCount(limit=limit)
    async for start in taking_turns(range(0, len(encoded), _COUNT_BYTES)):
        count.feed(encoded[start : start + _COUNT_BYTES])
    return count.values


async def _parsed(text: str) -> ParsedJsonText:
    try:
        return ParsedJsonText(await loads_text_in_turns(text))
    except (ValueError, RecursionError) as exc:
        return ParsedJsonText(problem=unreadable_json_text(exc))


def _value_error(loc: tuple, message: str) -> dict:
    """The error pydantic makes of a validator's ValueError."""
    return {"type": "value_error", "loc": loc, "msg": f"Value error, {message}"}


def _errors(exc: ValidationError, loc: tuple, first_index: int | None = None) -> list[dict]:
    """`exc`'s errors, placed at `loc` (their item indexes counted from `first_index`)."""
    errors = exc.errors(include_url=False, include_input=False)
    for error in errors:
        where = error["loc"]
        if first_index is not None:
            where = (first_index + where[0], *where[1:])
        error["loc"] = (*loc, *where)
    return errors
