"""Compile and run submissions against their inputs; report raw facts as JSON lines.

Two modes. `--serve UID` (the Docker backend): a long-lived session in a sandbox container,
as root with only the capabilities to switch identities and kill, reading one job per line on
stdin and writing its events on stdout. The submission runs as UID, the tests and checkers as
UID + 1 (both given to this container alone), and every path the submission can write is
emptied after each job. One-shot `--local` (the local fallback): one job on stdin, its events
on stdout, as a host subprocess, with no identities at all. Stdlib only: it runs on the
image's Debian python3. It reports raw facts (exit code, signal, CPU time, output); the service
decides what they mean, and expected outputs never enter the sandbox.

A job, JSON:
    {"language": "python" | "cpp" | "java" | "javascript" | "go" | "rust", "code": str,
     "inputs": [str, ...], "workdir": str, "budget_s": float,
     "limits": {"time_s", "memory_mb", "output_bytes", "file_bytes", "processes"},
     "harness": null | {"tests": str | null, "entry_point": str, "nonce": str},
     "checker": null | {"source": str, "expected": [str, ...]}}
`time_s` is CPU time per run; `budget_s` bounds the job's total (compiling included): inputs
past it are not run. With a harness and no inputs (Python assert tests), the one run is the
solution hosted in its own process and the tests in the judge's (harness.py); with inputs
(call-based tests), one such run per input, a JSON list of the call's arguments. With a
checker, each run that exits cleanly is followed by checker.py, as the judge, once the
program's processes are gone.

Events, one JSON object per line:
    {"ready": {"uid": int}}                         (serve mode, once, at start)
    {"compile": {"ok", "stderr", "cpu_s", "wall_s", "timed_out"}}
    {"run": {"exit_code", "signal", "timed_out", "output_limit", "cpu_s", "wall_s",
             "stdout", "stderr", "checker"?: {"verdict", "exit_code", "timed_out", "cpu_s",
             "stderr", "sane"}, "tests"?: {"exit_code", "signal", "stdout", "stderr"}}}
    {"done": {"skipped": int, "spent_s": float, "starved": bool, "cancelled": bool,
              "clean": bool, "unavailable": null | str, "error"?: str}}
A line `cancel` on stdin during a job stops it.
"""

import collections
import json
import math
import os
import shutil
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import checker  # noqa: E402
import harness  # noqa: E402
import processes  # noqa: E402
from processes import Identity, Limits  # noqa: E402
from toolchains import PATH, environment, toolchain  # noqa: E402

# Every path the submission can write in a container, all tmpfs mounts it owns, and their
# modes: the runner, root without the capability to read others' files, may look up the
# built files in the work dir by name.
WRITABLE = {"/work": 0o711, "/tmp": 0o700, "/dev/shm": 0o700}
COMPILE_TIME_S = 30
COMPILE_MEMORY_MB = 2048
COMPILE_FILE_BYTES = 64 * 1024 * 1024
# go build forks several tools; rustc and javac run a dozen threads (threads count too).
COMPILE_PROCESSES = 32
JUDGE_TIME_S = 10
JUDGE_MEMORY_MB = 512
JUDGE_PROCESSES = 16
CHECKER_OUTPUT_BYTES = 65536
# Kernel memory a job may leave charged to its container (a cleared one holds under 1 MiB):
# past it the container is replaced, so that no later job pays to reclaim it.
KERNEL_MEMORY = 128 << 20
COMPILE_FILES = 4096
JUDGE_FILES = 256
# Once a checker has judged a run, its output is not needed outside: only this much goes back.
JUDGED_STDOUT_CHARS = 1000


def main():
    # The subreaper: whatever the submission leaves behind is reparented to us, to be killed
    # and reaped (and its CPU time counted), never to PID 1 or the host's init.
    processes.prctl(processes.PR_SET_CHILD_SUBREAPER, 1)
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]))
    else:
        cell = Cell(Identity(None), Identity(None), contained=False)
        signal.signal(signal.SIGTERM, lambda *_: (cell.wipe(), os._exit(1)))
        run_job(json.loads(sys.stdin.buffer.read()), cell, None)


