"""Java, JavaScript, Go and Rust, judged for real in the Docker sandbox: each language's right
and wrong programs, compile and runtime errors, time and memory limits, and the same hostile
programs as Python and C++ (busy loops, memory, fork and thread bombs, output floods)."""

from __future__ import annotations

import pytest

from tests.sandbox.helpers import add_cases, code_item, score, score_one

pytestmark = pytest.mark.docker

# Per language: the programs, each `a b` on stdin -> `a + b` (or something else for the bad ones).
PROGRAMS = {
    "java": {
        "correct": """import java.util.*;
public class Main {
    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        long a = in.nextLong(), b = in.nextLong();
        System.out.println(a + b);
    }
}""",
        "wrong": """public class Main {
    public static void main(String[] args) {
        java.util.Scanner in = new java.util.Scanner(System.in);
        System.out.println(in.nextLong() - in.nextLong());
    }
}""",
        "compile_error": "public class Main { public static void main(String[] a) { int x = } }",
        "runtime_error": """public class Main {
    public static void main(String[] args) { int[] a = new int[1]; a[2] = 1; }
}""",
        "busy_loop": "public class Main { public static void main(String[] a) { while (true) {} } }",
        "memory_bomb": """import java.util.*;
public class Main {
    public static void main(String[] args) {
        List<long[]> kept = new ArrayList<>();
        while (true) kept.add(new long[1 << 20]);
    }
}""",
        "fork_bomb": """public class Main {
    public static void main(String[] args) throws Exception {
        while (true) new ProcessBuilder("sleep", "100").start();
    }
}""",
        "thread_bomb": """public class Main {
    public static void main(String[] args) {
        while (true) new Thread(() -> { try { Thread.sleep(100000); } catch (Exception e) {} }).start();
    }
}""",
        "output_flood": """public class Main {
    public static void main(String[] args) { while (true) System.out.println("flood"); }
}""",
    },
    "javascript": {
        "correct": """const [a, b] = require("fs").readFileSync(0, "utf8").trim().split(/\\s+/).map(Number);
console.log(a + b);""",
        "wrong": """const [a, b] = require("fs").readFileSync(0, "utf8").trim().split(/\\s+/).map(Number);
console.log(a - b);""",
        "compile_error": "const = ;",
        "runtime_error": "null.property;",
        "busy_loop": "while (true) {}",
        "memory_bomb": "const kept = []; while (true) kept.push(new Array(1 << 20).fill(1));",
        "fork_bomb": """const { spawn } = require("child_process");
for (;;) { try { spawn("sleep", ["100"]); } catch (e) {} }""",
        "thread_bomb": """const { Worker } = require("worker_threads");
for (;;) { try { new Worker("setInterval(() => {}, 1000)", { eval: true }); } catch (e) {} }""",
        "output_flood": 'const fs = require("fs");\nfor (;;) fs.writeSync(1, "flood\\n".repeat(1000));',
    },
    "go": {
        "correct": """package main

import "fmt"

func main() {
	var a, b int64
	fmt.Scan(&a, &b)
	fmt.Println(a + b)
}""",
        "wrong": """package main

import "fmt"

func main() {
	var a, b int64
	fmt.Scan(&a, &b)
	fmt.Println(a * b)
}""",
        "compile_error": "package main\n\nfunc main() {\n\tunused := 1\n}",
        "runtime_error": 'package main\n\nfunc main() {\n\tpanic("boom")\n}',
        "busy_loop": "package main\n\nfunc main() {\n\tfor {\n\t}\n}",
        "memory_bomb": """package main

func main() {
	var kept [][]byte
	for {
		block := make([]byte, 1<<20)
		for i := range block {
			block[i] = 1
		}
		kept = append(kept, block)
	}
}""",
        "fork_bomb": """package main

import "os/exec"

func main() {
	for {
		exec.Command("sleep", "100").Start()
	}
}""",
        "thread_bomb": """package main

import (
	"runtime"
	"time"
)

func main() {
	for {
		go func() {
			runtime.LockOSThread()
			time.Sleep(time.Hour)
		}()
	}
}""",
        "output_flood": 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfor {\n\t\tfmt.Println("flood")\n\t}\n}',
    },
    "rust": {
        "correct": """use std::io::Read;
fn main() {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).unwrap();
    let v: Vec<i64> = text.split_whitespace().map(|x| x.parse().unwrap()).collect();
    println!("{}", v[0] + v[1]);
}""",
        "wrong": """use std::io::Read;
fn main() {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).unwrap();
    let v: Vec<i64> = text.split_whitespace().map(|x| x.parse().unwrap()).collect();
    println!("{}", v[0]);
}""",
        "compile_error": 'fn main() { let x: i32 = "text"; }',
        "runtime_error": 'fn main() { panic!("boom"); }',
        "busy_loop": """fn main() {
    let mut x: u64 = 1;
    loop {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        if x == 0 { println!("{}", x); }
    }
}""",
        "memory_bomb": """fn main() {
    let mut kept: Vec<Vec<u8>> = Vec::new();
    loop { kept.push(vec![1u8; 1 << 20]); }
}""",
        "fork_bomb": """fn main() {
    loop { let _ = std::process::Command::new("sleep").arg("100").spawn(); }
}""",
        "thread_bomb": """fn main() {
    loop {
        let _ = std::thread::Builder::new()
            .spawn(|| std::thread::sleep(std::time::Duration::from_secs(100)));
    }
}""",
        "output_flood": 'fn main() { loop { println!("flood"); } }',
    },
}
LANGUAGES = list(PROGRAMS)
# What each program must score, and why.
EXPECTED = {
    "correct": (1.0, None),
    "wrong": (0.0, "wrong_answer"),
    "runtime_error": (0.0, "runtime_error"),
    "busy_loop": (0.0, "timeout"),
    "memory_bomb": (0.0, "memory"),
    "output_flood": (0.0, "output_limit"),
}


