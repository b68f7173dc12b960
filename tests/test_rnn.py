import numpy as np
import pytest

from lrnn.activations import G_d
from lrnn.rnn import RNNParams, rnn_forward


def test_hand_computed_two_steps_standard():
    p = RNNParams(W_r=[[0.5]], W_x=[[2.0]], theta_s=[0.1])
    tr = rnn_forward(p, [[1.0], [-1.0]])
    s0 = 2.0 + 0.1  # r[-1] = G(0) = 0
    s1 = 0.5 * np.tanh(s0) - 2.0 + 0.1
    np.testing.assert_allclose(tr.s[:, 0], [s0, s1])
    np.testing.assert_allclose(tr.r, np.tanh(tr.s))


def test_hand_computed_canonical_with_initial_state():
    p = RNNParams(W_r=[[0.5]], W_x=[[2.0]], theta_s=[0.0], W_s=[[0.25]])
    tr = rnn_forward(p, [[0.0]], s0=[4.0])
    np.testing.assert_allclose(tr.s[0, 0], 0.25 * 4.0 + 0.5 * np.tanh(4.0))


def test_shapes_single_batched_and_n1(rng):
    p = RNNParams.random(rng, d_x=3, d_s=5)
    for x in (rng.normal(size=(1, 3)), rng.normal(size=(7, 3)), rng.normal(size=(7, 4, 3))):
        tr = rnn_forward(p, x)
        assert tr.s.shape == tr.r.shape == x.shape[:-1] + (5,)
        assert tr.s0.shape == x.shape[1:-1] + (5,)


def test_batch_equals_loop_over_sequences(rng):
    p = RNNParams.random(rng, d_x=2, d_s=4, canonical=True)
    x = rng.normal(size=(6, 3, 2))
    s0 = rng.normal(size=(3, 4))
    tr = rnn_forward(p, x, s0=s0)
    for b in range(3):
        np.testing.assert_allclose(tr.s[:, b], rnn_forward(p, x[:, b], s0=s0[b]).s, rtol=1e-14)


def test_standard_is_canonical_with_zero_W_s(rng):
    p = RNNParams.random(rng, d_x=2, d_s=3)
    q = RNNParams(p.W_r, p.W_x, p.theta_s, W_s=np.zeros((3, 3)))
    x = rng.normal(size=(5, 2))
    np.testing.assert_array_equal(rnn_forward(p, x).s, rnn_forward(q, x).s)
    assert not p.canonical and q.canonical


def test_params_errors():
    with pytest.raises(ValueError, match=r"W_r has shape \(2, 3\), expected \(d_s, d_s\)"):
        RNNParams(W_r=np.zeros((2, 3)), W_x=np.zeros((2, 1)), theta_s=np.zeros(2))
    with pytest.raises(ValueError, match=r"W_x has shape \(3, 1\), expected \(d_s, d_x\) = \(2, \?\) from W_r"):
        RNNParams(W_r=np.zeros((2, 2)), W_x=np.zeros((3, 1)), theta_s=np.zeros(2))
    with pytest.raises(ValueError, match=r"theta_s has shape \(3,\)"):
        RNNParams(W_r=np.zeros((2, 2)), W_x=np.zeros((2, 1)), theta_s=np.zeros(3))
    with pytest.raises(ValueError, match="W_s contains nan"):
        RNNParams(W_r=np.zeros((2, 2)), W_x=np.zeros((2, 1)), theta_s=np.zeros(2), W_s=np.full((2, 2), np.nan))
    with pytest.raises(TypeError, match="rng has type int"):
        RNNParams.random(0, 1, 1)


def test_forward_errors(rng):
    p = RNNParams.random(rng, d_x=3, d_s=2)
    with pytest.raises(ValueError, match=r"x has shape \(4,\), expected \(N, d_x\) = \(N, 3\)"):
        rnn_forward(p, np.zeros(4))
    with pytest.raises(ValueError, match=r"x has shape \(5, 2\), expected .* from W_x of shape \(2, 3\)"):
        rnn_forward(p, np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"x contains inf at index \(1, 0\)"):
        rnn_forward(p, np.array([[0.0, 0, 0], [np.inf, 0, 0]]))
    with pytest.raises(ValueError, match=r"s0 has shape \(3,\), expected \(d_s,\) = \(2,\)"):
        rnn_forward(p, np.zeros((5, 3)), s0=np.zeros(3))
    with pytest.raises(TypeError, match="params has type dict, expected RNNParams"):
        rnn_forward({}, np.zeros((5, 3)))


def test_saturating_inputs_stay_finite_and_silent(rng):
    p = RNNParams.random(rng, d_x=2, d_s=3, scale=50.0)
    tr = rnn_forward(p, 1e150 * rng.normal(size=(4, 2)))
    assert np.all(np.isfinite(tr.s)) and np.all(np.abs(tr.r) <= 1)
    np.testing.assert_array_equal(tr.r, G_d(tr.s))
