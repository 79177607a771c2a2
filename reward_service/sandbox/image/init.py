"""PID 1 of a sandbox container: reap every orphan as soon as it dies. Stdlib only."""

import os
import signal


def reap(*_):
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main():
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGCHLD, reap)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
