"""Tests for lrnn.gru_bptt: the GRU backward pass in both conventions (Eqs. G9-G19)."""

import dataclasses
import math

import numpy as np
import pytest

from lrnn.gradcheck import check_gradients, relative_error
from lrnn.gru import GRUParams, TorchGRUParams, gru_forward
from lrnn.gru_bptt import gru_backward

CLASSES = [GRUParams, TorchGRUParams]
SCALAR = dict(
    W_x_r=0.7,
    W_s_r=-0.4,
    b_r=0.1,
    W_x_z=-0.5,
    W_s_z=0.9,
    b_z=0.3,
    W_x_u=1.3,
    W_s_u=0.6,
    b_u=-0.2,
)  # fmt: skip  (the same scalar cell as tests/test_gru.py)


def scalar_params(cls):
    values = {**SCALAR, **({"b_s_u": 0.25} if cls is TorchGRUParams else {})}
    return cls(**{k: np.reshape(v, (1,) if k.startswith("b") else (1, 1)) for k, v in values.items()})


def squared_error_problem(rng, p, x, s0=None, d_y=2):
    """E = 0.5 sum_n ||W_y s[n] - target[n]||^2 and its direct derivative dE/ds (the readout sees s)."""
    W_y = rng.standard_normal((d_y, p.d_s))
    target = rng.standard_normal(x.shape[:-1] + (d_y,))

    def loss(q):
        return 0.5 * float(np.sum((gru_forward(q, x, s0).s @ W_y.T - target) ** 2))

    def dE_ds(tr):
        return (tr.s @ W_y.T - target) @ W_y

    return loss, dE_ds


@pytest.mark.parametrize("cls", CLASSES)
def test_hand_computed_one_step(cls):
    # E = w s[0] for one scalar step from s[-1] = 0.5: the alphas by hand.
    p, x, s_prev, w = scalar_params(cls), 0.8, 0.5, 1.7
    tr = gru_forward(p, [[x]], s0=[s_prev])
    g_r, g_z, u = tr.g_r[0, 0], tr.g_z[0, 0], tr.u[0, 0]
    psi = w  # nothing comes back from step 1
    if cls is GRUParams:
        alpha_u = psi * g_z * (1 - u**2)  # Eq. G10
        alpha_z = psi * (u - s_prev) * g_z * (1 - g_z)  # Eq. G11
        alpha_r = p.W_s_u[0, 0] * alpha_u * s_prev * g_r * (1 - g_r)  # Eq. G12
        dW_s_u = alpha_u * g_r * s_prev  # Eq. G13
    else:
        alpha_u = psi * (1 - g_z) * (1 - u**2)  # Eq. G15
        alpha_z = psi * (s_prev - u) * g_z * (1 - g_z)  # Eq. G16
        alpha_r = alpha_u * (p.W_s_u[0, 0] * s_prev + p.b_s_u[0]) * g_r * (1 - g_r)  # Eq. G17
        dW_s_u = alpha_u * g_r * s_prev  # Eqs. G18-G19: gamma_u s[n-1]
    grads, psi_got = gru_backward(p, tr, [[w]])
    assert psi_got[0, 0] == pytest.approx(psi, rel=1e-14)
    assert grads.b_u[0] == pytest.approx(alpha_u, rel=1e-13)
    assert grads.b_z[0] == pytest.approx(alpha_z, rel=1e-13)
    assert grads.b_r[0] == pytest.approx(alpha_r, rel=1e-13)
    assert grads.W_x_r[0, 0] == pytest.approx(alpha_r * x, rel=1e-13)
    assert grads.W_s_z[0, 0] == pytest.approx(alpha_z * s_prev, rel=1e-13)
    assert grads.W_s_u[0, 0] == pytest.approx(dW_s_u, rel=1e-13)
    if cls is TorchGRUParams:
        assert grads.b_s_u[0] == pytest.approx(alpha_u * g_r, rel=1e-13)  # Eq. G18


@pytest.mark.parametrize("cls", CLASSES)
def test_hand_computed_two_steps_carry_terms(cls):
    # psi[0] = (direct-path share) psi[1] + W_s_r alpha_r[1] + W_s_z alpha_z[1] + (the candidate's path).
    p = scalar_params(cls)
    tr = gru_forward(p, [[0.3], [-1.1]])
    grads, psi = gru_backward(p, tr, [[0.0], [1.0]])
    g_r, g_z, u, s0 = tr.g_r[1, 0], tr.g_z[1, 0], tr.u[1, 0], tr.s[0, 0]
    W_s_r, W_s_z, W_s_u = p.W_s_r[0, 0], p.W_s_z[0, 0], p.W_s_u[0, 0]
    if cls is GRUParams:
        alpha_u = g_z * (1 - u**2)
        alpha_z = (u - s0) * g_z * (1 - g_z)
        alpha_r = W_s_u * alpha_u * s0 * g_r * (1 - g_r)
        psi0 = (1 - g_z) + W_s_r * alpha_r + W_s_z * alpha_z + g_r * W_s_u * alpha_u  # Eq. G9
    else:
        alpha_u = (1 - g_z) * (1 - u**2)
        alpha_z = (s0 - u) * g_z * (1 - g_z)
        alpha_r = alpha_u * tr.a_s_u[1, 0] * g_r * (1 - g_r)
        psi0 = g_z + W_s_r * alpha_r + W_s_z * alpha_z + W_s_u * alpha_u * g_r  # Eq. G14
    np.testing.assert_allclose(psi[:, 0], [psi0, 1.0], rtol=1e-13)


