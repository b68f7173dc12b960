"""Tests for lrnn.losses: the readout and the three losses, by hand, by central differences, and inside BPTT."""

import dataclasses
import math

import numpy as np
import pytest

from lrnn.gradcheck import check_gradients, numerical_gradient, relative_error
from lrnn.gru import GRUParams, TorchGRUParams, gru_forward
from lrnn.gru_bptt import gru_backward
from lrnn.losses import (
    Readout,
    mean_squared_error,
    readout_loss,
    readout_mse,
    sigmoid_bernoulli_nll,
    softmax,
    softmax_cross_entropy,
)
from lrnn.lstm import LSTMParams, lstm_forward
from lrnn.lstm_bptt import lstm_backward
from lrnn.rnn import RNNParams, rnn_forward
from lrnn.rnn_bptt import rnn_backward

LOSSES = [mean_squared_error, softmax_cross_entropy, sigmoid_bernoulli_nll]


def targets_for(loss, rng, shape):
    """A valid target for ``loss`` and outputs of ``shape`` (N, B, d_y)."""
    if loss is mean_squared_error:
        return rng.standard_normal(shape)
    if loss is softmax_cross_entropy:
        return rng.integers(0, shape[-1], shape[:-1])
    return (rng.random(shape) < 0.3).astype(float)


def padding_mask(rng, N, B):
    """Sequences of random lengths >= 1, padded to N: mask[n, b] = 1 for n < length[b]."""
    lengths = rng.integers(1, N + 1, B)
    return (np.arange(N)[:, None] < lengths[None, :]).astype(float)


def test_mse_hand_computed():
    E, g = mean_squared_error([[1.0, -1.0], [2.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]])
    assert E == pytest.approx((1 + 1 + 4) / 4)
    np.testing.assert_allclose(g, [[0.5, -0.5], [1.0, 0.0]])
    # masked: only frame 1 counts, M = 1, d_y = 2
    E, g = mean_squared_error([[1.0, -1.0], [2.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]], mask=[0, 1])
    assert E == pytest.approx(4 / 2)
    np.testing.assert_allclose(g, [[0.0, 0.0], [2.0, 0.0]])


def test_softmax_cross_entropy_hand_computed():
    y = [[np.log(1.0), np.log(3.0)], [0.0, 0.0]]  # p = (1/4, 3/4) and (1/2, 1/2)
    E, g = softmax_cross_entropy(y, [1, 0])
    assert E == pytest.approx((-np.log(0.75) - np.log(0.5)) / 2, rel=1e-14)
    np.testing.assert_allclose(g, [[0.125, -0.125], [-0.25, 0.25]], rtol=1e-14)  # (p - t) / M
    E1, g1 = softmax_cross_entropy(y, [[0.0, 1.0], [1.0, 0.0]])  # the same targets, one-hot
    assert E1 == E and np.array_equal(g1, g)


def test_bernoulli_nll_hand_computed():
    y, t = np.array([[0.0, 2.0, -1.0]]), np.array([[1.0, 1.0, 0.0]])
    E, g = sigmoid_bernoulli_nll(y, t)
    q = 1 / (1 + np.exp(-y))
    assert E == pytest.approx(float(-np.sum(t * np.log(q) + (1 - t) * np.log(1 - q))), rel=1e-14)
    np.testing.assert_allclose(g, q - t, rtol=1e-14)
    # summed over keys, averaged over frames: two identical frames cost what one does
    assert sigmoid_bernoulli_nll(np.vstack([y, y]), np.vstack([t, t]))[0] == pytest.approx(E, rel=1e-15)


def test_without_a_mask_mse_is_numpy_mean():
    rng = np.random.default_rng(0)
    y, t = rng.standard_normal((5, 3, 2)), rng.standard_normal((5, 3, 2))
    E, g = mean_squared_error(y, t)
    assert E == pytest.approx(np.mean((y - t) ** 2), rel=1e-14)
    np.testing.assert_allclose(g, 2 * (y - t) / y.size, rtol=1e-14)
    E1, g1 = mean_squared_error(y, t, mask=np.ones((5, 3)))
    assert E1 == pytest.approx(E, rel=1e-15) and np.allclose(g1, g, rtol=1e-15)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("masked", [False, True])
