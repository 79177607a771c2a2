"""Request and response shapes of the HTTP API (v1), with their limits, side by side.

The limits sit on the fields so that an oversized or malformed request gets a 422 that names
the field, instead of tiring a worker.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from reward_service.api.json_values import JsonValueCount

MAX_ITEMS = 16384
MAX_RESPONSE_CHARS = 1_000_000
MAX_REFERENCE_CHARS = 100_000
MAX_KEY_CHARS = 256
# Past it, rewards and their group statistics overflow a float.
MAX_WEIGHT = 1000.0

MAX_CASES = 1000
MAX_CODE_CHARS = 1_000_000
# One test's input or expected output: contest data runs to megabytes.
MAX_TEST_CHARS = 16_000_000
# Test data given as JSON strings (`input_output`, `test_cases`) is parsed (in turns, by the
# HTTP layer), validated and written out again, at about 0.4 µs a value in the event loop:
# the JSON values of all of a request's, together, at most (a tenth of a second).
MAX_EMBEDDED_JSON_VALUES = 200_000
EMBEDDED_JSON_FIELDS = ("input_output", "test_cases")
# Test data nested deeper is refused: Python's own limit (about 1,000 levels) would be passed
# later, deeper in the stack, when the tests are planned.
MAX_NESTING = 100

# Test data given as JSON text holding more than MAX_EMBEDDED_JSON_VALUES: the request's 422.
TOO_MUCH_EMBEDDED_JSON = (
    f"the test data given as JSON text holds more than {MAX_EMBEDDED_JSON_VALUES} JSON values "
    "per request; split the batch"
)
# Unknown fields named in a 422, at most: each would be an error of its own.
_UNKNOWN_SHOWN = 5

Task = Literal["math", "code", "none"]
RewardName = Literal["accuracy", "format", "language"]
FormatName = Literal["think_answer", "think", "none"]
Language = Literal["en", "fr", "de", "es", "it", "pt", "nl", "ru", "zh", "ja", "ko"]
TAG_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,31}$"
Status = Literal["scored", "unjudged"]


class ClosedModel(BaseModel):
    """A request shape that refuses fields it does not know.

    Pydantic makes an error of each unknown field, and turning 240,000 of them into a 422
    held the event loop for a second: where there are more fields than the shape has, they
    are refused in one error that names the first few.
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _few_unknown_fields(cls, data: Any) -> Any:
        if isinstance(data, dict) and len(data) > len(cls.model_fields):
            known = {field.alias or name for name, field in cls.model_fields.items()}
            unknown = len(data) - sum(key in data for key in known)
            first = itertools.islice((key for key in data if key not in known), _UNKNOWN_SHOWN)
            shown = ", ".join(map(repr, first))
            if unknown > _UNKNOWN_SHOWN:
                shown += f" and {unknown - _UNKNOWN_SHOWN} more"
            raise ValueError(f"{unknown} unknown fields: {shown}")
        return data


class StdioCase(ClosedModel):
    """One stdin/stdout test: the program's whole output must match."""

    stdin: str = Field("", max_length=MAX_TEST_CHARS)
    stdout: str = Field(max_length=MAX_TEST_CHARS)


class FloatTolerance(ClosedModel):
    abs: float = Field(1e-6, ge=0, le=1, description="Absolute tolerance.")
    rel: float = Field(1e-6, ge=0, le=1, description="Relative to the expected value.")


class FloatCompare(ClosedModel):
    """`{"float": {"abs": 1e-6, "rel": 1e-6}}`: tokens equal, numbers within tolerance."""

    tolerance: FloatTolerance = Field(alias="float")


IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"
# What datasets and fences also call the languages.
LANGUAGE_ALIASES = {
    "py": "python",
    "python3": "python",
    "c++": "cpp",
    "cxx": "cpp",
    "js": "javascript",
    "node": "javascript",
    "nodejs": "javascript",
    "golang": "go",
    "rs": "rust",
}


@dataclass(frozen=True)
class ParsedJsonText:
    """Test data given as JSON text, already parsed (in turns, by the HTTP layer): its value,
    or why it could not be parsed."""

    value: Any = None
    problem: str | None = None


