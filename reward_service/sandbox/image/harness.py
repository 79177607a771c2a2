"""Function-level tests, in the judge's process: HumanEval-style asserts, or one call (the
call-based tests of APPS, TACO, LiveCodeBench).

The solution lives in another process, under the submission's identity (`solution_host.py`);
this one runs under the judge's, which the submission cannot signal, trace or read. The tests
call the solution across the boundary (fds `calls` and `replies`, frames of `plain.py`) and
only plain data comes back: the solution never sees the tests' source, their frames, their
globals or the nonce, and cannot lend the tests objects, builtins or modules of its own.

The run passed only if the nonce line reaches stdout, which is written only after
`check(candidate)` returned or, for a call, followed by the returned value as JSON (the service
compares it with the expected one, which never enters the sandbox). Exit codes say what went
wrong otherwise. Stdlib only.

How the tests see the solution:
- `candidate` and the entry point's name are the solution's function, called remotely: the
  arguments go over as plain values, and come back too, so that a mutation in place shows.
- A name the tests use but neither define nor find among the builtins is looked up in the
  solution (a prompt's helper such as HumanEval/32's `poly`): a function is called remotely, a
  plain value is copied, a module the solution imported under its own name is imported here.
  The builtins are always this process's own: a solution that defines `abs` or `sorted`
  changes nothing for the tests.
- An exception the solution raises is raised here as the built-in exception of that name (or
  `SolutionError`), so tests that expect one still work; a solution that exits or dies ends
  the run at once, whatever the tests would catch.
"""

import builtins
import importlib
import json
import os
import sys
import types

import plain
from user_errors import format_error

EXIT_ASSERTION = 101
EXIT_ERROR = 102
EXIT_SOLUTION_FAILED = 103
EXIT_NO_ENTRY_POINT = 104
EXIT_NOT_PLAIN = 105
EXIT_BAD_TESTS = 106
TESTS_FILE = "tests.py"
SOLUTION_ENDED = "the solution's process ended (it exited or was killed)"


class SolutionError(Exception):
    """An exception the solution raised whose type is not a built-in one."""


def main(job, calls, replies):
    """Run the job's tests (or its one call) against the solution; never returns."""
    solution = Solution(calls, replies)
    if not solution.reply().get("defined"):
        _fail(EXIT_SOLUTION_FAILED, "the solution failed while it was being defined")
    entry_point = job["entry_point"]
    if "args" in job:
        _call(solution, entry_point, job)
    try:
        tests = compile(job["tests"], TESTS_FILE, "exec")
    except (SyntaxError, ValueError):
        _fail(EXIT_BAD_TESTS, "the tests do not compile:\n" + format_error(TESTS_FILE))
    wanted = sorted((_names(tests) - set(vars(builtins))) | {entry_point})
    found = solution.lookup(wanted)
    if entry_point not in found:
        _fail(EXIT_NO_ENTRY_POINT, f"entry point {entry_point!r} is not defined")
    namespace = {"__name__": "tests", "__builtins__": builtins}
    for name, (kind, *value) in found.items():
        bound = _bound(solution, name, kind, value)
        if bound is not _UNBOUND:
            namespace[name] = bound
    candidate = namespace["candidate"] = namespace[entry_point] = solution.remote(entry_point)
    try:
        exec(tests, namespace)
        # Tests given with the prompt (for its helpers) also define the entry point's stub.
        namespace[entry_point] = candidate
        check = namespace.get("check")
        if callable(check):
            check(candidate)
    except AssertionError:
        _fail(EXIT_ASSERTION, format_error(TESTS_FILE))
    except BaseException:
        _fail(EXIT_ERROR, format_error(TESTS_FILE))
    _succeed(job["nonce"], b"")


def _call(solution, entry_point, job):
    if entry_point not in solution.lookup([entry_point]):
        _fail(EXIT_NO_ENTRY_POINT, f"entry point {entry_point!r} is not defined")
    try:
        value = solution.remote(entry_point)(*job["args"])
        returned = json.dumps(value, allow_nan=True, default=_not_json)
    except _NotJson as exc:
        _fail(EXIT_NOT_PLAIN, str(exc))
    except BaseException:
        _fail(EXIT_ERROR, format_error(TESTS_FILE))
    _succeed(job["nonce"], returned.encode() + b"\n")


_UNBOUND = object()


