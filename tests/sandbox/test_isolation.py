"""The sandbox is a trust boundary: nothing a submission runs can reach the processes that
judge it (the container's init, the runner, the tests' process), make its own wrong answer
unjudged, or leave anything for the next job. Each attack per language where it applies,
through the HTTP API against real containers."""

from __future__ import annotations

import pytest

from tests.sandbox.helpers import (
    ADD_CPP,
    ADD_PY,
    add_cases,
    code_item,
    replaced_containers,
    score_one,
)

pytestmark = pytest.mark.docker

# Each probe tries to signal, trace, and open /proc/<pid>/{mem,environ,oom_score_adj,fd/1} of
# every other process it can see (init, the runner; the tests' process where there is one),
# then prints a + b only if all of it was refused, and what it reached otherwise.
REACH = {
    "python": r"""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
reached = []
for name in os.listdir("/proc"):
    if not name.isdigit() or int(name) == os.getpid():
        continue
    pid = int(name)
    try:
        os.kill(pid, 0)
        reached.append(f"signal:{pid}")
    except OSError:
        pass
    if libc.ptrace(16, pid, 0, 0) == 0:
        reached.append(f"ptrace:{pid}")
    for entry, mode in (("mem", os.O_RDWR), ("environ", os.O_RDONLY),
                        ("oom_score_adj", os.O_WRONLY), ("fd/1", os.O_WRONLY)):
        try:
            os.close(os.open(f"/proc/{pid}/{entry}", mode))
            reached.append(f"{entry}:{pid}")
        except OSError:
            pass
a, b = map(int, input().split())
print(a + b if not reached else " ".join(reached))
""",
    "cpp": r"""
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <unistd.h>
#include <cstdlib>
#include <iostream>
#include <string>
int main() {
    std::string reached;
    DIR* proc = opendir("/proc");
    for (dirent* entry; (entry = readdir(proc));) {
        int pid = atoi(entry->d_name);
        if (pid <= 0 || pid == getpid()) continue;
        std::string at = std::to_string(pid);
        if (kill(pid, 0) == 0) reached += " signal:" + at;
        if (ptrace(PTRACE_ATTACH, pid, nullptr, nullptr) == 0) reached += " ptrace:" + at;
        const char* entries[] = {"mem", "environ", "oom_score_adj", "fd/1"};
        int modes[] = {O_RDWR, O_RDONLY, O_WRONLY, O_WRONLY};
        for (int i = 0; i < 4; i++) {
            int fd = open(("/proc/" + at + "/" + entries[i]).c_str(), modes[i]);
            if (fd >= 0) { reached += std::string(" ") + entries[i] + ":" + at; close(fd); }
        }
    }
    long a, b;
    std::cin >> a >> b;
    if (reached.empty()) std::cout << a + b << "\n"; else std::cout << reached << "\n";
}
""",
    "go": r"""
package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
)

func main() {
	reached := ""
	entries, _ := os.ReadDir("/proc")
	for _, entry := range entries {
		pid, err := strconv.Atoi(entry.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		if syscall.Kill(pid, 0) == nil {
			reached += fmt.Sprintf(" signal:%d", pid)
		}
		if syscall.PtraceAttach(pid) == nil {
			reached += fmt.Sprintf(" ptrace:%d", pid)
		}
		modes := map[string]int{"mem": os.O_RDWR, "environ": os.O_RDONLY, "oom_score_adj": os.O_WRONLY, "fd/1": os.O_WRONLY}
		for name, mode := range modes {
			if f, err := os.OpenFile(fmt.Sprintf("/proc/%d/%s", pid, name), mode, 0); err == nil {
				reached += fmt.Sprintf(" %s:%d", name, pid)
				f.Close()
			}
		}
	}
	var a, b int64
	fmt.Scan(&a, &b)
	if reached == "" {
		fmt.Println(a + b)
	} else {
		fmt.Println(reached)
	}
}
""",
}


@pytest.mark.parametrize("language", sorted(REACH))
def test_the_submission_reaches_no_process_that_judges_it(client, language):
    result = score_one(client, code_item(REACH[language], language, cases=add_cases()))
    assert result["scores"]["accuracy"] == 1.0, result["details"]


