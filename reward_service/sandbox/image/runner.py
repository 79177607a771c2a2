"""Compile and run submissions against their inputs; report raw facts as JSON.

Two modes. `--serve` (the Docker backend): a long-lived session inside a sandbox container, as
its unprivileged user, reading one job per line on stdin and writing one report per line on
stdout, so a submission costs no `docker exec` and no interpreter start-up of its own. One-shot
`--local` (the local fallback): one job on stdin, one report on stdout, as a host subprocess.
Stdlib only: it runs on the image's Debian python3. It reports raw facts (exit code, signal,
time, output); the service decides what they mean, and expected outputs never enter the sandbox.

Stdin, JSON:
    {"language": "python" | "cpp" | "java" | "javascript" | "go" | "rust", "code": str,
     "inputs": [str, ...],
     "limits": {"time_s", "memory_mb", "output_bytes", "file_bytes", "processes"},
     "workdir": str, "harness": null | {"tests": str | null, "entry_point": str, "nonce": str},
     "checker": null | {"source": str, "expected": [str, ...]}}
With a harness and no inputs (Python assert tests), the one run is harness.py fed the solution
and the tests; with inputs (call-based tests), one harness.py run per input, a JSON list of the
call's arguments. With a checker, each run that exits cleanly is followed by checker.py, fed
the input, that input's expected output and the program's output, once the program's processes
are gone.
Stdout, JSON ("unavailable": why, instead, when the language's toolchain is missing):
    {"compile": null | {"ok": bool, "stderr": str, "time_s": float},
     "runs": [{"exit_code": int | null, "signal": int | null, "timed_out": bool,
               "output_limit": bool, "time_s": float, "stdout": str, "stderr": str,
               "checker"?: {"verdict": bool | null, "exit_code": int | null,
                            "timed_out": bool, "time_s": float, "stderr": str}}]}
"""

import collections
import ctypes
import json
import math
import os
import re
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(HERE, "harness.py")
CHECKER = os.path.join(HERE, "checker.py")
CHECKER_LIMITS = {"time_s": 10, "memory_mb": 512, "output_bytes": 65536, "file_bytes": 0}
STDERR_KEEP = 4096
POLL_S = 0.05
EXIT_DRAIN_S = 0.1
COMPILE_TIME_S = 30
COMPILE_MEMORY_MB = 2048
COMPILE_FILE_BYTES = 64 * 1024 * 1024
# go build forks several tools; rustc and javac run a dozen threads (threads count too).
COMPILE_PROCESSES = 32
PR_SET_DUMPABLE = 4
ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp"}


def main():
    # Non-dumpable: a program running as the same user cannot open this process's /proc
    # entries (its memory, its stdin and stdout) to read secrets or forge a report.
    try:
        ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if "--serve" in sys.argv[1:]:
        for line in sys.stdin:
            job = json.loads(line)
            reap_and_wipe(job["workdir"])
            try:
                report = run_job(job, job["workdir"], local=False)
            finally:
                reap_and_wipe(job["workdir"])
            sys.stdout.write(json.dumps(report) + "\n")
            sys.stdout.flush()
    else:
        job = json.loads(sys.stdin.read())
        sys.stdout.write(json.dumps(run_job(job, job["workdir"], local=True)))


# Java: the JVM's own threads, code cache and metaspace held small, so that it starts within
# an address-space limit of the heap plus OVERHEAD_MB["java"]; warnings go to stderr, not stdout.
JAVA_FLAGS = [
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-XX:CICompilerCount=1",
    "-XX:ActiveProcessorCount=1",
    "-XX:-UsePerfData",
    "-XX:CompressedClassSpaceSize=32m",
    "-XX:ReservedCodeCacheSize=32m",
    "-Xlog:disable",
    "-Xlog:all=warning:stderr",
]
# Address space each runtime reserves beyond the program's own memory limit, MiB (measured:
# below these the JVM, V8 and the Go runtime do not start).
OVERHEAD_MB = {"java": 512, "javascript": 512, "go": 768}
JAVA_PUBLIC_TYPE = re.compile(
    r"\bpublic\s+(?:(?:final|abstract|strictfp)\s+)*(?:class|interface|enum|record)\s+"
    r"([A-Za-z_$][\w$]*)"
)
JAVA_CLASS = re.compile(r"\bclass\s+([A-Za-z_$][\w$]*)")
JAVA_MAIN = re.compile(r"\bstatic\s+void\s+main\s*\(")
JAVA_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)\s*;", re.M)
ES_MODULE = re.compile(r"^\s*(?:import\s[^(]|export\s)", re.M)


# Where the source goes, how to compile it (None: not compiled) and run it, the run's
# address-space and stack limits (MiB; stack None: the default) and extra environment.
Toolchain = collections.namedtuple(
    "Toolchain", "source build run address_space_mb stack_mb env", defaults=(None, {})
)