CONFIGS = {  # (N, B or None, d_x, d_s, non-zero initial state)
    "single": (5, None, 3, 4, False),
    "batched, s0": (4, 3, 3, 2, True),
    "N=1, s0": (1, 2, 2, 3, True),
    "N=1, single": (1, None, 4, 2, False),
    "d_x > d_s, s0": (4, 2, 5, 2, True),
    "d_x < d_s, single, s0": (6, None, 2, 5, True),
}


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("name", CONFIGS)
def test_gradients_match_finite_differences(cls, name):
    N, B, d_x, d_s, init = CONFIGS[name]
    rng = np.random.default_rng(sum(map(ord, name + cls.convention)))
    p = cls.init(rng, d_x, d_s, scale=1.5, recurrent="gaussian")
    biases = {f.name: 0.5 * rng.standard_normal(d_s) for f in dataclasses.fields(p) if f.name.startswith("b")}
    p = dataclasses.replace(p, **biases)
    lead = (N,) if B is None else (N, B)
    x = rng.standard_normal(lead + (d_x,))
    s0 = rng.standard_normal(lead[1:] + (d_s,)) if init else None
    loss, dE_ds = squared_error_problem(rng, p, x, s0)
    tr = gru_forward(p, x, s0)
    grads, psi = gru_backward(p, tr, dE_ds(tr))
    assert psi.shape == tr.s.shape and type(grads) is cls
    report = check_gradients(loss, p, grads)
    assert report.max_error < 1e-6, str(report)


@pytest.mark.parametrize("cls", CLASSES)
def test_psi_is_the_total_derivative_wrt_each_state(cls):
    # Bump s[n] and rerun from there: s[n] feeds the readout at n and every later step.
    rng = np.random.default_rng(7)
    p = cls.init(rng, 2, 3, scale=1.5, recurrent="gaussian")
    x, s0 = rng.standard_normal((5, 2)), rng.standard_normal(3)
    W_y, target = rng.standard_normal((2, 3)), rng.standard_normal((5, 2))
    tr = gru_forward(p, x, s0)
    _, psi = gru_backward(p, tr, (tr.s @ W_y.T - target) @ W_y)

    def E_with_state_bump(n, delta):
        s = np.vstack([tr.s[:n], (tr.s[n] + delta)[None]])
        if n + 1 < len(x):
            s = np.vstack([s, gru_forward(p, x[n + 1 :], s0=s[n]).s])
        return 0.5 * np.sum((s @ W_y.T - target) ** 2)

    eps = 1e-6
    for n in range(len(x)):
        fd = [(E_with_state_bump(n, eps * e) - E_with_state_bump(n, -eps * e)) / (2 * eps) for e in np.eye(3)]
        assert relative_error(psi[n], fd) < 1e-7


@pytest.mark.parametrize("cls", CLASSES)
def test_batched_gradients_are_sums_over_sequences(cls):
    rng = np.random.default_rng(13)
    p = cls.init(rng, 2, 3, recurrent="gaussian")
    x, dE, s0 = rng.standard_normal((4, 3, 2)), rng.standard_normal((4, 3, 3)), rng.standard_normal((3, 3))
    grads, psi = gru_backward(p, gru_forward(p, x, s0=s0), dE)
    parts = [gru_backward(p, gru_forward(p, x[:, b], s0=s0[b]), dE[:, b]) for b in range(3)]
    for f in dataclasses.fields(p):
        np.testing.assert_allclose(getattr(grads, f.name), sum(getattr(g, f.name) for g, _ in parts), atol=1e-13)
    np.testing.assert_allclose(psi, np.stack([q for _, q in parts], axis=1), atol=1e-13)


def test_an_open_carry_path_keeps_the_gradient_alive():
    # The additive path: with the update gate shut (Chung: g_z ~ 0) psi[0] ~ psi[N-1] however long the sequence;
    # a tanh RNN's psi shrinks by W_r^T diag(G') at every step instead.
    p = dataclasses.replace(GRUParams.zeros(1, 3), b_z=np.full(3, -30.0), W_s_u=np.eye(3))
    N = 200
    tr = gru_forward(p, np.zeros((N, 1)), s0=np.ones(3))
    dE = np.zeros((N, 3))
    dE[-1] = 1.0
    _, psi = gru_backward(p, tr, dE)
    assert psi[0] == pytest.approx(np.ones(3), rel=1e-9)
    assert math.isclose(float(tr.g_z.max()), 0.0, abs_tol=1e-12)


