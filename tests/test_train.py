"""Tests for lrnn.train: sequence losses with masks, TBPTT, the training loops, early stopping, determinism."""

import dataclasses
from typing import ClassVar

import numpy as np
import pytest

from lrnn.augmented import AugmentedLSTMParams
from lrnn.batching import pad_batch, tbptt_windows
from lrnn.cell import Cell, Parameters, TraceFields, check_options, check_trace
from lrnn.gradcheck import check_gradients
from lrnn.gru import GRUParams, TorchGRUParams
from lrnn.losses import Readout
from lrnn.lstm import LSTMParams
from lrnn.optim import SGD, Adam, RMSProp, global_norm, tree_leaves, tree_map
from lrnn.rnn import RNNParams
from lrnn.tasks import lookahead_task
from lrnn.train import fit, fit_sequences, sequence_loss, sequence_loss_and_grads

# A cell that exists only here and implements the cell interface, with a two-part state like the LSTM's:
#   h[n] = tanh(W h[n-1] + U x[n] + b),   c[n] = a * c[n-1] + h[n],   output c[n].


@dataclasses.dataclass(frozen=True)
class LeakyTrace(TraceFields):
    OUTPUT: ClassVar = "c"
    STATE: ClassVar = ("h", "c")

    h: np.ndarray  # (N, B, d)
    c: np.ndarray  # (N, B, d)
    x: np.ndarray  # (N, B, d_x)
    h0: np.ndarray  # (B, d)
    c0: np.ndarray  # (B, d)


@dataclasses.dataclass(frozen=True)
class LeakyParams(Parameters):  # a new cell plugs in through lrnn.cell: a shape table and two methods
    SHAPES: ClassVar = {"W": ("d_s", "d_s"), "U": ("d_s", "d_x"), "b": ("d_s",), "a": ("d_s",)}
    STATE_SIZES: ClassVar = ("d_s", "d_s")
    STATE_NAMES: ClassVar = ("h[-1]", "c[-1]")

    W: np.ndarray  # (d, d)
    U: np.ndarray  # (d, d_x)
    b: np.ndarray  # (d,)
    a: np.ndarray  # (d,)

    @classmethod
    def init(cls, rng, d_x, d_s):
        return cls(
            rng.normal(size=(d_s, d_s)) / d_s,
            rng.normal(size=(d_s, d_x)),
            0.1 * rng.normal(size=d_s),
            rng.uniform(0.3, 0.9, d_s),
        )

    def forward(self, x, state=None):
        x = np.asarray(x, dtype=float)
        B, d = x.shape[1], self.d_s
        h_prev, c_prev = (np.zeros((B, d)), np.zeros((B, d))) if state is None else self.parse_state(state)
        h, c = np.empty((len(x), B, d)), np.empty((len(x), B, d))
        for n in range(len(x)):
            h[n] = h_prev = np.tanh(h_prev @ self.W.T + x[n] @ self.U.T + self.b)
            c[n] = c_prev = self.a * c_prev + h_prev
        return LeakyTrace(h, c, x, *((np.zeros((B, d)), np.zeros((B, d))) if state is None else state))

    def backward(self, trace, dE_dout, **options):
        check_options(self, options)
        dE_dout = check_trace(self, trace, dE_dout, cell=LeakyParams, trace_type=LeakyTrace, forward="forward")
        h_prev = np.concatenate([trace.h0[None], trace.h[:-1]])
        c_prev = np.concatenate([trace.c0[None], trace.c[:-1]])
        g = LeakyParams.zeros(self.d_x, self.d_s)
        dc_next, dz_next = np.zeros_like(trace.h0), np.zeros_like(trace.h0)
        W, U, b, a = g.W.copy(), g.U.copy(), g.b.copy(), g.a.copy()
        for n in reversed(range(len(trace.h))):
            dc = dE_dout[n] + self.a * dc_next
            dz = (dc + dz_next @ self.W) * (1 - trace.h[n] ** 2)
            W += dz.T @ h_prev[n]
            U += dz.T @ trace.x[n]
            b += dz.sum(0)
            a += (dc * c_prev[n]).sum(0)
            dc_next, dz_next = dc, dz
        return LeakyParams.unchecked(W=W, U=U, b=b, a=a)


