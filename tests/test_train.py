"""Tests for lrnn.train: Adam, clipping, the training loop and the sequence loss."""

import dataclasses

import numpy as np
import pytest

from lrnn.augmented import AugmentedLSTMParams
from lrnn.gradcheck import check_gradients
from lrnn.losses import Readout
from lrnn.lstm import LSTMParams
from lrnn.tasks import lookahead_task
from lrnn.train import Adam, clip_by_global_norm, fit, global_norm, sequence_loss_and_grads


def quadratic(p, batch=None):
    """E = sum_i c_i (w_i - 1)^2 + (b - 2)^2, badly scaled (c from 0.01 to 100)."""
    c = np.array([[0.01, 1.0, 100.0]])
    E = float(np.sum(c * (p.W_y - 1.0) ** 2) + np.sum((p.b_y - 2.0) ** 2))
    return E, Readout(W_y=2 * c * (p.W_y - 1.0), b_y=2 * (p.b_y - 2.0))


def test_adam_minimises_a_badly_scaled_quadratic():
    p = Readout(W_y=np.zeros((1, 3)), b_y=np.zeros(1))
    res = fit(
        quadratic, p, lambda rng: None, np.random.default_rng(0), steps=1500, optimizer=Adam(lr=0.05), progress=False
    )
    np.testing.assert_allclose(res.params.W_y, 1.0, atol=1e-3)
    np.testing.assert_allclose(res.params.b_y, 2.0, atol=1e-3)
    assert res.losses[0] > 100 * res.losses[-1] and res.losses.shape == res.grad_norms.shape == (1500,)


def test_adam_first_step_moves_every_entry_by_lr():
    # Bias correction makes the first step -lr * sign(g), whatever the gradient's scale.
    p = Readout(W_y=np.zeros((1, 3)), b_y=np.zeros(1))
    opt = Adam(lr=0.1)
    q, state = opt.step(p, quadratic(p)[1], opt.init(p))
    np.testing.assert_allclose(q.W_y, 0.1, rtol=1e-6)
    assert state.t == 1 and np.all(p.W_y == 0.0)  # the argument is untouched


def test_clipping():
    g = (Readout(W_y=[[3.0]], b_y=[0.0]), Readout(W_y=[[0.0]], b_y=[4.0]))
    assert global_norm(g) == 5.0
    clipped, norm = clip_by_global_norm(g, 2.5)
    assert norm == 5.0 and global_norm(clipped) == pytest.approx(2.5)
    assert clip_by_global_norm(g, 10.0)[0] is g
    with pytest.raises(ValueError, match="max_norm = 0"):
        clip_by_global_norm(g, 0)


@pytest.mark.parametrize("cell", ["vanilla", "augmented"])
def test_sequence_loss_gradients_by_finite_differences(cell):
    rng = np.random.default_rng(1)
    if cell == "vanilla":
        params = (LSTMParams.init(rng, 1, 3), Readout.random(rng, 3, 1))
    else:
        params = (AugmentedLSTMParams.init(rng, 1, 3, 2, L=3), Readout.random(rng, 2, 1))
    batch = lookahead_task(rng, N=5, B=2)
    _, (g_cell, g_out) = sequence_loss_and_grads(params, batch)
    E_cell = lambda c: sequence_loss_and_grads((c, params[1]), batch)[0]
    E_out = lambda r: sequence_loss_and_grads((params[0], r), batch)[0]
    assert check_gradients(E_cell, params[0], g_cell).max_error < 1e-6
    assert check_gradients(E_out, params[1], g_out).max_error < 1e-6


def test_fit_is_deterministic_and_learns_the_look_ahead_task():
    rng = np.random.default_rng(2)
    params = (AugmentedLSTMParams.init(rng, 1, 4, 4, L=3), Readout.random(rng, 4, 1))
    make = lambda r: lookahead_task(r, N=10, B=16, window=(1, 1))  # y[n] = x[n+1]
    runs = [
        fit(sequence_loss_and_grads, params, make, np.random.default_rng(3), steps=150, optimizer=Adam(lr=0.03),
            clip_norm=1.0, progress=False)
        for _ in range(2)
    ]  # fmt: skip
    np.testing.assert_array_equal(runs[0].losses, runs[1].losses)
    for f in dataclasses.fields(AugmentedLSTMParams):
        np.testing.assert_array_equal(getattr(runs[0].params[0], f.name), getattr(runs[1].params[0], f.name))
    assert runs[0].losses[-20:].mean() < 0.2 * runs[0].losses[:5].mean()


def test_errors():
    p = Readout(W_y=np.zeros((1, 3)), b_y=np.zeros(1))
    with pytest.raises(ValueError, match="steps = 0"):
        fit(quadratic, p, lambda rng: None, np.random.default_rng(0), steps=0, progress=False)
    with pytest.raises(TypeError, match="rng has type int"):
        fit(quadratic, p, lambda rng: None, 0, steps=5, progress=False)
    with pytest.raises(TypeError, match="expected a parameter dataclass"):
        global_norm([np.zeros(3)])
    with pytest.raises(TypeError, match="params\\[0\\] has type Readout"):
        sequence_loss_and_grads((p, p), lookahead_task(np.random.default_rng(0), 3, 1))
    with pytest.raises(FloatingPointError, match="the loss is inf at step 0"):
        fit(lambda q, b: (np.inf, q), p, lambda rng: None, np.random.default_rng(0), steps=3, progress=False)


def test_progress_bar_outside_jupyter(capsys):
    p = Readout(W_y=np.zeros((1, 3)), b_y=np.zeros(1))
    fit(quadratic, p, lambda rng: None, np.random.default_rng(0), steps=3, desc="quadratic")
    assert "quadratic" in capsys.readouterr().err  # tqdm's text bar, on stderr


def test_static_site_progress_is_one_finished_html_bar(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setenv("LRNN_STATIC_SITE", "1")
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append((obj, kw)))
    p = Readout(W_y=np.zeros((1, 3)), b_y=np.zeros(1))
    fit(quadratic, p, lambda rng: None, np.random.default_rng(0), steps=7, optimizer=Adam(lr=0.05), desc="demo")
    assert len(shown) == 1, "one output, no widget"
    bundle, kw = shown[0]
    assert kw == {"raw": True} and set(bundle) == {"text/plain", "text/html"}
    assert "7/7" in bundle["text/plain"] and "demo" in bundle["text/html"]
