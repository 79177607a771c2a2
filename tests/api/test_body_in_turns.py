"""Request bodies validated in turns: what one pydantic call gives or refuses, in short
stretches of the event loop."""

from __future__ import annotations

import asyncio
import json

import pytest
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from reward_service.api.body_in_turns import ITEMS_PER_SLICE, validated
from reward_service.api.models import ScoreRequest
from reward_service.json_in_turns import SMALL_BODY_BYTES
from tests.api.test_liveness import INVALID_FLOODS
from tests.conftest import longest_stretch_s

MATH = {"response": "</think> \\boxed{1}", "answer": "1", "format": "think"}
IO_TEXT = json.dumps({"inputs": ["1\n", "2\n"], "outputs": ["1\n", "2\n"]})
LARGE_IO_TEXT = json.dumps({"inputs": ['"\\' * SMALL_BODY_BYTES], "outputs": ["x"]})
FUNCTIONAL_TEXT = json.dumps([{"input": "[1, 2]\n3", "output": "[3]", "testtype": "functional"}])
LONG_JSON = json.dumps('"\\' * SMALL_BODY_BYTES)


def functional(input: str, output: str = "1") -> dict:
    return code(
        test_cases=[{"input": input, "output": output, "testtype": "functional"}], entry_point="f"
    )


def code(**tests) -> dict:
    return {"response": "```python\nprint(1)\n```", "tests": tests}


VALID = {
    "math": {"items": [MATH] * 100, "weights": {"format": 0.5}, "template": {"think_tag": "t"}},
    "json-text": {"items": [code(input_output=IO_TEXT), code(input_output=LARGE_IO_TEXT)]},
    "functional-text": {"items": [code(test_cases=FUNCTIONAL_TEXT, entry_point="f")]},
    "mixed": {"items": [MATH, code(cases=[{"stdin": "1", "stdout": "1"}])] * 40},
    "large-functional": {"items": [functional(f"{LONG_JSON}\n[1]", LONG_JSON)]},
}
INVALID = {
    "past-the-first-slice": {"items": [MATH] * (ITEMS_PER_SLICE + 5) + [{"response": 1}]},
    "bad-json-text": {"items": [code(input_output="{" + " " * 10)]},
    "bad-large-json-text": {"items": [code(input_output=LARGE_IO_TEXT[:-1])]},
    "json-text-nested-too-deeply": {"items": [code(input_output="[" * 100_000)]},
    "json-text-of-a-string": {"items": [code(input_output=json.dumps(IO_TEXT))]},
    "json-text-past-the-bound": {"items": [code(input_output='{"inputs": [' + "1," * 150_000)] * 2},
    "unknown-fields": {"items": [MATH], "x": 1, "y": 2},
    "too-many-items": {"items": [MATH] * 16_385},
    "no-items": {"items": []},
    "not-an-object": [MATH],
    "large-functional-not-json": {"items": [functional(f"{LONG_JSON}\n[1", LONG_JSON)]},
    "large-functional-output-not-json": {"items": [functional("1", LONG_JSON + " x")]},
    "large-functional-too-deep": {"items": [functional(LONG_JSON + "\n" + "[" * 200 + "]" * 200)]},
}


def in_turns(body: object) -> ScoreRequest:
    return asyncio.run(validated(ScoreRequest, json.loads(json.dumps(body))))


@pytest.mark.parametrize("name", sorted(VALID))
def test_a_valid_body_gives_what_one_call_gives(name):
    body = VALID[name]
    assert in_turns(body) == ScoreRequest.model_validate(json.loads(json.dumps(body)))


@pytest.mark.parametrize("name", sorted(INVALID))
def test_an_invalid_body_is_refused_with_the_errors_one_call_gives(name):
    body = INVALID[name]
    with pytest.raises(ValidationError) as whole:
        ScoreRequest.model_validate(json.loads(json.dumps(body)))
    with pytest.raises(RequestValidationError) as sliced:
        in_turns(body)
    expected = [(("body", *e["loc"]), e["msg"]) for e in whole.value.errors()]
    assert [(e["loc"], e["msg"]) for e in sliced.value.errors()] == expected


@pytest.mark.parametrize("name", sorted(INVALID_FLOODS))
def test_no_stretch_of_validation_holds_the_loop_long(name):
    data = json.loads(json.dumps(INVALID_FLOODS[name][0]))
    # The best of three: a busy machine can stall any one stretch.
    assert any(longest_stretch_s(lambda: validated(ScoreRequest, data)) < 0.05 for _ in range(3))


def test_no_stretch_of_validating_long_texts_holds_the_loop_long():
    """Validation encodes each string to UTF-8, 11 ms per million CJK characters: 32 items
    of a million each, one slice by count, held the loop for 0.36 s."""
    body = json.dumps({"items": [{"response": "中" * 999_000, "answer": "1"}] * 40})
    # Fresh strings each time: a string keeps its UTF-8 once encoded.
    stretches = []
    for data in (json.loads(body), json.loads(body)):
        stretches.append(longest_stretch_s(lambda data=data: validated(ScoreRequest, data)))
    assert min(stretches) < 0.05, stretches