def test_a_solution_under_function_tests_cannot_reach_the_tests_process(client):
    """The tests' process runs beside the solution's: the same probe, from inside a call."""
    probe = REACH["python"].replace("a, b = map(int, input().split())\n", "")
    probe = probe.replace("print(a + b if not reached else \" \".join(reached))", "")
    code = "def reach():\n" + "\n".join("    " + line for line in probe.splitlines()) + (
        "\n    return reached\n"
    )
    tests = "def check(candidate):\n    assert candidate() == []\n"
    result = score_one(client, code_item(code, assert_code=tests, entry_point="reach"))
    assert result["scores"]["accuracy"] == 1.0, result["details"]


# Wrong answers that try to become `unjudged` (dropped from the GRPO group instead of
# penalised) by ending their container: signals to init and the runner, init's OOM score.
UNJUDGED_BY_SIGNALS = {
    "python": r"""
import os, signal
for pid in (1, os.getppid()):
    for sig in (signal.SIGTERM, signal.SIGKILL, signal.SIGSTOP, signal.SIGINT, signal.SIGHUP):
        try:
            os.kill(pid, sig)
        except OSError:
            pass
for pid in (1, os.getppid()):
    try:
        open(f"/proc/{pid}/oom_score_adj", "w").write("1000")
    except OSError:
        pass
try:
    os.kill(-1, signal.SIGKILL)
except OSError:
    pass
print("wrong")
""",
    "cpp": r"""
#include <signal.h>
#include <unistd.h>
#include <cstdio>
int main() {
    int targets[] = {1, getppid()};
    int signals[] = {SIGTERM, SIGKILL, SIGSTOP, SIGINT, SIGHUP};
    for (int pid : targets) for (int sig : signals) kill(pid, sig);
    FILE* f = fopen("/proc/1/oom_score_adj", "w");
    if (f) { fputs("1000", f); fclose(f); }
    puts("wrong");
}
""",
    "go": r"""
package main

import (
	"fmt"
	"os"
	"syscall"
)

func main() {
	for _, pid := range []int{1, os.Getppid()} {
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL, syscall.SIGSTOP} {
			syscall.Kill(pid, sig)
		}
	}
	os.WriteFile("/proc/1/oom_score_adj", []byte("1000"), 0)
	fmt.Println("wrong")
}
""",
}


@pytest.mark.parametrize("language", sorted(UNJUDGED_BY_SIGNALS))
def test_a_wrong_answer_cannot_make_itself_unjudged(client, language):
    before = replaced_containers(client)
    item = code_item(UNJUDGED_BY_SIGNALS[language], language, cases=add_cases())
    result = score_one(client, item)
    assert (result["scores"]["accuracy"], result["details"]["status"]) == (0.0, "scored"), result
    assert result["details"]["reason"] == "wrong_answer"
    assert replaced_containers(client) == before
    follow_up = score_one(client, code_item(ADD_PY, cases=add_cases()))
    assert follow_up["scores"]["accuracy"] == 1.0


def test_filling_the_containers_memory_costs_the_submission_not_the_container(client):
    """Many processes under their own limits, together past the container's memory: the
    kernel's OOM killer takes the submission's processes (they volunteer first), never init
    or the runner, so the item is scored, not lost."""
    code = r"""
import os
for _ in range(6):
    if os.fork() == 0:
        blocks = []
        try:
            while True:
                blocks.append(bytearray(16 << 20))
        except MemoryError:
            import time
            time.sleep(5)
        os._exit(0)
os.wait()
print("wrong")
"""
    before = replaced_containers(client)
    result = score_one(client, code_item(code, cases=add_cases(), memory_mb=1024, timeout_s=5))
    assert (result["scores"]["accuracy"], result["details"]["status"]) == (0.0, "scored"), result
    assert replaced_containers(client) == before


WRITABLE_PATHS = r"""
import os, stat
found = []
for top in ("/",):
    for folder, subfolders, files in os.walk(top):
        subfolders[:] = [s for s in subfolders if os.path.join(folder, s) not in ("/proc", "/sys")]
        if os.access(folder, os.W_OK | os.X_OK):
            probe = os.path.join(folder, ".probe")
            try:
                os.close(os.open(probe, os.O_CREAT | os.O_WRONLY, 0o600))
                os.unlink(probe)
                found.append(folder)
            except OSError:
                pass
        for name in files:
            path = os.path.join(folder, name)
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue
            if stat.S_ISREG(mode) and os.access(path, os.W_OK):
                found.append(path)
print(" ".join(sorted(found)))
"""


