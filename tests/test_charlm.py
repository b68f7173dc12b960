"""lrnn.charlm: the four character models at one budget, their training and their files."""

import numpy as np
import pytest

from lrnn.charlm import (
    KINDS,
    PINHOLES,
    SIZES,
    fit_text,
    init_model,
    load_model,
    matched_size,
    n_layers,
    n_trainable,
    save_model,
)
from lrnn.gradcheck import check_gradients
from lrnn.losses import Readout, softmax_cross_entropy
from lrnn.onehot import OneHot
from lrnn.text import nats_per_char, next_log_probs
from lrnn.train import sequence_loss, sequence_loss_and_grads


@pytest.fixture(scope="module")
def codes():
    rng = np.random.default_rng(0)
    # a toy text with structure: "abcabc..." with some noise, 5 symbols
    c = np.tile(np.arange(3), 2000)
    flip = rng.random(len(c)) < 0.05
    c[flip] = rng.integers(3, 5, flip.sum())
    return c


def test_parameter_counts_follow_the_formulas():
    """By hand, V = 65 in and out, one bias per node, readout (65 d_s + 65) included: about 346k each."""
    V, R = 65, lambda d: 65 * d + 65
    expected = {
        "tanh": V * 527 + 527 * 527 + 527 + R(527),
        "gru": 3 * (V * 298 + 298 * 298 + 298) + 298 + R(298),
        "lstm": 4 * (V * 256 + 256 * 256 + 256) + R(256),
        "lstm_pinholes": 4 * (V * 200 + 200 * 200 + 200) + 3 * 200 * 200 + R(200),
    }
    counts = {k: n_trainable(k, init_model(k, np.random.default_rng(0), np.arange(65))) for k in KINDS}
    assert counts == expected
    assert max(counts.values()) / min(counts.values()) < 1.005


def test_untrained_model_is_the_unigram(codes):
    cell, readout = init_model("gru", np.random.default_rng(0), codes, d_x=5, size=4)
    freq = (np.bincount(codes, minlength=5) + 1.0) / (len(codes) + 5)
    np.testing.assert_allclose(np.exp(readout.b_y) / np.exp(readout.b_y).sum(), freq)
    assert nats_per_char((cell, readout), codes) == pytest.approx(-np.mean(np.log(freq[codes[1:]])))


@pytest.mark.parametrize("kind", KINDS)
def test_training_learns_and_files_round_trip(kind, codes, tmp_path):
    model = init_model(kind, np.random.default_rng(1), codes, d_x=5, size=6)
    before = nats_per_char(model, codes[:600])
    fit = fit_text(kind, model, codes, np.random.default_rng(2), epochs=1.0, batch_size=4, tbptt=16, lr=0.02,
                   progress=False)  # fmt: skip
    assert nats_per_char(fit.model, codes[:600]) < before - 0.3
    assert fit.optimizer_state.t == len(fit.losses) and fit.cpu_seconds > 0
    if kind == "lstm":  # nn.LSTM has no pinholes: they stay zero
        assert all(not getattr(fit.model[0], k).any() for k in PINHOLES)
    save_model(tmp_path / "m.npz", kind, fit.model)
    loaded, again = load_model(tmp_path / "m.npz")
    assert loaded == kind
    assert nats_per_char(again, codes[:600]) == pytest.approx(nats_per_char(fit.model, codes[:600]), abs=1e-12)


