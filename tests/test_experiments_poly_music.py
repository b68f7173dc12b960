"""The committed sweeps on Chung et al.'s other three sets (experiments/nottingham, musedata, piano_midi).

Each committed model scores what its results.json says; the summaries follow from the stored runs;
PyTorch's own modules, loaded from the .npz files alone, score the same; the smallest run reproduces.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lrnn.music import load_poly_music, next_frame_batch, split_nll
from lrnn.music_models import load_model, n_trainable

ROOT = Path(__file__).resolve().parents[1]
SETS = ("nottingham", "musedata", "piano_midi")
KINDS = ("tanh", "gru", "lstm")
RESULTS = {name: json.loads((ROOT / "experiments" / name / "results.json").read_text()) for name in SETS}


@pytest.fixture(scope="module", params=SETS)
def sweep(request):
    name = request.param
    return name, RESULTS[name], load_poly_music(name)


@pytest.mark.parametrize("kind", KINDS)
def test_committed_model_scores_what_results_json_says(sweep, kind):
    name, results, data = sweep
    loaded_kind, model = load_model(ROOT / "experiments" / name / f"{kind}.npz")
    r = results[kind]
    assert loaded_kind == kind
    assert split_nll(model, data["test"]) == pytest.approx(r["test_nll"], abs=1e-6)
    assert split_nll(model, data["valid"]) == pytest.approx(r["valid_nll"], abs=1e-6)
    assert n_trainable(kind, model) == r["params"]
    run = next(x for x in results["runs"] if x["kind"] == kind and x["seed"] == r["seed"])
    assert run["test_nll"] == r["test_nll"] and run["curve"]["valid_nll"][r["epochs"]] == r["valid_nll"]


def test_summary_is_the_runs(sweep):
    """Mean, spread and the committed seed (chosen on validation) follow from the runs; runs/ holds them all."""
    name, results, _ = sweep
    config = results["config"]
    stored = [json.loads(p.read_text()) for p in sorted((ROOT / "experiments" / name / "runs").glob("*.json"))]
    assert sorted((r["kind"], r["seed"]) for r in stored) == sorted((r["kind"], r["seed"]) for r in results["runs"])
    assert results["sweep"]["runs"] == len(stored)
    for kind in KINDS:
        runs = [r for r in results["runs"] if r["kind"] == kind]
        assert runs, f"{name}: no {kind} run"
        test = [r["test_nll"] for r in runs]
        s = results[kind]
        assert s["seeds"] == sorted(r["seed"] for r in runs)
        assert s["test_nll_mean"] == pytest.approx(np.mean(test), rel=1e-12)
        assert s["test_nll_std"] == (pytest.approx(np.std(test, ddof=1), rel=1e-12) if len(test) > 1 else 0.0)
        assert s["seed"] == min(runs, key=lambda r: r["valid_nll"])["seed"]
        for r in runs:
            c = r["curve"]
            assert len(c["valid_nll"]) == r["epochs_run"] + 1 and min(c["valid_nll"]) == r["valid_nll"]
            assert r["epochs_run"] == r["epochs"] + config["patience"] or r["epochs_run"] == config["max_epochs"]


def test_every_cell_beats_the_baselines(sweep):
    """Every run of every cell does better on the test split than the per-key Markov chain."""
    name, results, _ = sweep
    markov = results["baselines"]["key_markov"]["test"]
    assert markov < results["baselines"]["independent_keys"]["test"]
    assert all(r["test_nll"] < markov for r in results["runs"]), name


def test_the_cost_was_measured_first(sweep):
    name, results, _ = sweep
    cost = json.loads((ROOT / "experiments" / name / "cost.json").read_text())
    for kind in KINDS:
        assert cost[kind]["params"] == results[kind]["params"]
        assert 0 < cost[kind]["epoch_cpu_seconds"] and 0 < cost[kind]["valid_cpu_seconds"]


def test_committed_models_are_torch_models():
    """Loaded into nn.RNN / nn.GRU / nn.LSTM from the .npz alone, each model scores its stated test NLL."""
    torch = pytest.importorskip("torch")
    for name in SETS:
        test = sorted(load_poly_music(name)["test"], key=len)
        for kind, cls in (("tanh", torch.nn.RNN), ("gru", torch.nn.GRU), ("lstm", torch.nn.LSTM)):
            with np.load(ROOT / "experiments" / name / f"{kind}.npz") as f:
                sd = {k: torch.tensor(f[k]) for k in f.files}
            net = cls(88, sd["weight_hh_l0"].shape[1]).double()
            net.load_state_dict({k: v for k, v in sd.items() if not k.startswith("readout")})
            total = frames = 0.0
            with torch.no_grad():
                for i in range(0, len(test), 16):  # similar lengths together: little padding
                    x, t, m = (torch.tensor(a) for a in next_frame_batch(test[i : i + 16]))
                    y = net(x)[0] @ sd["readout.weight"].T + sd["readout.bias"]
                    nll = torch.nn.functional.binary_cross_entropy_with_logits(y, t, reduction="none").sum(-1)
                    total, frames = total + float((nll * m).sum()), frames + float(m.sum())
            assert total / frames == pytest.approx(RESULTS[name][kind]["test_nll"], abs=1e-9), (name, kind)


def test_the_smallest_run_reproduces():
    """Two epochs of the cheapest stored run (tanh, seed 0, Piano-midi), re-run from scratch as the sweep runs it.

    In a fresh process with one BLAS thread, like the sweep's workers. The tolerance, 1e-6 relative,
    admits a rewrite that only reorders floating-point operations and catches any change of
    initialisation, batch order, loss or gradient (see ``tests/test_experiments_jsb.py``).
    """
    script = ROOT / "experiments" / "piano_midi" / "train.py"
    code = (
        "import json; from lrnn.experiments.sweep import load_module; "
        f"m = load_module('piano_midi_train', __import__('pathlib').Path({str(script)!r})); "
        "from lrnn.experiments.music import run; "
        "print(json.dumps(run('piano_midi', 'tanh', 0, m.CONFIG, max_epochs=2)['curve']))"
    )
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    again = json.loads(out.stdout.strip().splitlines()[-1])
    stored = next(r for r in RESULTS["piano_midi"]["runs"] if r["kind"] == "tanh" and r["seed"] == 0)
    for key in ("valid_nll", "train_nll"):
        np.testing.assert_allclose(again[key], stored["curve"][key][:3], rtol=1e-6, atol=0)
