"""Hosts a Python solution for function-level tests, in the submission's own process.

Run as the submission's identity: `python3 -I -B solution_host.py SOURCE`. It defines the
solution (a module named `solution`), says whether that worked on fd 4, then answers requests
from the tests' process (marshal frames on fd 3, JSON frames out on fd 4; see `plain.py`)
until fd 3 closes:
    {"lookup": [name, ...]} -> {"names": {name: ["callable"] | ["module", module name] |
                                ["value", plain value] | ["method"]}}  (names it defines; a
                                method: of `class Solution`, LeetCode style)
    {"call": name, "args": [...], "kwargs": {...}} -> {"returned": value, "args": [...]} |
        {"raised": [exception type name, message]} | {"not_plain": why}
`args` comes back after a call so that the tests see arguments mutated in place. The solution
runs in this process and can rewrite all of it: nothing here is trusted, the tests' process
takes only plain data from it. Stdlib only, and nothing heavy imported: this start-up is on
every function-level run's critical path.
"""

import builtins
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import plain  # noqa: E402

CALLS_FD, REPLIES_FD = 3, 4
_MODULE = type(sys)


def main():
    source = open(sys.argv[1], encoding="utf-8").read()
    namespace = {"__name__": "solution", "__builtins__": builtins}
    try:
        exec(compile(source, "solution.py", "exec"), namespace)
    except BaseException:
        _print_exception()
        plain.send_json(REPLIES_FD, '{"defined":false}')
        os._exit(1)
    plain.send_json(REPLIES_FD, '{"defined":true}')
    instances = {}
    while True:
        request = plain.receive_marshal(CALLS_FD)
        if request is None:
            os._exit(0)
        if "lookup" in request:
            reply = '{"names":' + directory(namespace, instances, request["lookup"]) + "}"
        else:
            reply = call(namespace, instances, request)
        try:
            plain.send_json(REPLIES_FD, reply)
        except plain.NotPlain as exc:
            plain.send_json(REPLIES_FD, '{"not_plain":' + plain.to_json(str(exc)) + "}")


def directory(namespace, instances, wanted):
    """JSON of what the solution defines under each wanted name."""
    found = []
    for name in wanted:
        if name not in namespace:
            try:
                if resolve(namespace, instances, name) is not None:
                    found.append((name, '["method"]'))
            except Exception:
                pass
            continue
        value = namespace[name]
        if isinstance(value, _MODULE):
            found.append((name, '["module",' + plain.to_json(str(value.__name__)) + "]"))
        elif callable(value):
            found.append((name, '["callable"]'))
        else:
            try:
                found.append((name, '["value",' + plain.to_json(value) + "]"))
            except (plain.NotPlain, RecursionError):
                pass
    return "{" + ",".join(plain.to_json(name) + ":" + entry for name, entry in found) + "}"


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
        args, kwargs = request["args"], request["kwargs"]
        target = resolve(namespace, instances, request["call"])
        if target is None:
            raise NameError(f"name {request['call']!r} is not defined")
        result = target(*args, **kwargs)
    except Exception as exc:
        _print_exception()
        try:
            message = str(exc)[:2000]
        except Exception:
            message = ""
        return '{"raised":' + plain.to_json([type(exc).__name__, message]) + "}"
    try:
        return '{"returned":' + plain.to_json(result) + ',"args":' + plain.to_json(args) + "}"
    except (plain.NotPlain, RecursionError) as exc:
        return '{"not_plain":' + plain.to_json(str(exc)[:200]) + "}"


def _print_exception():
    # The interpreter's own printer: the `traceback` module would cost the start-up.
    sys.__excepthook__(*sys.exc_info())
    sys.stderr.flush()


if __name__ == "__main__":
    main()
