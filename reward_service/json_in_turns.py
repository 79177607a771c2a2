"""JSON request bodies (and other large JSON text) parsed a slice of time at a time.

`json.loads` of a large body is one call that holds the event loop: 0.1–0.4 s for 64 MiB of
strings full of escapes, and every other request waits that long; so does decoding the body
into one str (40–180 ms: a fresh 64 MiB to fault in). A large body is parsed here from its
bytes by a loop that takes turns with the event loop (`turns.SLICE_S`). It builds what
`json.loads` builds and raises what it raises: it walks the arrays and objects itself and
hands each string, number and run of whitespace to the same C decoders a window at a time, so
that no value, however long, is one long call. A small body is parsed by `json.loads` itself.
"""

from __future__ import annotations

import asyncio
import codecs
import json
import re
import sys
import time
from collections.abc import Generator, Iterator
from json.decoder import scanstring
from typing import Any

from reward_service.turns import SLICE_S

# Bodies up to this size take `json.loads`: a few milliseconds at most.
SMALL_BODY_BYTES = 1 << 18
# The bytes of a string decoded in one call: ~0.3 ms of escapes.
_WINDOW = 1 << 16
# An array or object is first tried whole by `json`'s own decoder, on the next this many
# bytes: a small one (an item of a batch) is decoded in C, and a larger one costs the try,
# then is walked here.
_WHOLE_TRY_BYTES = 1 << 14
# Walks this shallow, or shallower, need not bound the depth of what `json` decodes whole.
_SHALLOW = 16
# Longer numbers cannot occur in a small body; here they would be one long call.
MOST_NUMBER_CHARS = SMALL_BODY_BYTES
# The longest escape, `\uXXXX`: the most a window can cut off.
_ESCAPE_BYTES = 6
# Bodies are checked for UTF-8 this many bytes at a time: each lone surrogate costs the
# decoder a call of its error handler, 5 ms for 64 KiB of them.
_DECODE_BYTES = 1 << 16
_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))

Steps = Generator[None, None, Any]

_WHITESPACE_BYTES = b" \t\n\r"  # and b"", the end of the body
_WHITESPACE = re.compile(rb"[ \t\n\r]*")
_HIGH_SURROGATE = re.compile(rb"\\u[dD][89abAB]")
_NUMBER = re.compile(rb"(-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?")
_LITERALS = {b"null": None, b"true": True, b"false": False, b"NaN": float("nan")}
_LITERALS.update({b"Infinity": float("inf"), b"-Infinity": float("-inf")})
_DECODER = json.JSONDecoder()


class NumberTooLong(ValueError):
    """A number of more than `MOST_NUMBER_CHARS` characters in a large body."""


async def loads_in_turns(body: bytes) -> Any:
    """`json.loads(body)`, letting other tasks run every `SLICE_S` of the work."""
    if len(body) <= SMALL_BODY_BYTES:
        return json.loads(body)
    encoding = json.detect_encoding(body)
    if encoding not in ("utf-8", "utf-8-sig"):
        return json.loads(body)  # UTF-16 or -32, which `BodyLimit` refuses before this
    if not body.isascii():  # what `json.loads` would refuse to decode, it refuses
        decoder = codecs.getincrementaldecoder(encoding)("surrogatepass")
        for piece in range(0, len(body), _DECODE_BYTES):
            decoder.decode(body[piece : piece + _DECODE_BYTES])
            await asyncio.sleep(0)
        decoder.decode(b"", final=True)
    return await _parsed(_Parser(body, len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0))


async def loads_text_in_turns(text: str) -> Any:
    """`json.loads(text)`, letting other tasks run every `SLICE_S` of the work."""
    if len(text) <= SMALL_BODY_BYTES:
        return json.loads(text)
    return await _parsed(_Parser(text.encode("utf-8", "surrogatepass")))


def loads_in_slices(text: str) -> Any:
    """`json.loads(text)` in calls of bounded length, for a thread: there the GIL's switch
    interval lets the event loop run between them, as it cannot during one long call."""
    if len(text) <= SMALL_BODY_BYTES:
        return json.loads(text)
    parser = _Parser(text.encode("utf-8", "surrogatepass"))
    for _ in parser.steps():
        pass
    return parser.value


async def _parsed(parser: _Parser) -> Any:
    for _ in parser.steps():
        await asyncio.sleep(0)
    return parser.value