def make_cell(kind, rng, d_x=2, d_s=3):
    if kind == "rnn":
        return RNNParams.init(rng, d_x, d_s, scale=1.5)
    if kind == "canonical":
        return RNNParams.init(rng, d_x, d_s, scale=1.5, canonical=True)
    if kind == "leaky":
        return LeakyParams.init(rng, d_x, d_s)
    if kind == "lstm":
        return LSTMParams.init(rng, d_x, d_s)
    if kind == "gru":
        return GRUParams.init(rng, d_x, d_s, carry_bias=1.0)
    if kind == "torch_gru":
        return TorchGRUParams.init(rng, d_x, d_s, carry_bias=1.0)
    return AugmentedLSTMParams.init(rng, d_x, d_s, 2, L=1)


CELLS = ["rnn", "canonical", "leaky", "lstm", "augmented", "gru", "torch_gru"]


def readout_for(cell, rng, d_y=2):
    return Readout(W_y=rng.normal(size=(d_y, cell.d_out)), b_y=rng.normal(size=d_y))


def grad_error(fun, params, grads):
    return check_gradients(fun, params, grads).max_error


# Losses ---------------------------------------------------------------------------------------------


def test_readout_losses_are_pluggable(rng):
    cell = RNNParams.init(rng, 2, 3)
    model = (cell, readout_for(cell, rng))
    x = rng.normal(size=(4, 2, 2))

    def cubic(y, target, mask):  # any (y, target, mask) -> (E, dE_dy)
        return float(np.sum(y**3)), 3 * y**2

    E, (g_cell, g_out) = sequence_loss_and_grads(model, (x, None), loss=cubic)
    assert grad_error(lambda c: sequence_loss_and_grads((c, model[1]), (x, None), loss=cubic)[0], cell, g_cell) < 1e-6
    assert grad_error(lambda r: sequence_loss_and_grads((cell, r), (x, None), loss=cubic)[0], model[1], g_out) < 1e-6


# Gradients through the interface, every cell, with masks and a carried state -----------------------


@pytest.mark.parametrize("kind", CELLS)
@pytest.mark.parametrize("masked", [False, True])
def test_sequence_gradients_by_finite_differences(rng, kind, masked):
    cell = make_cell(kind, rng)
    model = (cell, readout_for(cell, rng))
    x, t = rng.normal(size=(5, 3, 2)), rng.normal(size=(5, 3, 2))
    mask = None
    if masked:
        mask = np.ones((5, 3))
        mask[2:, 1] = 0
    state = cell.forward(rng.normal(size=(2, 3, 2))).last_state  # a carried state: a constant
    batch = (x, t) if mask is None else (x, t, mask)
    E, (g_cell, g_out) = sequence_loss_and_grads(model, batch, state=state)
    assert E == pytest.approx(sequence_loss(model, batch, state=state), rel=1e-14)
    E_cell = lambda c: sequence_loss_and_grads((c, model[1]), batch, state=state)[0]
    E_out = lambda r: sequence_loss_and_grads((cell, r), batch, state=state)[0]
    assert grad_error(E_cell, cell, g_cell) < 1e-6
    assert grad_error(E_out, model[1], g_out) < 1e-6


@pytest.mark.parametrize("kind", ["rnn", "canonical", "leaky", "lstm"])
def test_stateful_forward_in_chunks_equals_the_full_forward(rng, kind):
    cell = make_cell(kind, rng)
    x = rng.normal(size=(11, 4, 2))
    full = cell.forward(x).output
    state, parts = None, []
    for a, b in ((0, 3), (3, 4), (4, 11)):
        tr = cell.forward(x[a:b], state)
        parts.append(tr.output)
        state = tr.last_state
    np.testing.assert_array_equal(np.concatenate(parts), full)