def test_loss_gradients_by_finite_differences(loss, masked):
    rng = np.random.default_rng(1 + masked)
    N, B, d_y = 5, 3, 4
    y, t = 2 * rng.standard_normal((N, B, d_y)), targets_for(loss, rng, (N, B, d_y))
    mask = padding_mask(rng, N, B) if masked else None
    E, g = loss(y, t, mask=mask)
    assert relative_error(g, numerical_gradient(lambda z: loss(z, t, mask=mask)[0], y)) < 1e-8
    if masked:
        assert not np.any(g[mask == 0])  # padded frames get no gradient ...
        y2 = np.where(mask[..., None] == 0, 100 * rng.standard_normal(y.shape), y)
        assert loss(y2, t, mask=mask)[0] == pytest.approx(E, rel=1e-14)  # ... and do not change E
        kept = mask.astype(bool)  # and E is the per-frame mean over the kept frames only
        assert E == pytest.approx(loss(y[kept], t[kept])[0], rel=1e-13)


@pytest.mark.parametrize("loss", LOSSES)
def test_losses_accept_one_sequence_and_a_time_mask(loss):
    rng = np.random.default_rng(3)
    y, t = rng.standard_normal((6, 3)), targets_for(loss, rng, (6, 3))
    mask = np.array([1, 1, 1, 1, 0, 0])
    E, g = loss(y, t, mask=mask)
    assert g.shape == y.shape and E == pytest.approx(loss(y[:4], t[:4])[0], rel=1e-14)


def test_classification_losses_never_overflow_or_warn():
    y = np.array([[1e4, -1e4, 0.0], [-745.5, 745.5, 1e300], [-1e300, 0.0, 710.0]])  # RuntimeWarning is an error here
    E, g = softmax_cross_entropy(y, [1, 0, 2])
    assert np.isfinite(E) and np.all(np.isfinite(g)) and E == pytest.approx((2e4 + (1e300 + 745.5)) / 3, rel=1e-12)
    p = softmax(y)
    assert np.all(np.isfinite(p)) and np.allclose(p.sum(axis=-1), 1.0)
    E, g = sigmoid_bernoulli_nll(y, (y > 0).astype(float))  # every sign right: l = log(1 + e^-|y|), log 2 at y = 0
    assert np.isfinite(E) and E == pytest.approx(2 * math.log(2) / 3, rel=1e-12) and np.all(np.abs(g) <= 1)
    E, _ = sigmoid_bernoulli_nll(y, (y <= 0).astype(float))
    E_right = (1e4 + 1e4 + 745.5 + 745.5 + 710.0 + 2 * math.log(2)) / 3  # every sign wrong: l = |y| + log(1 + e^-|y|)
    assert E == pytest.approx(2e300 / 3 + E_right, rel=1e-12)


def test_softmax_cross_entropy_gradient_rows_sum_to_zero_and_match_soft_labels():
    rng = np.random.default_rng(4)
    y = rng.standard_normal((4, 2, 5))
    soft = softmax(rng.standard_normal((4, 2, 5)))
    E, g = softmax_cross_entropy(y, soft)
    np.testing.assert_allclose(g.sum(axis=-1), 0.0, atol=1e-16)  # sum_k (p_k - t_k) = 1 - 1
    np.testing.assert_allclose(g, (softmax(y) - soft) / 8, rtol=1e-13)
    assert relative_error(g, numerical_gradient(lambda z: softmax_cross_entropy(z, soft)[0], y)) < 1e-8


@pytest.mark.parametrize("loss", LOSSES)
def test_readout_loss_gradients_by_finite_differences(loss):
    rng = np.random.default_rng(5)
    N, B, d_v, d_y = 4, 3, 3, 5
    r = Readout(W_y=rng.standard_normal((d_y, d_v)), b_y=rng.standard_normal(d_y))
    v, t, mask = rng.standard_normal((N, B, d_v)), targets_for(loss, rng, (N, B, d_y)), padding_mask(rng, N, B)
    E, dE_dv, grads = readout_loss(r, v, t, loss, mask=mask)
    assert E == pytest.approx(loss(r(v), t, mask=mask)[0], rel=1e-15)
    assert check_gradients(lambda q: readout_loss(q, v, t, loss, mask=mask)[0], r, grads).max_error < 1e-8
    assert relative_error(dE_dv, numerical_gradient(lambda z: readout_loss(r, z, t, loss, mask=mask)[0], v)) < 1e-8