def test_the_only_writable_paths_are_the_three_that_are_emptied_between_jobs(client):
    """Anything else the submission could write would outlive its job."""
    cases = [{"stdin": "", "stdout": "/dev/shm /tmp /work /work/solution.py\n"}]
    result = score_one(client, code_item(WRITABLE_PATHS, cases=cases, timeout_s=20))
    assert result["scores"]["accuracy"] == 1.0, result["details"]


# Job N plants files, configuration and a daemon; job N+1, in the same container, must find
# nothing and work normally.
PLANT = {
    "python": r"""
import os
for folder in ("/work", "/tmp", "/dev/shm", os.path.expanduser("~")):
    open(os.path.join(folder, "planted-by-python"), "w").write("x")
# Go's user configuration: GOFLAGS that would change what the next Go build prints.
os.makedirs("/tmp/.config/go", exist_ok=True)
open("/tmp/.config/go/env", "w").write("GOFLAGS=-ldflags=-X=main.greeting=pwned\n")
os.makedirs("/tmp/.cargo", exist_ok=True)
open("/tmp/.cargo/config.toml", "w").write("[build]\nrustflags = ['--cfg', 'pwned']\n")
open("/tmp/.npmrc", "w").write("node-options=--require=/tmp/evil.js\n")
open("/tmp/.bashrc", "w").write("echo pwned\n")
os.makedirs("/tmp/.config/pip", exist_ok=True)
open("/tmp/.config/pip/pip.conf", "w").write("[global]\nindex-url = http://evil\n")
# A deep and unreadable tree, to make emptying the work dir hard.
os.chdir("/work")
for _ in range(3000):
    os.mkdir("d")
    os.chdir("d")
os.chdir("/")
os.chmod("/work/d", 0)
# A daemon that would write into the next job's work dir.
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        import time
        time.sleep(2)
        open("/work/planted-by-daemon", "w").write("x")
        time.sleep(600)
    os._exit(0)
print("planted")
""",
    "cpp": r"""
#include <cstdio>
#include <unistd.h>
int main() {
    const char* paths[] = {"/work/planted-by-cpp", "/tmp/planted-by-cpp", "/dev/shm/planted-by-cpp"};
    for (const char* path : paths) { FILE* f = fopen(path, "w"); if (f) { fputs("x", f); fclose(f); } }
    // Fill /tmp: the next job's compiler must still work.
    FILE* f = fopen("/tmp/filler", "w");
    static char block[1 << 16];
    while (f && fwrite(block, 1, sizeof block, f) == sizeof block) {}
    if (f) fclose(f);
    if (fork() == 0) { setsid(); sleep(600); }
    puts("planted");
}
""",
    "go": r"""
package main

import (
	"fmt"
	"os"
	"os/exec"
)

func main() {
	for _, path := range []string{"/work/planted-by-go", "/tmp/planted-by-go", "/dev/shm/planted-by-go"} {
		os.WriteFile(path, []byte("x"), 0o644)
	}
	exec.Command("sleep", "600").Start()
	fmt.Println("planted")
}
""",
}

SPY = r"""
import os
seen = []
for folder in ("/work", "/tmp", "/dev/shm"):
    seen += [os.path.join(folder, name) for name in os.listdir(folder) if name != "solution.py"]
mine = [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()
        and os.stat(f"/proc/{p}").st_uid == os.getuid()]
print("clean" if not seen and not mine else f"dirty {seen} {mine}")
"""

GREETING_GO = """package main

import "fmt"

var greeting = "hello"

func main() {
	fmt.Println(greeting)
}"""


@pytest.mark.parametrize("language", sorted(PLANT))
def test_nothing_a_job_plants_reaches_the_next_one(one_client, language):
    planted = score_one(
        one_client, code_item(PLANT[language], language, cases=[{"stdin": "", "stdout": "planted\n"}])
    )
    assert planted["scores"]["accuracy"] == 1.0, planted["details"]
    spied = score_one(one_client, code_item(SPY, cases=[{"stdin": "", "stdout": "clean\n"}]))
    assert spied["scores"]["accuracy"] == 1.0, spied["details"]
    # The daemon would write at 2 s: look again after that.
    import time

    time.sleep(2.5)
    spied = score_one(one_client, code_item(SPY, cases=[{"stdin": "", "stdout": "clean\n"}]))
    assert spied["scores"]["accuracy"] == 1.0, spied["details"]