class _Parser:
    """What `json.loads(body[start:])` returns (in `value`, once `steps` is exhausted) or
    raises, for a body of valid UTF-8. Positions are in bytes; errors say them in characters,
    as `json.loads` does."""

    def __init__(self, body: bytes, start: int = 0) -> None:
        self.body = body
        self.start = start
        self.value: Any = None
        self._slice_ends = 0.0

    def steps(self) -> Iterator[None]:
        """Parse, pausing (a None) whenever the work since the last pause passes `SLICE_S`."""
        b = self.body
        if b.startswith(codecs.BOM_UTF8, self.start):
            raise self._error("Unexpected UTF-8 BOM (decode using utf-8-sig)", self.start)
        self._slice_ends = time.monotonic() + SLICE_S
        # The arrays and objects being built, innermost last, and the key each object's next
        # value goes to.
        containers: list[list | dict] = []
        keys: list[str] = []
        pos = yield from self._whitespace(self.start)
        while True:
            if time.monotonic() > self._slice_ends:
                yield
                self._slice_ends = time.monotonic() + SLICE_S
            char = b[pos : pos + 1]
            # A value starts at `pos`: an opening bracket or brace starts a container and
            # goes on to its first value; anything else is read whole.
            if char == b"[" or char == b"{":
                whole = self._whole(pos, len(containers))
                if whole is not None:
                    value, pos = whole
                elif len(containers) >= sys.getrecursionlimit():
                    raise RecursionError("maximum recursion depth exceeded while decoding JSON")
                else:
                    pos = yield from self._whitespace(pos + 1)
                    if b[pos : pos + 1] == (b"]" if char == b"[" else b"}"):
                        value = [] if char == b"[" else {}
                        pos += 1
                    elif char == b"[":
                        containers.append([])
                        continue
                    else:
                        containers.append({})
                        pos = yield from self._key(pos, keys)
                        continue
            elif char == b'"':
                value, pos = yield from self._string(pos + 1)
            else:
                value, pos = self._scalar(pos)
            # A whole value: it goes into the innermost container, which may end with it.
            while True:
                if not containers:
                    pos = yield from self._whitespace(pos)
                    if pos != len(b):
                        raise self._error("Extra data", pos)
                    self.value = value
                    return
                container = containers[-1]
                if isinstance(container, list):
                    container.append(value)
                else:
                    container[keys.pop()] = value
                char = b[pos : pos + 1]
                if char in _WHITESPACE_BYTES:  # (a call less where there is none)
                    pos = yield from self._whitespace(pos)
                    char = b[pos : pos + 1]
                if char == b",":
                    pos += 1
                    if b[pos : pos + 1] in _WHITESPACE_BYTES:
                        pos = yield from self._whitespace(pos)
                    if isinstance(container, dict):
                        pos = yield from self._key(pos, keys)
                    break
                if char != (b"]" if isinstance(container, list) else b"}"):
                    raise self._error("Expecting ',' delimiter", pos)
                value = containers.pop()
                pos += 1

    def _whole(self, pos: int, depth: int) -> tuple[Any, int] | None:
        """The array or object at `pos`, inside `depth` others, and the position after it,
        when it ends within `_WHOLE_TRY_BYTES`; None when it does not, or is not valid JSON
        (what is wrong is then found and said with the whole body's positions), or may nest
        past the walk's limit (`sys.getrecursionlimit()`), which the walk then enforces."""
        window = self.body[pos : pos + _WHOLE_TRY_BYTES]
        text = _decoded(window)
        try:
            value, length = _DECODER.raw_decode(text)
        except (ValueError, RecursionError):
            return None
        end = pos + _encoded_length(text, length, window)
        # Deep in the walk, what `json` decoded could take the depth past the limit (once
        # nearly twice what a small body may nest): its brackets bound its depth.
        if depth > _SHALLOW and depth + _openings(self.body, pos, end) > sys.getrecursionlimit():
            return None
        return value, end

    def _key(self, pos: int, keys: list[str]) -> Steps:
        """Read `"key":` at `pos` onto `keys`; the position of the value after it."""
        b = self.body
        if b[pos : pos + 1] != b'"':
            raise self._error("Expecting property name enclosed in double quotes", pos)
        key, pos = yield from self._string(pos + 1)
        pos = yield from self._whitespace(pos)
        if b[pos : pos + 1] != b":":
            raise self._error("Expecting ':' delimiter", pos)
        keys.append(key)
        return (yield from self._whitespace(pos + 1))

    def _whitespace(self, pos: int) -> Steps:
        """The position after the whitespace at `pos`."""
        while True:
            end = _WHITESPACE.match(self.body, pos, pos + _WINDOW).end()
            if end < pos + _WINDOW:
                return end
            pos = end
            yield from self._pause_if_due()

    def _string(self, start: int) -> Steps:
        """The string whose opening quote is just before `start`, and the position after it."""
        b = self.body
        quote = b.find(b'"', start, start + _WINDOW)
        if quote != -1 and b.find(b"\\", start, quote) == -1:  # no escape: it ends there
            part, _ = self._scanned(start, b[start:quote], start)
            return part, quote + 1
        parts = []
        pos = start
        while True:
            window = b[pos : pos + _WINDOW]
            if len(window) < _WINDOW:  # the body ends in this window: so does the string
                part, after = self._scanned(pos, window, start, closed=False)
                parts.append(part)
                return "".join(parts), after
            # The closing quote added ends the string's part up to the cut, unless the
            # string ends (or is found to be wrong) before it.
            cut = _cut(window)
            part, after = self._scanned(pos, window[:cut], start)
            parts.append(part)
            if after <= pos + cut:
                return "".join(parts), after
            pos += cut
            yield from self._pause_if_due()

    def _scanned(self, pos: int, window: bytes, start: int, closed: bool = True) -> tuple:
        """`scanstring` on `window`, the body's bytes from `pos` on (with a closing quote
        added unless `closed` is False: the body's end): the string's part there, and the
        position after its closing quote (past the window when it is the one added)."""
        text = window.decode("utf-8", "surrogatepass")
        try:
            part, after = scanstring(text + '"' if closed else text, 0)
        except json.JSONDecodeError as exc:
            if exc.msg.startswith("Unterminated string"):  # started at the opening quote
                raise self._error(exc.msg, start - 1) from None
            raise self._error(exc.msg, pos + _encoded_length(text, exc.pos, window)) from None
        if after > len(text):  # the quote added: the string goes on
            return part, pos + len(window) + 1
        return part, pos + _encoded_length(text, after, window)

    def _scalar(self, pos: int) -> tuple[Any, int]:
        """The number or literal at `pos`, and the position after it."""
        b = self.body
        # Three bytes more than the longest number taken: where a longer one is cut, what is
        # left of its fraction or exponent still makes the match too long.
        match = _NUMBER.match(b, pos, pos + MOST_NUMBER_CHARS + 3)
        if match is not None:
            if match.end() - pos > MOST_NUMBER_CHARS:
                raise NumberTooLong(f"a number of more than {MOST_NUMBER_CHARS} characters")
            integer, fraction, exponent = match.groups()
            if fraction or exponent:
                return float(integer + (fraction or b"") + (exponent or b"")), match.end()
            return int(integer), match.end()
        for literal, value in _LITERALS.items():
            if b.startswith(literal, pos):
                return value, pos + len(literal)
        raise self._error("Expecting value", pos)

    def _error(self, message: str, pos: int) -> json.JSONDecodeError:
        """`json.loads`'s error at byte `pos`, with its line, column and position in
        characters, counted without decoding the body (lone surrogates decode slowly: that
        once held the event loop for seconds). Its `doc` is left empty."""
        b = self.body
        line_start = max(b.rfind(b"\n", self.start, pos) + 1, self.start)
        column = _characters(b, line_start, pos)
        error = json.JSONDecodeError(message, "", column)  # column: 1 + `column`
        error.pos = _characters(b, self.start, line_start) + column
        error.lineno = b.count(b"\n", self.start, pos) + 1
        error.args = (f"{message}: line {error.lineno} column {error.colno} (char {error.pos})",)
        return error

    def _pause_if_due(self) -> Steps:
        if time.monotonic() > self._slice_ends:
            yield
            self._slice_ends = time.monotonic() + SLICE_S


