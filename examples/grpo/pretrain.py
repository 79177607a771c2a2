"""Pretrain the tiny GPT from scratch on the buggy teacher's addition traces (see data.py).

python -m examples.grpo.pretrain --device cuda --out examples/grpo/runs/base.pt
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from examples.grpo.data import (
    EOS,
    MAX_LEN,
    VOCAB_SIZE,
    decode,
    encode_prompts,
    held_out,
    pretrain_batch,
)
from examples.grpo.model import GPT, GPTConfig, save


@torch.no_grad()
def greedy_accuracy(model: GPT, n: int, device: str) -> float:
    """Exact-match accuracy of greedy answers on the held-out set (local check, for the log)."""
    model.eval()
    problems = held_out(n)
    out = model.generate(encode_prompts(problems).to(device), MAX_LEN - 9, EOS, temperature=0)
    texts = [decode(row) for row in out.tolist()]
    model.train()
    hits = [f"<answer>{p.answer}</answer>" in t for p, t in zip(problems, texts, strict=True)]
    return sum(hits) / n


def main(argv: list[str] | None = None) -> GPT:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", default="examples/grpo/runs/base.pt")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--bug-rate", type=float, default=0.7, help="share of carry-less traces")
    ap.add_argument("--n-layer", type=int, default=4)
    ap.add_argument("--n-head", type=int, default=4)
    ap.add_argument("--d-model", type=int, default=192)
    ap.add_argument("--eval-size", type=int, default=512)
    ap.add_argument("--log-every", type=int, default=250)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    cfg = GPTConfig(VOCAB_SIZE, MAX_LEN, args.n_layer, args.n_head, args.d_model)
    model = GPT(cfg).to(args.device)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, args.lr, total_steps=args.steps, pct_start=0.1)
    start = time.time()
    for step in range(1, args.steps + 1):
        ids, mask = (t.to(args.device) for t in pretrain_batch(args.batch_size, rng, args.bug_rate))
        logits = model(ids[:, :-1])
        loss = F.cross_entropy(logits[mask[:, 1:]], ids[:, 1:][mask[:, 1:]])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % args.log_every == 0 or step == args.steps:
            acc = greedy_accuracy(model, args.eval_size, args.device)
            print(
                f"pretrain step {step:5d}  loss {loss.item():.4f}  held-out greedy acc {acc:.3f}"
                f"  {time.time() - start:.0f}s",
                flush=True,
            )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    save(model, args.out)
    print(f"saved {args.out}")
    return model


if __name__ == "__main__":
    main()