# Configuration each toolchain would read from the home directory or the work dir, each
# making the next job's program print something else (or nothing), if it survived.
PLANT_CONFIG = r"""
import os
files = {
    "/tmp/.config/go/env": "GOFLAGS=-ldflags=-X=main.greeting=pwned\n",
    "/work/.hotspotrc": "+PrintVMOptions\n",
    "/work/.hotspot_compiler": "exclude java/lang/System out\n",
    "/tmp/.noderc": "process.exit(1)\n",
    "/work/package.json": '{"type": "module"}\n',
    "/tmp/.cargo/config.toml": "[build]\nrustflags = ['--cfg', 'pwned']\n",
    "/tmp/.config/pip/pip.conf": "[global]\nindex-url = http://evil\n",
    "/tmp/.bashrc": "echo pwned\n",
    "/work/sitecustomize.py": "print('pwned')\n",
    "/work/usercustomize.py": "print('pwned')\n",
}
for path, text in files.items():
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "w").write(text)
print("planted")
"""


def test_planted_toolchain_configuration_has_no_effect_on_any_language(one_client):
    from tests.sandbox.test_languages import PROGRAMS

    correct = {"python": ADD_PY, "cpp": REACH["cpp"]}
    correct.update({language: PROGRAMS[language]["correct"] for language in PROGRAMS})
    for language, program in sorted(correct.items()):
        planted = score_one(
            one_client, code_item(PLANT_CONFIG, cases=[{"stdin": "", "stdout": "planted\n"}])
        )
        assert planted["scores"]["accuracy"] == 1.0, planted["details"]
        result = score_one(one_client, code_item(program, language, cases=add_cases()))
        assert result["scores"]["accuracy"] == 1.0, (language, result["details"])
    score_one(one_client, code_item(PLANT_CONFIG, cases=[{"stdin": "", "stdout": "planted\n"}]))
    go = score_one(
        one_client, code_item(GREETING_GO, "go", cases=[{"stdin": "", "stdout": "hello\n"}])
    )
    assert go["scores"]["accuracy"] == 1.0, go["details"]
    score_one(one_client, code_item(PLANT["cpp"], "cpp", cases=[{"stdin": "", "stdout": "planted\n"}]))
    cpp = score_one(one_client, code_item(REACH["cpp"], "cpp", cases=add_cases()))
    assert cpp["scores"]["accuracy"] == 1.0, cpp["details"]


def test_no_ipc_object_can_carry_anything_to_the_next_job(one_client):
    """System V shared memory, semaphores and queues, and POSIX message queues, live in the
    container's IPC namespace, past any process: making them is refused."""
    code = r"""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
made = []
if libc.shmget(0x1234, 4096, 0o1666) >= 0: made.append("shm")
if libc.semget(0x1234, 1, 0o1666) >= 0: made.append("sem")
if libc.msgget(0x1234, 0o1666) >= 0: made.append("msg")
try:
    fd = os.open("/dev/mqueue/q", os.O_CREAT | os.O_WRONLY, 0o600)
    made.append("mqueue")
except OSError:
    pass
rt = ctypes.CDLL("librt.so.1", use_errno=True)
if rt.mq_open(b"/q", os.O_CREAT | os.O_RDWR, 0o600, None) >= 0: made.append("mq_open")
print(" ".join(made) or "none")
"""
    result = score_one(one_client, code_item(code, cases=[{"stdin": "", "stdout": "none\n"}]))
    assert result["scores"]["accuracy"] == 1.0, result["details"]


def test_memfds_which_no_processs_memory_shows_are_refused(client):
    code = (
        "import os\n"
        "try:\n"
        "    os.memfd_create('hold')\n"
        "    print('made')\n"
        "except OSError as exc:\n"
        "    print(exc.errno)"
    )
    result = score_one(client, code_item(code, cases=[{"stdin": "", "stdout": "1\n"}]))
    assert result["scores"]["accuracy"] == 1.0, result["details"]