def test_optimizer_state_carries_over(codes):
    """Two calls with the state handed on take the same Adam steps as one optimiser would."""
    model = init_model("gru", np.random.default_rng(1), codes, d_x=5, size=6)
    kw = dict(batch_size=4, tbptt=16, lr=0.01, progress=False, offset=3)
    a = fit_text("gru", model, codes, np.random.default_rng(0), part=(0, 2), **kw)
    b = fit_text("gru", a.model, codes, np.random.default_rng(0), part=(1, 2), optimizer_state=a.optimizer_state, **kw)
    assert b.optimizer_state.t == len(a.losses) + len(b.losses)
    assert len(a.losses) + len(b.losses) == pytest.approx(-(-((len(codes) - 1 - 3) // 4) // 16), abs=2)


def test_sizes_and_errors():
    assert SIZES == {"tanh": 527, "gru": 298, "lstm": 256, "lstm_pinholes": 200}
    with pytest.raises(ValueError, match="kind = 'transformer'"):
        init_model("transformer", np.random.default_rng(0), np.arange(65))


# --- Stacked layers (init_model(..., layers=2)): depth at the one-layer budget ---------------------------------


def test_two_layer_counts_follow_the_formulas_and_match_the_budget():
    """Layer 2 reads layer 1's d_s outputs; the readout reads the top layer. Closest integer d_s to the budget."""
    V, R = 65, lambda d: 65 * d + 65
    gru2 = lambda d: 3 * (V * d + d * d + d) + d + 3 * (d * d + d * d + d) + d + R(d)
    lstm2 = lambda d: 4 * (V * d + d * d + d) + 4 * (d * d + d * d + d) + R(d)
    for kind, formula in (("gru", gru2), ("lstm", lstm2)):
        size = matched_size(kind, 2)
        model = init_model(kind, np.random.default_rng(0), np.arange(65), layers=2)
        assert n_layers(model) == 2 and model[0].d_out == size and model[1].W_y.shape == (65, size)
        assert n_trainable(kind, model) == formula(size)
        budget = n_trainable(kind, init_model(kind, np.random.default_rng(0), np.arange(65)))
        assert abs(formula(size) - budget) <= min(abs(formula(size + 1) - budget), abs(formula(size - 1) - budget))
        assert abs(formula(size) / budget - 1) < 0.01
    assert (matched_size("gru", 2), matched_size("lstm", 2)) == (181, 157)
    assert all(matched_size(k) == SIZES[k] for k in KINDS)


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_two_layers_learn_carry_their_state_and_round_trip(kind, codes, tmp_path):
    model = init_model(kind, np.random.default_rng(1), codes, d_x=5, size=6, layers=2)
    assert n_layers(model) == 2 and [c.d_x for c in model[0].layers] == [5, 6]
    before = nats_per_char(model, codes[:600])
    fit = fit_text(kind, model, codes, np.random.default_rng(2), epochs=1.0, batch_size=4, tbptt=16, lr=0.02,
                   progress=False)  # fmt: skip
    assert nats_per_char(fit.model, codes[:600]) < before - 0.3
    if kind == "lstm":  # nn.LSTM has no pinholes, in any layer
        assert all(not getattr(c, k).any() for c in fit.model[0].layers for k in PINHOLES)
    # scored as one stream: the stacked state is carried from chunk to chunk
    np.testing.assert_allclose(next_log_probs(fit.model, codes[:300], chunk=7),
                               next_log_probs(fit.model, codes[:300], chunk=300), rtol=0, atol=1e-12)  # fmt: skip
    save_model(tmp_path / "m.npz", kind, fit.model)
    with np.load(tmp_path / "m.npz") as f:
        g = {"gru": 3, "lstm": 4}[kind]
        assert {k: f[k].shape for k in f.files} == {
            **{f"weight_ih_l{k}": (g * 6, 5 if k == 0 else 6) for k in range(2)},
            **{f"weight_hh_l{k}": (g * 6, 6) for k in range(2)},
            **{f"bias_{w}_l{k}": (g * 6,) for w in ("ih", "hh") for k in range(2)},
            "readout.weight": (5, 6),
            "readout.bias": (5,),
        }
    loaded, again = load_model(tmp_path / "m.npz")
    assert loaded == kind and n_layers(again) == 2 and n_trainable(kind, again) == n_trainable(kind, fit.model)
    assert nats_per_char(again, codes[:600]) == pytest.approx(nats_per_char(fit.model, codes[:600]), abs=1e-12)


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_two_layer_gradient_is_central_differences(kind):
    """The character model's loss (one-hot input, softmax cross-entropy) through two stacked layers, from a
    carried state, in float64: every parameter's gradient against central differences."""
    rng = np.random.default_rng(3)
    cell, readout = init_model(kind, rng, rng.integers(0, 5, 50), d_x=5, size=4, layers=2)
    readout = Readout(W_y=0.5 * rng.standard_normal((5, 4)), b_y=rng.standard_normal(5))
    codes = rng.integers(0, 5, (7, 3))  # 7 steps, 3 streams
    x, target = OneHot(codes[:-1], 5), codes[1:]
    state = cell.forward(OneHot(rng.integers(0, 5, (4, 3)), 5)).last_state  # a window after an earlier one
    E, (g_cell, g_out) = sequence_loss_and_grads((cell, readout), (x, target), loss=softmax_cross_entropy,
                                                 state=state)  # fmt: skip
    loss = lambda m: sequence_loss(m, (x, target), loss=softmax_cross_entropy, state=state)
    assert E == pytest.approx(loss((cell, readout)), rel=1e-12)
    report = check_gradients(loss, (cell, readout), (g_cell, g_out))
    assert any(k.startswith("[0].layers[1]") for k in report.errors) and report.max_error < 1e-6, report


def test_layer_errors(codes, tmp_path):
    with pytest.raises(ValueError, match="layers = 2 with kind = 'tanh'"):
        init_model("tanh", np.random.default_rng(0), codes, layers=2)
    with pytest.raises(ValueError, match="layers = 0, expected a positive integer"):
        init_model("gru", np.random.default_rng(0), codes, layers=0)
    with pytest.raises(ValueError, match="layers = 2 with kind = 'lstm_pinholes'"):
        matched_size("lstm_pinholes", 2)
    model = init_model("gru", np.random.default_rng(0), codes, d_x=5, size=3, layers=2)
    with pytest.raises(ValueError, match="kind = 'tanh'"):
        n_trainable("tanh", model)
    with pytest.raises(ValueError, match="kind = 'tanh'"):
        save_model(tmp_path / "m.npz", "tanh", model)
    save_model(tmp_path / "m.npz", "gru", model)
    with np.load(tmp_path / "m.npz") as f:
        sd = {k: f[k] for k in f.files if k != "bias_hh_l1"}
    np.savez(tmp_path / "cut.npz", **sd)
    with pytest.raises(ValueError, match=r"no \['bias_hh_l1'\]"):
        load_model(tmp_path / "cut.npz")
