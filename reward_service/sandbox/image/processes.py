"""Processes of a sandbox job: started under an identity with limits, watched, killed, reaped.

In a container the runner is root with a handful of capabilities (SETUID, SETGID, SETPCAP,
KILL) and nothing else; the submission's processes run as its own uid, the judge's (tests,
checkers) as another, both with no capabilities at all, so the kernel refuses either of them
any signal, trace or /proc access to the runner, PID 1 or each other. The runner is the child
subreaper: every process the submission leaves behind is reparented to it, reaped by it, and
its CPU time accounted.

Time verdicts are the program's own CPU time, over all its processes and threads. Wall time
is only a backstop, and what counts against it is the time the program was neither running nor
waiting for a CPU (its tasks' run-queue delay comes from /proc/<pid>/task/*/schedstat): a
program that sleeps or blocks runs into it, one that the machine starves does not. Past a hard
cap of plain wall time the run is `starved`, the machine's fault. A program cannot fake being
starved: its own tasks can only make each other wait while one of them runs, which spends its
CPU time, and that runs out first. Stdlib only.
"""

import ctypes
import errno
import fcntl
import math
import os
import resource
import select
import signal
import time

PR_SET_DUMPABLE = 4
PR_SET_SECCOMP = 22
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
POLL_S = 0.05
# A loop iteration longer than this means the runner itself could not run (the container was
# frozen, or the machine starved it): that stretch counts against no one.
STALL_S = 0.5
EXIT_DRAIN_S = 0.1
STDERR_KEEP = 4096
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CAP_LAST = int(open("/proc/sys/kernel/cap_last_cap").read())
_libc = ctypes.CDLL(None, use_errno=True)


def backstop_s(time_s):
    """Idle time allowed past a CPU limit: a program that sleeps or blocks stops here."""
    return 2 * time_s + 1


def hard_cap_s(time_s):
    """Plain wall time after which a run counts as starved by the machine."""
    return 10 * time_s + 30


def prctl(option, value):
    if _libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


class Identity:
    """Who a process runs as: a uid (and gid of the same number), or None to stay as we are
    (the local backend, where nothing is isolated)."""

    def __init__(self, uid):
        self.uid = uid

    def assume(self):
        """In a child, as root: drop every capability for good and become the uid."""
        if self.uid is None:
            return
        for capability in range(CAP_LAST + 1):
            prctl(PR_CAPBSET_DROP, capability)
        os.setgroups([])
        os.setresgid(self.uid, self.uid, self.uid)
        os.setresuid(self.uid, self.uid, self.uid)


class Limits:
    """Per-process resource limits: CPU seconds, address space and stack (MiB), file size,
    processes of the identity (None: leave as is), open files. Open files bound the kernel
    memory a process can hold outside its RSS (pipe and socket buffers)."""

    def __init__(self, time_s, address_space_mb, file_bytes, processes, stack_mb=None, files=512):
        self.time_s = float(time_s)
        self.address_space_mb = int(address_space_mb)
        self.file_bytes = int(file_bytes)
        self.processes = processes
        self.stack_mb = stack_mb
        self.files = files

    def apply(self):
        memory = self.address_space_mb << 20
        cpu = math.ceil(self.time_s) + 1
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        if self.stack_mb:
            stack = int(self.stack_mb) << 20
            resource.setrlimit(resource.RLIMIT_STACK, (stack, stack))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.file_bytes, self.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.files, self.files))
        if self.processes is not None:
            count = int(self.processes)
            resource.setrlimit(resource.RLIMIT_NPROC, (count, count))


class Child:
    """A started process and the runner's ends of its pipes."""

    def __init__(self, pid, stdout, stderr, feed=None, data=b""):
        self.pid = pid
        self.stdout_fd = stdout
        self.stderr_fd = stderr
        self.feed_fd = feed
        self.data = data
        self.written = 0
        self.stdout = bytearray()
        self.stderr = bytearray()
        self.status = None
        self.stopped = False
        self.cpu_s = 0.0

    @property
    def exit_code(self):
        if self.status is None or not os.WIFEXITED(self.status):
            return None
        return os.WEXITSTATUS(self.status)

    @property
    def signal(self):
        """The signal that ended it, unless it was ours (`stopped`)."""
        if self.stopped or self.status is None or not os.WIFSIGNALED(self.status):
            return None
        return os.WTERMSIG(self.status)