def _bound(solution, name, kind, value):
    if kind == "callable":
        return solution.remote(name)
    if kind == "value" and value:
        try:
            return plain.decode(value[0])
        except (ValueError, RecursionError):
            return _UNBOUND
    # A module only under its own name (`import math`, `from os import path`): a solution
    # must not choose which module a name the tests forgot to import stands for.
    if kind == "module" and value and type(value[0]) is str:
        if name in (value[0], value[0].rpartition(".")[2]):
            try:
                return importlib.import_module(value[0])
            except Exception:
                return _UNBOUND
    return _UNBOUND


def _names(code):
    """Every name a code object and the code nested in it refer to."""
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _names(constant)
    return names


class Solution:
    """The solution's process, seen from here."""

    def __init__(self, calls, replies):
        self.calls = calls
        self.replies = replies

    def reply(self):
        try:
            message = plain.receive_json(self.replies)
        except (ValueError, OSError):
            _fail(EXIT_NOT_PLAIN, "the solution's process sent something unreadable")
        if message is None:
            _fail(EXIT_SOLUTION_FAILED, SOLUTION_ENDED)
        return message

    def lookup(self, names):
        plain.send_marshal(self.calls, {"lookup": names})
        found = self.reply().get("names")
        if type(found) is not dict:
            _fail(EXIT_NOT_PLAIN, "the solution's process sent something unreadable")
        return {
            name: entry
            for name, entry in found.items()
            if name in names and type(entry) is list and entry and entry[0] in _KINDS
        }

    def remote(self, name):
        def remote(*args, **kwargs):
            request = {"call": name, "args": list(args), "kwargs": kwargs}
            try:
                plain.check(request)
            except plain.NotPlain as exc:
                _fail(EXIT_BAD_TESTS, f"the tests pass the solution {exc}: only plain values cross")
            except RecursionError:
                # Nesting that deep came from the solution's own return values.
                _fail(EXIT_NOT_PLAIN, "the tests pass the solution a value nested too deeply")
            try:
                plain.send_marshal(self.calls, request)
            except BrokenPipeError:
                _fail(EXIT_SOLUTION_FAILED, SOLUTION_ENDED)
            return self._outcome(self.reply(), args)

        remote.__name__ = remote.__qualname__ = name
        return remote

    def _outcome(self, reply, args):
        try:
            if "returned" in reply:
                value = plain.decode(reply["returned"])
                _update_in_place(args, plain.decode(reply["args"]))
                return value
        except (ValueError, RecursionError, KeyError):
            _fail(EXIT_NOT_PLAIN, "the solution's process sent something unreadable")
        raised = reply.get("raised")
        if type(raised) is list and len(raised) == 2 and all(type(s) is str for s in raised):
            raise _rebuilt(*raised)
        _fail(EXIT_NOT_PLAIN, f"the solution returned {reply.get('not_plain', 'no plain value')}")


_KINDS = ("callable", "value", "module", "method")


def _update_in_place(sent, returned):
    if type(returned) is not list or len(returned) != len(sent):
        return
    for mine, theirs in zip(sent, returned, strict=True):
        if type(mine) is list and type(theirs) is list:
            mine[:] = theirs
        elif type(mine) in (dict, set) and type(theirs) is type(mine):
            mine.clear()
            mine.update(theirs)


# Exceptions that steer the tests' own control flow rather than fail a check: a
# StopIteration raised into `map(candidate, …)` would end the tests' loop early, as passed.
_STEERING = (StopIteration, StopAsyncIteration)


def _rebuilt(type_name, message):
    kind = getattr(builtins, type_name, None)
    if isinstance(kind, type) and issubclass(kind, Exception) and not issubclass(kind, _STEERING):
        try:
            return kind(message)
        except Exception:
            pass
    return SolutionError(f"{type_name}: {message}")


class _NotJson(Exception):
    pass


def _not_json(value):
    # Sets, bytes, complex: no expected value (JSON) can equal them.
    raise _NotJson(f"returned a {type(value).__name__}, which JSON cannot hold")


def _succeed(nonce, returned):
    sys.stdout.flush()
    os.write(1, b"\n" + nonce.encode() + b"\n" + returned)
    os._exit(0)


def _fail(code, message):
    sys.stdout.flush()
    os.write(2, (message[-2000:] + "\n").encode("utf-8", "replace"))
    os._exit(code)