def test_readout_mse_is_readout_loss_with_mean_squared_error():
    rng = np.random.default_rng(6)
    r = Readout(W_y=rng.standard_normal((2, 3)), b_y=rng.standard_normal(2))
    v, t = rng.standard_normal((4, 5, 3)), rng.standard_normal((4, 5, 2))
    E, dE_dv, grads = readout_mse(r, v, t)
    assert E == pytest.approx(np.mean((v @ r.W_y.T + r.b_y - t) ** 2))
    E2, dE_dv2, grads2 = readout_loss(r, v, t)
    assert E == E2 and np.array_equal(dE_dv, dE_dv2) and np.array_equal(grads.W_y, grads2.W_y)


def test_dE_dv_starts_the_rnn_recursion_as_the_first_term_of_eq_82():
    # A standard RNN read out through r[n], trained on classes: rnn_backward(dE_dr = W_y^T (p - t) / M).
    rng = np.random.default_rng(7)
    N, B, d_x, d_s, K = 5, 3, 2, 4, 3
    p = RNNParams.init(rng, d_x, d_s, scale=1.2)
    r = Readout.random(rng, d_s, K)
    x, t, mask = rng.standard_normal((N, B, d_x)), rng.integers(0, K, (N, B)), padding_mask(rng, N, B)

    def E(q):
        return readout_loss(r, rnn_forward(q, x).r, t, softmax_cross_entropy, mask=mask)[0]

    tr = rnn_forward(p, x)
    _, dE_dr, _ = readout_loss(r, tr.r, t, softmax_cross_entropy, mask=mask)
    grads, _ = rnn_backward(p, tr, dE_dr)
    assert check_gradients(E, p, grads).max_error < 1e-6


def test_dE_dv_is_the_direct_term_of_chi_in_eq_144():
    # A Vanilla LSTM read out through v[n], 4 independent labels per frame (Bernoulli NLL), padded batch.
    rng = np.random.default_rng(8)
    N, B, d_x, d_s, K = 4, 3, 2, 3, 4
    p = LSTMParams.init(rng, d_x, d_s)
    r = Readout.random(rng, d_s, K)
    x, t, mask = rng.standard_normal((N, B, d_x)), (rng.random((N, B, K)) < 0.4) * 1.0, padding_mask(rng, N, B)

    def E(q):
        return readout_loss(r, lstm_forward(q, x).v, t, sigmoid_bernoulli_nll, mask=mask)[0]

    tr = lstm_forward(p, x)
    _, dE_dv, _ = readout_loss(r, tr.v, t, sigmoid_bernoulli_nll, mask=mask)
    grads, _ = lstm_backward(p, tr, dE_dv)
    assert check_gradients(E, p, grads).max_error < 1e-6


@pytest.mark.parametrize("cls", [GRUParams, TorchGRUParams])
def test_dE_dv_is_the_direct_term_of_psi_in_the_gru(cls):
    # The GRU's readout sees s[n] itself: gru_backward(dE_ds = W_y^T dE/dy), through Eq. G9 (G14).
    rng = np.random.default_rng(9)
    N, B, d_x, d_s, K = 4, 3, 3, 2, 5
    p = cls.init(rng, d_x, d_s, scale=1.5, recurrent="gaussian")
    r = Readout.random(rng, d_s, K)
    x, t, mask = rng.standard_normal((N, B, d_x)), rng.integers(0, K, (N, B)), padding_mask(rng, N, B)

    def E(q):
        return readout_loss(r, gru_forward(q, x).output, t, softmax_cross_entropy, mask=mask)[0]

    tr = gru_forward(p, x)
    _, dE_ds, readout_grads = readout_loss(r, tr.output, t, softmax_cross_entropy, mask=mask)
    grads, _ = gru_backward(p, tr, dE_ds)
    assert check_gradients(E, p, grads).max_error < 1e-6
    loss_of_readout = lambda q: readout_loss(q, tr.s, t, softmax_cross_entropy, mask=mask)[0]
    assert check_gradients(loss_of_readout, r, readout_grads).max_error < 1e-8


