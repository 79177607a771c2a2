"""GRPO on the pretrained tiny GPT, with rewards from the reward service over HTTP.

    reward-service serve --port 8765 &
    python -m examples.grpo.train_grpo --service-url http://127.0.0.1:8765 --device cuda

Each step samples `--prompts-per-step` problems and `--group-size` completions for each, and
scores them all in one request (each problem is one `group`; accuracy + format under the
`think_answer` template). Advantages are the service's `advantage` field: `(r - mean) / (std +
eps)` per group with the population std (an all-equal group gets 0), so the trainer computes no
statistics itself. The loss is GRPO's (DeepSeekMath): a PPO-clipped surrogate per token, minus
`beta` times the k3 estimate of KL(policy || frozen reference), averaged over each completion's
tokens and then over completions. Held-out accuracy is scored the same way, through the service,
on greedy completions.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import time
from pathlib import Path
from typing import Any

import torch

from examples.grpo.data import (
    EOS,
    MAX_LEN,
    Problem,
    decode,
    encode_prompts,
    held_out,
    sample_problems,
)
from examples.grpo.model import GPT, load, token_logprobs
from reward_service.api.models import ItemResult
from reward_service.client import RewardClient

N_PROMPT = 9  # BOS + "ddd+ddd="
MAX_NEW = MAX_LEN - N_PROMPT
Weights = dict[str, float]


def score(
    client: RewardClient,
    problems: list[Problem],
    texts: list[str],
    group_size: int,
    weights: Weights,
) -> list[ItemResult]:
    items = [
        {
            "id": str(i),
            "group": str(i // group_size) if group_size > 1 else None,
            "answer": problems[i // group_size].answer,
            "format": "think_answer",
            "response": text,
        }
        for i, text in enumerate(texts)
    ]
    return client.score(items, weights=weights)


def rates(results: list[ItemResult]) -> dict[str, float]:
    n = len(results)
    return {
        "reward": sum(r.reward or 0.0 for r in results) / n,
        "accuracy": sum(r.scores.accuracy or 0.0 for r in results) / n,
        "format": sum(r.scores.format or 0.0 for r in results) / n,
    }


@torch.no_grad()
def evaluate(
    model: GPT, client: RewardClient, problems: list[Problem], device: str, weights: Weights
) -> dict[str, float]:
    model.eval()
    out = model.generate(encode_prompts(problems).to(device), MAX_NEW, EOS, temperature=0)
    model.train()
    return rates(score(client, problems, [decode(r) for r in out.tolist()], 1, weights))


def completion_mask(new: torch.Tensor) -> torch.Tensor:
    """Completion tokens up to and including the first EOS."""
    is_eos = (new == EOS).int()
    return (is_eos.cumsum(1) - is_eos) == 0


def grpo_step(
    policy: GPT,
    ref: GPT,
    opt: torch.optim.Optimizer,
    ids: torch.Tensor,
    mask: torch.Tensor,
    adv: torch.Tensor,
    args: argparse.Namespace,
) -> float:
    """`--inner-epochs` clipped updates on one batch of samples; returns the mean token KL."""
    with torch.no_grad():
        old = token_logprobs(policy, ids, N_PROMPT)
        ref_lp = token_logprobs(ref, ids, N_PROMPT)
    m = mask.float()
    kl_mean = 0.0
    for _ in range(args.inner_epochs):
        logp = token_logprobs(policy, ids, N_PROMPT)
        ratio = torch.exp(logp - old)
        surrogate = torch.minimum(
            ratio * adv[:, None], ratio.clamp(1 - args.clip, 1 + args.clip) * adv[:, None]
        )
        log_r = ref_lp - logp
        kl = torch.exp(log_r) - log_r - 1  # k3: unbiased, always >= 0
        per_token = -(surrogate - args.beta * kl)
        loss = ((per_token * m).sum(1) / m.sum(1).clamp(min=1)).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
        opt.step()
        kl_mean = ((kl.detach() * m).sum() / m.sum()).item()
    return kl_mean


def plot(metrics: dict, path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: skipping the curve PNG")
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    hist, evals = metrics["history"], metrics["evals"]
    steps = [h["step"] for h in hist]
    left.plot(steps, [h["accuracy"] for h in hist], label="train accuracy (sampled)")
    left.plot(steps, [h["format"] for h in hist], label="train format rate")
    left.plot(steps, [h["reward"] for h in hist], label="train mean reward")
    left.set_xlabel("GRPO step")
    left.legend()
    left.set_title("training samples")
    es = [e["step"] for e in evals]
    right.plot(es, [e["accuracy"] for e in evals], "o-", label="held-out accuracy (greedy)")
    right.plot(es, [e["format"] for e in evals], "s--", label="held-out format rate")
    right.set_ylim(0, 1.05)
    right.set_xlabel("GRPO step")
    right.legend()
    right.set_title("held-out, scored by the service")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"wrote {path}")


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--service-url", default="http://127.0.0.1:8765")
    ap.add_argument("--base", default="examples/grpo/runs/base.pt", help="from pretrain.py")
    ap.add_argument("--out-dir", default="examples/grpo/runs")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--group-size", type=int, default=8)
    ap.add_argument("--prompts-per-step", type=int, default=32)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--beta", type=float, default=0.04, help="KL coefficient")
    ap.add_argument("--clip", type=float, default=0.2)
    ap.add_argument("--inner-epochs", type=int, default=2, help="updates per batch of samples")
    ap.add_argument("--temperature", type=float, default=1.0)
    ap.add_argument("--accuracy-weight", type=float, default=1.0)
    ap.add_argument("--format-weight", type=float, default=0.2)
    ap.add_argument("--eval-size", type=int, default=512)
    ap.add_argument("--eval-every", type=int, default=25)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    weights = {"accuracy": args.accuracy_weight, "format": args.format_weight}
    policy = load(args.base, args.device)
    ref = copy.deepcopy(policy).eval().requires_grad_(False)
    opt = torch.optim.AdamW(policy.parameters(), lr=args.lr, weight_decay=0.0)
    eval_set = held_out(args.eval_size)
    metrics: dict[str, Any] = {"config": vars(args), "history": [], "evals": []}
    start = time.time()

    with RewardClient(args.service_url) as client:

        def run_eval(step: int) -> None:
            result = {"step": step, **evaluate(policy, client, eval_set, args.device, weights)}
            metrics["evals"].append(result)
            print(
                f"eval step {step:4d}  held-out accuracy {result['accuracy']:.3f}  "
                f"format {result['format']:.3f}",
                flush=True,
            )

        run_eval(0)
        for step in range(1, args.steps + 1):
            problems = sample_problems(args.prompts_per_step, rng)
            prompts = encode_prompts(problems).to(args.device)
            prompts = prompts.repeat_interleave(args.group_size, 0)
            policy.eval()
            new = policy.generate(prompts, MAX_NEW, EOS, temperature=args.temperature)
            policy.train()
            texts = [decode(row) for row in new.tolist()]
            results = score(client, problems, texts, args.group_size, weights)
            adv = torch.tensor([r.advantage or 0.0 for r in results], device=args.device)
            kl = grpo_step(
                policy, ref, opt, torch.cat([prompts, new], 1), completion_mask(new), adv, args
            )
            row = {"step": step, **rates(results), "kl": kl, "time_s": time.time() - start}
            metrics["history"].append(row)
            print(
                f"step {step:4d}  reward {row['reward']:.3f}  acc {row['accuracy']:.3f}  "
                f"format {row['format']:.3f}  kl {kl:.4f}  {row['time_s']:.0f}s",
                flush=True,
            )
            if step % args.eval_every == 0 or step == args.steps:
                run_eval(step)

    metrics["wall_time_s"] = time.time() - start
    metrics["device"] = (
        torch.cuda.get_device_name() if args.device.startswith("cuda") else args.device
    )
    metrics["initial"], metrics["final"] = metrics["evals"][0], metrics["evals"][-1]
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2))
    print(
        f"wrote {out_dir / 'metrics.json'}: held-out accuracy "
        f"{metrics['initial']['accuracy']:.3f} -> {metrics['final']['accuracy']:.3f}"
    )
    plot(metrics, out_dir / "curve.png")
    return metrics


if __name__ == "__main__":
    main()