def test_memory_no_process_shows_still_costs_the_submission_not_the_container(client):
    """Memory held in memfds would count to the container but to no process's RSS, so that,
    with its OOM score lowered, the OOM killer would take the runner and init by size: the
    submission cannot make memfds."""
    code = r"""
#include <sys/mman.h>
#include <unistd.h>
#include <cstdio>
#include <cstring>
int main() {
    FILE* f = fopen("/proc/self/oom_score_adj", "w");
    if (f) { fputs("0", f); fclose(f); }
    static char block[1 << 20];
    memset(block, 1, sizeof block);
    for (;;) {
        int fd = memfd_create("hold", 0);
        for (int i = 0; i < 8; i++) write(fd, block, sizeof block);
    }
}
"""
    before = replaced_containers(client)
    result = score_one(client, code_item(code, "cpp", cases=add_cases(), timeout_s=10))
    assert (result["scores"]["accuracy"], result["details"]["status"]) == (0.0, "scored"), result
    assert replaced_containers(client) == before


def test_each_run_starts_from_the_built_work_dir(one_client):
    """A run cannot leave anything for the next run of the same job: not a count, not a
    checkpoint of work done (a program that can carry work over gets around its limits)."""
    code = (
        "import os\n"
        "count = 0\n"
        "for path in ('/work/count', '/tmp/count', '/dev/shm/count'):\n"
        "    if os.path.exists(path):\n"
        "        count = max(count, int(open(path).read()))\n"
        "    open(path, 'w').write(str(count + 1))\n"
        "print(count)"
    )
    cases = [{"stdin": "", "stdout": f"{n}\n"} for n in range(3)]
    result = score_one(one_client, code_item(code, cases=cases))
    assert (result["scores"]["accuracy"], result["details"]["passed"]) == (0.0, 1), result


def test_a_program_that_changes_its_own_source_fails_its_next_run(one_client):
    """What the next run would start from: the run's own changes to it fail that run."""
    code = "open('/work/solution.py', 'a').write('\\nprint(4)')\nprint(3)"
    cases = [{"stdin": "", "stdout": "3\n"}] * 2
    result = score_one(one_client, code_item(code, cases=cases))
    assert result["scores"]["accuracy"] == 0.0
    assert result["details"]["failures"][0]["reason"] == "runtime_error"
    assert "changed" in result["details"]["failures"][0]["excerpt"]


@pytest.mark.parametrize(
    ("language", "code"),
    [
        ("rust", '#![crate_type = "lib"]\npub fn f() -> i32 { 3 }'),
        ("go", "package notmain\n\nfunc F() int { return 3 }"),
    ],
)
def test_a_build_that_makes_no_program_is_the_submissions_fault(client, language, code):
    result = score_one(client, code_item(code, language, cases=add_cases()))
    assert (result["scores"]["accuracy"], result["details"]["status"]) == (0.0, "scored"), result


REFUSED_CALLS = r"""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
made = []
context = ctypes.c_ulong(0)
if libc.syscall(206, 16, ctypes.byref(context)) == 0: made.append("io_setup")
params = (ctypes.c_char * 120)()
if libc.syscall(425, 4, params) >= 0: made.append("io_uring")
if libc.syscall(162) == 0: made.append("sync")
if libc.syscall(306, 0) == 0: made.append("syncfs")
try:
    os.memfd_create("hold"); made.append("memfd")
except OSError:
    pass
try:
    os.openpty(); made.append("pty")
except OSError:
    pass
import socket
for family in (socket.AF_UNIX, socket.AF_INET):
    try:
        socket.socket(family); made.append(f"socket:{family}")
    except OSError:
        pass
for path in ("/tmp", "/work", "/dev/shm", __file__):
    try:
        os.setxattr(path, "user.mark", b"1"); made.append(f"xattr:{path}")
    except OSError:
        pass
print(" ".join(made) or "none")
"""


def test_host_wide_pools_and_writeback_are_out_of_reach(client):
    """Linux AIO contexts, io_uring, pseudo-terminals are pools the host's containers share;
    sync writes back the whole host's dirty pages; sockets (the network is none) hold buffers
    no process shows; user xattrs on a tmpfs root outlive the wipe and use up its inodes: all
    refused to the submission."""
    result = score_one(client, code_item(REFUSED_CALLS, cases=[{"stdin": "", "stdout": "none\n"}]))
    assert result["scores"]["accuracy"] == 1.0, result["details"]


