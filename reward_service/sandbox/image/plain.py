"""Plain values across the boundary between a solution and the tests that call it.

The solution runs in one process (the submission's identity), the tests in another (the
judge's); only data crosses, as length-prefixed JSON frames. A value is plain when its type is
exactly one of the built-in scalars or containers below, recursively: a subclass (an int that
compares equal to everything) or any other object is refused where it is encoded. JSON has no
tuples, sets, bytes, complex numbers, non-string keys or non-finite floats, so those travel as
`{"$": tag, "v": ...}` objects; every JSON object on the wire is such a tag. Stdlib only.
"""

import json
import math
import os
import struct

MAX_FRAME_BYTES = 64 << 20
_HEADER = struct.Struct(">I")
# Integers past this travel as hex: decimal conversion of huge integers is quadratic (and
# limited to 4300 digits since Python 3.11), hex is linear and unlimited.
_BIG_INT = 1 << 64


class NotPlain(Exception):
    """A value that cannot cross: not exactly a built-in scalar or container."""


def encode(value):
    kind = type(value)
    if kind is bool or kind is str or value is None:
        return value
    if kind is int:
        return value if -_BIG_INT < value < _BIG_INT else {"$": "int", "v": hex(value)}
    if kind is float:
        return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
    if kind is list:
        return [encode(item) for item in value]
    if kind is tuple or kind is set or kind is frozenset:
        return {"$": kind.__name__, "v": [encode(item) for item in value]}
    if kind is dict:
        return {"$": "dict", "v": [[encode(k), encode(v)] for k, v in value.items()]}
    if kind is bytes:
        return {"$": "bytes", "v": value.hex()}
    if kind is complex:
        return {"$": "complex", "v": [encode(value.real), encode(value.imag)]}
    raise NotPlain(f"a {kind.__name__} is not a plain value")


_TAGGED = {
    "int": lambda v: int(v, 16),
    "float": lambda v: float({"nan": "nan", "inf": "inf", "-inf": "-inf"}[v]),
    "tuple": lambda v: tuple(decode(item) for item in v),
    "set": lambda v: {decode(item) for item in v},
    "frozenset": lambda v: frozenset(decode(item) for item in v),
    "dict": lambda v: {decode(key): decode(item) for key, item in v},
    "bytes": bytes.fromhex,
    "complex": lambda v: complex(decode(v[0]), decode(v[1])),
}


def decode(data):
    """The value `encode` gave `data` for; ValueError for anything `encode` cannot produce."""
    kind = type(data)
    if kind in (bool, str, int, float) or data is None:
        return data
    if kind is list:
        return [decode(item) for item in data]
    if kind is dict and set(data) == {"$", "v"} and data["$"] in _TAGGED:
        try:
            return _TAGGED[data["$"]](data["v"])
        except (TypeError, KeyError, AttributeError) as exc:
            raise ValueError(f"malformed {data['$']}") from exc
    raise ValueError("not an encoded plain value")


def send(fd, message):
    """Write one message (a JSON-able dict) as a frame."""
    data = json.dumps(message, allow_nan=False, separators=(",", ":")).encode()
    if len(data) > MAX_FRAME_BYTES:
        raise NotPlain(f"a value of {len(data)} bytes is over the {MAX_FRAME_BYTES}-byte limit")
    _write_all(fd, _HEADER.pack(len(data)) + data)


def receive(fd):
    """The next message, or None at end of stream; ValueError for a malformed frame."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > MAX_FRAME_BYTES:
        raise ValueError(f"a frame of {size} bytes is over the limit")
    body = _read_exactly(fd, size)
    if body is None:
        raise ValueError("the stream ended inside a frame")
    try:
        message = json.loads(body)
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc
    if type(message) is not dict:
        raise ValueError("a message must be an object")
    return message


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd, size):
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)
