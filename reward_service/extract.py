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
    and never closes it was cut off while reasoning: it has no final part (None).

    >>> final_part("<think>2+2=4, so \\\\boxed{4}</think> The answer is 4.")
    ' The answer is 4.'
    >>> final_part("<think>still thinking") is None
    True
    """
    close = response.rfind(THINK_CLOSE)
    if close >= 0:
        return response[close + len(THINK_CLOSE) :]
    if THINK_OPEN in response:
        return None
    return response


def find_boxed(text: str) -> list[str]:
    r"""Contents of every top-level `\boxed{…}` / `\fbox{…}` (and `\boxed 5`), in order.

    Nested braces are matched; escaped braces (`\{`) do not count. A box whose braces never
    close (a truncated response) yields nothing. Boxes nested in another box are part of
    the outer box's content, not separate answers.

    >>> find_boxed(r"so \boxed{\frac{1}{2}} and \fbox{3} and \boxed 5$.")
    ['\\frac{1}{2}', '3', '5']
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
                contents.append(bare.group(1))
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