def _openings(body: bytes, start: int, end: int) -> int:
    """Brackets and braces in `body[start:end]`, those in strings too."""
    return body.count(b"[", start, end) + body.count(b"{", start, end)


def _characters(body: bytes, start: int, end: int) -> int:
    """The characters that `body[start:end]`, valid UTF-8, holds: its bytes but those that
    continue a character."""
    characters = 0
    for piece in range(start, end, _DECODE_BYTES):
        characters += len(
            body[piece : min(piece + _DECODE_BYTES, end)].translate(None, _CONTINUATION_BYTES)
        )
    return characters


def _decoded(window: bytes) -> str:
    """A window of valid UTF-8, but for a character its end may cut."""
    try:
        return window.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError as exc:
        return window[: exc.start].decode("utf-8", "surrogatepass")


def _encoded_length(text: str, chars: int, window: bytes) -> int:
    """The bytes of `window` that the first `chars` characters of its `text` take."""
    if len(text) == len(window):  # ASCII
        return chars
    return len(text[:chars].encode("utf-8", "surrogatepass"))


def _cut(window: bytes) -> int:
    """Where a window of a JSON string's bytes, starting where an escape or a character may
    start, can be cut so that no escape, escaped surrogate pair or character is cut: near
    its end."""
    tail_start = len(window) - 2 * _ESCAPE_BYTES
    first = window.find(b"\\", tail_start)
    if first == -1:  # no escape reaches past the end
        # Back to before the last character when it is not ASCII: the end may cut it.
        cut = len(window)
        while window[cut - 1] & 0xC0 == 0x80:  # continuation bytes
            cut -= 1
        return cut - 1 if window[cut - 1] >= 0xC0 else cut
    # A run of backslashes starts an escape (what precedes it is no backslash): its escaped
    # backslashes, then maybe one more escape.
    run_start = first - _backslashes_ending(window, first)
    cut = run_start + (first - run_start) // 2 * 2
    if cut > run_start:  # between two escaped backslashes
        return cut
    high = run_start - _ESCAPE_BYTES  # is the escape before the run a high surrogate?
    if _HIGH_SURROGATE.match(window, high) and _backslashes_ending(window, high + 1) % 2:
        return high
    return run_start


def _backslashes_ending(window: bytes, end: int) -> int:
    """How many backslashes `window[:end]` ends with."""
    head = window[:end]
    return len(head) - len(head.rstrip(b"\\"))
