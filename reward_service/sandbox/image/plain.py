"""Plain values across the boundary between a solution and the tests that call it.

The solution runs in one process (the submission's identity), the tests in another (the
judge's); only data crosses, in length-prefixed frames. A value is plain when its type is
exactly one of the built-in scalars or containers below, recursively: a subclass (an int that
compares equal to everything) or any other object is refused where it is encoded.

Towards the solution, frames are `marshal` (the judge's data, read by the submission's
process: nothing to distrust there). From the solution, frames are JSON, written here without
the `json` module (whose import, with `re`, would double the solution process's start-up), and
read by the judge with `json`, the well-trodden parser: the judge never unmarshals what the
submission wrote. JSON has no tuples, sets, bytes, complex numbers, non-string keys or
non-finite floats, so those travel as `{"$": tag, "v": ...}` objects; every JSON object in a
value is such a tag. Stdlib only.
"""

import marshal
import math
import os
import struct

MAX_FRAME_BYTES = 64 << 20
_HEADER = struct.Struct(">I")
# Integers past this travel as hex: decimal conversion of huge integers is quadratic (and
# limited to 4300 digits since Python 3.11), hex is linear and unlimited.
_BIG_INT = 1 << 64
_ESCAPES = {code: f"\\u{code:04x}" for code in range(32)}
_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\"})


class NotPlain(Exception):
    """A value that cannot cross: not exactly a built-in scalar or container."""


def check(value):
    """Raise NotPlain unless `value` is plain, recursively."""
    kind = type(value)
    if kind in (bool, str, int, float, bytes, complex) or value is None:
        return
    if kind in (list, tuple, set, frozenset):
        for item in value:
            check(item)
    elif kind is dict:
        for key, item in value.items():
            check(key)
            check(item)
    else:
        raise NotPlain(f"a {kind.__name__} is not a plain value")


def to_json(value):
    """JSON text of a plain value (tags as above); NotPlain for anything else."""
    kind = type(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is str:
        escaped = value.translate(_ESCAPES)
        if escaped.isascii() or not _has_surrogates(escaped):
            return '"' + escaped + '"'
        # JSON would join a pair of lone surrogates into one character: code points instead.
        return _tag("str", "[" + ",".join(str(ord(c)) for c in value) + "]")
    if kind is int:
        return str(value) if -_BIG_INT < value < _BIG_INT else _tag("int", f'"{hex(value)}"')
    if kind is float:
        return repr(value) if math.isfinite(value) else _tag("float", f'"{value!r}"')
    if kind is list:
        return "[" + ",".join(to_json(item) for item in value) + "]"
    if kind is tuple or kind is set or kind is frozenset:
        return _tag(kind.__name__, "[" + ",".join(to_json(item) for item in value) + "]")
    if kind is dict:
        pairs = ",".join(f"[{to_json(k)},{to_json(v)}]" for k, v in value.items())
        return _tag("dict", "[" + pairs + "]")
    if kind is bytes:
        return _tag("bytes", f'"{value.hex()}"')
    if kind is complex:
        return _tag("complex", f"[{to_json(value.real)},{to_json(value.imag)}]")
    raise NotPlain(f"a {kind.__name__} is not a plain value")


def _tag(name, encoded):
    return '{"$":"' + name + '","v":' + encoded + "}"


def _has_surrogates(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_TAGGED = {
    "str": lambda v: "".join(map(chr, v)),
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
    """The value that `to_json` wrote as `data` (parsed JSON); ValueError for anything it
    cannot have written."""
    kind = type(data)
    if kind in (bool, str, int, float) or data is None:
        return data
    if kind is list:
        return [decode(item) for item in data]
    if kind is dict and set(data) == {"$", "v"} and data["$"] in _TAGGED:
        try:
            return _TAGGED[data["$"]](data["v"])
        except (TypeError, KeyError, AttributeError, IndexError, OverflowError) as exc:
            raise ValueError(f"malformed {data['$']}") from exc
    raise ValueError("not an encoded plain value")


def send_marshal(fd, message):
    """To the solution's process: a frame of `message` (plain values only) as marshal."""
    _send(fd, marshal.dumps(message))


def receive_marshal(fd):
    """In the solution's process: the next marshal frame, or None at end of stream."""
    body = _receive(fd)
    return None if body is None else marshal.loads(body)


def send_json(fd, text):
    """From the solution's process: a frame of JSON text (`to_json` and literals)."""
    _send(fd, text.encode("utf-8"))


def receive_json(fd):
    """In the judge's process: the next JSON frame as an object, or None at end of stream;
    ValueError for anything malformed."""
    import json  # the judge's process has it already; the solution's never loads it

    body = _receive(fd)
    if body is None:
        return None
    try:
        message = json.loads(body)
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc
    if type(message) is not dict:
        raise ValueError("a message must be an object")
    return message


def _send(fd, data):
    if len(data) > MAX_FRAME_BYTES:
        raise NotPlain(f"a value of {len(data)} bytes is over the {MAX_FRAME_BYTES}-byte limit")
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _receive(fd):
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > MAX_FRAME_BYTES:
        raise ValueError(f"a frame of {size} bytes is over the limit")
    body = _read_exactly(fd, size)
    if body is None:
        raise ValueError("the stream ended inside a frame")
    return body


def _read_exactly(fd, size):
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)
