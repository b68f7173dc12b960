"""experiments/jsb_torch: the JSB sweep in PyTorch, on one process and under torchrun with two.

Skips, with a reason, where torch is not installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="experiments/jsb_torch needs torch (pip install 'lrnn[torch]')")

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "experiments" / "jsb_torch" / "train.py"
RESULTS = ROOT / "experiments" / "jsb_torch" / "results.json"


def _train(out: Path, *args: str, processes: int = 1) -> dict:
    launcher = [sys.executable]
    if processes > 1:
        launcher += ["-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [*launcher, str(SCRIPT), "--out", str(out), "--no-progress", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    (run,) = [json.loads(p.read_text()) for p in (out / "runs").glob("*.json")]
    return run


def test_two_processes_compute_the_one_process_run(tmp_path):
    """DDP over 2 processes, each with half of every global batch, gives the 1-process losses (float64).

    On nn.LSTM, the cheapest epoch of the five cells (README): how the runner splits a batch and
    averages the gradients does not depend on the cell."""
    args = ("--kinds", "lstm", "--seeds", "1", "--max-epochs", "1", "--dtype", "float64")
    one = _train(tmp_path / "one", *args)
    two = _train(tmp_path / "two", *args, processes=2)
    assert two["processes"] == 2 and one["processes"] == 1
    for key in ("train_nll", "valid_nll"):
        np.testing.assert_allclose(two["curve"][key], one["curve"][key], rtol=1e-12, err_msg=key)
    assert two["curve"]["train_nll"][1] < two["curve"]["train_nll"][0]  # it learned something
    np.testing.assert_allclose(two["test_nll"], one["test_nll"], rtol=1e-12)


def test_the_committed_sweep_reproduces_its_first_epoch(tmp_path):
    """Re-run the first epoch of one committed float32 run: the stored curve, to float32 rounding."""
    stored = json.loads((RESULTS.parent / "runs" / "gru_0.json").read_text())
    run = _train(tmp_path, "--kinds", "gru", "--seeds", "0", "--max-epochs", "1")
    for key in ("train_nll", "valid_nll"):
        np.testing.assert_allclose(run["curve"][key], stored["curve"][key][:2], rtol=1e-5, err_msg=key)


def test_results_match_chapter_8_within_the_seed_spread():
    """Every cell, three seeds in PyTorch, has a mean test NLL within two standard deviations of Chapter 8's
    (the larger of the two sweeps' spreads over seeds), and the summary is the mean of the stored runs."""
    results = json.loads(RESULTS.read_text())["kinds"]
    assert set(results) == {"tanh", "gru", "lstm", "lstm_pinholes", "augmented"}
    runs = [json.loads(p.read_text()) for p in (RESULTS.parent / "runs").glob("*.json")]
    for kind, r in results.items():
        mine = sorted(x["test_nll"] for x in runs if x["kind"] == kind)
        assert len(mine) == 3 and sorted(r["test_nll"]) == mine, kind
        np.testing.assert_allclose(r["test_nll_mean"], np.mean(mine), rtol=1e-12)
        spread = 2 * max(r["test_nll_std"], r["chapter8_test_nll_std"])
        assert abs(r["test_nll_mean"] - r["chapter8_test_nll_mean"]) <= spread, (kind, r)
