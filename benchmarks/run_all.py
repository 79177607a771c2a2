"""Run every benchmark and write their output to benchmarks/RESULTS.md.

Usage: python benchmarks/run_all.py   (the code benchmark needs Docker and the sandbox image)
"""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
SCRIPTS = [
    ("Math throughput, latency and memory", "math_throughput.py"),
    ("Latency of one group of 16", "latency.py"),
    ("Load at twice the capacity", "load.py"),
    ("Code sandbox throughput and overhead", "sandbox.py"),
    ("Contest-style judging: languages and compile-once", "judging.py"),
    ("Math agreement with labels", "math_agreement.py"),
    ("Math agreement with other graders' own test suites", "math_peers.py"),
    ("Language-consistency speed", "language.py"),
    ("Language detectors", "language_detectors.py"),
]
NOTES = HERE / "NOTES.md"


def main() -> None:
    sections = [
        "# Benchmark results",
        "",
        f"Written by `python benchmarks/run_all.py` on {datetime.date.today()}; each section is"
        " one script's output, ratios measured side by side in one run.",
    ]
    for title, script in SCRIPTS:
        print(f"== {script}", flush=True)
        run = subprocess.run(
            [sys.executable, str(HERE / script)], capture_output=True, text=True, cwd=HERE.parent
        )
        output = run.stdout.strip() or "(no output)"
        if run.returncode:
            output += f"\n(exit code {run.returncode}: {run.stderr.strip().splitlines()[-1:]})"
        print(output, flush=True)
        sections += ["", f"## {title} (`benchmarks/{script}`)", "", "```", output, "```"]
    if NOTES.exists():
        sections += ["", NOTES.read_text().strip()]
    (HERE / "RESULTS.md").write_text("\n".join(sections) + "\n")


if __name__ == "__main__":
    main()