def serve(uid):
    processes.prctl(processes.PR_SET_DUMPABLE, 0)
    # Pseudo-terminals come from a pool all containers on the host share: none for the
    # submission (the node is root's, so root may change its mode without a capability).
    os.chmod("/dev/pts/ptmx", 0o600)
    cell = Cell(Identity(uid), Identity(uid + 1), contained=True)
    emit({"ready": {"uid": uid, "clean": cell.wipe()}})
    control = Control(0)
    while True:
        line = control.readline()
        if line is None:
            return
        if line == b"cancel":
            continue  # for a job that had ended already
        try:
            job = json.loads(line)
        except ValueError:
            emit({"done": {"error": "an unreadable job line", "clean": cell.wipe()}})
            continue
        run_job(job, cell, control)


class Cell:
    """Where jobs run: the identities of the submission and the judge, and how to clear up.
    Not `contained`: the local backend, as a host subprocess, isolating nothing."""

    def __init__(self, submission, judge, contained):
        self.submission = submission
        self.judge = judge
        self.contained = contained

    def tasks(self):
        """Taken before the subject starts: its CPU time counts from here."""
        return processes.Tasks(self.contained)

    def kill(self):
        if self.contained:
            processes.kill_all_but_us()
        else:
            processes.kill_our_children()

    def prepare(self, workdir, path, code):
        """Write the source, as the submission, in its emptied work dir; the snapshot of the
        work dir then (see `snapshot`)."""

        def write():
            _empty_all()
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(code)
            return json.dumps(_listing(workdir)).encode()

        if not self.contained:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(code)
            return None
        listed = self._as_submission(write)
        if listed is None:
            raise RuntimeError("cannot write the source in the work dir")
        return Snapshot(json.loads(listed), _inodes_used())

    def clear(self, path):
        """Remove a directory of the submission's, as the submission."""

        def remove():
            if os.path.isdir(path):
                _empty(path)
                os.rmdir(path)

        return self._as_submission(remove) is not None

    def snapshot(self, workdir):
        """What the work dir holds once the program is built, as each run must find it: its
        entries, by path, with their inode and change time (which no process can set back)."""
        if not self.contained:
            return None
        listed = self._as_submission(lambda: json.dumps(_listing(workdir)).encode())
        if listed is None:
            raise RuntimeError("cannot list the work dir")
        return Snapshot(json.loads(listed), _inodes_used())

    def reset(self, workdir, snapshot):
        """Back to the snapshot before the next run: everything the last run made goes (in
        every writable path), and the built files must be untouched. None, or what is wrong."""
        if snapshot is None or _untouched(workdir, snapshot):
            return None

        def restore():
            for path, mode in WRITABLE.items():
                os.chmod(path, mode)
                if path != workdir:
                    _empty(path)
            return _restore(workdir, snapshot.entries).encode()

        outcome = self._as_submission(restore)
        if outcome is None:
            return "the work dir could not be restored"
        return outcome.decode() or None

    def wipe(self):
        """Kill and reap every process of the job, then (in a container) empty every path
        the submission can write; False if that failed, or if the job left more kernel memory
        charged to the container than any job should (a later job would pay to reclaim it)."""
        try:
            processes.reap_all([], self.kill)
        except RuntimeError:
            return False
        if not self.contained:
            return True
        return self._as_submission(_empty_all) is not None and _kernel_memory() < KERNEL_MEMORY

    def _as_submission(self, action):
        """Run `action` as the submission in a forked helper (it alone of the submission's
        identity then alive); what it returned (bytes), or None if it failed."""
        if not self.contained:
            return action() or b""
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(read_end)
                self.submission.assume()
                output = action() or b""
                while output:
                    output = output[os.write(write_end, output) :]
            except BaseException:
                os._exit(1)
            os._exit(0)
        os.close(write_end)
        output = processes._read_all(read_end)
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
        return output if status == 0 else None


