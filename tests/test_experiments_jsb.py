"""The committed JSB sweep (experiments/jsb): its models score what results.json says, and its runs reproduce."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lrnn.music import load_jsb_chorales, split_nll
from lrnn.music_models import KINDS, load_model, n_trainable

JSB = Path(__file__).resolve().parents[1] / "experiments" / "jsb"
RESULTS = json.loads((JSB / "results.json").read_text())


@pytest.fixture(scope="module")
def data():
    return load_jsb_chorales()


@pytest.mark.parametrize("kind", KINDS)
def test_committed_model_scores_what_results_json_says(kind, data):
    loaded_kind, model = load_model(JSB / f"{kind}.npz")
    r = RESULTS[kind]
    assert loaded_kind == kind
    assert split_nll(model, data["test"]) == pytest.approx(r["test_nll"], abs=1e-6)
    assert split_nll(model, data["valid"]) == pytest.approx(r["valid_nll"], abs=1e-6)
    assert n_trainable(kind, model) == r["params"]
    run = next(x for x in RESULTS["runs"] if x["kind"] == kind and x["seed"] == r["seed"])
    assert run["test_nll"] == r["test_nll"] and run["curve"]["valid_nll"][r["epochs"]] == r["valid_nll"]


def test_torch_files_have_torch_keys_and_layouts():
    for kind, gates in (("tanh", 1), ("gru", 3), ("lstm", 4)):
        with np.load(JSB / f"{kind}.npz") as f:
            H = f["weight_hh_l0"].shape[1]
            shapes = {k: f[k].shape for k in f.files}
        assert shapes == {
            "weight_ih_l0": (gates * H, 88),
            "weight_hh_l0": (gates * H, H),
            "bias_ih_l0": (gates * H,),
            "bias_hh_l0": (gates * H,),
            "readout.weight": (88, H),
            "readout.bias": (88,),
        }


def test_summary_is_the_runs():
    """Mean, spread, the choice of the committed seed (on validation) all follow from the stored runs."""
    for kind in KINDS:
        runs = [r for r in RESULTS["runs"] if r["kind"] == kind]
        assert sorted(r["seed"] for r in runs) == RESULTS["config"]["seeds"]
        test = [r["test_nll"] for r in runs]
        assert RESULTS[kind]["test_nll_mean"] == pytest.approx(np.mean(test), rel=1e-12)
        assert RESULTS[kind]["test_nll_std"] == pytest.approx(np.std(test, ddof=1), rel=1e-12)
        assert RESULTS[kind]["seed"] == min(runs, key=lambda r: r["valid_nll"])["seed"]
        for r in runs:
            c = r["curve"]
            assert len(c["valid_nll"]) == r["epochs_run"] + 1 and min(c["valid_nll"]) == r["valid_nll"]
            assert r["epochs_run"] == r["epochs"] + RESULTS["config"]["patience"] or r["epochs_run"] == 250


def test_the_gated_models_are_within_0_3_nats_of_chung():
    assert RESULTS["gru"]["test_nll"] <= 8.54 + 0.3 and RESULTS["lstm"]["test_nll"] <= 8.67 + 0.3


def test_stored_runs_reproduce():
    """The start of stored runs, re-run from scratch as the sweep runs them, gives the stored curves.

    In a fresh process with one BLAS thread, like the sweep's workers (the script sets it before numpy
    loads): two epochs of the cheapest run (tanh, seed 0), and one epoch of the LSTM and the Augmented
    LSTM (whose initialisation is drawn by ``lrnn.lstm`` and ``lrnn.augmented``). With the code that
    made them the numbers agree bit for bit. The tolerance, 1e-6 relative, admits a rewrite of a cell
    that only reorders floating-point operations (Adam's normalised steps let rounding differences grow
    to about 1e-8 in an epoch), and catches any change of initialisation, batch order, loss or gradient.
    """
    plan = [("tanh", 0, 2), ("lstm", 1, 1), ("augmented", 2, 1)]
    code = (
        "import importlib.util, json; "
        f"spec = importlib.util.spec_from_file_location('jsb_train', {str(JSB / 'train.py')!r}); "
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); "
        f"print(json.dumps([m.run(k, s, max_epochs=e)['curve'] for k, s, e in {plan!r}]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    for (kind, seed, epochs), again in zip(plan, json.loads(out.stdout.strip().splitlines()[-1])):
        run = next(r for r in RESULTS["runs"] if r["kind"] == kind and r["seed"] == seed)
        for key in ("valid_nll", "train_nll"):
            np.testing.assert_allclose(again[key], run["curve"][key][: epochs + 1], rtol=1e-6, atol=0, err_msg=kind)


def test_committed_models_are_torch_models():
    """Loaded into nn.RNN / nn.GRU / nn.LSTM, the committed state dicts score the same in PyTorch."""
    torch = pytest.importorskip("torch")
    data = load_jsb_chorales()
    from lrnn.music import next_frame_batch

    x, t, m = (torch.tensor(a) for a in next_frame_batch(data["test"]))
    for kind, cls in (("tanh", torch.nn.RNN), ("gru", torch.nn.GRU), ("lstm", torch.nn.LSTM)):
        with np.load(JSB / f"{kind}.npz") as f:
            sd = {k: torch.tensor(f[k]) for k in f.files}
        H = sd["weight_hh_l0"].shape[1]
        net = cls(88, H).double()
        net.load_state_dict({k: v for k, v in sd.items() if not k.startswith("readout")})
        with torch.no_grad():
            y = net(x)[0] @ sd["readout.weight"].T + sd["readout.bias"]
            nll = torch.nn.functional.binary_cross_entropy_with_logits(y, t, reduction="none").sum(-1)
            value = float((nll * m).sum() / m.sum())
        assert value == pytest.approx(RESULTS[kind]["test_nll"], abs=1e-9)