def test_pipe_buffers_no_process_shows_cannot_take_the_runner(client):
    """Pipe buffers count to the container but to no process's RSS; with their OOM scores
    lowered, many processes filling pipes once made the OOM killer take the runner and init.
    Open files per process are limited, and pipe pages per uid: the container stays."""
    code = r"""
import fcntl, os
for _ in range(30):
    if os.fork() == 0:
        open("/proc/self/oom_score_adj", "w").write("0")
        ends = []
        try:
            while True:
                r, w = os.pipe()
                try:
                    fcntl.fcntl(w, 1031, 1 << 20)
                except OSError:
                    pass
                os.set_blocking(w, False)
                try:
                    while True:
                        os.write(w, b"x" * 65536)
                except BlockingIOError:
                    pass
                ends.append((r, w))
        except OSError:
            pass
        import time
        time.sleep(30)
        os._exit(0)
os.wait()
"""
    before = replaced_containers(client)
    result = score_one(client, code_item(code, cases=add_cases(), timeout_s=3, processes=32))
    assert (result["scores"]["accuracy"], result["details"]["status"]) == (0.0, "scored"), result
    assert replaced_containers(client) == before


def test_kernel_memory_a_job_leaves_gets_its_container_replaced(one_client):
    """Dentries of missing paths in the read-only root stay charged to the container after
    the job (a million held 1.4 GB); the next job would pay to reclaim them. The container is
    replaced instead."""
    polluter = (
        "import os\n"
        "for i in range(250_000):\n"
        "    try:\n"
        "        os.stat('/usr/lib/x%0240d' % i)\n"
        "    except OSError:\n"
        "        pass\n"
        "print(3)"
    )
    before = replaced_containers(one_client)
    result = score_one(
        one_client, code_item(polluter, cases=[{"stdin": "", "stdout": "3\n"}], timeout_s=20)
    )
    assert result["scores"]["accuracy"] == 1.0, result["details"]
    assert replaced_containers(one_client) == before + 1
    follow_up = score_one(one_client, code_item(ADD_PY, cases=add_cases()))
    assert follow_up["scores"]["accuracy"] == 1.0


XATTR_POISON = r"""
import os
try:
    os.remove(__file__)
except OSError:
    pass
for root in ("/tmp", "/work", "/dev/shm"):
    for i in range(100_000):
        try:
            os.setxattr(root, f"user.p{i}", b"x" * 65536)
        except OSError:
            break
print(0)
"""


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_a_job_cannot_use_up_the_mounts_the_next_job_writes(one_client, language):
    """Extended attributes on the writable mounts' roots once used up their inodes past the
    wipe: every later job in the container failed (unjudged, or a compile error: the
    response's fault). Refused now, and the wipe checks every inode and block is free."""
    score_one(one_client, code_item(XATTR_POISON, cases=add_cases()))
    code = ADD_PY if language == "python" else ADD_CPP
    after = score_one(one_client, code_item(code, language, cases=add_cases()))
    assert after["scores"]["accuracy"] == 1.0, after["details"]


def test_socketpair_buffers_cannot_make_a_wrong_answer_unjudged(client):
    """socketpair stays allowed (the JVM needs one). Its buffers hold memory no process
    shows; 30 processes with their OOM scores lowered filling them can get the runner killed,
    twice: that is the submission's doing, a 0, never unjudged."""
    code = r"""
import os, socket
for _ in range(30):
    if os.fork() == 0:
        open("/proc/self/oom_score_adj", "w").write("0")
        held = []
        try:
            while True:
                a, b = socket.socketpair()
                a.setblocking(False)
                try:
                    while True:
                        a.send(b"x" * 65536)
                except BlockingIOError:
                    pass
                held.append((a, b))
        except OSError:
            pass
        import time
        time.sleep(30)
        os._exit(0)
os.wait()
"""
    result = score_one(client, code_item(code, cases=add_cases(), timeout_s=3, processes=32))
    assert (result["scores"]["accuracy"], result["details"]["status"]) == (0.0, "scored"), result