def test_backward_errors():
    p = GRUParams.zeros(3, 2)
    tr = gru_forward(p, np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"dE_ds has shape \(4, 3\), expected the shape of trace.s, \(4, 2\)"):
        gru_backward(p, tr, np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"dE_ds contains nan at index \(2, 1\)"):
        gru_backward(p, tr, np.where(np.arange(8).reshape(4, 2) == 5, np.nan, 0.0))
    with pytest.raises(TypeError, match="trace has type tuple, expected GRUTrace"):
        gru_backward(p, (tr.s,), np.zeros((4, 2)))
    with pytest.raises(TypeError, match="params has type NoneType, expected GRUParams or TorchGRUParams"):
        gru_backward(None, tr, np.zeros((4, 2)))
    with pytest.raises(ValueError, match="trace has d_s = 2, d_x = 3 but params has d_s = 3, d_x = 3"):
        gru_backward(GRUParams.zeros(3, 3), tr, np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"trace was computed in Chung's \(GRUParams\) convention but params is Torch"):
        gru_backward(TorchGRUParams.zeros(3, 2), tr, np.zeros((4, 2)))
    tr_torch = gru_forward(TorchGRUParams.zeros(3, 2), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"trace was computed in PyTorch's \(TorchGRUParams\) convention"):
        gru_backward(p, tr_torch, np.zeros((4, 2)))


# The border gradients (what composition needs): dE/dx[n] and dE/ds[-1], both conventions ---------------------


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("name", list(CONFIGS))
def test_border_gradients_match_finite_differences(cls, name):
    from lrnn.gradcheck import check_cell

    N, B, d_x, d_s, initial = CONFIGS[name]
    rng = np.random.default_rng(sum(map(ord, name)) + len(cls.__name__))
    p = cls.init(rng, d_x, d_s)
    if cls is TorchGRUParams:  # a non-zero b_s_u, so that its path through the reset is exercised
        p = dataclasses.replace(p, b_s_u=rng.standard_normal(d_s))
    lead = (N,) if B is None else (N, B)
    x = rng.standard_normal((*lead, d_x))
    state = (rng.standard_normal((*lead[1:], d_s)),) if initial else None
    report = check_cell(rng, p, x, state)
    assert {"x", "state[0]"} <= set(report.errors)
    assert report.max_error < 1e-6, str(report)


@pytest.mark.parametrize("cls", CLASSES)
def test_return_inputs_default_unchanged_and_checked(cls):
    rng = np.random.default_rng(7)
    p = cls.init(rng, 2, 3)
    x, dE = rng.standard_normal((3, 2, 2)), rng.standard_normal((3, 2, 3))
    tr = gru_forward(p, x)
    plain = p.backward(tr, dE)
    grads, dE_dx, (dE_ds0,) = p.backward(tr, dE, return_inputs=True)
    assert type(plain) is type(grads) is cls
    np.testing.assert_array_equal(grads.W_s_u, plain.W_s_u)
    assert dE_dx.shape == x.shape and dE_ds0.shape == (2, 3)
    with pytest.raises(TypeError, match="return_inputs has type NoneType"):
        p.backward(tr, dE, return_inputs=None)
    with pytest.raises(TypeError, match="has no option clip"):
        p.backward(tr, dE, return_inputs=True, clip=True)


def test_border_gradients_refuse_signals_of_the_other_convention():
    from lrnn.gru_bptt import gru_border_gradients, gru_bptt_signals

    rng = np.random.default_rng(5)
    p, q = GRUParams.init(rng, 1, 2), TorchGRUParams.init(rng, 1, 2)
    x = np.zeros((3, 1))
    with pytest.raises(ValueError, match="other convention"):
        gru_border_gradients(p, gru_forward(p, x), gru_bptt_signals(q, gru_forward(q, x), np.zeros((3, 2))))


@pytest.mark.parametrize("cls", CLASSES)
def test_gru_backward_return_inputs_adds_the_border_gradients(cls):
    rng = np.random.default_rng(11)
    p = cls.init(rng, 2, 3)
    x, dE = rng.standard_normal((4, 2)), rng.standard_normal((4, 3))
    tr = gru_forward(p, x)
    grads, psi, dE_dx, (dE_ds0,) = gru_backward(p, tr, dE, return_inputs=True)
    _, want_dx, (want_ds0,) = p.backward(tr, dE, return_inputs=True)
    np.testing.assert_array_equal(dE_dx, want_dx)
    np.testing.assert_array_equal(dE_ds0, want_ds0)
    np.testing.assert_array_equal(psi, gru_backward(p, tr, dE)[1])