# The work dir's entries as the build left them ({path: [kind, inode, change time]}), and the
# inodes then in use in each writable mount.
Snapshot = collections.namedtuple("Snapshot", "entries inodes")


def _inodes_used():
    used = {}
    for path in WRITABLE:
        stats = os.statvfs(path)
        used[path] = stats.f_files - stats.f_ffree
    return used


def _untouched(workdir, snapshot):
    """Whether the last run left the writable mounts as the snapshot has them, told without
    reading any directory: as many inodes in use in each (nothing made, nothing removed), and
    each built file the very inode it was, unchanged since (an inode's change time moves with
    any write, chmod, link or rename, and no process can set it back)."""
    if _inodes_used() != snapshot.inodes:
        return False
    for relative, (_kind, inode, changed) in snapshot.entries.items():
        try:
            info = os.lstat(os.path.join(workdir, relative))
        except OSError:
            return False
        if (info.st_ino, info.st_ctime_ns) != (inode, changed):
            return False
    return True


def _listing(workdir):
    """{path relative to workdir: [kind, inode, change time]} of everything under it."""
    found = {}
    folders = [""]
    while folders:
        folder = folders.pop()
        for entry in os.scandir(os.path.join(workdir, folder) if folder else workdir):
            relative = os.path.join(folder, entry.name)
            info = entry.stat(follow_symlinks=False)
            kind = "d" if entry.is_dir(follow_symlinks=False) else "f"
            found[relative] = [kind, info.st_ino, info.st_ctime_ns]
            if kind == "d":
                folders.append(relative)
    return found


def _restore(workdir, snapshot):
    """Remove what is not in the snapshot from the folders it lists; '' if the rest is as
    it was, else what changed."""
    for folder in [""] + [path for path, (kind, *_) in snapshot.items() if kind == "d"]:
        full = os.path.join(workdir, folder) if folder else workdir
        try:
            entries = list(os.scandir(full))
        except OSError as exc:
            return f"{folder or '.'}: {exc.strerror}"
        for entry in entries:
            relative = os.path.join(folder, entry.name)
            if relative in snapshot:
                continue
            if entry.is_dir(follow_symlinks=False):
                os.chmod(entry.path, 0o700)
                _empty(entry.path)
                os.rmdir(entry.path)
            else:
                os.unlink(entry.path)
    for relative, (_kind, inode, changed) in snapshot.items():
        try:
            info = os.lstat(os.path.join(workdir, relative))
        except OSError:
            return f"{relative} is gone"
        if (info.st_ino, info.st_ctime_ns) != (inode, changed):
            return f"{relative} was changed"
    return ""


def _kernel_memory():
    """Bytes of kernel memory charged to the container (dentries, inodes, buffers), 0 where
    the cgroup does not say."""
    for path in ("/sys/fs/cgroup/memory/memory.kmem.usage_in_bytes",):
        try:
            return int(open(path).read())
        except (OSError, ValueError):
            continue
    try:
        for line in open("/sys/fs/cgroup/memory.stat"):
            if line.startswith("slab "):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _empty_all():
    for path, mode in WRITABLE.items():
        os.chmod(path, mode)
        for name in os.listxattr(path):
            os.removexattr(path, name)
        _empty(path)
        if os.listdir(path):
            raise RuntimeError(f"{path} is not empty")
        # Nothing else may hold the mount's inodes or space: the next job gets all of them.
        stats = os.statvfs(path)
        if stats.f_files - stats.f_ffree > 1 or stats.f_blocks != stats.f_bfree:
            raise RuntimeError(f"{path} still holds inodes or space")


