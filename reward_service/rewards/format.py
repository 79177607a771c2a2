"""Format reward: does the response follow the reasoning template? 1.0 or 0.0 with a reason.

Templates (DESIGN.md):
- `think_answer` (R1-Zero): `<think>reasoning</think>` then `<answer>answer</answer>`, with only
  whitespace before, between and after them;
- `think` (R1 chat): `<think>reasoning</think>` then a non-empty final answer in plain text.
Both need non-empty reasoning and answer and exactly one of each template tag, in order; so a
repeated, nested or stray tag fails. Tags are matched exactly, so `a<b` or `<thinking>` in the
reasoning is just text. Tag names can be changed (`reasoning`/`solution`), and the prompt may
already have opened the reasoning tag (the R1 chat template does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reward_service.scores import Reason, Score

Template = Literal["think_answer", "think"]


@dataclass(frozen=True)
class Tags:
    """The template's tag names, and whether the prompt already opened the reasoning tag."""

    think: str = "think"
    answer: str = "answer"
    think_in_prompt: bool = False

    @property
    def think_open(self) -> str:
        return f"<{self.think}>"

    @property
    def think_close(self) -> str:
        return f"</{self.think}>"

    @property
    def answer_open(self) -> str:
        return f"<{self.answer}>"

    @property
    def answer_close(self) -> str:
        return f"</{self.answer}>"

    def full(self, response: str) -> str:
        """The response as if the prompt's opening tag were part of it."""
        return self.think_open + response if self.think_in_prompt else response

    def standardize(self, response: str) -> str:
        """`full(response)` with custom tag names mapped to `think`/`answer`, the names that
        answer extraction (`reward_service.extract`) looks for."""
        text = self.full(response)
        for custom, standard in ((self.think, "think"), (self.answer, "answer")):
            if custom != standard:
                text = text.replace(f"<{custom}>", f"<{standard}>")
                text = text.replace(f"</{custom}>", f"</{standard}>")
        return text


DEFAULT_TAGS = Tags()


def score_format(response: str, template: Template, tags: Tags = DEFAULT_TAGS) -> Score:
    """Check the reasoning template; 1.0 when it is followed exactly.

    Args:
        response: the model's response (without the prompt).
        template: `"think_answer"` or `"think"`.
        tags: tag names, and `think_in_prompt` when the prompt ends with the opening tag.

    >>> score_format("<think>2+2 is 4</think> The answer is 4.", "think").value
    1.0
    >>> score_format("<think>2+2 is 4</think>", "think").reason
    <Reason.EMPTY_ANSWER: 'empty_answer'>
    >>> score_format("<think>hmm, 2+2", "think_answer").reason
    <Reason.TRUNCATED: 'truncated'>
    >>> score_format("2+2 is 4</think> 4", "think", Tags(think_in_prompt=True)).value
    1.0
    """
    text = tags.full(response)
    think_open, think_close = tags.think_open, tags.think_close
    answer_open, answer_close = tags.answer_open, tags.answer_close
    wanted = [think_open, think_close]
    if template == "think_answer":
        wanted += [answer_open, answer_close]

    counts = {tag: text.count(tag) for tag in wanted}
    if any(count > 1 for count in counts.values()):
        return Score.zero(Reason.REPEATED_TAG)
    if counts[think_open] == 0:
        return Score.zero(Reason.MISSING_TAG)
    if counts[think_close] == 0:
        return Score.zero(Reason.TRUNCATED)
    if template == "think_answer":
        if counts[answer_open] == 0:
            return Score.zero(Reason.MISSING_TAG)
        if counts[answer_close] == 0:
            return Score.zero(Reason.TRUNCATED)

    positions = [text.index(tag) for tag in wanted]
    if positions != sorted(positions):
        return Score.zero(Reason.TAG_ORDER)
    before, rest = text.split(think_open, 1)
    reasoning, after = rest.split(think_close, 1)
    if before.strip():
        return Score.zero(Reason.TEXT_OUTSIDE_TAGS)
    if not reasoning.strip():
        return Score.zero(Reason.EMPTY_REASONING)

    if template == "think":
        return Score(1.0) if after.strip() else Score.zero(Reason.EMPTY_ANSWER)
    between, rest = after.split(answer_open, 1)
    answer, trailing = rest.split(answer_close, 1)
    if between.strip() or trailing.strip():
        return Score.zero(Reason.TEXT_OUTSIDE_TAGS)
    if not answer.strip():
        return Score.zero(Reason.EMPTY_ANSWER)
    return Score(1.0)
