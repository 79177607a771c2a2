"""Runs a special judge (a checker) on one test's output, after the program's processes are
gone.

Stdin: JSON {"source", "input", "expected", "output"}; `source` defines
`check(input: str, expected: str, output: str) -> bool`. The last stdout line is the verdict,
`true` or `false`; a checker that raises or returns anything but a bool (or 1 / 0) exits
non-zero, and the service scores the item unjudged (the checker's fault, not the response's).
Stdlib only.
"""

import json
import sys


def main():
    job = json.loads(sys.stdin.read())
    namespace = {"__name__": "checker"}
    exec(compile(job["source"], "checker.py", "exec"), namespace)
    verdict = namespace["check"](job["input"], job["expected"], job["output"])
    # A bool, or the 1 / 0 some checkers return; anything else is the checker's bug.
    if type(verdict) not in (bool, int) or verdict not in (0, 1):
        raise TypeError(f"check returned {verdict!r}, not a bool")
    sys.stdout.write("\ntrue\n" if verdict else "\nfalse\n")


if __name__ == "__main__":
    main()
