"""Final-answer extraction: which part of a response counts as its answer.

These rules decide rewards, so they are where reward hacking is fought (DESIGN.md,
"Final-answer rules"). Every function here is linear in the response length: a 200 kB
adversarial response full of unclosed tags must not turn extraction quadratic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from reward_service.scores import Reason

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"
ANSWER_OPEN = "<answer>"
ANSWER_CLOSE = "</answer>"
_FENCE = "```"

_BOX_COMMAND = re.compile(r"\\(?:boxed|fbox)(?![A-Za-z])")
_BRACE_TOKEN = re.compile(r"\\.|[{}]", re.S)
_BARE_BOX_ARGUMENT = re.compile(r"\s+([^\s$]+)")
_SENTENCE_END = ".,;:!?"
_LEADING_PUNCTUATION = ",;:!?"

# CJK text is words, whitespace or not: "答案是3或4" is the tokens 答案是, 3, 或, 4.
_CJK_CHARS = r"\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff5f-\uffef"
_CJK = re.compile(rf"[{_CJK_CHARS}]+")
# Prose: a word of three letters or more that is no LaTeX command, two short words in a row
# ("It is"), or CJK text.
_PROSE = re.compile(
    rf"(?<![\\A-Za-z])(?:[A-Za-z]{{3,}}|[A-Za-z]{{2}}\s+[A-Za-z]{{2,}}(?![A-Za-z]))|[{_CJK_CHARS}]"
)
_TEXT_COMMAND = re.compile(r"\\(?:text|textbf|textrm|mathrm|mbox)\{[^{}]*\}")
_MATH_OPENER = re.compile(r"\$\$|(?<!\\)\$|\\\(|\\\[")
_MATH_CLOSER = {"$$": "$$", "$": "$", "\\(": "\\)", "\\[": "\\]"}
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_TOKEN = re.compile(rf"[{_CJK_CHARS}]+|[^\s{_CJK_CHARS}]+")
_LETTER_RUN = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{2,}")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")
_MATH_SYMBOL = re.compile(r"[\\^_=+\-*/<>()\[\]{}|%]")
_MATH_WORDS = frozenset(
    "sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh log ln lg exp sqrt "
    "lim max min gcd lcm mod pi".split()
)
_ENGLISH_LETTERS = frozenset({"a", "A", "I"})
_DECORATION = "*\"'`"
_MARKDOWN_WRAPPED = re.compile(r"(\*\*|__)(.+)\1", re.S)


class Source(str, Enum):
    """Where the extracted answer came from."""

    BOXED = "boxed"
    ANSWER_TAG = "answer_tag"


@dataclass(frozen=True)
class MathAnswer:
    """What a response answered: distinct candidate strings, in order of appearance.

    More than one candidate means the response gave several different final answers.
    `reason` says why when there are none.
    """

    candidates: tuple[str, ...]
    source: Source | None = None
    reason: Reason | None = None


def final_part(response: str) -> str | None:
    """The text after the last `</think>`, where the final answer lives.

    A response without think tags is all final answer. A response that opens `<think>`
    and never closes it was cut off while reasoning: it has no final part (None). That
    includes a `<think>` reopened after the last `</think>`: what follows it is reasoning,
    and counting it would let a box written mid-thought earn reward.

    >>> final_part("<think>2+2=4, so \\\\boxed{4}</think> The answer is 4.")
    ' The answer is 4.'
    >>> final_part("<think>still thinking") is None
    True
    >>> final_part("<think>a</think> 4 <think>on second thought") is None
    True
    """
    close = response.rfind(THINK_CLOSE)
    final = response if close < 0 else response[close + len(THINK_CLOSE) :]
    if THINK_OPEN in final:
        return None
    return final


def find_boxed(text: str) -> list[str]:
    r"""Contents of every top-level `\boxed{…}` / `\fbox{…}` (and `\boxed 5`), in order.

    Nested braces are matched; escaped braces (`\{`) do not count. A box whose braces never
    close (a truncated response) yields nothing. Boxes nested in another box are part of
    the outer box's content, not separate answers.

    >>> find_boxed(r"so \boxed{\frac{1}{2}} and \fbox{3} and \boxed 5$, \boxed 6.")
    ['\\frac{1}{2}', '3', '5', '6']
    """
    if "\\boxed" not in text and "\\fbox" not in text:
        return []
    closing = _closing_braces(text)
    contents: list[str] = []
    covered_until = -1
    for match in _BOX_COMMAND.finditer(text):
        if match.start() < covered_until:
            continue
        after = match.end()
        while after < len(text) and text[after] in " \t":
            after += 1
        if after < len(text) and text[after] == "{":
            end = closing.get(after)
            if end is None:
                continue
            contents.append(text[after + 1 : end].strip())
            covered_until = end
        else:
            bare = _BARE_BOX_ARGUMENT.match(text, match.end())
            if bare:
                # `The answer is \boxed 7.`: the full stop ends the sentence, not the number.
                contents.append(bare.group(1).rstrip(_SENTENCE_END))
                covered_until = bare.end()
    return [content for content in contents if content]


def _closing_braces(text: str) -> dict[int, int]:
    """Map the index of each `{` to the index of its matching `}` (one linear pass)."""
    closing: dict[int, int] = {}
    open_stack: list[int] = []
    for token in _BRACE_TOKEN.finditer(text):
        char = token.group()
        if char == "{":
            open_stack.append(token.start())
        elif char == "}" and open_stack:
            closing[open_stack.pop()] = token.start()
    return closing


def answer_tag_bodies(text: str) -> list[str]:
    """Bodies of every closed `<answer>…</answer>` in text, in order (linear scan)."""
    bodies = []
    position = 0
    while True:
        start = text.find(ANSWER_OPEN, position)
        if start < 0:
            return bodies
        end = text.find(ANSWER_CLOSE, start + len(ANSWER_OPEN))
        if end < 0:
            return bodies
        bodies.append(text[start + len(ANSWER_OPEN) : end].strip())
        position = end + len(ANSWER_CLOSE)


def is_prose(text: str) -> bool:
    r"""Whether an answer body is prose around the answer rather than the answer itself.

    >>> is_prose(r"\text{yes}"), is_prose(r"x = \frac{1}{2}"), is_prose("答案是5")
    (False, False, True)
    >>> is_prose("The area is 12."), is_prose("$12$")
    (True, True)
    """
    return bool(_PROSE.search(_TEXT_COMMAND.sub(" ", text)) or _MATH_OPENER.search(text))


def stated_values(body: str) -> list[str]:
    r"""The values an `<answer>` body states, in order.

    An expression body is one value. In prose, each math span (`$…$`, `\(…\)`, `\[…\]`) and
    each run of math tokens between words is a value: a body that states several values is
    judged like several boxes, so `"It could be 3, 4 or 5"` cannot earn reward by letting the
    verifier pick the right one out of the prose. Prose that states no value (`"Yes"`,
    `"Alice"`) is returned whole. Linear in the body's length.

    >>> stated_values(r"x = \frac{1}{2}")
    ['x = \\frac{1}{2}']
    >>> stated_values("So the answer is $x = 3$.")
    ['x = 3']
    >>> stated_values("答案是5。")
    ['5']
    >>> stated_values("We get 12 apples, so 7.")
    ['12', '7']
    >>> stated_values("**Answer:** 3, 4, 5.")
    ['3, 4, 5']
    """
    wrapped = _MARKDOWN_WRAPPED.fullmatch(body)
    if wrapped:
        body = wrapped.group(2).strip()
    if not is_prose(body):
        return [body]
    values: list[str] = []
    position = 0
    while True:
        opener = _MATH_OPENER.search(body, position)
        closer = _MATH_CLOSER[opener.group()] if opener else ""
        close = body.find(closer, opener.end()) if opener else -1
        if close < 0:
            values += _math_runs(body[position:])
            return [value for value in values if value] or [body]
        values += _math_runs(body[position : opener.start()])
        values.append(body[opener.end() : close].strip())
        position = close + len(closer)


def _math_runs(prose: str) -> list[str]:
    """Maximal runs of math tokens (numbers, operators, LaTeX, lone variables) between words."""
    text = prose.translate(_FULLWIDTH)
    runs: list[str] = []
    start = end = -1
    for token in _TOKEN.finditer(text):
        if _is_word(token.group().strip(_DECORATION).rstrip(_SENTENCE_END)):
            if start >= 0:
                runs.append(text[start:end])
            start = -1
            continue
        if start < 0:
            start = token.start()
        end = token.end()
    if start >= 0:
        runs.append(text[start:end])
    stripped = (
        run.strip(_DECORATION).lstrip(_LEADING_PUNCTUATION).rstrip(_SENTENCE_END).strip(_DECORATION)
        for run in runs
    )
    return [run for run in stripped if any(char.isdigit() or char == "\\" for char in run)]


def _is_word(token: str) -> bool:
    if token in _ENGLISH_LETTERS or _ORDINAL.fullmatch(token) or _CJK.match(token):
        return True
    if any(char.isdigit() for char in token):
        return False
    if any(run.lower() not in _MATH_WORDS for run in _LETTER_RUN.findall(token)):
        return True
    # Letters and dots only ("i.e.", "e.g."): an abbreviation; one letter alone is a variable.
    return not _MATH_SYMBOL.search(token) and sum(char.isalpha() for char in token) > 1


def extract_math_answer(response: str) -> MathAnswer:
    r"""Apply DESIGN.md's final-answer rules for math.

    Only the text after the last `</think>` counts. There, the `<answer>` body counts if
    present, and a `\boxed{}` inside it wins over the bare body; otherwise the `\boxed{}`
    contents count. Every distinct candidate is returned, not just the last one, so the
    scorer can refuse a response that boxes several different values.

    >>> extract_math_answer(r"<think>maybe \boxed{41}</think> so \boxed{42}").candidates
    ('42',)
    >>> extract_math_answer("<think>hm</think><answer>42</answer>").source
    <Source.ANSWER_TAG: 'answer_tag'>
    >>> extract_math_answer(r"<think>only here: \boxed{42}</think> I give up.").reason
    <Reason.NO_ANSWER: 'no_answer'>
    """
    final = final_part(response)
    if final is None:
        return MathAnswer((), reason=Reason.TRUNCATED)
    bodies = answer_tag_bodies(final)
    if bodies:
        boxed_in_bodies = [box for body in bodies for box in find_boxed(body)]
        if boxed_in_bodies:
            return MathAnswer(_distinct(boxed_in_bodies), Source.BOXED)
        if any(_BOX_COMMAND.search(body) for body in bodies):
            # The box wins over the body even when it is empty or never closed: falling back to
            # the prose around an empty box would read numbers the model did not commit to.
            return MathAnswer((), reason=Reason.NO_ANSWER)
        nonempty = [body for body in bodies if body]
        if nonempty:
            return MathAnswer(_distinct(nonempty), Source.ANSWER_TAG)
        return MathAnswer((), reason=Reason.NO_ANSWER)
    boxes = find_boxed(final)
    if boxes:
        return MathAnswer(_distinct(boxes), Source.BOXED)
    return MathAnswer((), reason=Reason.NO_ANSWER)


def _distinct(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(" ".join(item.split()) for item in items))


@dataclass(frozen=True)
class CodeBlock:
    language: str
    code: str


def extract_code_block(response: str) -> CodeBlock | None:
    """The last complete fenced code block after the last `</think>` (DESIGN.md).

    Fences pair up in order; an unclosed last fence (a truncated response) does not count.
    `language` is the fence's tag, lower-cased (`""` when untagged).

    >>> extract_code_block("<think>```py\\nprint(1)\\n```</think>```cpp\\nint main(){}\\n```")
    CodeBlock(language='cpp', code='int main(){}\\n')
    >>> extract_code_block("<think>```python\\nprint(1)\\n```</think> no code") is None
    True
    """
    final = final_part(response)
    if final is None:
        return None
    fences = []
    position = final.find(_FENCE)
    while position >= 0:
        fences.append(position)
        position = final.find(_FENCE, position + len(_FENCE))
    if len(fences) < 2:
        return None
    complete = len(fences) - len(fences) % 2
    opening, closing = fences[complete - 2], fences[complete - 1]
    body = final[opening + len(_FENCE) : closing]
    header, newline, code = body.partition("\n")
    if not newline:
        return CodeBlock("", header)
    return CodeBlock(header.strip().lower(), code)
