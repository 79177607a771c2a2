"""Language consistency: the share of the reasoning's words in the target language."""

from __future__ import annotations

import pytest

from reward_service.rewards.format import Tags
from reward_service.rewards.language import (
    chain_of_thought,
    count_words,
    latin_detector,
    score_language,
)
from reward_service.scores import Reason
from tests.conftest import runs_within

EN = "First I need to find the sum of the two numbers. Then I check the result carefully."
FR = "D'abord je dois trouver la somme des deux nombres. Ensuite je vérifie le résultat."
DE = "Zuerst muss ich die Summe der beiden Zahlen finden. Dann prüfe ich das Ergebnis genau."
ES = "Primero necesito encontrar la suma de los dos números. Luego compruebo el resultado."
ZH = "首先我需要求出两个数的和。然后仔细检查结果。"
JA = "まず二つの数の和を求める必要があります。次に結果を確認します。"
KO = "먼저 두 수의 합을 구해야 합니다. 그다음 결과를 확인합니다."
RU = "Сначала нужно найти сумму двух чисел. Затем я внимательно проверяю результат."


def words(text: str) -> int:
    return sum(count_words(text, latin_detector()).values())


def cot(text: str) -> str:
    return f"<think>{text}</think> The answer is 42."


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (EN, "en"),
        (FR, "fr"),
        (DE, "de"),
        (ES, "es"),
        (ZH, "zh"),
        (JA, "ja"),
        (KO, "ko"),
        (RU, "ru"),
    ],
)
def test_pure_reasoning_in_each_target_language_scores_one(text, language):
    assert score_language(cot(text), language, latin_detector()).value == 1.0


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (EN, "zh"),
        (ZH, "en"),
        (JA, "zh"),
        (ZH, "ja"),
        (KO, "ja"),
        (RU, "en"),
        (FR, "en"),
        (DE, "fr"),
        (ES, "de"),
        (EN, "es"),
    ],
)
def test_reasoning_in_another_language_scores_zero(text, language):
    assert score_language(cot(text), language, latin_detector()).value == 0.0


def test_word_counting_rules():
    # 9 Han characters, 7 English words ("and" between the formulas is one); math, code, URLs,
    # numbers and one-letter variables count for no language.
    text = (
        "我们需要计算这个值。Let me think about this carefully. "
        "$\\frac{x^2}{2}$ and \\(y\\) `print(x)` https://example.com/a 12345 x = 3\n"
        "```python\nfor word in many_words: pass\n```"
    )
    counts = count_words(text, latin_detector())
    assert counts["zh"] == 9
    assert counts["en"] == 7
    assert sum(counts.values()) == 16


@pytest.mark.parametrize(
    ("parts", "target", "share"),
    [
        # (text, words) pairs, counted by hand: one-letter words ("I", "я") are left out.
        ([(EN, 15), (ZH, 20)], "en", 15 / 35),
        ([(EN, 15), (ZH, 20)], "zh", 20 / 35),
        ([(EN * 3, 45), (ZH, 20)], "en", 45 / 65),
        ([(JA, 29), (EN, 15)], "ja", 29 / 44),
        ([(KO, 24), (EN, 15)], "ko", 24 / 39),
        ([(RU, 10), (EN, 15)], "ru", 10 / 25),
        ([(FR, 14), (EN, 15)], "fr", 14 / 29),
        ([(DE, 15), (EN, 15)], "de", 0.5),
        ([(ES, 13), (EN, 15)], "es", 13 / 28),
        ([(ZH, 20), (JA, 29)], "zh", 20 / 49),
    ],
)
def test_mixtures_land_on_the_true_share(parts, target, share):
    for text, count in parts:
        assert words(text) == count, text
    response = cot(" ".join(text for text, _ in parts))
    assert score_language(response, target, latin_detector()).value == pytest.approx(share)


def test_english_with_a_chinese_phrase_every_few_sentences():
    sentence = "Let me reconsider the second case before moving on."  # 9 words
    text = " ".join([sentence, sentence, "这里要小心。"] * 4)  # 72 English words, 20 Han
    score = score_language(cot(text), "en", latin_detector())
    assert score.value == pytest.approx(72 / 92)


def test_short_latin_sentences_follow_the_dominant_language():
    text = "Hmm. Wait. " + FR + " Bon. " + FR
    counts = count_words(text, latin_detector())
    assert counts["fr"] == sum(counts.values())


