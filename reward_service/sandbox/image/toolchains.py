"""How each language is compiled and run in the sandbox. Stdlib only.

Everything here reads the submission's source, so each pattern is linear in its length: a
quadratic one would let a submission stall the runner itself.
"""

import collections
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOLUTION_HOST = os.path.join(HERE, "solution_host.py")
PATH = "/usr/local/bin:/usr/bin:/bin"

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
    r"\bpublic[ \t\r\n]+(?:(?:final|abstract|strictfp)[ \t\r\n]+)*"
    r"(?:class|interface|enum|record)[ \t\r\n]+([A-Za-z_$][\w$]*)"
)
JAVA_CLASS = re.compile(r"\bclass[ \t\r\n]+([A-Za-z_$][\w$]*)")
JAVA_MAIN = re.compile(r"\bstatic[ \t\r\n]+void[ \t\r\n]+main\b")
JAVA_PACKAGE = re.compile(r"^[ \t]*package[ \t]+([\w.]+)[ \t]*;", re.M)
ES_MODULE = re.compile(r"^[ \t]*(?:import[ \t][^(]|export[ \t])", re.M)

# Where the source goes, how to compile it (None: not compiled) and run it, the run's
# address-space and stack limits (MiB; stack None: the default) and extra environment.
Toolchain = collections.namedtuple(
    "Toolchain", "source build run address_space_mb stack_mb env", defaults=(None, {})
)


def environment(extra=None):
    """A program's whole environment: nothing of the runner's, and no configuration a
    program could have planted (every writable path is emptied between jobs anyway)."""
    return {
        "PATH": PATH,
        "LANG": "C.UTF-8",
        "HOME": "/tmp",
        "TMPDIR": "/tmp",
        "GOENV": "off",
        **(extra or {}),
    }


def toolchain(language, code, workdir, memory_mb, harness):
    binary = os.path.join(workdir, "solution")
    address_space = memory_mb + OVERHEAD_MB.get(language, 0)
    if language == "python":
        source = os.path.join(workdir, "solution.py")
        run = [sys.executable, "-I", "-B", *([SOLUTION_HOST] if harness else []), source]
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
        name = "solution.mjs" if ES_MODULE.search(code_only(code)) else "solution.js"
        source = os.path.join(workdir, name)
        run = ["node", f"--max-old-space-size={memory_mb}", "--v8-pool-size=1"]
        run += ["--stack-size=65500", source]
        env = {"MALLOC_ARENA_MAX": "1", "UV_THREADPOOL_SIZE": "1"}
        return Toolchain(source, None, run, address_space, 64, env)
    if language == "java":
        name, package = java_main_class(code)
        # A name too long for a file: javac then says the public class is in the wrong file.
        source = os.path.join(workdir, (name if len(name) <= 200 else "Main") + ".java")
        build = ["javac", "-J-Xmx512m", *("-J" + flag for flag in JAVA_FLAGS)]
        build += ["-encoding", "UTF-8", "-d", workdir, source]
        run = ["java", f"-Xmx{memory_mb}m", "-Xss64m", "-XX:ThreadStackSize=1024"]
        run += ["-XX:MaxMetaspaceSize=64m", *JAVA_FLAGS, "-cp", workdir]
        run.append(f"{package}.{name}" if package else name)
        return Toolchain(source, build, run, address_space, env={"MALLOC_ARENA_MAX": "1"})
    raise ValueError(f"unknown language {language!r}")


def java_main_class(code):
    """The class `java` must run, and its package: the public type (its file must bear its
    name), or else the top-level class declared last before `main`, or else Main.

    >>> java_main_class("package a.b; /* public class X */ class Y { static void main(")
    ('Y', 'a.b')
    >>> java_main_class("class Main { static class Pair {} public static void main(")
    ('Main', '')
    """
    code = code_only(code)
    package = JAVA_PACKAGE.search(code)
    package = package.group(1) if package else ""
    public = JAVA_PUBLIC_TYPE.search(code)
    if public:
        return public.group(1), package
    main = JAVA_MAIN.search(code)
    if main:
        # The top-level class main is in: the last one declared before it, not a nested class.
        depths = _brace_depths(code, main.start())
        declared = [m for m in JAVA_CLASS.finditer(code, 0, main.start())]
        top_level = [m for m in declared if depths[m.start()] == 0]
        if top_level or declared:
            return (top_level or declared)[-1].group(1), package
    return "Main", package


def _brace_depths(code, end):
    """The brace depth at each index of `code[:end]` (comments and literals already blank)."""
    depths = []
    depth = 0
    for char in code[:end]:
        depths.append(depth)
        depth += (char == "{") - (char == "}")
    return depths


_SPECIAL = re.compile(r"//|/\*|\"\"\"|[\"'`]")
_QUOTE_END = {q: re.compile(r"[\\" + q + "]") for q in "\"'`"}


def code_only(code):
    """`code` (Java, JavaScript) with its comments blanked and its string, character, text
    block and template literals emptied, in one pass: what a pattern may look for a declaration
    in. (A regex with `.*?` would rescan the rest of the text at every unclosed `/*`.)

    >>> code_only("a /* x */ b // y\\nc 'p\\\\'q' `s` z")
    "a   b \\nc '' `` z"
    """
    kept = []
    at = 0
    while True:
        special = _SPECIAL.search(code, at)
        if special is None:
            kept.append(code[at:])
            return "".join(kept)
        token, start = special.group(), special.start()
        kept.append(code[at:start])
        if token == "//":
            end = code.find("\n", start)
            at = len(code) if end < 0 else end
        elif token == "/*":
            kept.append(" ")
            end = code.find("*/", start + 2)
            at = len(code) if end < 0 else end + 2
        elif token == '"""':
            kept.append('""""""')
            end = code.find('"""', start + 3)
            at = len(code) if end < 0 else end + 3
        else:
            kept.append(token * 2)
            at = _literal_end(code, start + 1, token)


def _literal_end(code, at, quote):
    """Where the literal opened before `at` ends (past its closing quote; escapes skipped)."""
    pattern = _QUOTE_END[quote]
    while True:
        found = pattern.search(code, at)
        if found is None:
            return len(code)
        if found.group() == quote:
            return found.end()
        at = found.end() + 1
