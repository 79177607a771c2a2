"""Smoke test of examples/grpo: pretrain a tiny model briefly, then run a few GRPO steps on CPU
against the live test server. It checks that the loop runs end to end, not that it learns (the
GPU run in examples/grpo/README.md shows that). Needs torch (`pip install torch==2.13.0`)."""

from __future__ import annotations

import json
import math

import torch

from examples.grpo import pretrain, train_grpo


def test_grpo_runs_against_the_service(server: str, tmp_path) -> None:
    torch.set_num_threads(2)
    base = tmp_path / "base.pt"
    tiny = ["--n-layer", "1", "--n-head", "2", "--d-model", "32", "--device", "cpu"]
    pretrain.main([*tiny, "--steps", "20", "--batch-size", "32", "--eval-size", "8",
                   "--log-every", "20", "--out", str(base)])  # fmt: skip
    metrics = train_grpo.main([
        "--service-url", server, "--base", str(base), "--out-dir", str(tmp_path),
        "--device", "cpu", "--steps", "2", "--prompts-per-step", "2", "--group-size", "4",
        "--eval-size", "8", "--eval-every", "1",
    ])  # fmt: skip

    assert json.loads((tmp_path / "metrics.json").read_text())["final"] == metrics["final"]
    assert [row["step"] for row in metrics["history"]] == [1, 2]
    assert [row["step"] for row in metrics["evals"]] == [0, 1, 2]
    for row in metrics["history"] + metrics["evals"]:
        assert 0.0 <= row["accuracy"] <= 1.0 and 0.0 <= row["format"] <= 1.0
    assert all(math.isfinite(row["kl"]) and row["kl"] >= 0 for row in metrics["history"])