def _json_text(value: Any) -> Any:
    """Datasets store these fields as JSON strings as often as as objects: take both."""
    if isinstance(value, ParsedJsonText):
        if value.problem is not None:
            raise ValueError(value.problem)
        return value.value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except (ValueError, RecursionError) as exc:
            raise ValueError(unreadable_json_text(exc)) from None
    return value


def unreadable_json_text(exc: ValueError | RecursionError) -> str:
    """Why test data given as JSON text could not be read."""
    if isinstance(exc, RecursionError):
        return "JSON nested too deeply"
    return f"not valid JSON: {exc}"


class InputOutput(BaseModel):
    """APPS / TACO / PRIME tests: stdin/stdout pairs, or calls of `fn_name` when it is given
    (each input a list of arguments, each output the expected return value)."""

    model_config = ConfigDict(extra="ignore")

    inputs: list[Any] = Field(max_length=MAX_CASES)
    outputs: list[Any] = Field(max_length=MAX_CASES)
    fn_name: str | None = Field(None, pattern=IDENTIFIER)

    @model_validator(mode="after")
    def _paired(self) -> InputOutput:
        if len(self.inputs) != len(self.outputs):
            raise ValueError(f"{len(self.inputs)} inputs but {len(self.outputs)} outputs")
        if not self.inputs:
            raise ValueError("no tests")
        problem = _json_values_problem([*self.inputs, *self.outputs])
        if problem is not None:
            raise ValueError(problem)
        return self


def _json_values_problem(values: list[Any]) -> str | None:
    """What a typed string field would refuse in these JSON values (a lone surrogate), or
    nesting past `MAX_NESTING`; None when there is nothing. A walk, not `json.dumps`: that
    escaped 30 million quotes in one 0.2 s call of the event loop."""
    for member, depth in _json_members(values):
        if isinstance(member, (list, dict)) and depth > MAX_NESTING:
            return f"JSON nested more than {MAX_NESTING} deep"
        if isinstance(member, str):
            try:
                member.encode()
            except UnicodeEncodeError:
                return "not valid Unicode (a lone surrogate)"
    return None


def _nests_too_deeply(text: str, value: Any) -> bool:
    """Whether `value`, whose JSON is `text`, nests lists and objects past `MAX_NESTING`."""
    if text.count("[") + text.count("{") <= MAX_NESTING:  # brackets in strings count too
        return False
    return any(
        isinstance(member, (list, dict)) and depth > MAX_NESTING
        for member, depth in _json_members([value])
    )


def _json_members(values: list[Any]) -> Iterator[tuple[Any, int]]:
    """Each of `values` (at depth 1) and every value and key they hold, with its depth: an
    object's keys at the object's, the members of a list or object one deeper."""
    levels = [(value, 1) for value in values]
    while levels:
        member, depth = levels.pop()
        yield member, depth
        if isinstance(member, dict):
            levels.extend((key, depth) for key in member)
            levels.extend((inner, depth + 1) for inner in member.values())
        elif isinstance(member, list):
            levels.extend((inner, depth + 1) for inner in member)


class LiveCodeBenchCase(BaseModel):
    """A LiveCodeBench test: stdin/stdout, or `functional`: one JSON argument per input line
    and the JSON return value as output."""

    model_config = ConfigDict(extra="ignore")

    input: str = Field(max_length=MAX_TEST_CHARS)
    output: str = Field(max_length=MAX_TEST_CHARS)
    testtype: Literal["stdin", "functional"] = "stdin"

    @model_validator(mode="wrap")
    @classmethod
    def _functional_is_json(cls, data: Any, handler: ModelWrapValidatorHandler) -> Any:
        case = handler(data)
        if case.testtype == "functional":
            if isinstance(data, CheckedCase):
                problem = data.problem
            else:
                problem = functional_json_problem(case.input, case.output)
            if problem is not None:
                raise ValueError(problem)
        return case


class CheckedCase(dict):
    """A functional test case whose JSON was checked already (in turns, by the HTTP layer):
    `problem` says what is wrong with it, if anything; `values` is its `lines_of_json`."""

    problem: str | None = None
    values: int = 0


def functional_json_problem(input: str, output: str) -> str | None:
    """What is wrong with a functional test's JSON (one argument per input line, and the
    return value); None when nothing is."""
    for text in functional_json_texts(input, output):
        problem = functional_text_problem(text, _parsed_or_error(text))
        if problem is not None:
            return problem
    return None