def test_padded_batch_equals_the_sequences_one_by_one(rng):
    # Variable lengths (3 and 5), padded to 5: the masked loss and its gradients are the step-weighted
    # means of the sequences' own, because the cell is causal and padding is never scored.
    cell = RNNParams.init(rng, 2, 4)
    model = (cell, readout_for(cell, rng, 1))
    xs = [rng.normal(size=(3, 1, 2)), rng.normal(size=(5, 1, 2))]
    ts = [rng.normal(size=(3, 1, 1)), rng.normal(size=(5, 1, 1))]
    x, t, mask = np.zeros((5, 2, 2)), np.zeros((5, 2, 1)), np.zeros((5, 2))
    for b, (xb, tb) in enumerate(zip(xs, ts)):
        x[: len(xb), b], t[: len(tb), b], mask[: len(xb), b] = xb[:, 0], tb[:, 0], 1
    x[3:, 0] = 7.0  # padding content must not matter
    E, grads = sequence_loss_and_grads(model, (x, t, mask))
    parts = [sequence_loss_and_grads(model, (xb, tb)) for xb, tb in zip(xs, ts)]
    assert E == pytest.approx((3 * parts[0][0] + 5 * parts[1][0]) / 8, rel=1e-13)
    expected = tree_map(lambda g0, g1: (3 * g0 + 5 * g1) / 8, parts[0][1], parts[1][1])
    for a, b in zip(tree_leaves(grads), tree_leaves(expected), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


# Truncated BPTT ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("N,k1,k2", [(1, 1, 1), (10, 4, 4), (10, 3, 5), (9, 3, 9), (7, 7, 7), (8, 1, 3), (5, 9, 12)])
def test_tbptt_windows_score_every_step_once_and_reach_back_k2(N, k1, k2):
    w = tbptt_windows(N, k1, k2)
    assert [n for _, s, e in w for n in range(s, e)] == list(range(N))  # each step scored once, in order
    for start, s, e in w:
        assert e - s == min(k1, N - s)  # k1 new steps per update (fewer at the end)
        assert start == max(0, s - (k2 - k1))  # the window reaches k2 steps back from the k1-th new step
    assert tbptt_windows(N, k1) == tbptt_windows(N, k1, k1)


class Recorder:
    """An "optimiser" that records each update's gradients and leaves the parameters alone."""

    def __init__(self):
        self.grads = []

    def init_state(self, params):
        return None

    def step(self, params, grads, state):
        self.grads.append(grads)
        return params, state


@pytest.mark.parametrize("kind", ["rnn", "leaky", "lstm"])
@pytest.mark.parametrize("k1,k2", [(3, 3), (2, 5), (4, 6)])
def test_tbptt_gradients_are_the_windows_gradients_with_the_state_stopped(rng, kind, k1, k2):
    cell = make_cell(kind, rng)
    model = (cell, readout_for(cell, rng))
    N = 10
    x, t = rng.normal(size=(N, 2, 2)), rng.normal(size=(N, 2, 2))
    rec = Recorder()
    windows = tbptt_windows(N, k1, k2)
    res = fit_sequences(model, lambda r: (x, t), rng, steps=len(windows), tbptt=(k1, k2), optimizer=rec, progress=False)
    assert len(rec.grads) == len(windows)
    for (start, scored, stop), grads, E in zip(windows, rec.grads, res.losses, strict=True):
        state = cell.forward(x[:start]).last_state if start else None  # an independent path to the state
        m = np.ones((stop - start, 2))
        m[: scored - start] = 0
        batch = (x[start:stop], t[start:stop], m)
        E_ref, g_ref = sequence_loss_and_grads(model, batch, state=state)
        assert E == pytest.approx(E_ref, rel=1e-12)
        for a, b in zip(tree_leaves(grads), tree_leaves(g_ref), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
        # ... and that is the derivative of the window's loss with the entering state held constant
        E_cell = lambda c, batch=batch, state=state: sequence_loss_and_grads((c, model[1]), batch, state=state)[0]
        assert grad_error(E_cell, cell, grads[0]) < 1e-6


@pytest.mark.parametrize("kind", ["rnn", "leaky", "lstm"])
def test_tbptt_N_N_is_full_bptt_exactly(rng, kind):
    cell = make_cell(kind, rng)
    model = (cell, readout_for(cell, rng))
    make = lambda r: (r.normal(size=(8, 3, 2)), r.normal(size=(8, 3, 2)))
    kw = dict(steps=5, optimizer=Adam(lr=0.01), progress=False)
    full = fit_sequences(model, make, np.random.default_rng(4), **kw)
    tb = fit_sequences(model, make, np.random.default_rng(4), tbptt=(8, 8), **kw)
    generic = fit(sequence_loss_and_grads, model, make, np.random.default_rng(4), **kw)
    for other in (tb, generic):
        np.testing.assert_array_equal(other.losses, full.losses)
        for a, b in zip(tree_leaves(other.params), tree_leaves(full.params), strict=True):
            np.testing.assert_array_equal(a, b)


def test_tbptt_carries_the_state_within_a_batch_and_resets_between_batches(rng):
    cell = RNNParams.init(rng, 1, 3)
    model = (cell, readout_for(cell, rng, 1))
    seen = []

    class Spy:  # records the state entering each window through the interface
        def __init__(self, inner):
            self.inner = inner

        def forward(self, x, state=None):
            seen.append(None if state is None else state[0].copy())
            return self.inner.forward(x, state)

        def backward(self, trace, dE_dout):
            return self.inner.backward(trace, dE_dout)

    x = rng.normal(size=(6, 2, 1))
    fit_sequences((Spy(cell), model[1]), lambda r: (x, x), rng, steps=4, tbptt=3, optimizer=Recorder(), progress=False)
    assert seen[0] is None and seen[2] is None  # a new batch starts from zero
    np.testing.assert_array_equal(seen[1], cell.forward(x[:3]).s[-1])  # the carried state


# The loops: learning, clipping, early stopping, determinism, divergence -------------------------------


def adding_problem(rng, N=10, B=32):
    """Hochreiter and Schmidhuber (1997) / Le et al. (2015): add the two marked numbers; scored at the end."""
    x = np.zeros((N, B, 2))
    x[:, :, 0] = rng.uniform(size=(N, B))
    first, second = rng.integers(0, N // 2, B), rng.integers(N // 2, N, B)
    x[first, np.arange(B), 1] = x[second, np.arange(B), 1] = 1.0
    target = np.zeros((N, B, 1))
    target[-1, :, 0] = (x[:, :, 0] * x[:, :, 1]).sum(axis=0)
    mask = np.zeros((N, B))
    mask[-1] = 1.0
    return x, target, mask


def test_an_rnn_learns_the_adding_problem_at_a_short_lag():
    rng = np.random.default_rng(0)
    model = (RNNParams.init(rng, 2, 32, recurrent="orthogonal"), Readout(np.zeros((1, 32)), np.array([1.0])))
    val = adding_problem(np.random.default_rng(99), B=500)
    res = fit_sequences(
        model,
        adding_problem,
        rng,
        steps=600,
        optimizer=Adam(lr=0.003),
        clip_norm=1.0,
        validation=val,
        eval_every=100,
        progress=False,
    )
    baseline = 1 / 6  # predicting the mean 1 leaves Var(U1 + U2) = 2/12
    assert sequence_loss(model, val) > 0.8 * baseline
    assert res.val_losses.min() < 0.05 * baseline, res.val_losses


def test_clipping_caps_the_step_and_the_history_keeps_the_norm_before(rng):
    cell = RNNParams.init(rng, 2, 3)
    model = (cell, readout_for(cell, rng))
    batch = (rng.normal(size=(5, 2, 2)), 10 * rng.normal(size=(5, 2, 2)))
    res = fit_sequences(model, lambda r: batch, rng, steps=1, optimizer=SGD(lr=0.1), clip_norm=1e-3, progress=False)
    norm = global_norm(sequence_loss_and_grads(model, batch)[1])
    assert res.grad_norms[0] == pytest.approx(norm, rel=1e-14) and norm > 1
    moved = global_norm(tree_map(np.subtract, res.params, model))
    assert moved == pytest.approx(0.1 * 1e-3, rel=1e-10)


def test_early_stopping_restores_the_best_parameters():
    # Descend towards w = 3 while the validation loss is (w - 1)^2: it improves, then worsens.
    start = Readout(W_y=[[0.0]], b_y=[0.0])
    lg = lambda p, _: (float((p.W_y[0, 0] - 3) ** 2), Readout(W_y=2 * (p.W_y - 3), b_y=0 * p.b_y))
    val = lambda p: float((p.W_y[0, 0] - 1) ** 2)
    res = fit(
        lg,
        start,
        lambda r: None,
        np.random.default_rng(0),
        steps=500,
        optimizer=SGD(lr=0.01),
        validate=val,
        eval_every=5,
        patience=3,
        progress=False,
    )
    assert res.stopped_early and res.steps < 500
    assert val(res.params) == res.val_losses.min() == res.val_losses[res.best_epoch]
    assert res.val_steps[res.best_epoch] == res.best_step and res.steps == res.best_step + 3 * 5
    assert np.all(np.diff(res.val_losses[: res.best_epoch + 1]) < 0)  # improving up to the best
    assert abs(res.params.W_y[0, 0] - 1) < 0.1
    kept = fit(
        lg,
        start,
        lambda r: None,
        np.random.default_rng(0),
        steps=res.steps,
        optimizer=SGD(lr=0.01),
        validate=val,
        eval_every=5,
        restore_best=False,
        progress=False,
    )
    assert val(kept.params) > val(res.params)  # without restoring: the last, worse parameters
    h = res.history()
    assert h["best_epoch"] == res.best_epoch and len(h["train_loss"]) == res.steps


def test_validation_of_the_untrained_model_counts():
    # If training only makes things worse, the initial parameters are the best and are returned.
    p = Readout(W_y=[[1.0]], b_y=[0.0])
    lg = lambda q, _: (0.0, Readout(W_y=-np.ones((1, 1)), b_y=np.zeros(1)))
    res = fit(
        lg,
        p,
        lambda r: None,
        np.random.default_rng(0),
        steps=30,
        optimizer=SGD(lr=0.1),
        validate=lambda q: float((q.W_y[0, 0] - 1) ** 2),
        eval_every=10,
        progress=False,
    )
    assert res.best_epoch == 0 and res.best_step == 0 and res.params is p
    assert list(res.val_steps) == [0, 10, 20, 30]


@pytest.mark.parametrize("tbptt", [None, (4, 6)])
def test_same_seed_same_bits(tbptt):
    def run(seed):
        rng = np.random.default_rng(seed)
        cell = RNNParams.init(rng, 1, 6)
        model = (cell, readout_for(cell, rng, 1))
        make = lambda r: lookahead_task(r, N=12, B=8)
        return fit_sequences(
            model,
            make,
            rng,
            steps=20,
            tbptt=tbptt,
            optimizer=RMSProp(lr=0.01, momentum=0.5, centered=True),
            clip_norm=1.0,
            validation=lookahead_task(np.random.default_rng(5), 12, 16),
            eval_every=5,
            progress=False,
        )

    a, b, c = run(1), run(1), run(2)
    np.testing.assert_array_equal(a.losses, b.losses)
    np.testing.assert_array_equal(a.grad_norms, b.grad_norms)
    np.testing.assert_array_equal(a.val_losses, b.val_losses)
    for u, v in zip(tree_leaves(a.params), tree_leaves(b.params), strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a.losses, c.losses)


def test_divergence_raises_or_stops():
    p = Readout(W_y=[[1.0]], b_y=[0.0])
    calls = iter(range(100))
    lg = lambda q, _: (np.inf, q) if next(calls) == 3 else (1.0, q)
    with pytest.raises(FloatingPointError, match="the loss is inf at update 3; lower the learning rate"):
        fit(lg, p, lambda r: None, np.random.default_rng(0), steps=6, optimizer=SGD(lr=0.1), progress=False)
    calls = iter(range(100))
    res = fit(
        lg,
        p,
        lambda r: None,
        np.random.default_rng(0),
        steps=6,
        optimizer=SGD(lr=0.1),
        nonfinite="stop",
        progress=False,
    )
    assert res.diverged and res.steps == 3 and not res.stopped_early
    assert res.diverged_at == 3 and res.reason == "the loss is inf at update 3"


def test_the_look_ahead_models_of_chapter_6_still_train():
    rng = np.random.default_rng(2)
    cell = AugmentedLSTMParams.init(rng, 1, 4, 4, L=3)
    params = (cell, Readout(W_y=rng.standard_normal((1, 4)) / 2, b_y=np.zeros(1)))
    make = lambda r: lookahead_task(r, N=10, B=16, window=(1, 1))  # y[n] = x[n+1]
    res = fit(
        sequence_loss_and_grads,
        params,
        make,
        np.random.default_rng(3),
        steps=150,
        optimizer=Adam(lr=0.03),
        clip_norm=1.0,
        progress=False,
    )
    assert res.losses[-20:].mean() < 0.2 * res.losses[:5].mean()
    loss_clip, _ = sequence_loss_and_grads(params, make(np.random.default_rng(0)), clip=True)  # footnote 25
    assert np.isfinite(loss_clip)


# Errors ---------------------------------------------------------------------------------------------


def test_errors(rng):
    p = Readout(W_y=np.zeros((1, 3)), b_y=np.zeros(1))
    cell = RNNParams.init(rng, 1, 3)
    model = (cell, Readout(np.zeros((1, 3)), np.zeros(1)))
    x, t = np.zeros((4, 2, 1)), np.zeros((4, 2, 1))
    quad = lambda q, b: (0.0, q)
    with pytest.raises(ValueError, match="steps = 0, expected a positive integer"):
        fit(quad, p, lambda r: None, np.random.default_rng(0), steps=0, progress=False)
    with pytest.raises(TypeError, match="rng has type int, expected numpy.random.Generator"):
        fit(quad, p, lambda r: None, 0, steps=5, progress=False)
    with pytest.raises(TypeError, match="optimizer has type str, expected an optimiser with init"):
        fit(quad, p, lambda r: None, rng, steps=5, optimizer="adam", progress=False)
    with pytest.raises(ValueError, match="eval_every and patience need validation data"):
        fit(quad, p, lambda r: None, rng, steps=5, patience=2, progress=False)
    with pytest.raises(ValueError, match=r"max_norm = -1"):
        fit(quad, p, lambda r: None, rng, steps=5, clip_norm=-1, progress=False)
    with pytest.raises(ValueError, match="nonfinite = 'ignore', expected 'raise' or 'stop'"):
        fit(quad, p, lambda r: None, rng, steps=5, nonfinite="ignore", progress=False)
    with pytest.raises(TypeError, match=r"params\[0\] has type Readout, which has no forward\(\) method"):
        sequence_loss_and_grads((p, p), (x, t))
    with pytest.raises(TypeError, match=r"params has type RNNParams, expected a model \(cell, readout\)"):
        sequence_loss_and_grads(cell, (x, t))
    with pytest.raises(TypeError, match=r"params\[1\] has type RNNParams, expected Readout"):
        sequence_loss_and_grads((cell, cell), (x, t))
    with pytest.raises(TypeError, match=r"batch has type ndarray, expected a tuple \(x, target\)"):
        sequence_loss_and_grads(model, x)
    with pytest.raises(ValueError, match=r"mask has shape \(4,\), expected \(4, 2\)"):
        sequence_loss_and_grads(model, (x, t, np.ones(4)))
    with pytest.raises(ValueError, match="mask holds values other than 0 and 1"):
        sequence_loss_and_grads(model, (x, t, np.full((4, 2), 0.5)))
    with pytest.raises(ValueError, match="mask selects no frame"):
        sequence_loss_and_grads(model, (x, t, np.zeros((4, 2))))
    with pytest.raises(ValueError, match=r"y has shape \(4, 2, 1\) but target has shape \(4, 2, 2\)"):
        sequence_loss_and_grads(model, (x, np.zeros((4, 2, 2))))
    with pytest.raises(ValueError, match=r"x has shape \(4, 1\), expected \(N, B, d_x\)"):
        fit_sequences(model, lambda r: (x[:, 0], t[:, 0]), rng, steps=1, progress=False)
    with pytest.raises(ValueError, match=r"k2 = 2 < k1 = 3: .* pass k2 >= k1"):
        fit_sequences(model, lambda r: (x, t), rng, steps=1, tbptt=(3, 2), progress=False)
    with pytest.raises(ValueError, match=r"tbptt = \(1, 2, 3\), expected \(k1, k2\)"):
        fit_sequences(model, lambda r: (x, t), rng, steps=1, tbptt=(1, 2, 3), progress=False)
    with pytest.raises(ValueError, match="k1 = 0, expected a positive integer"):
        tbptt_windows(5, 0)


def test_a_nan_validation_loss_never_counts_as_the_best():
    p = Readout(W_y=[[0.0]], b_y=[0.0])
    lg = lambda q, _: (0.0, Readout(W_y=-np.ones((1, 1)), b_y=np.zeros(1)))  # w grows by lr per step
    val = lambda q: np.nan if q.W_y[0, 0] == 0 else float((q.W_y[0, 0] - 0.5) ** 2)
    res = fit(
        lg,
        p,
        lambda r: None,
        np.random.default_rng(0),
        steps=10,
        optimizer=SGD(lr=0.1),
        validate=val,
        eval_every=1,
        progress=False,
    )
    assert np.isnan(res.val_losses[0]) and res.best_step == 5 and res.params.W_y[0, 0] == pytest.approx(0.5)


def test_pad_batch_and_training_on_variable_lengths(rng):
    xs = [rng.normal(size=(n, 2)) for n in (3, 6, 1)]
    ts = [rng.normal(size=(n, 1)) for n in (3, 6, 1)]
    x, t, mask = pad_batch(xs, ts)
    assert x.shape == (6, 3, 2) and t.shape == (6, 3, 1) and mask.sum(axis=0).tolist() == [3, 6, 1]
    np.testing.assert_array_equal(x[:3, 0], xs[0])
    assert not x[3:, 0].any() and not t[1:, 2].any()
    cell = RNNParams.init(rng, 2, 4)
    model = (cell, readout_for(cell, rng, 1))
    res = fit_sequences(model, lambda r: (x, t, mask), rng, steps=3, tbptt=(2, 3), progress=False)
    assert res.steps == 3 and np.all(np.isfinite(res.losses))
    labels = pad_batch(xs, [np.arange(len(a)) for a in xs])[1]
    assert labels.dtype.kind == "i" and labels.shape == (6, 3)


def test_pad_batch_errors(rng):
    with pytest.raises(ValueError, match="got 0 inputs and 0 targets"):
        pad_batch([], [])
    with pytest.raises(ValueError, match=r"inputs\[1\] has shape \(2, 3\), expected \(N_b, d_x\) = \(N_b >= 1, 2\)"):
        pad_batch([np.zeros((2, 2)), np.zeros((2, 3))], [np.zeros(2), np.zeros(2)])
    with pytest.raises(ValueError, match=r"targets\[0\] has shape \(3,\), expected \(2, \.\.\.\)"):
        pad_batch([np.zeros((2, 2))], [np.zeros(3)])
    with pytest.raises(ValueError, match=r"inputs\[0\] has 1 dimension"):
        pad_batch([np.zeros(2)], [np.zeros(2)])


def test_an_rnn_whose_gradient_overflows_ends_as_diverged_not_as_an_input_error():
    # Zero inputs and a zero bias keep every state at s = 0, where G'(0) = 1: BPTT multiplies psi by W_r^T
    # at each step, and W_r = 3 Q (Q orthogonal) makes |psi| grow as 3^n: 3^700 > 1e308 overflows.
    rng = np.random.default_rng(0)
    cell = RNNParams.init(rng, 1, 4, recurrent="orthogonal", scale=3.0)  # theta_s = 0
    model = (cell, Readout(rng.standard_normal((1, 4)), np.zeros(1)))
    batch = lambda r: (np.zeros((700, 2, 1)), np.ones((700, 2, 1)))
    res = fit_sequences(model, batch, rng, steps=5, nonfinite="stop", progress=False)
    assert res.diverged and res.diverged_at == 0 and res.steps == 0 and not res.stopped_early
    assert res.reason.startswith("the gradient overflowed at update 0: its global norm is")
    assert res.history()["diverged_at"] == 0 and res.params is model
    with pytest.raises(FloatingPointError, match="the gradient overflowed at update 0"):
        fit_sequences(model, batch, rng, steps=5, progress=False)
    # a shorter sequence trains, and the update that overflows is named
    res = fit_sequences(model, lambda r: (np.zeros((40, 2, 1)), np.ones((40, 2, 1))), rng, steps=3,
                        nonfinite="stop", progress=False)  # fmt: skip
    assert not res.diverged and res.diverged_at is None and res.reason is None and res.steps == 3


def test_a_cell_written_outside_the_package_follows_the_interface():
    p = LeakyParams.init(np.random.default_rng(0), 2, 3)
    assert isinstance(p, Cell) and p.n_params == 9 + 6 + 3 + 3 and p.d_out == 3
    tr = p.forward(np.zeros((4, 2, 2)))
    with pytest.raises(TypeError, match="LeakyParams.backward has no option clip: .*footnote 25"):
        p.backward(tr, np.zeros((4, 2, 3)), clip=True)
    with pytest.raises(ValueError, match=r"dE_dout has shape \(4, 2, 2\), expected the shape of trace.c"):
        p.backward(tr, np.zeros((4, 2, 2)))
    with pytest.raises(TypeError, match=r"expected None or a 2-tuple \(h\[-1\], c\[-1\]\)"):
        p.forward(np.zeros((4, 2, 2)), state=np.zeros(3))
