"""lrnn.music_models: the five models at their sizes, epoch training, and their files."""

import numpy as np
import pytest
from conftest import KilledRun

from lrnn.augmented import AugmentedLSTMParams
from lrnn.gru import TorchGRUParams
from lrnn.lstm import LSTMParams
from lrnn.music import frequency_baseline, load_jsb_chorales, split_nll
from lrnn.music_models import KINDS, PINHOLES, fit_pieces, init_model, load_model, n_trainable, save_model
from lrnn.rnn import RNNParams


@pytest.fixture(scope="module")
def data():
    return load_jsb_chorales()


def test_parameter_counts_follow_the_formulas(data):
    """Counted by hand (d_x = d_y = 88, one bias per node, readout included)."""
    d, R = 88, lambda h: 88 * h + 88
    expected = {
        "tanh": d * 100 + 100 * 100 + 100 + R(100),  # W_x, W_r, theta_s
        "gru": 3 * (d * 46 + 46 * 46 + 46) + 46 + R(46),  # three nodes, plus PyTorch's b_s_u (b_hn)
        "lstm": 4 * (d * 36 + 36 * 36 + 36) + R(36),  # nn.LSTM: four nodes, no pinholes
        "lstm_pinholes": 4 * (d * 32 + 32 * 32 + 32) + 3 * 32 * 32 + R(32),  # + W_s_cu, W_s_cs, W_s_cr
        "augmented": 5 * d * 28 + 4 * 28 * 28 + 5 * 28 * 22 + 5 * 28 + 22 * 28 + R(22),  # Eq. 215, L = 1
    }
    counts = {k: n_trainable(k, init_model(k, np.random.default_rng(0), data["train"])) for k in KINDS}
    assert counts == expected
    assert all(20_000 < n < 28_000 for n in counts.values())


def test_init_model_starts_at_the_frequency_baseline(data):
    valid = data["valid"][:8]
    baseline = split_nll((RNNParams.zeros(88, 1), frequency_baseline(data["train"])), valid)
    types = {"tanh": RNNParams, "gru": TorchGRUParams, "lstm": LSTMParams, "lstm_pinholes": LSTMParams,
             "augmented": AugmentedLSTMParams}  # fmt: skip
    for kind in KINDS:
        cell, readout = init_model(kind, np.random.default_rng(1), data["train"])
        assert type(cell) is types[kind]
        assert split_nll((cell, readout), valid) == pytest.approx(baseline, rel=1e-12)
    lstm = init_model("lstm", np.random.default_rng(1), data["train"])[0]
    assert all(not getattr(lstm, k).any() for k in PINHOLES)
    assert np.all(lstm.b_cs == 1.0) and not lstm.b_cu.any()
    assert init_model("augmented", np.random.default_rng(1), data["train"])[0].L == 1
    with pytest.raises(ValueError, match="kind = 'rnn', expected one of 'tanh'"):
        init_model("rnn", np.random.default_rng(1), data["train"])


@pytest.mark.parametrize("kind", KINDS)
def test_files_round_trip_with_their_kind(kind, data, tmp_path):
    """The file format is lrnn.interop's (tests/test_interop.py); here: each kind comes back as itself."""
    model = init_model(kind, np.random.default_rng(2), data["train"], size=(3, 2) if kind == "augmented" else 3)
    save_model(tmp_path / "m.npz", kind, model)
    back_kind, back = load_model(tmp_path / "m.npz")
    assert back_kind == kind and type(back[0]) is type(model[0])
    with pytest.raises(ValueError, match="kind = 'lstm_peepholes', expected one of"):
        save_model(tmp_path / "m.npz", "lstm_peepholes", model)


def test_fit_pieces_is_deterministic_and_keeps_nn_lstm_pinhole_free(data):
    small_train, small_valid = data["train"][:12], data["valid"][:4]
    runs = []
    for _ in range(2):
        model = init_model("lstm", np.random.default_rng(4), small_train, size=6)
        runs.append(fit_pieces("lstm", model, small_train, small_valid, np.random.default_rng(4), epochs=3,
                               batch_size=5, progress=False))  # fmt: skip
    a, b = runs
    np.testing.assert_array_equal(a.valid_curve, b.valid_curve)
    np.testing.assert_array_equal(a.train_nll, b.train_nll)
    assert a.epoch.tolist() == [0, 1, 2, 3] and len(a.seconds) == len(a.cpu_seconds) == 4
    assert a.valid_curve[a.best_epoch] == a.valid_nll == a.valid_curve.min()
    assert a.valid_curve[-1] < a.valid_curve[0]  # it learns something in three epochs
    cell = a.model[0]
    assert all(not getattr(cell, k).any() for k in PINHOLES)
    assert split_nll(a.model, small_valid) == pytest.approx(a.valid_nll, rel=1e-12)  # the best model is returned


def test_fit_pieces_rejects_bad_arguments(data):
    model = init_model("tanh", np.random.default_rng(0), data["train"], size=3)
    with pytest.raises(ValueError, match="epochs"):
        fit_pieces("tanh", model, data["train"], data["valid"], np.random.default_rng(0), epochs=0)
    with pytest.raises(TypeError, match="rng"):
        fit_pieces("tanh", model, data["train"], data["valid"], 0, epochs=1)


def test_a_run_killed_midway_resumes_where_it_stopped(tmp_path, monkeypatch, kill_after_writes):
    """Killed after its second epoch's checkpoint and started again, a run computes what it would have."""

    from lrnn.optim import tree_leaves

    data = load_jsb_chorales()
    train, valid = data["train"][:24], data["valid"][:8]
    kw = dict(epochs=5, patience=2, batch_size=8, bucket=16, lr=0.02, progress=False)

    def start():
        return init_model("gru", np.random.default_rng(0), train, size=6)

    whole = fit_pieces("gru", start(), train, valid, np.random.default_rng(1), **kw)
    path = tmp_path / "gru-1.ckpt"
    kill_after_writes(2)
    with pytest.raises(KilledRun):
        fit_pieces("gru", start(), train, valid, np.random.default_rng(1), checkpoint=path, **kw)
    monkeypatch.undo()
    assert path.exists()
    again = fit_pieces("gru", start(), train, valid, np.random.default_rng(99), checkpoint=path, **kw)
    assert not path.exists()  # deleted when the run ends
    for field in ("valid_curve", "train_nll", "epoch"):
        np.testing.assert_array_equal(getattr(again, field), getattr(whole, field))
    assert again.best_epoch == whole.best_epoch and again.stopped_early == whole.stopped_early
    for a, b in zip(tree_leaves(again.model), tree_leaves(whole.model), strict=True):
        np.testing.assert_array_equal(a, b)
    assert np.all(np.diff(again.seconds) >= 0) and len(again.seconds) == len(whole.seconds)

    fit_pieces("gru", start(), train, valid, np.random.default_rng(1), checkpoint=path, **{**kw, "epochs": 2})
    assert not path.exists()
    kill_after_writes(2)
    with pytest.raises(KilledRun):
        fit_pieces("gru", start(), train, valid, np.random.default_rng(1), checkpoint=path, **kw)
    monkeypatch.undo()
    with pytest.raises(ValueError, match=r"checkpoint .* is of a run with .*'lr': 0.02.*delete it to start afresh"):
        fit_pieces("gru", start(), train, valid, np.random.default_rng(1), checkpoint=path, **{**kw, "lr": 0.01})