def _parsed_or_error(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        return exc


def functional_text_problem(text: str, parsed: Any) -> str | None:
    """What is wrong with one text of a functional test, given what parsing it gave: its
    value, or the error it raised."""
    if isinstance(parsed, (ValueError, RecursionError)):
        return functional_json_error(parsed)
    if _nests_too_deeply(text, parsed):
        return functional_json_error(ValueError(f"nested more than {MAX_NESTING} deep"))
    return None


def functional_json_texts(input: str, output: str) -> list[str]:
    return [*functional_argument_lines(input), output]


def functional_argument_lines(input: str) -> list[str]:
    """A functional test's arguments: its input's lines that are not blank, a JSON value each."""
    return [line for line in input.splitlines() if line.strip()]


def functional_json_error(exc: ValueError | RecursionError) -> str:
    if isinstance(exc, RecursionError):
        return "a functional test's JSON is nested too deeply"
    return f"a functional test's input lines and output must be JSON: {exc}"


class CodeReference(ClosedModel):
    """The tests of a code problem: stdin/stdout cases and/or HumanEval-style asserts."""

    language: Literal["python", "cpp", "java", "javascript", "go", "rust"] = Field(
        "python", description="The submission's language; call-based and assert tests: Python."
    )
    cases: list[StdioCase] = Field([], max_length=MAX_CASES, fail_fast=True)
    assert_code: str | None = Field(
        None,
        max_length=MAX_CODE_CHARS,
        description="Python tests, e.g. `def check(candidate): assert candidate(1) == 2`.",
    )
    entry_point: str | None = Field(
        None,
        pattern=IDENTIFIER,
        description="The function under test (asserts, and LiveCodeBench functional tests).",
    )
    input_output: InputOutput | None = Field(
        None,
        description='APPS/TACO/PRIME tests, an object or its JSON string: {"inputs", "outputs", '
        '"fn_name"?}; stdin/stdout pairs, or calls of fn_name (Python).',
    )
    test_cases: list[LiveCodeBenchCase] | None = Field(
        None,
        max_length=MAX_CASES,
        fail_fast=True,
        description='LiveCodeBench tests, a list or its JSON string: [{"input", "output", '
        '"testtype": "stdin" | "functional"}]; functional ones call entry_point (Python).',
    )
    checker: str | None = Field(
        None,
        max_length=MAX_CODE_CHARS,
        description="A special judge for the stdio tests: Python defining `check(input, "
        "expected, output) -> bool`, run in the sandbox after each run. If it raises or times "
        "out, the item is unjudged: make it return False on malformed output.",
    )
    compare: Literal["exact", "tokens"] | FloatCompare = Field(
        "exact",
        description='How stdout is compared: "exact" (trailing whitespace and blank lines '
        'ignored), "tokens" (whitespace-separated tokens equal), or {"float": {"abs", "rel"}} '
        "(tokens equal, plain decimal numbers within tolerance of the expected one).",
    )
    scoring: Literal["all", "fraction"] = Field(
        "all", description='"all": 1 only if every test passes (R1); "fraction": passed/total.'
    )
    timeout_s: float | None = Field(
        None, gt=0, description="CPU time per case, seconds (the program's own, all processes)."
    )
    memory_mb: int | None = Field(None, ge=16, description="Memory per program, MiB.")
    output_bytes: int | None = Field(None, ge=1, description="Most stdout per run, bytes.")
    file_bytes: int | None = Field(None, ge=0, description="Largest file a program may write.")
    processes: int | None = Field(None, ge=1, description="Processes a program may run at once.")
    budget_s: float | None = Field(
        None,
        gt=0,
        description="Sandbox time for the whole item, seconds (compiling and every case); cases "
        "past it are not run and fail (`time_budget`).",
    )

    _from_json = field_validator(*EMBEDDED_JSON_FIELDS, mode="before")(_json_text)

    @field_validator("language", mode="before")
    @classmethod
    def _canonical_language(cls, value: Any) -> Any:
        if isinstance(value, str):
            return LANGUAGE_ALIASES.get(value.strip().lower(), value.strip().lower())
        return value

    @model_validator(mode="after")
    def _has_tests(self) -> CodeReference:
        if not (self.cases or self.assert_code or self.input_output or self.test_cases):
            raise ValueError("give `cases`, `assert_code`, `input_output` or `test_cases`")
        if self.assert_code is not None:
            if self.language != "python":
                raise ValueError("`assert_code` tests are Python only")
            if self.entry_point is None:
                raise ValueError("`assert_code` needs `entry_point`")
        functional = any(case.testtype == "functional" for case in self.test_cases or ())
        if functional and self.entry_point is None:
            raise ValueError(
                "functional `test_cases` need `entry_point` (LiveCodeBench: func_name)"
            )
        called = self.input_output is not None and self.input_output.fn_name is not None
        if (functional or called) and self.language != "python":
            raise ValueError("call-based tests are Python only")
        if called and self.entry_point and self.input_output.fn_name != self.entry_point:
            raise ValueError("`input_output.fn_name` and `entry_point` differ")
        if self.checker is not None:
            stdio = self.cases or (self.input_output and not called)
            stdio = stdio or any(case.testtype == "stdin" for case in self.test_cases or ())
            if not stdio:
                raise ValueError("a `checker` judges stdin/stdout tests, and there are none")
            if self.compare != "exact":
                raise ValueError("give `checker` or `compare`, not both")
        return self

    def function(self) -> str | None:
        """The function the call-based and assert tests call."""
        if self.input_output is not None and self.input_output.fn_name is not None:
            return self.input_output.fn_name
        return self.entry_point


class ScoreItem(ClosedModel):
    """One response to score, with its reference."""

    id: str | None = Field(None, max_length=MAX_KEY_CHARS, description="Echoed back.")
    group: str | None = Field(
        None,
        max_length=MAX_KEY_CHARS,
        description="Items sharing a group get GRPO advantages (e.g. the prompt id).",
    )
    response: str = Field(
        max_length=MAX_RESPONSE_CHARS, description="The full model response, <think> included."
    )
    task: Task | None = Field(
        None,
        description='"math", "code" or "none"; default: "code" when tests are given, else "math" '
        'when an answer is given, else "none".',
    )
    answer: str | None = Field(
        None, max_length=MAX_REFERENCE_CHARS, description="Math reference (plain text or LaTeX)."
    )
    tests: CodeReference | None = Field(None, description="Code reference.")
    format: FormatName | None = Field(
        None,
        description='Template to check: "think_answer" (R1-Zero), "think" (R1 chat); '
        'null or "none" = no format score.',
    )
    language: Language | None = Field(
        None, description="Target language of the reasoning (ISO 639-1); null = no score."
    )

    @model_validator(mode="after")
    def _infer_task(self) -> ScoreItem:
        if self.task is None:
            if self.tests is not None:
                self.task = "code"
            else:
                self.task = "math" if self.answer is not None else "none"
        return self


class Weights(ClosedModel):
    """Weight of each score in `reward` (sum of weight * score over the scores asked for)."""

    accuracy: float = Field(1.0, ge=-MAX_WEIGHT, le=MAX_WEIGHT)
    format: float = Field(0.0, ge=-MAX_WEIGHT, le=MAX_WEIGHT)
    language: float = Field(0.0, ge=-MAX_WEIGHT, le=MAX_WEIGHT)

    @field_validator("accuracy", "format", "language")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("weights must be finite numbers")
        return value


class Template(ClosedModel):
    """The reasoning template's tags, shared by the format rule and answer extraction."""

    think_in_prompt: bool = Field(
        False,
        description="The prompt already opened the reasoning tag (R1 chat template): the "
        "response starts inside the reasoning.",
    )
    think_tag: str = Field("think", pattern=TAG_PATTERN, description="Reasoning tag name.")
    answer_tag: str = Field("answer", pattern=TAG_PATTERN, description="Answer tag name.")


class Advantage(ClosedModel):
    """How GRPO advantages are normalised within a group: (r - mean) / (std + eps)."""

    std: Literal["population", "sample", "none"] = Field(
        "population",
        description='"population" (divide by n), "sample" (n - 1; what TRL\'s GRPOTrainer '
        'and verl use), or "none" (no division, as in Dr. GRPO).',
    )
    eps: float = Field(1e-6, ge=0, le=1, description="Added to std before dividing.")


class ScoreRequest(ClosedModel):
    items: list[ScoreItem] = Field(min_length=1, max_length=MAX_ITEMS)
    weights: Weights = Weights()
    template: Template = Template()
    advantage: Advantage = Advantage()

    @model_validator(mode="before")
    @classmethod
    def _embedded_json_bounded(cls, data: Any) -> Any:
        if embedded_json_values(data) > MAX_EMBEDDED_JSON_VALUES:
            raise ValueError(TOO_MUCH_EMBEDDED_JSON)
        return data


def embedded_json_values(data: Any) -> int:
    """The JSON values that validation will parse out of a request's test data given as
    JSON text: `input_output` and `test_cases` given as strings, and the argument lines and
    outputs of functional tests. Counting stops past the bound.

    A `test_cases` string is parsed here, once its count allows it, so that its functional
    tests can be counted too; validation takes the parsed list.
    """
    values = 0
    items = data.get("items") if isinstance(data, dict) else None
    for item in items if isinstance(items, list) else ():
        tests = item.get("tests") if isinstance(item, dict) else None
        if not isinstance(tests, dict):
            continue
        for field in EMBEDDED_JSON_FIELDS:
            if isinstance(tests.get(field), str):
                count = JsonValueCount(limit=MAX_EMBEDDED_JSON_VALUES - values)
                count.feed(tests[field].encode("utf-8", "surrogatepass"))
                values += count.values
        if values > MAX_EMBEDDED_JSON_VALUES:
            return values
        if isinstance(tests.get("test_cases"), str):
            with contextlib.suppress(ValueError, RecursionError):  # the field's own 422
                tests["test_cases"] = json.loads(tests["test_cases"])
        cases = tests.get("test_cases")
        if isinstance(cases, ParsedJsonText):
            cases = cases.value
        for case in cases if isinstance(cases, list) else ():
            if isinstance(case, dict) and case.get("testtype") == "functional":
                if isinstance(case, CheckedCase):
                    values += case.values
                else:
                    values += sum(lines_of_json(case.get(key)) for key in ("input", "output"))
    return values


def lines_of_json(text: Any) -> int:
    """At least the JSON values in `text`, a JSON value per line."""
    if not isinstance(text, str):
        return 0
    return 1 + sum(text.count(mark) for mark in ("\n", ",", "[", "{"))


class Scores(BaseModel):
    """Each score in [0, 1], or null when it was not asked for or could not be judged."""

    accuracy: float | None = None
    format: float | None = None
    language: float | None = None


class CaseFailure(BaseModel):
    case: int = Field(description="Index of the test: the stdio cases, then the asserts.")
    reason: str
    excerpt: str = Field(description="The end of stderr, or the start of stdout (capped).")


class Details(BaseModel):
    extracted: str | None = Field(None, description="The final answer or code that was judged.")
    reason: str | None = Field(None, description="Why a score is 0 or null.")
    status: Status = Field(
        "scored",
        description='"unjudged" when the service, not the response, failed; leave it out.',
    )
    message: str | None = Field(None, description="More about an unusual reason.")
    reasons: dict[str, str] | None = Field(
        None, description="Each score's reason, when more than accuracy has one."
    )
    passed: int | None = Field(None, description="Code: tests passed.")
    total: int | None = Field(None, description="Code: tests run.")
    failures: list[CaseFailure] | None = Field(None, description="Code: why each test failed.")
    scoring: Literal["all", "fraction"] | None = Field(
        None, description='Code: "all" (1 only if every test passed) or "fraction" (passed/total).'
    )
    sandbox: str | None = Field(
        None, description='Code: the backend that ran it, "docker" or "local" (no isolation).'
    )

    @model_serializer(mode="wrap")
    def _omit_empty_extras(self, handler: SerializerFunctionWrapHandler) -> dict:
        data = handler(self)
        return {k: v for k, v in data.items() if v is not None or k in _ALWAYS_SHOWN}


_ALWAYS_SHOWN = {"extracted", "reason", "status"}


class ItemResult(BaseModel):
    id: str | None = None
    group: str | None = None
    reward: float | None = None
    advantage: float | None = None
    scores: Scores
    details: Details


class GroupStats(BaseModel):
    mean: float
    std: float
    n: int


class ScoreResponse(BaseModel):
    results: list[ItemResult]
    groups: dict[str, GroupStats]


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str
    workers: int
    sandbox: str = Field(description='"docker", "local" (no isolation) or "unavailable".')


class ErrorMessage(BaseModel):
    message: str
    detail: list[dict] | None = None