def item(language: str, program: str, **limits) -> dict:
    return code_item(
        PROGRAMS[language][program], language, cases=add_cases(), timeout_s=2, **limits
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_verdicts(client, language):
    programs = list(EXPECTED)
    results = score(
        client,
        *(item(language, program, memory_mb=128) for program in programs),
        item(language, "compile_error"),
    )
    *verdicts, compile_error = results
    got = {
        program: (r["scores"]["accuracy"], r["details"]["reason"])
        for program, r in zip(programs, verdicts, strict=True)
    }
    assert got == EXPECTED, {p: r["details"] for p, r in zip(programs, verdicts, strict=True)}
    assert compile_error["scores"]["accuracy"] == 0.0
    # JavaScript has no compile step: its syntax errors are runtime errors.
    want = "runtime_error" if language == "javascript" else "compile_error"
    assert compile_error["details"]["reason"] == want, compile_error["details"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_bombs_score_zero_and_the_pool_survives(client, language):
    results = score(client, item(language, "fork_bomb"), item(language, "thread_bomb"))
    assert [(r["scores"]["accuracy"], r["details"]["status"]) for r in results] == [
        (0.0, "scored")
    ] * 2, [r["details"] for r in results]
    (after,) = score(client, item(language, "correct"))
    assert after["scores"]["accuracy"] == 1.0, after["details"]


def test_java_runs_the_class_it_is_given(client):
    renamed = PROGRAMS["java"]["correct"].replace("class Main", "class Solution")
    not_public = PROGRAMS["java"]["correct"].replace("public class Main", "class Judge")
    packaged = "package contest.a;\n" + PROGRAMS["java"]["correct"]
    results = score(
        client,
        *(code_item(code, "java", cases=add_cases()) for code in (renamed, not_public, packaged)),
    )
    assert [r["scores"]["accuracy"] for r in results] == [1.0] * 3, [r["details"] for r in results]


def test_java_runs_the_top_level_class_around_main_not_a_nested_one(client):
    """Contest layout: a non-public Main with a nested class declared before main."""
    code = (
        "import java.util.*;\n"
        "class Main {\n"
        "    static class Pair { long a, b; Pair(long a, long b) { this.a = a; this.b = b; } }\n"
        "    interface Op { long apply(Pair p); }\n"
        "    public static void main(String[] args) {\n"
        "        Scanner in = new Scanner(System.in);\n"
        "        Pair p = new Pair(in.nextLong(), in.nextLong());\n"
        "        Op add = q -> q.a + q.b;\n"
        "        System.out.println(add.apply(p));\n"
        "    }\n"
        "}\n"
        "class Helper { }\n"
    )
    result = score_one(client, code_item(code, "java", cases=add_cases()))
    assert result["scores"]["accuracy"] == 1.0, result["details"]


def test_javascript_as_an_es_module(client):
    program = (
        'import { readFileSync } from "fs";\n'
        'const [a, b] = readFileSync(0, "utf8").trim().split(/\\s+/).map(Number);\n'
        "console.log(a + b);"
    )
    (result,) = score(client, code_item(program, "javascript", cases=add_cases()))
    assert result["scores"]["accuracy"] == 1.0, result["details"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_memory_limit_allows_what_it_says(client, language):
    """A program that uses well under its memory limit is not stopped by the runtime's own
    reservations (JVM, V8, Go runtime)."""
    use_100_mib = {
        "java": """public class Main {
    public static void main(String[] args) {
        byte[] block = new byte[100 << 20];
        for (int i = 0; i < block.length; i += 4096) block[i] = 1;
        System.out.println(3);
    }
}""",
        "javascript": "const b = Buffer.alloc(100 << 20, 1);\nconsole.log(3);",
        "go": """package main

import "fmt"

func main() {
	block := make([]byte, 100<<20)
	for i := range block {
		block[i] = 1
	}
	fmt.Println(3 + int(block[0]) - 1)
}""",
        "rust": """fn main() {
    let block = vec![1u8; 100 << 20];
    println!("{}", 2 + block[block.len() - 1]);
}""",
    }[language]
    (result,) = score(
        client,
        code_item(use_100_mib, language, cases=[{"stdin": "", "stdout": "3\n"}], memory_mb=192),
    )
    assert result["scores"]["accuracy"] == 1.0, result["details"]


def test_declarations_inside_strings_and_templates_do_not_decide_how_a_program_runs(client):
    """Java's class is found outside string literals; JavaScript is a module only by what
    is outside its template literals."""
    java = """public class Main {
    static String text = "public class Decoy {}";
    public static void main(String[] args) {
        java.util.Scanner in = new java.util.Scanner(System.in);
        System.out.println(in.nextLong() + in.nextLong());
    }
}"""
    javascript = """const help = `
import nothing from "anywhere"
`;
const [a, b] = require("fs").readFileSync(0, "utf8").trim().split(/\\s+/).map(Number);
console.log(a + b);"""
    results = score(
        client,
        code_item(java, "java", cases=add_cases()),
        code_item(javascript, "javascript", cases=add_cases()),
    )
    assert [r["scores"]["accuracy"] for r in results] == [1.0, 1.0], results


def test_a_class_name_too_long_for_a_file_is_a_compile_error(client):
    name = "A" * 251
    java = f"public class {name} {{ public static void main(String[] a) {{ System.out.println(3); }} }}"
    (result,) = score(client, code_item(java, "java", cases=add_cases()))
    assert (result["scores"]["accuracy"], result["details"]["reason"]) == (0.0, "compile_error")
