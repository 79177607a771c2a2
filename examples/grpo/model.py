"""A tiny decoder-only transformer (GPT) with sampling; plain torch."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class GPTConfig:
    vocab_size: int
    max_len: int
    n_layer: int = 4
    n_head: int = 4
    d_model: int = 192
    dropout: float = 0.0


class Block(nn.Module):
    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.n_head = cfg.n_head
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.mlp = nn.Sequential(
            nn.Linear(cfg.d_model, 4 * cfg.d_model),
            nn.GELU(),
            nn.Linear(4 * cfg.d_model, cfg.d_model),
        )
        self.dropout = cfg.dropout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(b, t, 3, self.n_head, d // self.n_head).unbind(2)
        y = F.scaled_dot_product_attention(
            q.transpose(1, 2),
            k.transpose(1, 2),
            v.transpose(1, 2),
            is_causal=True,
            dropout_p=self.dropout if self.training else 0.0,
        )
        x = x + self.proj(y.transpose(1, 2).reshape(b, t, d))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, cfg: GPTConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.tok = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.pos = nn.Embedding(cfg.max_len, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Logits `(B, T, V)` for token ids `(B, T)`."""
        x = self.tok(ids) + self.pos(torch.arange(ids.shape[1], device=ids.device))
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln(x))

    @torch.no_grad()
    def generate(
        self, prompts: torch.Tensor, max_new: int, eos: int, temperature: float = 1.0
    ) -> torch.Tensor:
        """Continue equal-length prompts `(B, P)`; returns the new tokens `(B, max_new)`, with
        everything after a row's EOS set to EOS. `temperature=0` is greedy.

        No KV cache: sequences are under 80 tokens, and recomputing keeps the model trivial.
        """
        ids = prompts
        done = torch.zeros(len(prompts), dtype=torch.bool, device=prompts.device)
        for _ in range(max_new):
            logits = self(ids[:, -self.cfg.max_len :])[:, -1].float()
            if temperature == 0:
                nxt = logits.argmax(-1)
            else:
                nxt = torch.multinomial(F.softmax(logits / temperature, -1), 1).squeeze(1)
            nxt = torch.where(done, torch.full_like(nxt, eos), nxt)
            ids = torch.cat([ids, nxt[:, None]], 1)
            done |= nxt == eos
            if done.all():
                break
        new = ids[:, prompts.shape[1] :]
        pad = max_new - new.shape[1]
        return F.pad(new, (0, pad), value=eos) if pad else new


def token_logprobs(model: GPT, ids: torch.Tensor, n_prompt: int) -> torch.Tensor:
    """Log-probabilities `(B, T - n_prompt)` of each completion token of `ids` under `model`."""
    logits = model(ids[:, :-1])[:, n_prompt - 1 :].float()
    return torch.gather(F.log_softmax(logits, -1), 2, ids[:, n_prompt:, None]).squeeze(2)


def save(model: GPT, path: str) -> None:
    torch.save({"config": asdict(model.cfg), "state": model.state_dict()}, path)


def load(path: str, device: str | torch.device = "cpu") -> GPT:
    blob = torch.load(path, map_location=device)
    model = GPT(GPTConfig(**blob["config"])).to(device)
    model.load_state_dict(blob["state"])
    return model
