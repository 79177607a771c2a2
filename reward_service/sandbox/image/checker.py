"""A special judge (a checker) on one test's output, in the judge's process, once the
program's processes are gone.

`source` defines `check(input: str, expected: str, output: str) -> bool`. The last stdout
line is the verdict, `true` or `false`; a checker that raises or returns anything but a bool
(or 1 / 0) exits non-zero. The runner then asks the checker about the expected output itself:
a checker that accepts it failed because of the program's output (the program's fault), one
that does not is broken (the item is unjudged). Stdlib only.
"""

import os
import sys

from user_errors import format_error


def main(source, input_text, expected, output):
    """Write the verdict and exit; never returns."""
    try:
        namespace = {"__name__": "checker"}
        exec(compile(source, "checker.py", "exec"), namespace)
        verdict = namespace["check"](input_text, expected, output)
        # A bool, or the 1 / 0 some checkers return; anything else is the checker's bug.
        if type(verdict) not in (bool, int) or verdict not in (0, 1):
            raise TypeError(f"check returned {verdict!r}, not a bool")
    except BaseException:
        sys.stdout.flush()
        os.write(2, format_error("checker.py")[-2000:].encode("utf-8", "replace"))
        os._exit(1)
    sys.stdout.flush()
    os.write(1, b"\ntrue\n" if verdict else b"\nfalse\n")
    os._exit(0)
