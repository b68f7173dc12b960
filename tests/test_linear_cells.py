"""What the two linear-recurrence cells share, tested once for both: lrnn.lru's LRU and lrnn.selective's layer.

Chunks continue across the carried state, the scan and the loop give the same numbers forward and
backward, every gradient (complex parameters and the initial state included) matches central
differences, and bad input gets the package's messages. What is each cell's own (the LRU's ring
and normalisation, Theorem 1 of Gu and Dao, the ZOH coefficients) is in test_lru.py and
test_selective.py.
"""

import dataclasses

import numpy as np
import pytest

from lrnn.gradcheck import check_gradients
from lrnn.lru import LRUParams, lru_backward, lru_forward
from lrnn.rnn import RNNParams
from lrnn.selective import SelectiveSSMParams, selective_backward, selective_forward


def lru(rng):
    p = LRUParams.init(rng, 2, 3, 4, r_min=0.5, r_max=0.95)
    shift = ("b_u", "b_e", "b_o", "b_g")  # biases away from zero: every gate off its symmetric point
    return dataclasses.replace(p, **{k: getattr(p, k) + 0.3 * rng.standard_normal(getattr(p, k).shape) for k in shift})


def selective(rng):
    p = SelectiveSSMParams.init(rng, 2, 3, 4, dt_min=0.1, dt_max=1.0)
    shift = ("b_u", "b_B", "b_C", "D", "A_log", "b_o", "b_g")
    return dataclasses.replace(p, **{k: getattr(p, k) + 0.3 * rng.standard_normal(getattr(p, k).shape) for k in shift})


def complex_s0(rng):
    return rng.standard_normal(3) + 1j * rng.standard_normal(3)  # the LRU's state is complex


CELLS = {  # params(rng), forward, backward, an initial state (one step's), its name
    "lru": (lru, lru_forward, lru_backward, complex_s0, "s0"),
    "selective": (selective, selective_forward, selective_backward, lambda rng: rng.standard_normal((4, 3)), "h0"),
}


@pytest.mark.parametrize("kind", CELLS)
@pytest.mark.parametrize("batched", [False, True])
def test_chunks_continue_and_the_scan_equals_the_loop(kind, batched):
    make, forward, backward, _, _ = CELLS[kind]
    rng = np.random.default_rng(1)
    p = make(rng)
    x = rng.standard_normal((7, 4, 2) if batched else (7, 2))
    tr = forward(p, x)
    assert tr.batched == batched and tr.output.shape == (*x.shape[:-1], 4) and forward(p, x[:1]).v.shape[0] == 1
    first = p.forward(x[:3])
    np.testing.assert_allclose(p.forward(x[3:], first.last_state).v, tr.v[3:], rtol=1e-12, atol=1e-14)
    loop = forward(p, x, method="loop")
    np.testing.assert_allclose(loop.v, tr.v, rtol=1e-12, atol=1e-14)
    dv = rng.standard_normal(tr.v.shape)
    by_scan, by_loop = backward(p, tr, dv)[0], backward(p, loop, dv, method="loop")[0]
    for name, g in by_scan.arrays().items():
        np.testing.assert_allclose(getattr(by_loop, name), g, rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("kind", CELLS)
@pytest.mark.parametrize("batched", [False, True])
def test_gradients_match_finite_differences(kind, batched):
    make, forward, backward, initial, _ = CELLS[kind]
    rng = np.random.default_rng(2)
    p = make(rng)
    x = rng.standard_normal((6, 2, 2) if batched else (6, 2))
    h0 = initial(rng)
    w = rng.standard_normal(x.shape[:-1] + (4,))
    loss = lambda q, h=h0: float(np.sum(w * forward(q, x, h).v))  # noqa: E731
    for method in ("scan", "loop"):
        grads, _ = backward(p, forward(p, x, h0, method=method), w, method=method)
        report = check_gradients(loss, p, grads)
        assert report.max_error < 1e-6, str(report)  # the LRU's complex parameters B, C, nu, theta included
    _, dh0 = backward(p, forward(p, x, h0), w)
    dh0 = dh0.sum(axis=0) if batched else dh0  # one initial state shared by the batch: its gradient sums theirs
    eps = 1e-6
    steps = [eps * e.reshape(h0.shape) for e in np.eye(h0.size)]
    parts = (1.0, 1j) if np.iscomplexobj(h0) else (1.0,)  # dE/dRe + i dE/dIm for a complex state
    num = sum(part * np.array([loss(p, h0 + part * d) - loss(p, h0 - part * d) for d in steps]) for part in parts)
    np.testing.assert_allclose(dh0.reshape(-1), num / (2 * eps), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("kind", CELLS)
def test_errors(kind):
    make, forward, backward, _, h0_name = CELLS[kind]
    p = make(np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"x has shape \(5, 3\), expected \(N, d_x\) = \(N, 2\)"):
        forward(p, np.zeros((5, 3)))
    with pytest.raises(ValueError, match="x contains nan"):
        forward(p, np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match=rf"{h0_name} has shape \(2,\), expected \(d_"):
        forward(p, np.zeros((5, 2)), np.zeros(2))
    with pytest.raises(ValueError, match=r"dE_dv has shape \(5, 3\), expected the shape of trace.v, \(5, 4\)"):
        backward(p, forward(p, np.zeros((5, 2))), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="dE_dv contains inf"):
        backward(p, forward(p, np.zeros((5, 2))), np.full((5, 4), np.inf))
    with pytest.raises(ValueError, match="method = 'fft'"):
        forward(p, np.zeros((5, 2)), method="fft")
    with pytest.raises(TypeError, match=rf"params has type RNNParams, expected {type(p).__name__}; build one with "):
        forward(RNNParams.zeros(2, 3), np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"trace has .*d_x = 2.* but params has .*d_x = 1"):
        backward(type(p).zeros(1, 3, 4), forward(p, np.zeros((5, 2))), np.zeros((5, 4)))
    with pytest.raises(TypeError, match=r"state has type ndarray, expected None or a 1-tuple"):
        p.forward(np.zeros((5, 2)), np.zeros(3))
