"""Runs a special judge (a checker) on one test's output, after the program's processes are
gone.

Stdin: JSON {"source", "input", "expected", "output"}; `source` defines
`check(input: str, expected: str, output: str) -> bool`. The last stdout line is the verdict,
`true` or `false`; a checker that raises or returns anything but a bool exits non-zero, and the
service scores the item unjudged (the checker's fault, not the response's). Stdlib only.
"""

import json
import sys


def main():
    job = json.loads(sys.stdin.read())
    namespace = {"__name__": "checker"}
    exec(compile(job["source"], "checker.py", "exec"), namespace)
    verdict = namespace["check"](job["input"], job["expected"], job["output"])
    if type(verdict) is not bool:
        raise TypeError(f"check returned a {type(verdict).__name__}, not a bool")
    sys.stdout.write("\ntrue\n" if verdict else "\nfalse\n")


if __name__ == "__main__":
    main()
