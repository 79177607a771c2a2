"""Contest-style judging: what each language costs in the warm pool, and compile-once on a
GRPO-shaped batch, measured side by side in one run.

1. Per language: 12 submissions of an a+b program (10 stdio cases each, all in one exec),
   one at a time through the Docker warm pool: compile time and run time per case as the
   runner measured them, and the sandbox's overhead per submission (the exchange's wall time
   minus compiling and running), p50 and p99.
2. A GRPO-shaped batch: 8 C++ problems x 16 samples, 4 distinct programs among each problem's
   samples (sampled answers repeat), scored through the service as one request, where identical
   submissions compile and run once, against the peer way: one request per sample, so every
   sample compiles (as per-sample `run_code` calls do), with as many in flight as cores.

Usage: python benchmarks/judging.py   (needs Docker and `reward-service sandbox build`)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

import httpx

from reward_service.sandbox.containers import ContainerLimits
from reward_service.sandbox.docker import DockerSandbox
from reward_service.sandbox.images import sandbox_image
from reward_service.sandbox.types import Limits, SandboxJob

sys.path.insert(0, str(Path(__file__).parent))
from math_throughput import serve  # noqa: E402

LIMITS = Limits(time_s=5, memory_mb=256, output_bytes=1 << 20, file_bytes=1 << 24, processes=32)
SUBMISSIONS = 12
CASES = [f"{a} {b}\n" for a, b in zip(range(10), range(100, 110), strict=True)]
ADD = {
    "python": "a, b = map(int, input().split())\nprint(a + b)",
    "cpp": "#include <iostream>\nint main() { long a, b; std::cin >> a >> b; "
    "std::cout << a + b << std::endl; }",
    "java": "import java.util.*;\npublic class Main { public static void main(String[] x) { "
    "Scanner in = new Scanner(System.in); System.out.println(in.nextLong() + in.nextLong()); } }",
    "javascript": 'const [a, b] = require("fs").readFileSync(0, "utf8").split(/\\s+/).map(Number);'
    "\nconsole.log(a + b);",
    "go": 'package main\n\nimport "fmt"\n\nfunc main() {\n\tvar a, b int64\n\t'
    "fmt.Scan(&a, &b)\n\tfmt.Println(a + b)\n}",
    "rust": "use std::io::Read;\nfn main() { let mut s = String::new(); "
    "std::io::stdin().read_to_string(&mut s).unwrap(); let v: Vec<i64> = "
    's.split_whitespace().map(|x| x.parse().unwrap()).collect(); println!("{}", v[0] + v[1]); }',
}


def quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.99 * len(ordered)))]


async def per_language() -> list[str]:
    pool = DockerSandbox(
        sandbox_image(), 2, ContainerLimits(memory_mb=1024, processes=32, cpus=1, workdir_mb=64)
    )
    await pool.start()
    lines = [
        f"{'language':<11} {'compile p50':>11} {'run/case p50':>12} "
        f"{'overhead p50':>12} {'overhead p99':>12}"
    ]
    try:
        for language, program in ADD.items():
            comment = "#" if language == "python" else "//"
            compiles, runs, overheads = [], [], []
            for index in range(SUBMISSIONS + 1):
                job = SandboxJob(language, f"{program}\n{comment} {index}\n", tuple(CASES), LIMITS)
                started = time.perf_counter()
                report = await pool.run(job)
                wall = time.perf_counter() - started
                assert all(run.exit_code == 0 for run in report.runs), report
                if index == 0:
                    continue  # warm-up
                compiled = report.compilation.wall_s if report.compilation else 0.0
                ran = sum(run.wall_s for run in report.runs)
                compiles.append(compiled)
                runs.extend(run.wall_s for run in report.runs)
                overheads.append(wall - compiled - ran)
            compile_text = f"{statistics.median(compiles) * 1000:.0f} ms" if any(compiles) else "-"
            overhead_p50, overhead_p99 = quantiles(overheads)
            lines.append(
                f"{language:<11} {compile_text:>11} {statistics.median(runs) * 1000:>9.1f} ms "
                f"{overhead_p50 * 1000:>9.1f} ms {overhead_p99 * 1000:>9.1f} ms"
            )
    finally:
        await pool.close()
    return lines


def grpo_batch(rng: random.Random) -> list[dict]:
    items = []
    for problem in range(8):
        a, b = rng.randint(1, 999), rng.randint(1, 999)
        cases = [{"stdin": f"{a} {b}\n", "stdout": f"{a + b}\n"}]
        distinct = [
            f"{ADD['cpp']}\n// problem {problem}, variant {variant}" for variant in range(3)
        ] + [ADD["cpp"].replace("a + b", "a - b") + f"\n// problem {problem}"]
        for _ in range(16):
            program = rng.choice(distinct)
            items.append(
                {
                    "response": f"<think>Add.</think>\n```cpp\n{program}\n```",
                    "group": f"p{problem}",
                    "tests": {"language": "cpp", "cases": cases},
                }
            )
    return items


def compile_once(url: str) -> list[str]:
    items = grpo_batch(random.Random(0))
    with httpx.Client(base_url=url, timeout=600) as client:
        client.post("/v1/score", json={"items": items[:2]})  # warm-up
        started = time.perf_counter()
        batched = client.post("/v1/score", json={"items": items}).json()["results"]
        ours = time.perf_counter() - started

        def one(item: dict) -> dict:
            return client.post("/v1/score", json={"items": [item]}).json()["results"][0]

        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as threads:
            single = list(threads.map(one, items))
        peer = time.perf_counter() - started
    verdicts = [r["scores"]["accuracy"] for r in batched]
    assert verdicts == [r["scores"]["accuracy"] for r in single], "the two ways disagree"
    distinct = len({item["response"] for item in items})
    return [
        f"{len(items)} samples ({distinct} distinct programs), C++, verdicts identical both ways",
        f"one request (identical submissions compile and run once): {ours:.2f} s",
        f"peer, one request per sample (every sample compiles): {peer:.2f} s",
        f"ratio: {peer / ours:.1f}x",
    ]


def main() -> None:
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}")
    print("Per language, warm pool, 10 cases per submission in one exec:")
    for line in asyncio.run(per_language()):
        print("  " + line)
    print("GRPO-shaped batch, 8 problems x 16 samples:")
    process, url = serve("docker")
    try:
        for line in compile_once(url):
            print("  " + line)
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()
