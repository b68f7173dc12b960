"""lrnn.onehot: a one-hot sequence stored as codes, equal to its dense array in every cell."""

import dataclasses

import numpy as np
import pytest

from lrnn.gru import GRUParams, TorchGRUParams
from lrnn.losses import Readout, softmax_cross_entropy
from lrnn.lstm import LSTMParams
from lrnn.onehot import OneHot
from lrnn.rnn import RNNParams
from lrnn.train import sequence_loss_and_grads


def test_products_are_lookups():
    rng = np.random.default_rng(0)
    x = OneHot(rng.integers(0, 5, (6, 3)), d=5)
    W = rng.standard_normal((4, 5))
    dense = np.asarray(x)
    assert dense.shape == x.shape == (6, 3, 5) and np.all(dense.sum(-1) == 1)
    np.testing.assert_array_equal(x @ W.T, dense @ W.T)
    alpha = rng.standard_normal((18, 4))
    np.testing.assert_allclose(alpha.T @ x.reshape(-1, 5), alpha.T @ dense.reshape(-1, 5), rtol=0, atol=1e-14)
    assert x[2].shape == (3, 5) and x[1:4].shape == (3, 3, 5) and x[:, None, :].shape == (6, 1, 3, 5)


@pytest.mark.parametrize(
    "make",
    [
        lambda rng: RNNParams.init(rng, 5, 4),
        lambda rng: GRUParams.init(rng, 5, 4),
        lambda rng: TorchGRUParams.init(rng, 5, 4),
        lambda rng: LSTMParams.init(rng, 5, 4),
    ],
)
def test_every_cell_gives_the_dense_results(make):
    """Forward signals and every gradient agree with the dense one-hot input (batched and not)."""
    rng = np.random.default_rng(1)
    cell = make(rng)
    codes = rng.integers(0, 5, (7, 3))
    for x in (OneHot(codes, 5), OneHot(codes[:, 0], 5)):
        dense = np.asarray(x)
        t1, t2 = cell.forward(x), cell.forward(dense)
        np.testing.assert_allclose(t1.output, t2.output, rtol=0, atol=1e-14)
        d = rng.standard_normal(t1.output.shape)
        g1, g2 = cell.backward(t1, d), cell.backward(t2, d)
        for f in dataclasses.fields(g1):
            if getattr(g1, f.name) is not None:
                np.testing.assert_allclose(getattr(g1, f.name), getattr(g2, f.name), rtol=0, atol=1e-13)


def test_trains_through_the_loss():
    rng = np.random.default_rng(2)
    model = (TorchGRUParams.init(rng, 5, 3), Readout(rng.standard_normal((5, 3)), np.zeros(5)))
    codes = rng.integers(0, 5, (9, 2))
    x, target = OneHot(codes[:-1], 5), codes[1:]
    E1, g1 = sequence_loss_and_grads(model, (x, target), loss=softmax_cross_entropy)
    E2, g2 = sequence_loss_and_grads(model, (np.asarray(x), target), loss=softmax_cross_entropy)
    assert E1 == pytest.approx(E2, abs=1e-14)
    np.testing.assert_allclose(g1[0].W_x_u, g2[0].W_x_u, atol=1e-14)


def test_bad_codes_are_named():
    with pytest.raises(ValueError, match=r"codes\[1\] = 7 is outside 0 .. d - 1 = 0 .. 4"):
        OneHot([0, 7], d=5)
    with pytest.raises(TypeError, match="expected integers"):
        OneHot([0.0, 1.0], d=5)
    with pytest.raises(ValueError, match=r"expected \(N,\) or \(N, B\)"):
        OneHot(np.zeros((2, 2, 2), dtype=int), d=5)
    with pytest.raises(ValueError, match="positive integer"):
        OneHot([0], d=0)
    with pytest.raises(IndexError, match="one one-hot vector"):
        OneHot([0, 1], d=5)[0]
    with pytest.raises(ValueError, match=r"expected \(N, d_x\) = \(N, 4\)"):
        RNNParams.init(np.random.default_rng(0), 4, 2).forward(OneHot([0, 1], d=5))