def toolchain(language, code, workdir, memory_mb, harness):
    binary = os.path.join(workdir, "solution")
    address_space = memory_mb + OVERHEAD_MB.get(language, 0)
    if language == "python":
        source = os.path.join(workdir, "solution.py")
        run = [sys.executable, "-I", "-B", HARNESS if harness else source]
        return Toolchain(source, None, run, address_space)
    if language == "cpp":
        source = os.path.join(workdir, "solution.cpp")
        build = ["g++", "-O2", "-std=c++17", "-pipe", "-o", binary, source]
        return Toolchain(source, build, [binary], address_space)
    if language == "rust":
        source = os.path.join(workdir, "solution.rs")
        build = ["rustc", "--edition", "2021", "-O", "-C", "codegen-units=1"]
        build += ["-C", "strip=debuginfo", "-o", binary, source]
        return Toolchain(source, build, [binary], address_space)
    if language == "go":
        source = os.path.join(workdir, "solution.go")
        cache = {
            "GOMAXPROCS": "1",
            "GOCACHE": os.path.join(workdir, ".gocache"),
            "GOTMPDIR": workdir,
        }
        build = ["go", "build", "-o", binary, source]
        return Toolchain(source, build, [binary], address_space, env=cache)
    if language == "javascript":
        # ES-module syntax needs the .mjs name (node reads .js as CommonJS).
        name = "solution.mjs" if ES_MODULE.search(code) else "solution.js"
        source = os.path.join(workdir, name)
        run = ["node", f"--max-old-space-size={memory_mb}", "--v8-pool-size=1"]
        run += ["--stack-size=65500", source]
        env = {"MALLOC_ARENA_MAX": "1", "UV_THREADPOOL_SIZE": "1"}
        return Toolchain(source, None, run, address_space, 64, env)
    if language == "java":
        name, package = java_main_class(code)
        source = os.path.join(workdir, name + ".java")
        build = ["javac", "-J-Xmx512m", *("-J" + flag for flag in JAVA_FLAGS)]
        build += ["-encoding", "UTF-8", "-d", workdir, source]
        run = ["java", f"-Xmx{memory_mb}m", "-Xss64m", "-XX:ThreadStackSize=1024"]
        run += ["-XX:MaxMetaspaceSize=64m", *JAVA_FLAGS, "-cp", workdir]
        run.append(f"{package}.{name}" if package else name)
        return Toolchain(source, build, run, address_space, env={"MALLOC_ARENA_MAX": "1"})
    raise SystemExit(f"unknown language {language!r}")


def java_main_class(code):
    """The class `java` must run, and its package: the public type (its file must bear its
    name), or else the last class declared before `main`, or else Main."""
    code = re.sub(r"//[^\n]*|/\*.*?\*/", "", code, flags=re.S)
    package = JAVA_PACKAGE.search(code)
    package = package.group(1) if package else ""
    public = JAVA_PUBLIC_TYPE.search(code)
    if public:
        return public.group(1), package
    main = JAVA_MAIN.search(code)
    if main:
        declared = [m for m in JAVA_CLASS.finditer(code) if m.start() < main.start()]
        if declared:
            return declared[-1].group(1), package
    return "Main", package


def run_job(job, workdir, local):
    limits = job["limits"]
    tools = toolchain(
        job["language"], job["code"], workdir, int(limits["memory_mb"]), job.get("harness")
    )
    source, build, command, env = tools.source, tools.build, tools.run, tools.env
    tool = (build or command)[0]
    if shutil.which(tool) is None:
        # The machine's fault, not the submission's (the local backend on a bare host).
        return {"compile": None, "runs": [], "unavailable": f"`{tool}` is not installed here"}
    with open(source, "w", encoding="utf-8") as handle:
        handle.write(job["code"])

    compiled = None
    if build is not None:
        compile_limits = dict(
            limits,
            time_s=COMPILE_TIME_S,
            memory_mb=COMPILE_MEMORY_MB,
            output_bytes=65536,
            file_bytes=COMPILE_FILE_BYTES,
            processes=max(int(limits["processes"]), COMPILE_PROCESSES),
        )
        result = run_process(build, "", compile_limits, workdir, local, env)
        ok = result["exit_code"] == 0 and not result["timed_out"]
        compiled = {"ok": ok, "stderr": result["stderr"], "time_s": result["time_s"]}
        if not ok:
            return {"compile": compiled, "runs": []}
    limits = dict(limits, address_space_mb=tools.address_space_mb, stack_mb=tools.stack_mb)

    inputs = job["inputs"]
    if job.get("harness"):
        harness = dict(job["harness"], solution=job["code"])
        if inputs:
            inputs = [json.dumps(dict(harness, args=json.loads(args))) for args in inputs]
        else:
            inputs = [json.dumps(harness)]
    runs = []
    checker = job.get("checker")
    for index, stdin in enumerate(inputs):
        run = run_process(command, stdin, limits, workdir, local, env)
        if checker and run["exit_code"] == 0 and not (run["timed_out"] or run["output_limit"]):
            expected = checker["expected"][index]
            run["checker"] = run_checker(
                checker["source"], stdin, expected, run, limits, workdir, local
            )
        runs.append(run)
    return {"compile": compiled, "runs": runs}