def start(identity, limits, *, argv=None, target=None, env=None, cwd="/", stdin=b"",
          fds=None, oom_first=False):
    """Start `argv` (exec'd) or `target` (called in the forked child, never returning) as
    `identity` under `limits`, in a session of its own, with `fds` ({child fd: our fd}) on
    top of stdin, stdout and stderr. stdin is a pipe fed `stdin`, never a file: data read from
    a pipe is gone, so nothing can be read back through /proc/self/fd/0."""
    stdin_r, stdin_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    failed_r, failed_w = os.pipe2(os.O_CLOEXEC)
    mapping = {0: stdin_r, 1: out_w, 2: err_w, **(fds or {})}
    pid = os.fork()
    if pid == 0:
        try:
            os.close(failed_r)
            failed_w = _child_fds(mapping, keep=failed_w)
            os.setsid()
            if oom_first:
                # The memory cgroup's OOM killer then picks the submission, not the runner.
                # The submission may lower it again, but its memory shows in its RSS, which the
                # killer weighs too: memfds, which hold memory no process's RSS shows, are
                # refused it.
                with open("/proc/self/oom_score_adj", "w") as handle:
                    handle.write("1000")
                refuse_system_calls()
            limits.apply()
            identity.assume()
            os.chdir(cwd)
            os.umask(0o077)
            if argv is not None:
                # Python ignores these; a program expects them at their defaults.
                signal.signal(signal.SIGPIPE, signal.SIG_DFL)
                signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
                os.execvpe(argv[0], argv, env or {})
            os.close(failed_w)  # started: nothing more to report
            target()
        except BaseException as exc:
            code = getattr(exc, "errno", None) or errno.EPERM
            try:
                os.write(failed_w, f"{code} {type(exc).__name__}: {exc}".encode()[:500])
            finally:
                os._exit(127)
        os._exit(127)
    for fd in (stdin_r, out_w, err_w, failed_w, *(fds or {}).values()):
        os.close(fd)
    failure = _read_all(failed_r)
    os.close(failed_r)
    if failure:
        os.waitpid(pid, 0)
        for fd in (stdin_w, out_r, err_r):
            os.close(fd)
        raise StartFailed(failure.decode("utf-8", "replace"))
    if not stdin:
        os.close(stdin_w)
        stdin_w = None
    else:
        os.set_blocking(stdin_w, False)
    return Child(pid, out_r, err_r, stdin_w, stdin)


