"""lrnn.charlm: the four character models at one budget, their training and their files."""

import numpy as np
import pytest

from lrnn.charlm import KINDS, PINHOLES, SIZES, fit_text, init_model, load_model, n_trainable, save_model
from lrnn.text import nats_per_char


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