def test_errors():
    with pytest.raises(ValueError, match=r"y has shape \(2,\) but target has shape \(3,\)"):
        mean_squared_error([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"b_y has shape \(3,\), expected \(d_y,\) = \(2,\)"):
        Readout(W_y=np.zeros((2, 4)), b_y=np.zeros(3))
    with pytest.raises(ValueError, match=r"v has shape \(5, 3\), expected \(..., d_v\) = \(..., 4\)"):
        readout_mse(Readout(W_y=np.zeros((2, 4)), b_y=np.zeros(2)), np.zeros((5, 3)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="target contains nan"):
        mean_squared_error([1.0], [np.nan])
    with pytest.raises(ValueError, match="y contains inf"):
        sigmoid_bernoulli_nll([[np.inf]], [[1.0]])
    with pytest.raises(ValueError, match=r"y has shape \(\), expected \(..., d_y\)"):
        softmax_cross_entropy(1.0, 0)


def test_mask_errors():
    y, t = np.zeros((4, 2, 3)), np.zeros((4, 2, 3))
    with pytest.raises(ValueError, match=r"mask has shape \(2, 4\), expected \(4, 2\) \(y.shape\[:-1\]: one entry"):
        mean_squared_error(y, t, mask=np.ones((2, 4)))
    with pytest.raises(ValueError, match="mask holds values other than 0 and 1"):
        sigmoid_bernoulli_nll(y, t, mask=np.full((4, 2), 0.5))
    with pytest.raises(ValueError, match="mask selects no frame"):
        softmax_cross_entropy(y, np.zeros((4, 2), dtype=int), mask=np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"mask contains nan at index \(0, 0\)"):
        mean_squared_error(y, t, mask=np.full((4, 2), np.nan))
    np.testing.assert_array_equal(
        mean_squared_error(y + 1, t, mask=np.ones((4, 2), dtype=bool))[1], mean_squared_error(y + 1, t)[1]
    )


def test_target_errors():
    y = np.zeros((4, 3))
    with pytest.raises(ValueError, match=r"target holds class 3 at index \(2,\); classes run from 0 to d_y - 1 = 2"):
        softmax_cross_entropy(y, [0, 1, 3, 2])
    with pytest.raises(ValueError, match=r"target holds class -1 at index \(0,\)"):
        softmax_cross_entropy(y, [-1, 1, 0, 2])
    with pytest.raises(TypeError, match=r"target has dtype float64 and shape \(4,\): class indices must be integers"):
        softmax_cross_entropy(y, [0.0, 1.0, 2.0, 0.0])
    with pytest.raises(ValueError, match=r"target row \(1,\) is not a probability vector .* sums to 2"):
        softmax_cross_entropy(y, [[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 0]])
    with pytest.raises(
        ValueError, match=r"target has shape \(4, 2\), expected integer classes of shape y.shape\[:-1\]"
    ):
        softmax_cross_entropy(y, np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"target holds values outside \[0, 1\]"):
        sigmoid_bernoulli_nll(y, np.full((4, 3), 2.0))
    with pytest.raises(ValueError, match=r"target has shape \(4,\), expected the shape of y, \(4, 3\)"):
        sigmoid_bernoulli_nll(y, np.zeros(4))


def test_readout_errors():
    r = Readout(W_y=np.zeros((2, 3)), b_y=np.zeros(2))
    with pytest.raises(TypeError, match="readout has type tuple, expected Readout"):
        readout_loss((r.W_y, r.b_y), np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(TypeError, match="loss has type str, expected a function loss"):
        readout_loss(r, np.zeros((4, 3)), np.zeros((4, 2)), "mse")
    with pytest.raises(TypeError, match="rng has type int, expected numpy.random.Generator"):
        Readout.random(0, 3, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.b_y = np.ones(2)
