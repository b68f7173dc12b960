"""A gradient arriving on the last state (``dE_dlast``): the backward recursion's starting value.

P5 starts the recursion from zero (``f_psi[N] = f_chi[N] = 0``): nothing comes back past the
last step. A loss on ``trace.last_state``, or a later segment (a decoder, the next chunk of a
stateful loop) that starts from it, sends a gradient back into that state; ``dE_dlast`` starts
the recursion from it. Checked against central differences in float64 for the three cells,
for every parameter, the input and the initial state, with every parameter a random Gaussian
(pinholes, the control input gate, the windows and the projection all nonzero).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from lrnn.augmented import AugmentedLSTMParams, augmented_forward
from lrnn.augmented_bptt import augmented_backward
from lrnn.gradcheck import check_gradients, numerical_gradient, relative_error
from lrnn.gru import GRUParams, gru_forward
from lrnn.gru_bptt import gru_backward
from lrnn.lstm import LSTMParams, lstm_forward
from lrnn.lstm_bptt import lstm_backward

N, B, D_X, D_S = 4, 2, 3, 5


def _gaussian(rng, params, scale=0.5):
    """``params`` with every entry redrawn from N(0, scale^2): no part left at zero."""
    fields = dataclasses.fields(params)
    return type(params)(**{f.name: scale * rng.standard_normal(np.shape(getattr(params, f.name))) for f in fields})


CELLS = {
    "lstm": (lambda: LSTMParams.zeros(D_X, D_S), lstm_forward, lstm_backward),
    "augmented L=1": (lambda: AugmentedLSTMParams.zeros(D_X, D_S, 3, L=1), augmented_forward, augmented_backward),
    "augmented L=3": (lambda: AugmentedLSTMParams.zeros(D_X, D_S, 3, L=3), augmented_forward, augmented_backward),
    "gru": (lambda: GRUParams.zeros(D_X, D_S), gru_forward, gru_backward),
}


@pytest.mark.parametrize("batched", [True, False], ids=["batch", "one sequence"])
@pytest.mark.parametrize("name", list(CELLS))
def test_a_loss_on_the_last_state_matches_central_differences(rng, name, batched):
    zeros, forward, backward = CELLS[name]
    p = _gaussian(rng, zeros())
    lead = (N, B) if batched else (N,)
    x = rng.standard_normal((*lead, D_X))
    state0 = tuple(0.5 * rng.standard_normal(a.shape) for a in forward(p, x).last_state)
    tr = forward(p, x, *state0)
    W_y = rng.standard_normal((2, tr.output.shape[-1]))
    target = rng.standard_normal((*lead, 2))
    w_last = tuple(rng.standard_normal(a.shape) for a in tr.last_state)  # E sees the last state directly

    def loss(q=p, x_=x, state_=state0) -> float:
        t = forward(q, x_, *state_)
        readout = 0.5 * np.sum((t.output @ W_y.T - target) ** 2)
        return float(readout + sum(np.sum(w * s) for w, s in zip(w_last, t.last_state, strict=True)))

    dE_dout = (tr.output @ W_y.T - target) @ W_y
    grads, _, dE_dx, dE_dstate = backward(p, tr, dE_dout, return_inputs=True, dE_dlast=w_last)
    report = check_gradients(lambda q: loss(q), p, grads)
    assert report.max_error < 1e-6, str(report)
    assert relative_error(dE_dx, numerical_gradient(lambda v: loss(x_=v), x)) < 1e-6
    for i, s in enumerate(state0):
        num = numerical_gradient(lambda v, i=i: loss(state_=state0[:i] + (v,) + state0[i + 1 :]), s)
        assert relative_error(dE_dstate[i], num) < 1e-6, f"state[{i}]"


@pytest.mark.parametrize("name", list(CELLS))
def test_no_gradient_on_the_last_state_is_the_zero_start_of_p5(rng, name):
    zeros, forward, backward = CELLS[name]
    p = _gaussian(rng, zeros())
    tr = forward(p, rng.standard_normal((N, B, D_X)))
    dE = rng.standard_normal(tr.output.shape)
    plain = backward(p, tr, dE, return_inputs=True)
    zero = backward(p, tr, dE, return_inputs=True, dE_dlast=tuple(np.zeros_like(a) for a in tr.last_state))
    for f in dataclasses.fields(plain[0]):
        np.testing.assert_array_equal(getattr(plain[0], f.name), getattr(zero[0], f.name))
    np.testing.assert_array_equal(plain[2], zero[2])


def test_the_lstm_last_value_gradient_is_a_gradient_on_the_last_output(rng):
    # v[N-1] is both the last output and part of the last state: either way in, the same gradients.
    p = _gaussian(rng, LSTMParams.zeros(D_X, D_S))
    tr = lstm_forward(p, rng.standard_normal((N, B, D_X)))
    dE, g = rng.standard_normal(tr.v.shape), rng.standard_normal((B, D_S))
    via_output = dE.copy()
    via_output[-1] += g
    a = lstm_backward(p, tr, via_output)[0]
    b = lstm_backward(p, tr, dE, dE_dlast=(np.zeros((B, D_S)), g))[0]
    for f in dataclasses.fields(a):
        np.testing.assert_allclose(getattr(a, f.name), getattr(b, f.name), rtol=1e-13, atol=1e-13)


def test_dE_dlast_is_checked(rng):
    p = LSTMParams.zeros(D_X, D_S)
    tr = lstm_forward(p, np.zeros((N, B, D_X)))
    dE = np.zeros(tr.v.shape)
    with pytest.raises(TypeError, match="dE_dlast has type ndarray, expected None or a 2-tuple"):
        lstm_backward(p, tr, dE, dE_dlast=np.zeros((B, D_S)))
    with pytest.raises(ValueError, match=r"dE_dlast\[1\] has shape \(5,\), expected \(2, 5\)"):
        lstm_backward(p, tr, dE, dE_dlast=(np.zeros((B, D_S)), np.zeros(D_S)))
    with pytest.raises(ValueError, match="dE_dlast\\[0\\]"):
        lstm_backward(p, tr, dE, dE_dlast=(np.full((B, D_S), np.nan), np.zeros((B, D_S))))
