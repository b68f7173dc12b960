"""Tests for lrnn.gradcheck against gradients known in closed form."""

import dataclasses
import types

import numpy as np
import pytest

from lrnn.gradcheck import check_gradients, numerical_gradient, random_readout_loss, relative_error


def test_numerical_gradient_of_a_quadratic_form_is_exact():
    # E(x) = 1/2 x^T A x + b^T x has gradient A_sym x + b; central differences are exact for quadratics
    rng = np.random.default_rng(0)
    A, b, x = rng.standard_normal((4, 4)), rng.standard_normal(4), rng.standard_normal(4)
    g = numerical_gradient(lambda z: 0.5 * z @ A @ z + b @ z, x)
    np.testing.assert_allclose(g, 0.5 * (A + A.T) @ x + b, rtol=1e-8, atol=1e-9)


def test_numerical_gradient_of_a_matrix_argument():
    # E(W) = sum tanh(W u) has dE/dW = (1 - tanh(W u)^2) u^T; the O(eps^2) error stays far below 1e-6
    rng = np.random.default_rng(1)
    W, u = rng.standard_normal((3, 2)), rng.standard_normal(2)
    g = numerical_gradient(lambda M: float(np.sum(np.tanh(M @ u))), W)
    assert g.shape == W.shape
    assert relative_error(np.outer(1 - np.tanh(W @ u) ** 2, u), g) < 1e-9


def test_relative_error():
    assert relative_error(np.ones(3), np.ones(3)) == 0.0 and relative_error(np.zeros(2), np.zeros(2)) == 0.0
    assert relative_error([1.0, 0.0], [0.0, 1.0]) == pytest.approx(np.sqrt(2) / 2)
    assert relative_error([1.0], [-1.0]) == 1.0  # opposite gradients: the largest possible error


@dataclasses.dataclass(frozen=True)
class Pair:
    a: np.ndarray
    B: np.ndarray


def test_check_gradients_reports_each_entity():
    # E = sum(a * (B @ c)) + |a|^2 with dE/da = B c + 2 a and dE/dB = a c^T
    rng = np.random.default_rng(2)
    p, c = Pair(a=rng.standard_normal(3), B=rng.standard_normal((3, 2))), rng.standard_normal(2)

    def loss(q):
        return float(q.a @ (q.B @ c) + q.a @ q.a)

    right = Pair(a=p.B @ c + 2 * p.a, B=np.outer(p.a, c))
    report = check_gradients(loss, p, right)
    assert set(report.errors) == {"a", "B"} and report.max_error < 1e-9
    wrong = Pair(a=right.a, B=np.outer(c, p.a).T * 1.1)  # 10 % too large
    report = check_gradients(loss, p, wrong)
    assert report.worst == "B" and 0.04 < report.errors["B"] < 0.06 and report.errors["a"] < 1e-9
    assert "B" in str(report) and "max" in str(report)


def test_random_readout_loss_passes_on_the_derivative_of_its_loss():
    """dE_dout is the derivative of E with respect to the output, checked where the output is the parameter."""
    rng = np.random.default_rng(5)
    out = rng.standard_normal((4, 2, 3))  # N = 4, a batch of 2, d_out = 3

    def forward(q, x, *initial):  # a "cell" whose output is its parameter array, shifted by the initial state
        return types.SimpleNamespace(output=q + sum(initial))

    loss, dE_dout = random_readout_loss(rng, forward, types.SimpleNamespace(d_out=3), out, 0.5, d_y=5)
    np.testing.assert_allclose(dE_dout(forward(out, None, 0.5)), numerical_gradient(loss, out), rtol=1e-7, atol=1e-9)
    assert loss(out) != loss(out - 0.5), "the initial state reaches the forward pass"
    with pytest.raises(ValueError, match="d_y"):
        random_readout_loss(rng, forward, types.SimpleNamespace(d_out=3), out, d_y=0)
