"""The committed Tiny Shakespeare sweep (experiments/charlm): its models score what it says; its runs reproduce."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lrnn.charlm import KINDS, load_model, n_layers, n_trainable
from lrnn.text import Vocabulary, load_tiny_shakespeare, nats_per_char, split_text

SWEEP = Path(__file__).resolve().parents[1] / "experiments" / "charlm"
RESULTS = json.loads((SWEEP / "results.json").read_text())
COMMITTED = [k for k in KINDS if k in RESULTS]
STACKED = [k for k in ("gru2", "lstm2") if k in RESULTS]  # two layers at the one-layer budget of their kind


@pytest.fixture(scope="module")
def val():
    text = load_tiny_shakespeare()
    return split_text(Vocabulary.from_text(text).encode(text))[1]


def _run(name):
    return next(r for r in RESULTS["runs"] if r["run"] == name and r["seed"] == RESULTS[name]["seed"])


def test_the_gru_and_the_lstm_are_committed():
    assert {"gru", "lstm"} <= set(COMMITTED)
    for k in ("gru", "lstm"):
        assert {"val_nll", "n_params", "updates", "wall_s"} <= set(RESULTS[k])


@pytest.mark.parametrize("kind", COMMITTED)
def test_committed_files_are_the_results(kind):
    loaded, model = load_model(SWEEP / f"{kind}.npz")
    assert loaded == kind and n_trainable(kind, model) == RESULTS[kind]["n_params"]
    with np.load(SWEEP / f"{kind}.npz") as f:
        if kind in ("tanh", "gru", "lstm"):
            gates = {"tanh": 1, "gru": 3, "lstm": 4}[kind]
            H = f["weight_hh_l0"].shape[1]
            assert {k: f[k].shape for k in f.files} == {
                "weight_ih_l0": (gates * H, 65),
                "weight_hh_l0": (gates * H, H),
                "bias_ih_l0": (gates * H,),
                "bias_hh_l0": (gates * H,),
                "readout.weight": (65, H),
                "readout.bias": (65,),
            }


def test_the_gru_scores_its_val_nll(val):
    """The whole validation text, one stream from a zero state, as the sweep scored it."""
    _, model = load_model(SWEEP / "gru.npz")
    assert nats_per_char(model, val) == pytest.approx(RESULTS["gru"]["val_nll"], abs=1e-9)


def test_summary_is_the_runs():
    for name in [*COMMITTED, *STACKED, "small"]:
        run, r = _run(name), RESULTS[name]
        c = run["curve"]
        k = int(np.argmin(c["val_nll"]))
        assert r["val_nll"] == c["val_nll"][k] and r["best_epoch"] == c["epoch"][k]
        assert r["updates"] == c["updates"][k] and r["val_bpc"] == pytest.approx(r["val_nll"] / np.log(2))
        assert r["cpu_s"] == c["cpu_s"][-1] and r["wall_s"] == c["wall_s"][-1]
        assert np.all(np.diff(c["updates"]) > 0) and c["epoch"][0] == 0


def _reproduce(code: str):
    """Run ``code`` in a fresh process with one BLAS thread, as the sweep runs (the script sets it)."""
    prog = (
        "import importlib.util, json; "
        f"spec = importlib.util.spec_from_file_location('charlm_train', {str(SWEEP / 'train.py')!r}); "
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); " + code
    )
    out = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_small_run_reproduces():
    """The smallest configuration (the chapter's live run), re-run in full, gives the stored record."""
    again = _reproduce("r = m.run('small', 0, epochs=m.RUNS['small']['epochs'], progress=False); "
                       "print(json.dumps({k: r[k] for k in ('curve', 'first_losses', 'val_nll')}))")  # fmt: skip
    stored = _run("small")
    np.testing.assert_allclose(again["first_losses"], stored["first_losses"], rtol=1e-9, atol=0)
    np.testing.assert_allclose(again["curve"]["train_nll"][1:], stored["curve"]["train_nll"][1:], rtol=1e-9)
    assert again["val_nll"] == pytest.approx(stored["val_nll"], rel=1e-9)


@pytest.mark.parametrize("name", ["gru", "lstm"])
def test_the_first_updates_of_the_big_runs_reproduce(name):
    again = _reproduce(f"print(json.dumps(m.first_updates({name!r}, 0, 5)))")
    np.testing.assert_allclose(again, _run(name)["first_losses"][:5], rtol=1e-9, atol=0)


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_committed_models_are_torch_models(kind, val):
    """Loaded into nn.GRU / nn.LSTM from the .npz alone, run over the validation stream: the same val_nll."""
    torch = pytest.importorskip("torch")
    with np.load(SWEEP / f"{kind}.npz") as f:
        sd = {k: torch.tensor(f[k]) for k in f.files}
    H = sd["weight_hh_l0"].shape[1]
    net = (torch.nn.GRU if kind == "gru" else torch.nn.LSTM)(65, H).double()
    net.load_state_dict({k: v for k, v in sd.items() if not k.startswith("readout")})
    codes = torch.tensor(val)
    x = torch.nn.functional.one_hot(codes[:-1], 65).double()[:, None]  # (M - 1, 1, 65): one stream
    with torch.no_grad():
        y = net(x)[0][:, 0] @ sd["readout.weight"].T + sd["readout.bias"]
        nll = float(torch.nn.functional.cross_entropy(y, codes[1:]))
    assert nll == pytest.approx(RESULTS[kind]["val_nll"], abs=0.005)
    assert nll == pytest.approx(RESULTS[kind]["val_nll"], abs=1e-9)  # in fact, to rounding


def test_the_two_layer_runs_are_committed():
    assert STACKED == ["gru2", "lstm2"]
    for name in STACKED:
        r, one = RESULTS[name], RESULTS[RESULTS[name]["kind"]]
        assert r["layers"] == 2 and one["layers"] == 1
        assert abs(r["n_params"] / one["n_params"] - 1) < 0.01  # the same budget, to the nearest integer d_s


@pytest.mark.parametrize("name", STACKED)
def test_committed_two_layer_files_score_their_val_nll(name, val):
    kind, model = load_model(SWEEP / f"{name}.npz")
    assert kind == RESULTS[name]["kind"] and n_layers(model) == 2
    assert n_trainable(kind, model) == RESULTS[name]["n_params"] and model[0].d_out == RESULTS[name]["size"]
    assert nats_per_char(model, val) == pytest.approx(RESULTS[name]["val_nll"], abs=1e-9)


@pytest.mark.parametrize("name", ["gru2", "lstm2"])
def test_the_first_updates_of_the_two_layer_runs_reproduce(name):
    again = _reproduce(f"print(json.dumps(m.first_updates({name!r}, 0, 5)))")
    np.testing.assert_allclose(again, _run(name)["first_losses"][:5], rtol=1e-9, atol=0)


@pytest.mark.parametrize("name", STACKED)
def test_committed_two_layer_models_are_torch_models(name, val):
    """nn.GRU / nn.LSTM(65, H, num_layers=2) load the .npz's keys unchanged and compute what lrnn computes.

    On the first 20,000 validation characters as one stream (PyTorch steps a two-layer module through
    the whole 111,540 in minutes); the whole stream's score is the stored val_nll by the test above.
    """
    torch = pytest.importorskip("torch")
    with np.load(SWEEP / f"{name}.npz") as f:
        sd = {k: torch.tensor(f[k]) for k in f.files}
    H = sd["weight_hh_l0"].shape[1]
    net = (torch.nn.GRU if RESULTS[name]["kind"] == "gru" else torch.nn.LSTM)(65, H, num_layers=2).double()
    net.load_state_dict({k: v for k, v in sd.items() if not k.startswith("readout")})  # strict: every key
    head = val[:20_000]
    codes = torch.tensor(head)
    x = torch.nn.functional.one_hot(codes[:-1], 65).double()[:, None]  # (M - 1, 1, 65): one stream
    with torch.no_grad():
        y = net(x)[0][:, 0] @ sd["readout.weight"].T + sd["readout.bias"]
        nll = float(torch.nn.functional.cross_entropy(y, codes[1:]))
    assert nll == pytest.approx(nats_per_char(load_model(SWEEP / f"{name}.npz")[1], head), abs=1e-9)