@pytest.mark.parametrize(
    "response",
    [
        "<think>$x^2 + 1 = 2$ 42 ... !!!</think> 1",
        "<think>```\nx = 1\n```</think>",
        "<think></think>",
    ],
    ids=["math-only", "code-only", "empty"],
)
def test_no_words_scores_zero_with_a_reason(response):
    score = score_language(response, "en", latin_detector())
    assert (score.value, score.reason) == (0.0, Reason.NO_WORDS)


@pytest.mark.parametrize(
    ("response", "tags", "expected"),
    [
        ("<think>inside</think> outside", Tags(), "inside"),
        ("no tags at all", Tags(), "no tags at all"),
        ("<think>cut off", Tags(), "cut off"),
        ("opened by the prompt</think> answer", Tags(think_in_prompt=True), "opened by the prompt"),
        ("reasoning only</think> answer", Tags(), "reasoning only"),
        ("<r>mine</r> answer", Tags(think="r"), "mine"),
    ],
)
def test_chain_of_thought_is_the_reasoning_part(response, tags, expected):
    assert chain_of_thought(response, tags) == expected


def test_the_answer_part_does_not_count():
    response = f"<think>{EN}</think> {ZH}"
    assert score_language(response, "en", latin_detector()).value == 1.0


def test_detection_is_deterministic():
    text = cot(" ".join([EN, FR, DE, ES] * 3))
    first = [
        score_language(text, lang, latin_detector()).value for lang in ("en", "fr", "de", "es")
    ]
    again = [
        score_language(text, lang, latin_detector()).value for lang in ("en", "fr", "de", "es")
    ]
    assert first == again
    assert sum(first) == pytest.approx(1.0)


# Chinese reasoning with English terms inside its sentences, as R1-style models write it, and
# English reasoning with Chinese phrases: no sentence of either language is long enough alone.
MIXED = [
    "我们需要计算 the derivative of f(x)。首先，用 chain rule 求导。然后代入 x = 2，得到结果。"
    "这个 limit 存在吗？是的，因为函数是 continuous 的。",
    "首先我们考虑 the base case。当 n 等于 1 时，结论成立。然后用 induction。"
    "假设对 n 成立，我们证明对 n+1 也成立。",
    "Let me compute 这个积分 carefully. The integral of x^2 is x^3/3, 所以结果是 9. "
    "Wait, 我需要再检查一下 the bounds.",
    "好的，题目给了一个 geometric sequence，公比是 2。sum formula 是 a(r^n - 1)/(r - 1)。",
    # No sentence with three English words: nothing to take a dominant language from.
    "我们用 chain rule 求导。这个 limit 存在。函数是 continuous 的。所以 derivative 等于 4。",
    "先看 base case。再用 induction 证明。最后检查 edge cases 是否成立。",
]


@pytest.mark.parametrize("text", MIXED)
def test_in_two_languages_the_two_shares_add_up_to_one(text):
    """English words inside Chinese sentences count against a Chinese target; they must count
    for an English one just as much (they once counted as no language at all)."""
    zh = score_language(cot(text), "zh", latin_detector()).value
    en = score_language(cot(text), "en", latin_detector()).value
    assert 0 < en < 1 and 0 < zh < 1
    assert zh + en == pytest.approx(1, abs=0.02), (zh, en)


def test_words_with_at_signs_are_set_aside_in_linear_time():
    """`\\S+@\\S+\\.\\w+` tried every `@` of a word from every position: 8 kB of `a@` took 97 s
    of a worker's time."""
    text = cot("a@" * 100_000 + " A sentence in English.")
    assert runs_within(0.5, score_language, text, "en", latin_detector())


@pytest.mark.parametrize("opener", ["\\(", "\\[", "$$", "\\begin{x}", "\\begin{x%d}", "`"])
def test_unclosed_math_and_code_are_set_aside_in_linear_time(opener):
    """Each unclosed `\\(`, `\\[` or `\\begin{x}` once looked for its closer to the end of
    the text: 4,000 of them took 0.3-0.9 s of a worker's time, and 100,000 minutes."""
    openers = "".join(opener.replace("%d", str(n)) + " mot " for n in range(100_000))
    text = cot(openers + " A sentence in English.")
    assert runs_within(0.5, score_language, text, "en", latin_detector())


@pytest.mark.parametrize(
    "text",
    [
        "We solve \\( x^2 = 4 \\) to find \\( x = 2 \\).",
        "We solve \\begin{align} \\begin{cases} x = 2 \\end{cases} \\end{align} for x.",
        "We solve \\[ x = 2 \\] and $$ y = 3 $$ here.",
    ],
)
def test_math_is_no_word_of_any_language(text):
    assert score_language(cot(text), "en", latin_detector()).value == 1.0