def _empty(top):
    """Remove everything under `top`, without following links, in time linear in the number
    of entries (each directory is read once), holding one directory open at a time and no
    recursion: a tree of any depth or width goes."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    path = []  # names from `top` down to the directory `fd` is
    pending = [_remove_files(fd)]  # per level: the subdirectories left to remove
    try:
        while True:
            if pending[-1]:
                name = pending[-1].pop()
                os.chmod(name, 0o700, dir_fd=fd)
                inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                os.close(fd)
                fd = inner
                path.append(name)
                pending.append(_remove_files(fd))
                continue
            pending.pop()
            if not path:
                return
            parent = os.open("..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = parent
            os.rmdir(path.pop(), dir_fd=fd)
    finally:
        os.close(fd)


def _remove_files(fd):
    """Unlink everything in the directory but its subdirectories; their names."""
    subdirectories = []
    with os.scandir(fd) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                subdirectories.append(entry.name)
            else:
                os.unlink(entry.name, dir_fd=fd)
    return subdirectories


class Control:
    """The session's stdin: jobs, one per line, and `cancel` lines during a job."""

    def __init__(self, fd):
        self.fd = fd
        self.buffer = bytearray()
        self.lines = []
        self.cancel = False
        self.closed = False

    def read(self):
        data = os.read(self.fd, 1 << 20)
        if not data:
            self.closed = True
        self.buffer += data
        while b"\n" in self.buffer:
            line, _, rest = bytes(self.buffer).partition(b"\n")
            self.buffer = bytearray(rest)
            if line.strip() == b"cancel":
                self.cancel = True
            else:
                self.lines.append(line)

    def readline(self):
        """The next job line; None once stdin is closed."""
        self.cancel = False
        while not self.lines:
            if self.closed:
                return None
            self.read()
        return self.lines.pop(0)

    def cancelled(self):
        return self.cancel or self.closed


def emit(event):
    data = (json.dumps(event, ensure_ascii=False) + "\n").encode()
    view = memoryview(data)
    while view:
        view = view[os.write(1, view) :]


def run_job(job, cell, control):
    outcome = {"skipped": 0, "starved": False, "cancelled": False, "unavailable": None}
    running = Job(job, cell, control)
    try:
        running.run(outcome)
    except Exception as exc:
        # The runner's own failure (a bug, a process it could not start): the sandbox's fault.
        outcome["error"] = f"{type(exc).__name__}: {exc}"[-1000:]
    outcome["spent_s"] = round(running.spent_s, 4)
    outcome["clean"] = cell.wipe()
    emit({"done": outcome})


