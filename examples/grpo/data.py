"""Synthetic 3-digit addition problems in the R1-Zero template, and a character tokenizer.

A prompt is `"347+285="`; the completion adds column by column, units first, in the scratchpad:

    <think>7+5=12,4+8+1=13,3+2+1=6</think><answer>632</answer>

The pretraining teacher is deliberately buggy: on most problems it forgets every carry
(`4+8=12`, answer `522`) and stays self-consistent, so the pretrained model samples the right
carry only now and then. Held-out greedy accuracy then starts near the share of problems with no
carry at all, and GRPO has a real, verifiable signal to climb.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import torch

PAD, BOS, EOS = 0, 1, 2
_CHARS = "0123456789+=,<>/thinkanswer"
CHARS = "".join(dict.fromkeys(_CHARS))
STOI = {c: i + 3 for i, c in enumerate(CHARS)}
ITOS = {i: c for c, i in STOI.items()}
VOCAB_SIZE = len(CHARS) + 3
MAX_LEN = 72  # longest: BOS + 8-char prompt + 60-char completion + EOS, rounded up


def encode(text: str) -> list[int]:
    return [STOI[c] for c in text]


def decode(ids: list[int]) -> str:
    """Text up to the first EOS; PAD and BOS are dropped."""
    out = []
    for i in ids:
        if i == EOS:
            break
        if i in ITOS:
            out.append(ITOS[i])
    return "".join(out)


@dataclass(frozen=True)
class Problem:
    a: int
    b: int

    @property
    def prompt(self) -> str:
        return f"{self.a}+{self.b}="

    @property
    def answer(self) -> str:
        return str(self.a + self.b)


def completion(p: Problem, carries: bool = True) -> str:
    """The teacher's completion; `carries=False` is the buggy teacher."""
    steps, digits, carry = [], [], 0
    for da, db in zip(reversed(str(p.a)), reversed(str(p.b)), strict=True):
        x, y = int(da), int(db)
        s = x + y + carry
        steps.append(f"{x}+{y}+1={s}" if carry else f"{x}+{y}={s}")
        digits.append(s % 10)
        carry = s // 10 if carries else 0
        last = s
    answer = ("1" if last >= 10 else "") + "".join(map(str, reversed(digits)))
    return f"<think>{','.join(steps)}</think><answer>{int(answer)}</answer>"


def is_held_out(p: Problem) -> bool:
    """A fixed 1/16 of all pairs, scattered by a hash, that training never sees."""
    return (p.a * 1009 + p.b) % 16 == 0


def sample_problems(n: int, rng: random.Random, held_out: bool = False) -> list[Problem]:
    """`n` training problems (or held-out ones), uniform over their part of all pairs."""
    out: list[Problem] = []
    while len(out) < n:
        p = Problem(rng.randint(100, 999), rng.randint(100, 999))
        if is_held_out(p) == held_out:
            out.append(p)
    return out


def held_out(n: int, seed: int = 1234) -> list[Problem]:
    """The fixed evaluation set."""
    return sample_problems(n, random.Random(seed), held_out=True)


def pretrain_batch(
    batch_size: int, rng: random.Random, bug_rate: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids `(B, MAX_LEN)` and a loss mask over the completion (and its EOS) only."""
    ids = torch.full((batch_size, MAX_LEN), PAD, dtype=torch.long)
    mask = torch.zeros((batch_size, MAX_LEN), dtype=torch.bool)
    for row, p in enumerate(sample_problems(batch_size, rng)):
        prompt = [BOS, *encode(p.prompt)]
        target = [*encode(completion(p, carries=rng.random() >= bug_rate)), EOS]
        seq = prompt + target
        ids[row, : len(seq)] = torch.tensor(seq)
        mask[row, len(prompt) : len(seq)] = True
    return ids, mask


def encode_prompts(problems: list[Problem]) -> torch.Tensor:
    """Prompts are all 8 characters long, so a batch needs no left padding."""
    return torch.tensor([[BOS, *encode(p.prompt)] for p in problems], dtype=torch.long)
