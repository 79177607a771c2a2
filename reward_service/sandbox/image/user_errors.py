"""Errors of the tests and checkers a request gives, as its user sees them: the frames of
their own code and the exception, not the judge's frames (its files and paths stay inside)."""

import sys
import traceback


def format_error(filename):
    """The exception being handled, shown with its frames in `filename` only."""
    error = traceback.TracebackException.from_exception(sys.exc_info()[1])
    own = [frame for frame in error.stack if frame.filename == filename]
    error.stack = traceback.StackSummary.from_list(own)
    text = "".join(error.format(chain=False))
    return text.replace("Traceback (most recent call last):\n", "", 1)
