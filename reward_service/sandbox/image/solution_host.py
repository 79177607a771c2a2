"""Hosts a Python solution for function-level tests, in the submission's own process.

Run as the submission's identity: `python3 -I -B solution_host.py SOURCE`. It defines the
solution (a module named `solution`), says whether that worked on fd 4, then answers requests
from the tests' process (fd 3 in, fd 4 out, frames of `plain.py`) until fd 3 closes:
    {"lookup": [name, ...]} -> {"names": {name: ["callable"] | ["module", module name] |
                                ["value", plain value] | ["method"]}}  (names it defines; a
                                method: of `class Solution`, LeetCode style)
    {"call": name, "args": [...], "kwargs": {...}} -> {"returned": value, "args": [...]} |
        {"raised": [exception type name, message]} | {"not_plain": why}
`args` comes back after a call so that the tests see arguments mutated in place. The solution
runs in this process and can rewrite all of it: nothing here is trusted, the tests' process
takes only plain data from it. Stdlib only.
"""

import builtins
import os
import sys
import traceback
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import plain  # noqa: E402

CALLS_FD, REPLIES_FD = 3, 4


def main():
    source = open(sys.argv[1], encoding="utf-8").read()
    namespace = {"__name__": "solution", "__builtins__": builtins}
    try:
        exec(compile(source, "solution.py", "exec"), namespace)
    except BaseException:
        sys.stderr.write(traceback.format_exc()[-2000:])
        sys.stderr.flush()
        plain.send(REPLIES_FD, {"defined": False})
        os._exit(1)
    plain.send(REPLIES_FD, {"defined": True})
    instances = {}
    while True:
        request = plain.receive(CALLS_FD)
        if request is None:
            os._exit(0)
        if "lookup" in request:
            reply = {"names": directory(namespace, instances, request["lookup"])}
        else:
            reply = call(namespace, instances, request)
        try:
            plain.send(REPLIES_FD, reply)
        except plain.NotPlain as exc:
            plain.send(REPLIES_FD, {"not_plain": str(exc)})


def directory(namespace, instances, wanted):
    found = {}
    for name in wanted:
        if type(name) is not str:
            continue
        if name not in namespace:
            try:
                if resolve(namespace, instances, name) is not None:
                    found[name] = ["method"]
            except Exception:
                pass
            continue
        value = namespace[name]
        if isinstance(value, types.ModuleType):
            found[name] = ["module", value.__name__]
        elif callable(value):
            found[name] = ["callable"]
        else:
            try:
                found[name] = ["value", plain.encode(value)]
            except (plain.NotPlain, RecursionError):
                pass
    return found


def resolve(namespace, instances, name):
    """A top-level function, or a method of a LeetCode-style `class Solution`."""
    target = namespace.get(name)
    if target is None and isinstance(namespace.get("Solution"), type):
        if "Solution" not in instances:
            instances["Solution"] = namespace["Solution"]()
        target = getattr(instances["Solution"], name, None)
    return target


def call(namespace, instances, request):
    try:
        args = plain.decode(request["args"])
        kwargs = plain.decode(request["kwargs"])
        target = resolve(namespace, instances, request["call"])
        if target is None:
            raise NameError(f"name {request['call']!r} is not defined")
        result = target(*args, **kwargs)
    except Exception as exc:
        sys.stderr.write(traceback.format_exc()[-2000:])
        try:
            message = str(exc)[:2000]
        except Exception:
            message = ""
        return {"raised": [type(exc).__name__, message]}
    try:
        return {"returned": plain.encode(result), "args": plain.encode(args)}
    except (plain.NotPlain, RecursionError) as exc:
        return {"not_plain": str(exc)[:200]}


if __name__ == "__main__":
    main()
