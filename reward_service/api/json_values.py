"""The JSON values a request body holds, counted as its bytes arrive, before it is parsed.

Parsing builds an object for every value: 63 MiB of empty lists (`[[],[],…]`) became 3.3 GB
and held the event loop for 15 s, whatever the request was about to be refused for. Every
value of an array or object but its first follows a comma, and every array and object opens
with a bracket or brace: counting those outside strings bounds what parsing would build, at
the speed of `bytes.count`. Strings are skipped, so prose and test data full of commas and
LaTeX braces cost nothing.
"""

from __future__ import annotations

# Counted a slice at a time: splitting a whole 64 MiB body of short strings at its quotes
# would itself build millions of objects.
_SLICE = 1 << 20


class JsonValueCount:
    r"""Commas, brackets and braces outside the strings of a JSON text fed in pieces.

    >>> count = JsonValueCount()
    >>> for piece in (b'{"a": [1, 2], "b": "x, [y]\\', b'"", "c": {}}'):
    ...     count.feed(piece)
    >>> count.values
    6
    """

    def __init__(self, limit: int | None = None) -> None:
        self.values = 0
        self.limit = limit  # once past it, the rest is not counted
        self._in_string = False
        # A backslash that ends a piece escapes the first byte of the next one.
        self._escape = b""

    @property
    def past_limit(self) -> bool:
        return self.limit is not None and self.values > self.limit

    def feed(self, data: bytes) -> None:
        for start in range(0, len(data), _SLICE):
            if self.past_limit:
                return
            self._feed(data[start : start + _SLICE])

    def _feed(self, data: bytes) -> None:
        if not self._in_string and not self._escape and b'"' not in data and b"\\" not in data:
            self.values += data.count(b",") + data.count(b"[") + data.count(b"{")
            return
        data = self._escape + data
        # Backslashes appear only inside strings: an escaped backslash, then an escaped quote
        # go, and every quote left opens or closes a string.
        trailing = len(data) - len(data.rstrip(b"\\"))
        self._escape = b"\\" if trailing % 2 else b""
        if self._escape:
            data = data[:-1]
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
        pieces = data.split(b'"')
        outside = b"".join(pieces[1 if self._in_string else 0 :: 2])
        self.values += outside.count(b",") + outside.count(b"[") + outside.count(b"{")
        self._in_string ^= (len(pieces) - 1) % 2 == 1
