"""Tests for lrnn.exercises.jacobian: the Eq. 179 self-check passes a right derivation and names mistakes."""

import re

import numpy as np
import pytest

from lrnn.exercises import check_step_jacobian
from lrnn.exercises.jacobian import _cases, _mistakes
from lrnn.gradcheck import numerical_gradient
from lrnn.lstm import lstm_forward
from lrnn.lstm_gradients import lstm_step_jacobian


def student_jacobian(p, tr, k, mistake=None):
    """A student's Eq. 179 in column-vector form, written from Eqs. 144-155, with an optional mistake."""
    T = (lambda W: W) if mistake == "no_transposes" else (lambda W: W.T)
    s_prev = tr.s[k] if mistake == "s_k" else tr.s[k - 1]
    D_cu = np.diag(tr.u[k] * tr.g_cu[k] * (1 - tr.g_cu[k]))  # alpha_cu[k] = D_cu psi[k]
    D_cs = np.diag(s_prev * tr.g_cs[k] * (1 - tr.g_cs[k]))
    D_du = np.diag(tr.g_cu[k] * (1 - tr.u[k] ** 2))
    W_s_cr = p.W_s_cr if mistake in ("p3", "no_transposes") else p.W_s_cr.T
    R = np.diag(tr.g_cr[k - 1] * (1 - tr.r[k - 1] ** 2)) + W_s_cr @ np.diag(
        tr.r[k - 1] * tr.g_cr[k - 1] * (1 - tr.g_cr[k - 1])
    )
    F = T(p.W_v_cu) @ D_cu + T(p.W_v_cs) @ D_cs + T(p.W_v_du) @ D_du  # psi[k] -> chi[k-1]
    carousel = 0 if mistake == "no_carousel" else np.diag(tr.g_cs[k])
    J = carousel + T(p.W_s_cu) @ D_cu + T(p.W_s_cs) @ D_cs + R @ F
    return J.T if mistake == "forward" else J


def test_a_right_derivation_passes():
    assert check_step_jacobian(student_jacobian).startswith("check_step_jacobian: passed")


def test_the_derivation_is_the_transposed_forward_jacobian(rng):
    # the reference the check uses is itself the transpose of ds[k]/ds[k-1] (v[k-1] recomputed from s[k-1])
    p, tr, k = _cases(rng)[0]

    def state(sigma):
        a_cr = p.W_x_cr @ tr.x[k - 1] + p.W_s_cr @ sigma + p.W_v_cr @ tr.v[k - 2] + p.b_cr
        v_prev = 0.5 * (1 + np.tanh(a_cr / 2)) * np.tanh(sigma)
        return lstm_forward(p, tr.x[k : k + 1], s0=sigma, v0=v_prev).s[0]

    fd = np.stack([numerical_gradient(lambda z, i=i: state(z)[i], tr.s[k - 1]) for i in range(p.d_s)])
    np.testing.assert_allclose(student_jacobian(p, tr, k), fd.T, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize(
    ("mistake", "message"),
    [
        ("forward", "forward Jacobian"),
        ("no_transposes", "printed Eq. 178"),
        ("p3", "erratum P3"),
        ("no_carousel", "carousel term diag"),
        ("s_k", "D_cs uses s[k]"),
    ],
)
def test_mistakes_are_named(mistake, message):
    with pytest.raises(AssertionError, match=re.escape(message)):
        check_step_jacobian(lambda p, tr, k: student_jacobian(p, tr, k, mistake))


def test_every_mistake_differs_from_the_answer_and_from_the_others():
    for p, tr, k in _cases(np.random.default_rng(0)):
        right = lstm_step_jacobian(p, tr, k).J
        wrong = [m for m, _ in _mistakes(p, tr, k)]
        for i, a in enumerate(wrong):
            assert np.abs(a - right).max() > 1e-6
            for b in wrong[i + 1 :]:
                assert np.abs(a - b).max() > 1e-6


def test_unknown_error_gets_a_hint_and_shapes_and_exceptions_are_reported():
    with pytest.raises(AssertionError, match="start from psi"):
        check_step_jacobian(lambda p, tr, k: 1.01 * student_jacobian(p, tr, k))
    with pytest.raises(AssertionError, match="has shape"):
        check_step_jacobian(lambda p, tr, k: student_jacobian(p, tr, k)[:, :1])
    with pytest.raises(AssertionError, match="raised ZeroDivisionError"):
        check_step_jacobian(lambda p, tr, k: 1 / 0)
