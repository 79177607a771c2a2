"""Runs a solution's function in the solution's own process: HumanEval-style assert tests, or
one call (the call-based tests of APPS, TACO, LiveCodeBench).

Stdin: JSON {"solution", "entry_point", "nonce"} and either "tests" (asserts) or "args" (one
call's arguments). The run passed only if the nonce line reaches stdout, and it is written only
after `check(candidate)` returned, or, for a call, followed by the returned value as JSON (the
service compares it with the expected one: that never enters the sandbox). Exit codes say what
went wrong otherwise. Stdlib only: it runs on the sandbox image's python3.

Anti-hacking, and why:
- `sys.exit(0)` / `os._exit(0)` / atexit tricks before the asserts: the nonce is never written,
  so exiting early cannot pass (SandboxFusion's antihack rule, made structural).
- Objects that compare equal to everything: every value the candidate returns must be a plain
  built-in value (exact type, recursively), checked before the tests compare it.
- Patching builtins (`abs`, `isinstance`, ...) or `os.write`: the tests run with a copy of the
  builtins taken before the solution ran, and the harness keeps its own references.
Not prevented, as in every in-process harness (HumanEval's own included): a solution that
monkeypatches a shared module the tests import (`math.fabs = ...`) or walks the interpreter's
objects to find the harness's secret.
"""

import builtins
import json
import os
import sys
import traceback

EXIT_ASSERTION = 101
EXIT_ERROR = 102
EXIT_SOLUTION_FAILED = 103
EXIT_NO_ENTRY_POINT = 104
EXIT_NOT_PLAIN = 105

_SCALARS = (int, float, complex, str, bytes, bool, type(None))
_CONTAINERS = (list, tuple, set, frozenset)


class NotPlainValue(Exception):
    pass


def _is_plain(value, _type=type, _all=all):
    kind = _type(value)
    if kind in _SCALARS:
        return True
    if kind in _CONTAINERS:
        return _all(_is_plain(item) for item in value)
    if kind is dict:
        return _all(_is_plain(k) and _is_plain(v) for k, v in value.items())
    return False


def read_job(write=os.write, exit_now=os._exit):
    """The job, and the one function that can report success (the nonce stays in its closure,
    not in a local variable that `sys._getframe(1).f_locals` would show the solution)."""
    job = json.loads(sys.stdin.read())
    secret = ("\n" + job.pop("nonce") + "\n").encode()

    def report_success(result=b""):
        write(1, secret + result)
        exit_now(0)

    return job, report_success


def main(write=os.write, exit_now=os._exit, format_exc=traceback.format_exc):
    job, report_success = read_job()
    clean_builtins = dict(vars(builtins))

    def fail(code, message):
        write(2, (message[-2000:] + "\n").encode("utf-8", "replace"))
        exit_now(code)

    solution_globals = {"__name__": "solution", "__builtins__": builtins}
    try:
        exec(compile(job["solution"], "solution.py", "exec"), solution_globals)
    except BaseException:
        fail(EXIT_SOLUTION_FAILED, format_exc())
    candidate = find_entry_point(solution_globals, job["entry_point"])
    if not callable(candidate):
        fail(EXIT_NO_ENTRY_POINT, f"entry point {job['entry_point']!r} is not defined")

    def guarded(*args, **kwargs):
        result = candidate(*args, **kwargs)
        if not _is_plain(result):
            raise NotPlainValue(f"returned a {type(result).__name__}, not a plain value")
        return result

    if "args" in job:
        try:
            returned = json.dumps(guarded(*job["args"]), allow_nan=True, default=_not_json)
        except NotPlainValue as exc:
            fail(EXIT_NOT_PLAIN, str(exc))
        except BaseException:
            fail(EXIT_ERROR, format_exc())
        report_success(returned.encode() + b"\n")

    # The tests see the solution's helpers (HumanEval/32's tests call the prompt's `poly`), as
    # in the official harness, but the builtins as they were before the solution ran.
    test_globals = dict(
        solution_globals,
        __name__="tests",
        __builtins__=clean_builtins,
        candidate=guarded,
        **{job["entry_point"]: guarded},
    )
    try:
        exec(compile(job["tests"], "tests.py", "exec"), test_globals)
        check = test_globals.get("check")
        if callable(check):
            check(guarded)
    except NotPlainValue as exc:
        fail(EXIT_NOT_PLAIN, str(exc))
    except AssertionError:
        fail(EXIT_ASSERTION, format_exc())
    except BaseException:
        fail(EXIT_ERROR, format_exc())
    report_success()


def find_entry_point(solution_globals, name):
    """A top-level function, or a method of a LeetCode-style `class Solution`."""
    found = solution_globals.get(name)
    if found is None and isinstance(solution_globals.get("Solution"), type):
        try:
            found = getattr(solution_globals["Solution"](), name, None)
        except BaseException:
            return None
    return found


def _not_json(value):
    # Sets, bytes, complex: no expected value (JSON) can equal them.
    raise NotPlainValue(f"returned a {type(value).__name__}, which JSON cannot hold")


if __name__ == "__main__":
    main()