# A seccomp filter of the submission's own, on top of Docker's: system calls that would let it
# hold memory no process's RSS shows (memfd_create, and sockets, whose buffers fill as pipes'
# do but past any per-uid bound: the OOM killer would take the runner), use host-wide pools
# other containers need (Linux AIO contexts, io_uring), make the whole host write back its
# dirty pages (sync, syncfs), or set extended attributes (on tmpfs, user xattrs on the mounts'
# roots outlive any wipe of their entries and use up their inodes) fail with EPERM; so does any
# system call of another ABI than the machine's own (i386 or x32 numbers, where these differ).
# socketpair stays: the JVM makes one as it starts.
_REFUSED = {
    # memfd_create, io_setup, io_destroy, io_getevents, io_submit, io_cancel, sync, syncfs,
    # io_uring_setup, io_uring_enter, io_uring_register, socket, setxattr, lsetxattr,
    # fsetxattr, setxattrat; then AUDIT_ARCH.
    "x86_64": (
        (319, 206, 207, 208, 209, 210, 162, 306, 425, 426, 427, 41, 188, 189, 190, 463),
        0xC000003E,
    ),
    "aarch64": (
        (279, 0, 1, 4, 2, 3, 81, 267, 425, 426, 427, 198, 5, 6, 7, 463),
        0xC00000B7,
    ),
}
_X32_BIT = 0x40000000


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def refuse_system_calls():
    """In a child with no-new-privileges: install the filter above (on a machine it knows)."""
    known = _REFUSED.get(os.uname().machine)
    if known is None:
        return
    numbers, arch = known
    load, jump_eq, jump_ge, ret = 0x20, 0x15, 0x35, 0x06
    refuse, allow = (ret, 0, 0, 0x00050000 | errno.EPERM), (ret, 0, 0, 0x7FFF0000)
    # Jumps count the instructions skipped: `refuse` is at 5 + len(numbers).
    checks = len(numbers)
    program = [
        (load, 0, 0, 4),  # 0: the ABI
        (jump_eq, 0, checks + 3, arch),  # 1: another one: refused
        (load, 0, 0, 0),  # 2: the system call's number
        (jump_ge, checks + 1, 0, _X32_BIT),  # 3: x32: refused
        # 4 ...: each refused number jumps to `refuse`, the rest fall through to `allow`.
        *((jump_eq, checks - index, 0, number) for index, number in enumerate(numbers)),
        allow,
        refuse,
    ]
    filters = (_SockFilter * len(program))(*program)
    prog = _SockFprog(len(program), filters)
    if _libc.prctl(PR_SET_SECCOMP, 2, ctypes.byref(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "cannot install the seccomp filter")


class StartFailed(Exception):
    """A process could not be started (its executable missing, a limit refused)."""


def _child_fds(mapping, keep):
    """Give the child exactly `mapping`'s fds and `keep` (close-on-exec, as the fd returned),
    nothing else."""
    top = max(mapping) + 1
    # Above the targets first, so that no target overwrites a source still to be copied.
    high = {target: fcntl.fcntl(source, fcntl.F_DUPFD, top) for target, source in mapping.items()}
    keep = fcntl.fcntl(keep, fcntl.F_DUPFD_CLOEXEC, top)
    for target, source in high.items():
        os.dup2(source, target)
    os.closerange(top, keep)
    os.closerange(keep + 1, 1 << 20)
    return keep


def _read_all(fd):
    chunks = []
    while True:
        chunk = os.read(fd, 4096)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


# The container's CPU usage in its cgroup (v2, then v1 with either mount name), and the unit.
_CGROUP_CPU = (
    ("/sys/fs/cgroup/cpu.stat", 1e-6),
    ("/sys/fs/cgroup/cpuacct/cpuacct.usage", 1e-9),
    ("/sys/fs/cgroup/cpu,cpuacct/cpuacct.usage", 1e-9),
)


def _cgroup_cpu_s():
    """CPU seconds the container's cgroup has used, or None where it cannot be read."""
    for path, unit in _CGROUP_CPU:
        try:
            with open(path, "rb") as handle:
                text = handle.read()
        except OSError:
            continue
        if path.endswith("cpu.stat"):
            text = text.partition(b"usage_usec ")[2].split(b"\n")[0]
        try:
            return int(text) * unit
        except ValueError:
            continue
    return None


class Tasks:
    """The subject's processes as the kernel sees them: in a container, every process but PID
    1, the runner and those it names as the judge's (`exclude`); on the host, those of one
    `session` (set once the subject started)."""

    def __init__(self, contained):
        self.contained = contained
        self.exclude = {1, os.getpid()}
        self.session = None
        self.judge = None  # the tests' process, when one drives the run
        self.delays = {}
        self.judge_busy = {}
        # In a container, CPU time is counted by its cgroup, which sees every process that ever
        # ran in it: a process can hide from any count of the live ones (its children reaped by
        # the kernel, with SIGCHLD ignored, vanish with their CPU time), not from the cgroup.
        self.cgroup_start = _cgroup_cpu_s() if contained else None

    def counted_by_cgroup(self):
        return self.cgroup_start is not None

    def cgroup_cpu_s(self, judge=None):
        """The subject's CPU seconds since we were made: the cgroup's, less the judge's
        (`judge`, a Child, if one ran meanwhile). The runner's own counts: during a run it
        works only for the subject (reading its output), and a subject that could make it work
        for free could make it a CPU hog no one pays for."""
        used = _cgroup_cpu_s() - self.cgroup_start
        if judge is not None:
            if judge.status is not None:
                used -= judge.cpu_s
            else:
                used -= sum(_stat(judge.pid, slice(11, 15)) or ()) / CLOCK_TICKS
        return max(0.0, used)

    def pids(self):
        found = []
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            pid = int(name)
            if pid in self.exclude:
                continue
            if not self.contained and _stat(pid, 3) != self.session:
                continue
            found.append(pid)
        return found

    def cpu_s(self):
        """CPU seconds of the live processes, their reaped children included."""
        return sum(sum(_stat(pid, slice(11, 15)) or ()) for pid in self.pids()) / CLOCK_TICKS

    def sample(self):
        """CPU seconds as `cpu_s`, and how long, since the last sample, the subject was kept
        from running by others (in seconds): the largest growth of any one of its tasks'
        run-queue delay, or of the time the tests' process was busy (running or waiting to),
        while the subject waited on it. The delay of a task that lowered its own priority
        (nice above 0, or the batch or idle policy) is its own choice and does not count."""
        cpu_ticks = 0
        held = 0
        for pid in self.pids():
            times = _stat(pid, slice(11, 15))
            if times is None:
                continue
            cpu_ticks += sum(times)
            for tid, (_running, delay, lowered) in _task_times(pid):
                key = (pid, tid)
                if not lowered:
                    held = max(held, delay - self.delays.get(key, delay))
                self.delays[key] = delay
        if self.judge is not None:
            for tid, (running, delay, _) in _task_times(self.judge):
                busy = running + delay
                held = max(held, busy - self.judge_busy.get(tid, 0))
                self.judge_busy[tid] = busy
        return cpu_ticks / CLOCK_TICKS, held / 1e9


def _task_times(pid):
    """Per thread of `pid`: nanoseconds on a CPU and waiting for one, and whether the thread
    lowered its own priority (stat fields 19, nice, and 41, policy)."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat", "rb") as handle:
                running, delay = map(int, handle.read().split()[:2])
            with open(f"/proc/{pid}/task/{tid}/stat", "rb") as handle:
                fields = handle.read().rpartition(b")")[2].split()
            lowered = int(fields[16]) > 0 or int(fields[38]) != 0
        except (OSError, IndexError, ValueError):
            continue
        yield tid, (running, delay, lowered)


def _stat(pid, index):
    """Fields of /proc/<pid>/stat after the command name (0: state, 3: session, 11-14: times)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rpartition(b")")[2].split()
    except OSError:
        return None
    try:
        if isinstance(index, slice):
            return [int(value) for value in fields[index]]
        return int(fields[index])
    except (IndexError, ValueError):
        return None


class Outcome:
    """How a watch ended: `timed_out` (CPU time, or idle past the backstop: the program's
    doing), `output_limit`, `starved` (the machine's doing) or `cancelled`, with the subject's
    CPU seconds, wall seconds and effective seconds (wall less what the machine took)."""

    def __init__(self):
        self.timed_out = False
        self.output_limit = False
        self.starved = False
        self.cancelled = False
        self.cpu_s = 0.0
        self.wall_s = 0.0
        self.effective_s = 0.0


def watch(main, tasks, time_s, output_cap, kill, control=None, peer=None, peer_cap=1 << 20):
    """Feed, read and watch `main` (and `peer`, the tests' process, when the tests drive the
    run) until the driver (peer if given, else main) exits and the pipes drain, a limit is
    reached, or `control` reports a cancellation; then `kill()` everything left and reap it.

    CPU time is `tasks`' (the subject's processes) and must stay within `time_s`.
    """
    outcome = Outcome()
    children = [child for child in (main, peer) if child is not None]
    driver = peer or main
    caps = {id(main): output_cap, id(peer): peer_cap}
    poller = select.poll()
    fds = {}
    for child in children:
        for fd, mask in ((child.stdout_fd, select.POLLIN), (child.stderr_fd, select.POLLIN)):
            fds[fd] = child
            poller.register(fd, mask)
        if child.feed_fd is not None:
            fds[child.feed_fd] = child
            poller.register(child.feed_fd, select.POLLOUT)
    if control is not None:
        poller.register(control.fd, select.POLLIN)
    # Readable once the driver exits: wakes the loop then, whatever its pipes do.
    exit_fd = _pidfd(driver.pid)
    if exit_fd is not None:
        poller.register(exit_fd, select.POLLIN)
    reaped_cpu = 0.0
    started = last = last_sample = time.monotonic()
    exited_at = None
    live_cpu = 0.0
    while True:
        now = time.monotonic()
        if now - last > STALL_S:
            last_sample = now  # the stretch just passed counts against no one
        last = now
        if now - last_sample >= POLL_S:
            live_cpu, delay = tasks.sample()
            outcome.effective_s += max(0.0, now - last_sample - delay)
            last_sample = now
        reaped = _reap_some(children)
        if tasks.counted_by_cgroup():
            outcome.cpu_s = tasks.cgroup_cpu_s(peer)
        else:
            if reaped is not None:
                # What was reaped left the live count: count it once, from its rusage.
                reaped_cpu += reaped
                live_cpu = tasks.cpu_s()
            outcome.cpu_s = reaped_cpu + live_cpu
        if driver.status is not None and exited_at is None:
            exited_at = now
        if exited_at is not None and (not fds or now - exited_at > EXIT_DRAIN_S):
            break
        if outcome.cpu_s > time_s or outcome.effective_s > backstop_s(time_s):
            outcome.timed_out = True
            break
        if now - started > hard_cap_s(time_s):
            outcome.starved = True
            break
        if control is not None and control.cancelled():
            outcome.cancelled = True
            break
        for fd, event in poller.poll(POLL_S * 1000):
            if control is not None and fd == control.fd:
                control.read()
                continue
            if fd == exit_fd:
                poller.unregister(exit_fd)
                continue
            child = fds.get(fd)
            if child is None:
                continue
            if fd == child.feed_fd:
                if not _feed(child):
                    poller.unregister(fd)
                    del fds[fd]
                continue
            data = os.read(fd, 65536) if event & (select.POLLIN | select.POLLHUP) else b""
            if not data:
                poller.unregister(fd)
                del fds[fd]
                continue
            if fd == child.stdout_fd:
                child.stdout += data
                if len(child.stdout) > caps[id(child)]:
                    del child.stdout[caps[id(child)] :]
                    if child is main:
                        outcome.output_limit = True
            else:
                child.stderr += data
                if len(child.stderr) > 2 * STDERR_KEEP:
                    del child.stderr[: len(child.stderr) - STDERR_KEEP]
        if outcome.output_limit:
            break
    for child in children:
        child.stopped = child.status is None  # what is killed now, we killed
    if exit_fd is not None:
        os.close(exit_fd)
    reaped_cpu += reap_all(children, kill)
    if tasks.counted_by_cgroup():
        outcome.cpu_s = max(tasks.cgroup_cpu_s(peer), main.cpu_s)
    else:
        outcome.cpu_s = max(outcome.cpu_s, reaped_cpu)
    outcome.wall_s = time.monotonic() - started
    for child in children:
        for fd in (child.stdout_fd, child.stderr_fd, child.feed_fd):
            if fd is not None:
                _close(fd)
        del child.stderr[: max(0, len(child.stderr) - STDERR_KEEP)]
    return outcome


def _pidfd(pid):
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None  # an old kernel: the loop still wakes every POLL_S


def _feed(child):
    """Write more of the child's stdin; False once all of it went (or the child closed it)."""
    try:
        child.written += os.write(child.feed_fd, child.data[child.written : child.written + 65536])
    except BrokenPipeError:
        child.written = len(child.data)
    except BlockingIOError:
        return True
    if child.written >= len(child.data):
        _close(child.feed_fd)
        return False
    return True


def _close(fd):
    try:
        os.close(fd)
    except OSError:
        pass


def _reap_some(children):
    """Reap the exited children without waiting: the CPU seconds of the subject's among them
    (the main child, and processes the program left behind, reparented to us), or None if
    there were none to reap."""
    cpu = None
    while True:
        try:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return cpu
        if pid == 0:
            return cpu
        cpu = (cpu or 0.0) + _record(children, pid, status, usage)


def reap_all(children, kill, wait_s=5.0):
    """Kill and reap every process left; the subject's CPU seconds among them."""
    cpu = 0.0
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        kill()
        try:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return cpu
        if pid == 0:
            time.sleep(0.001)
            continue
        cpu += _record(children, pid, status, usage)
    raise RuntimeError("processes of the job outlived SIGKILL")


def _record(children, pid, status, usage):
    seconds = usage.ru_utime + usage.ru_stime
    for child in children:
        if child.pid == pid:
            child.status = status
            child.cpu_s = seconds
            return seconds if child is children[0] else 0.0
    return seconds


def kill_all_but_us():
    """In a container, as root with CAP_KILL: every process but PID 1 and this one."""
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass


def kill_our_children():
    """On the host (the local backend): every process whose parent we are. As the subreaper
    we are the parent of all that the job left behind, once their own parents are gone."""
    me = os.getpid()
    for name in os.listdir("/proc"):
        if name.isdigit() and _stat(int(name), 1) == me:
            try:
                os.kill(int(name), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
