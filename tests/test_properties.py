"""Extraction and format rules on random unicode (hypothesis): they never raise, and the
properties a reward hacker would attack hold for every input, not only the examples."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from reward_service.extract import extract_math_answer, final_part
from reward_service.rewards.format import score_format
from reward_service.rewards.math import quick_score

TAGS = ["<think>", "</think>", "<answer>", "</answer>"]
# Random text, with the characters extraction and the template care about mixed in.
text = st.lists(
    st.one_of(st.text(), st.sampled_from([*TAGS, "\\boxed{", "{", "}", "\\", "$", "\n"]))
).map("".join)
# Text made of what the extractor reads (answer markers, math delimiters, boxes, values,
# separators) and random characters: a response that makes extraction raise is left unjudged,
# out of its group's statistics, which a policy would learn to seek.
VOCABULARY = [
    *TAGS,
    "\\boxed{",
    "\\boxed ",
    "\\fbox{",
    "{",
    "}",
    "\\",
    "$",
    "$$",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "\n",
    " ",
    "answer is ",
    "Answer: ",
    "Final Answer: The final answer is ",
    "####",
    "\\text{",
    "or ",
    "and ",
    ",",
    ".",
    "=",
    "1",
    "2.5",
    "-3",
    "\\frac{1}{2}",
    "x",
    "(",
    ")",
    "[",
    "]",
    "\\pm",
    "%",
    "therefore ",
    "^",
    "_",
    "\\sqrt{",
    "three",
    "C",
    "(B)",
    "\\in",
    "\\le",
    "<",
    ">",
    "\\cup",
    "\\{",
    "\\}",
    "\\infty",
    "\\pi",
    ":",
    "\\,",
    "km",
    "\\%",
    "\\$",
    "10^{3}",
    "\\times",
    "\\quad",
    "\\left(",
    "\\right)",
    "\\approx",
    "|",
    "'",
    '"',
    "２",
    "三",
    "\\begin{pmatrix}",
    "\\end{pmatrix}",
    "&",
    "\\\\",
]
marked = st.lists(st.sampled_from(VOCABULARY) | st.text(max_size=2), max_size=40).map("".join)
REFERENCES = ["1", "\\frac12", "(1, 2)", "x^2+1", "C", "[0, 1)", "2.5", "\\{1, 2\\}", "yes"]
plain = st.text(st.characters(blacklist_characters="<>\\{}$"), min_size=0, max_size=60)
words = plain.filter(lambda s: s.strip())


@given(text, st.sampled_from(["think", "think_answer"]))
def test_format_is_zero_or_one_with_a_reason_for_zero(response, template):
    score = score_format(response, template)
    assert score.value in (0.0, 1.0)
    assert (score.reason is None) == (score.value == 1.0)


@given(words, words, st.sampled_from(["", " ", "\n"]))
def test_the_template_followed_scores_one(reasoning, answer, space):
    response = f"{space}<think>{reasoning}</think>{space}<answer>{answer}</answer>{space}"
    assert score_format(response, "think_answer").value == 1.0


@given(words, words, st.data())
def test_a_truncated_response_never_passes_the_template(reasoning, answer, data):
    response = f"<think>{reasoning}</think><answer>{answer}</answer>"
    cut = data.draw(st.integers(0, len(response) - 1))
    assert score_format(response[:cut], "think_answer").value == 0.0


@given(words, words, st.sampled_from(TAGS), st.data())
def test_a_repeated_tag_never_passes(reasoning, answer, tag, data):
    response = f"<think>{reasoning}</think><answer>{answer}</answer>"
    at = data.draw(st.integers(0, len(response)))
    assert score_format(response[:at] + tag + response[at:], "think_answer").value == 0.0


@example("<think>x</think> \\boxed e answer is$$")  # an empty restatement once raised
@given(text | marked)
def test_extraction_never_raises_and_the_final_part_is_a_suffix(response):
    part = final_part(response)
    assert part is None or response.endswith(part)
    answer = extract_math_answer(response)
    assert all(candidate for candidate in answer.candidates)
    assert answer.candidates or answer.reason is not None


@settings(deadline=None)
@given(marked, st.sampled_from(REFERENCES))
def test_the_event_loops_judging_never_raises(response, reference):
    score = quick_score(extract_math_answer(response), reference)
    assert score is None or score.value in (0.0, 1.0)


@given(plain, plain, st.text(st.characters(blacklist_characters="{}\\"), min_size=1, max_size=20))
def test_a_box_inside_the_reasoning_never_counts(before, after, value):
    response = f"<think>{before} \\boxed{{{value}}}</think>{after}"
    assert value.strip() not in extract_math_answer(response).candidates or value.strip() in after


# Visible characters and plain spaces (extraction makes any run of spaces one space).
printable = st.one_of(
    st.characters(blacklist_categories=("Cc", "Cs", "Z"), blacklist_characters="{}\\$"),
    st.just(" "),
)


@given(plain, st.text(printable, min_size=1, max_size=20))
def test_a_box_in_the_final_part_is_the_answer(reasoning, value):
    answer = extract_math_answer(f"<think>{reasoning}</think> So \\boxed{{{value}}}")
    if value.strip():
        assert answer.candidates == (" ".join(value.split()),)