def run_checker(source, stdin, expected, run, limits, workdir, local):
    """The checker's verdict on one run (None if it failed), with its raw facts."""
    payload = {"source": source, "input": stdin, "expected": expected, "output": run["stdout"]}
    checker_limits = dict(CHECKER_LIMITS, processes=limits["processes"])
    command = [sys.executable, "-I", "-B", CHECKER]
    result = run_process(command, json.dumps(payload), checker_limits, workdir, local)
    last_line = result["stdout"].rstrip("\n").rpartition("\n")[2]
    verdict = None
    if result["exit_code"] == 0 and last_line in ("true", "false"):
        verdict = last_line == "true"
    return {
        "verdict": verdict,
        "exit_code": result["exit_code"],
        "timed_out": result["timed_out"],
        "time_s": result["time_s"],
        "stderr": result["stderr"],
    }


def run_process(command, stdin_text, limits, workdir, local, env=None):
    """Run one process under the limits (`address_space_mb`, default `memory_mb`; `stack_mb`,
    if given), feeding it stdin; its raw facts."""
    time_limit = float(limits["time_s"])

    def set_limits():
        memory = int(limits.get("address_space_mb") or limits["memory_mb"]) * 1024 * 1024
        cpu = math.ceil(time_limit) + 1
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        if limits.get("stack_mb"):
            stack = int(limits["stack_mb"]) * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_STACK, (stack, stack))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_bytes"], limits["file_bytes"]))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if not local:
            # The limit counts every process of the sandbox user: PID 1 and this runner too.
            processes = int(limits["processes"]) + 2
            resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))

    started = time.monotonic()
    # stdin is a pipe, never a file: data read from a pipe is gone, so a harness's secret
    # cannot be read back through /proc/self/fd/0 by the code under test.
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=workdir,
        env=dict(ENV, **(env or {})),
        preexec_fn=set_limits,
        start_new_session=True,
    )
    stdout, stderr, timed_out, output_limit = communicate(
        process, stdin_text.encode("utf-8"), started + time_limit, int(limits["output_bytes"])
    )
    kill_group(process.pid)
    process.wait()
    elapsed = time.monotonic() - started
    if not local:
        reap()
    code = process.returncode
    return {
        "exit_code": code if code >= 0 else None,
        "signal": -code if code < 0 else None,
        "timed_out": timed_out,
        "output_limit": output_limit,
        "time_s": round(elapsed, 4),
        "stdout": stdout.decode("utf-8", "replace"),
        "stderr": stderr[-STDERR_KEEP:].decode("utf-8", "replace"),
    }


def communicate(process, stdin_data, deadline, output_cap):
    """Feed stdin and read stdout/stderr until they close, the deadline, or stdout overflows."""
    selector = selectors.DefaultSelector()
    if stdin_data:
        os.set_blocking(process.stdin.fileno(), False)
        selector.register(process.stdin, selectors.EVENT_WRITE, "stdin")
    else:
        process.stdin.close()
    selector.register(process.stdout, selectors.EVENT_READ, "stdout")
    selector.register(process.stderr, selectors.EVENT_READ, "stderr")
    chunks = {"stdout": bytearray(), "stderr": bytearray()}
    written = 0
    timed_out = output_limit = False
    exited_at = None
    while selector.get_map():
        now = time.monotonic()
        if now >= deadline:
            timed_out = True
            break
        if exited_at is None and process.poll() is not None:
            exited_at = now
        if exited_at is not None and now - exited_at > EXIT_DRAIN_S:
            # The program is gone but a child it left behind holds the pipes open.
            break
        for key, _ in selector.select(timeout=min(deadline - now, POLL_S)):
            if key.data == "stdin":
                try:
                    written += os.write(key.fd, stdin_data[written : written + 65536])
                except BrokenPipeError:
                    written = len(stdin_data)
                if written >= len(stdin_data):
                    selector.unregister(key.fileobj)
                    key.fileobj.close()
                continue
            data = os.read(key.fd, 65536)
            if not data:
                selector.unregister(key.fileobj)
                continue
            buffer = chunks[key.data]
            buffer += data
            if key.data == "stderr" and len(buffer) > 2 * STDERR_KEEP:
                del buffer[: len(buffer) - STDERR_KEEP]
        if len(chunks["stdout"]) > output_cap:
            output_limit = True
            del chunks["stdout"][output_cap:]
            break
    selector.close()
    if not timed_out and not output_limit:
        # The streams are closed, but the process may still run: it can close them itself.
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            timed_out = True
    return bytes(chunks["stdout"]), bytes(chunks["stderr"]), timed_out, output_limit


def kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def reap(wait_s=2.0):
    """Kill every process of this user except this one and PID 1: daemons, orphans, forks.

    Then wait until PID 1 has reaped them: a zombie still counts against the user's process
    limit and would make the next run's fork fail.
    """
    try:
        os.kill(-1, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    keep = {"1", str(os.getpid())}
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        others = [name for name in os.listdir("/proc") if name.isdigit() and name not in keep]
        if not others:
            return
        try:
            os.kill(-1, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        time.sleep(0.005)


def reap_and_wipe(workdir):
    reap()
    for name in os.listdir(workdir):
        path = os.path.join(workdir, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                os.unlink(path)
            except OSError:
                pass


if __name__ == "__main__":
    main()
