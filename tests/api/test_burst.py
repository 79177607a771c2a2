"""A burst from a trainer that posts one rollout per request is queued and answered.

OpenRLHF 0.11 posts each rollout to `/get_reward` on its own and retries 5 times, 1 s apart,
ignoring Retry-After; a rollout left without a reward crashes its experience maker. 3,000 at
once whose answers need the LaTeX parser, on a machine whose cores are busy with other work,
once lost 1,256 rewards to a request-count limit of 256. The burst is `benchmarks/load.py`'s.
"""

from __future__ import annotations

import pytest

from tests.conftest import run_load_benchmark


@pytest.mark.slow
def test_three_thousand_single_rollout_requests_on_busy_cores_all_get_a_reward():
    run = run_load_benchmark("--duration", "0", "--burst", "3000", "--busy", "2")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "rewards lost: 0; wrong rewards: 0" in run.stdout


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_ten_times_that_burst_waits_for_places_and_memory_stays_bounded():
    """30,000 at once: past the 4,096 requests in progress the rest wait for a place, each
    holding a connection (a few kB), not refused and not unbounded."""
    run = run_load_benchmark(
        "--duration", "0", "--burst", "30000", "--answers", "integer", timeout=540
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "rewards lost: 0; wrong rewards: 0" in run.stdout
    assert "its request bounds allow: yes" in run.stdout
