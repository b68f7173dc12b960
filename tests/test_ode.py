import numpy as np
import pytest

from lrnn import ode
from lrnn.rnn import rnn_forward

ZERO_INPUT = staticmethod(lambda t: np.zeros((len(t), 1)))


def zero_input(t):
    return np.zeros((len(t), 1))


def test_discretize_scalar_by_hand():
    m = ode.AdditiveModel(A=[[-2.0]], B=[[3.0]], C=[[1.0]], phi=[4.0])
    p = ode.discretize(m, 0.5)
    W_s = 1.0 / (1.0 + 0.5 * 2.0)  # Eq. 25
    assert p.W_s[0, 0] == pytest.approx(W_s)
    assert p.W_r[0, 0] == pytest.approx(0.5 * W_s * 3.0)  # Eq. 27
    assert p.W_x[0, 0] == pytest.approx(0.5 * W_s * 1.0)  # Eq. 28
    assert p.theta_s[0] == pytest.approx(0.5 * W_s * 4.0)  # Eq. 29


def test_discretize_solves_backward_euler_eq_24(rng):
    d, d_x, dT = 3, 2, 0.3
    m = ode.AdditiveModel(
        A=rng.normal(size=(d, d)), B=rng.normal(size=(d, d)), C=rng.normal(size=(d, d_x)), phi=rng.normal(size=d)
    )
    p = ode.discretize(m, dT)
    s_prev, r_prev, x = rng.normal(size=d), rng.normal(size=d), rng.normal(size=d_x)
    s = p.W_s @ s_prev + p.W_r @ r_prev + p.W_x @ x + p.theta_s  # Eq. 30
    lhs = s - s_prev
    rhs = dT * (m.A @ s + m.B @ r_prev + m.C @ x + m.phi)  # Eq. 23
    np.testing.assert_allclose(lhs, rhs, atol=1e-13)


def test_integrate_linear_decay_exact():
    m = ode.AdditiveModel(A=[[-1.5]], B=[[0.0]], C=[[2.0]], phi=[0.0])
    t, s = ode.integrate(m, [1.0], lambda t: np.ones((len(t), 1)), 2.0, h=0.01)
    exact = 4 / 3 + (1 - 4 / 3) * np.exp(-1.5 * t)  # ds/dt = -1.5 s + 2
    np.testing.assert_allclose(s[:, 0], exact, atol=1e-10)


def test_integrate_delay_matches_method_of_steps_closed_form():
    # ds/dt = -r(t - 1) with r = tanh(s), constant history s = 0.1: for t in [0, 1], s = 0.1 - tanh(0.1) t
    m = ode.AdditiveModel(A=[[0.0]], B=[[-1.0]], C=[[0.0]], phi=[0.0])
    t, s = ode.integrate(m, [0.1], zero_input, 1.0, h=0.01, tau0=1.0)
    np.testing.assert_allclose(s[:, 0], 0.1 - np.tanh(0.1) * t, atol=1e-12)


def test_sample_rnn_converges_first_order():
    m = ode.example_model(1.0)
    errs = []
    for dT in (0.1, 0.05, 0.025):
        sub = round(dT / 0.0025)
        _, sc = ode.integrate(m, [0, 0], ode.bump, 6.0, h=dT / sub, tau0=dT)
        _, sd = ode.sample_rnn(m, dT, [0, 0], ode.bump, 6.0)
        errs.append(np.abs(sd - sc[::sub]).max())
    orders = np.log2(np.array(errs[:-1]) / errs[1:])
    assert np.all(np.abs(orders - 1) < 0.2), orders


def test_sample_rnn_uses_inputs_at_step_end():
    m = ode.AdditiveModel(A=[[0.0]], B=[[0.0]], C=[[1.0]], phi=[0.0])
    t, s = ode.sample_rnn(m, 1.0, [0.0], lambda t: t[:, None], 3.0)
    np.testing.assert_allclose(s[:, 0], [0.0, 1.0, 3.0, 6.0])  # cumulative sum of x(1), x(2), x(3)
    p = ode.discretize(m, 1.0)
    np.testing.assert_allclose(rnn_forward(p, [[1.0], [2.0], [3.0]]).s[:, 0], s[1:, 0])


def test_errors():
    m = ode.example_model()
    with pytest.raises(ValueError, match="dT = 0.0, expected a positive step"):
        ode.discretize(m, 0.0)
    with pytest.raises(ValueError, match="I - dT\\*A is singular"):
        ode.discretize(ode.AdditiveModel(A=[[2.0]], B=[[0.0]], C=[[0.0]], phi=[0.0]), 0.5)
    with pytest.raises(ValueError, match="t_end = 1.05 is not a positive multiple of h = 0.1"):
        ode.integrate(m, [0, 0], ode.bump, 1.05, h=0.1)
    with pytest.raises(ValueError, match="tau0 = 0.05 is not a non-negative multiple"):
        ode.integrate(m, [0, 0], ode.bump, 1.0, h=0.1, tau0=0.05)
    with pytest.raises(ValueError, match=r"x_fn\(t\) has shape \(21, 2\), expected \(len\(t\), d_x\) = \(21, 1\)"):
        ode.integrate(m, [0, 0], lambda t: np.zeros((len(t), 2)), 1.0, h=0.1)
    with pytest.raises(TypeError, match="x_fn has type list"):
        ode.integrate(m, [0, 0], [1, 2], 1.0, h=0.1)
    with pytest.raises(ValueError, match=r"s0 has shape \(3,\), expected \(d,\) = \(2,\)"):
        ode.integrate(m, [0, 0, 0], ode.bump, 1.0, h=0.1)
    with pytest.raises(ValueError, match=r"C has shape \(3, 1\), expected \(d, d_x\) = \(2, \?\)"):
        ode.AdditiveModel(A=np.eye(2), B=np.eye(2), C=np.ones((3, 1)), phi=np.zeros(2))
    with pytest.raises(ValueError, match="phi contains nan"):
        ode.AdditiveModel(A=np.eye(2), B=np.eye(2), C=np.ones((2, 1)), phi=[0.0, np.nan])