class Job:
    def __init__(self, job, cell, control):
        self.job = job
        self.cell = cell
        self.control = control
        self.limits = job["limits"]
        self.workdir = job["workdir"]
        budget = job.get("budget_s")
        self.budget_s = math.inf if budget is None else float(budget)
        self.spent_s = 0.0
        self.program_ran = False

    def run(self, outcome):
        job, limits = self.job, self.limits
        try:
            tools = toolchain(
                job["language"], job["code"], self.workdir, int(limits["memory_mb"]),
                job.get("harness"),
            )
        except ValueError as exc:
            outcome["unavailable"] = str(exc)
            return
        self.tools = tools
        tool = (tools.build or tools.run)[0]
        if shutil.which(tool, path=PATH) is None:
            # The machine's fault, not the submission's (the local backend on a bare host).
            outcome["unavailable"] = f"`{tool}` is not installed here"
            return
        self.snapshot = self.cell.prepare(self.workdir, tools.source, job["code"])
        self.env = environment(tools.env)
        if tools.build is not None and not self.compile(outcome):
            return
        # Every run starts from the built work dir, nothing of the runs before it: a program
        # must not carry work (or a checkpoint) from one run to the next.
        if tools.build is not None:
            self.snapshot = self.cell.snapshot(self.workdir)
        inputs = job["inputs"] or ([None] if job.get("harness") else [])
        for index, stdin in enumerate(inputs):
            if self.spent_s >= self.budget_s:
                outcome["skipped"] = len(inputs) - index
                return
            changed = self.cell.reset(self.workdir, self.snapshot) if index else None
            run = self.case(index, stdin) if changed is None else _unstartable(changed)
            outcome["starved"] = run.pop("starved")
            outcome["cancelled"] = run.pop("cancelled")
            if outcome["starved"] or outcome["cancelled"]:
                outcome["skipped"] = len(inputs) - index
                return
            self.spent_s += _charge(run)
            emit({"run": run})

    def compile(self, outcome):
        limits = Limits(
            COMPILE_TIME_S,
            COMPILE_MEMORY_MB,
            COMPILE_FILE_BYTES,
            max(int(self.limits["processes"]), COMPILE_PROCESSES),
            files=COMPILE_FILES,
        )
        facts = self.execute(self.tools.build, b"", limits)
        outcome["starved"], outcome["cancelled"] = facts["starved"], facts["cancelled"]
        if facts["starved"] or facts["cancelled"]:
            return False
        self.spent_s += _charge(facts)
        if self.job["language"] == "go":
            # Only the build needs the build cache; the runs start without it.
            self.cell.clear(os.path.join(self.workdir, ".gocache"))
        ok = facts["exit_code"] == 0 and not facts["timed_out"]
        emit(
            {
                "compile": {
                    "ok": ok,
                    "stderr": facts["stderr"],
                    "cpu_s": facts["cpu_s"],
                    "wall_s": facts["wall_s"],
                    "timed_out": facts["timed_out"],
                }
            }
        )
        return ok

    def case(self, index, stdin):
        limits = self.limits
        run_limits = Limits(
            limits["time_s"],
            self.tools.address_space_mb,
            limits["file_bytes"],
            int(limits["processes"]),
            self.tools.stack_mb,
        )
        # A compiled program that does not start (no executable came out of it), or any
        # program after an earlier run of it: then a run that cannot start is its own doing.
        own_doing = self.program_ran or self.tools.build is not None
        self.program_ran = True
        spec = self.job.get("harness")
        try:
            if spec:
                request = {"entry_point": spec["entry_point"], "nonce": spec["nonce"]}
                if stdin is None:
                    request["tests"] = spec["tests"]
                else:
                    request["args"] = json.loads(stdin)
                return self.hosted(request, run_limits)
            run = self.execute(self.tools.run, stdin.encode("utf-8"), run_limits)
        except processes.StartFailed as exc:
            if not own_doing:
                raise
            return _unstartable(str(exc))
        checker_spec = self.job.get("checker")
        if checker_spec and run["exit_code"] == 0 and not run["timed_out"]:
            if not (run["output_limit"] or run["starved"] or run["cancelled"]):
                expected = checker_spec["expected"][index]
                run["checker"] = self.check(checker_spec["source"], stdin, expected, run["stdout"])
                run["stdout"] = run["stdout"][:JUDGED_STDOUT_CHARS]
        return run

    def execute(self, argv, stdin, limits):
        """The program as the submission, alone."""
        tasks = self.cell.tasks()
        child = processes.start(
            self.cell.submission, limits, argv=argv, env=self.env, cwd=self.workdir,
            stdin=stdin, oom_first=True,
        )
        tasks.session = child.pid
        outcome = processes.watch(
            child, tasks, limits.time_s, int(self.limits["output_bytes"]), self.cell.kill,
            self.control,
        )
        return _facts(child, outcome)

    def hosted(self, request, limits):
        """The solution hosted as the submission, driven by the tests as the judge."""
        calls_r, calls_w = os.pipe()
        replies_r, replies_w = os.pipe()
        tasks = self.cell.tasks()
        try:
            solution = processes.start(
                self.cell.submission, limits, argv=self.tools.run, env=self.env,
                cwd=self.workdir, fds={3: calls_r, 4: replies_w}, oom_first=True,
            )
        except processes.StartFailed:
            os.close(calls_w)
            os.close(replies_r)
            raise
        tests = processes.start(
            self.cell.judge, self.judge_limits(), fds={3: calls_w, 4: replies_r},
            target=lambda: harness.main(request, 3, 4),
        )
        tasks.session = solution.pid
        tasks.exclude.add(tests.pid)
        tasks.judge = tests.pid
        output_bytes = int(self.limits["output_bytes"])
        outcome = processes.watch(
            solution, tasks, limits.time_s, output_bytes, self.cell.kill, self.control,
            peer=tests, peer_cap=output_bytes,
        )
        facts = _facts(solution, outcome)
        facts["tests"] = {
            "exit_code": tests.exit_code,
            "signal": tests.signal,
            "stdout": tests.stdout.decode("utf-8", "replace"),
            "stderr": tests.stderr.decode("utf-8", "replace"),
        }
        return facts

    def check(self, source, stdin, expected, output):
        """The checker's verdict on one output (None if it failed, with `sane` saying whether
        it accepts the expected output itself: then the output made it fail)."""
        verdict = self.checker_run(source, stdin, expected, output)
        if verdict["verdict"] is None:
            sane = self.checker_run(source, stdin, expected, expected)
            verdict["sane"] = sane["verdict"] is True
        return verdict

    def checker_run(self, source, stdin, expected, output):
        limits = self.judge_limits()
        tasks = self.cell.tasks()
        child = processes.start(
            self.cell.judge, limits,
            target=lambda: checker.main(source, stdin, expected, output),
        )
        tasks.session = child.pid
        outcome = processes.watch(
            child, tasks, limits.time_s, CHECKER_OUTPUT_BYTES, self.cell.kill
        )
        last_line = child.stdout.decode("utf-8", "replace").rstrip("\n").rpartition("\n")[2]
        verdict = None
        if child.exit_code == 0 and last_line in ("true", "false"):
            verdict = last_line == "true"
        return {
            "verdict": verdict,
            "exit_code": child.exit_code,
            "timed_out": outcome.timed_out or outcome.starved,
            "cpu_s": round(outcome.cpu_s, 4),
            "stderr": child.stderr.decode("utf-8", "replace"),
            "sane": None,
        }

    def judge_limits(self):
        return Limits(
            max(JUDGE_TIME_S, float(self.limits["time_s"])),
            max(JUDGE_MEMORY_MB, int(self.limits["memory_mb"])),
            0,
            JUDGE_PROCESSES,
            files=JUDGE_FILES,
        )


def _charge(facts):
    """What a run costs the job's budget: its CPU time, or its time neither running nor kept
    from running by others, whichever is longer (many threads of one program keep each other
    waiting, which spends CPU time)."""
    return max(facts.pop("effective_s"), facts["cpu_s"])


def _unstartable(message):
    return {
        "exit_code": 127,
        "signal": None,
        "timed_out": False,
        "output_limit": False,
        "cpu_s": 0.0,
        "wall_s": 0.0,
        "effective_s": 0.0,
        "starved": False,
        "cancelled": False,
        "stdout": "",
        "stderr": f"cannot start the program: {message}",
    }


def _facts(child, outcome):
    return {
        "exit_code": child.exit_code,
        "signal": child.signal,
        "timed_out": outcome.timed_out
        or child.signal == signal.SIGXCPU,
        "output_limit": outcome.output_limit,
        "cpu_s": round(outcome.cpu_s, 4),
        "wall_s": round(outcome.wall_s, 4),
        "effective_s": outcome.effective_s,
        "starved": outcome.starved,
        "cancelled": outcome.cancelled,
        "stdout": child.stdout.decode("utf-8", "replace"),
        "stderr": child.stderr.decode("utf-8", "replace"),
    }


if __name__ == "__main__":
    main()
