"""Tests for lrnn.lstm: LSTMParams and the Vanilla LSTM forward pass (Sherstinsky Eqs. 123-136)."""

import dataclasses
import math

import numpy as np
import pytest

from lrnn.activations import G_c, G_d, _G_c_tanh
from lrnn.lstm import LSTMParams, LSTMTrace, lstm_forward

SCALAR = dict(
    W_x_cu=0.5, W_s_cu=0.1, W_v_cu=-0.3, b_cu=0.2,
    W_x_cs=-0.4, W_s_cs=0.2, W_v_cs=0.6, b_cs=1.0,
    W_x_cr=0.7, W_s_cr=-0.5, W_v_cr=0.25, b_cr=-0.1,
    W_x_du=1.2, W_v_du=0.8, b_du=0.05,
)  # fmt: skip


def scalar_params(**kw):
    return LSTMParams(**{k: np.reshape(v, (1,) if k.startswith("b") else (1, 1)) for k, v in {**SCALAR, **kw}.items()})


def sigma(z):
    return 1.0 / (1.0 + math.exp(-z))


def test_hand_computed_two_steps():
    # d_s = d_x = 1, x = (1, -2), s[-1] = v[-1] = 0, the equations evaluated by hand with scalars.
    P = SCALAR
    s_prev = v_prev = 0.0
    expected = []
    for x in (1.0, -2.0):
        g_cu = sigma(P["W_x_cu"] * x + P["W_s_cu"] * s_prev + P["W_v_cu"] * v_prev + P["b_cu"])
        g_cs = sigma(P["W_x_cs"] * x + P["W_s_cs"] * s_prev + P["W_v_cs"] * v_prev + P["b_cs"])
        u = math.tanh(P["W_x_du"] * x + P["W_v_du"] * v_prev + P["b_du"])
        s = g_cs * s_prev + g_cu * u
        g_cr = sigma(P["W_x_cr"] * x + P["W_s_cr"] * s + P["W_v_cr"] * v_prev + P["b_cr"])  # current s[n]
        v = g_cr * math.tanh(s)
        expected.append((g_cu, g_cs, u, s, g_cr, v))
        s_prev, v_prev = s, v
    tr = lstm_forward(scalar_params(), [[1.0], [-2.0]])
    got = np.stack([tr.g_cu[:, 0], tr.g_cs[:, 0], tr.u[:, 0], tr.s[:, 0], tr.g_cr[:, 0], tr.v[:, 0]], axis=1)
    np.testing.assert_allclose(got, np.array(expected), rtol=1e-14, atol=1e-15)
    # step 0 from rest in numbers: a_cu = 0.5 + 0.2, a_du = 1.2 + 0.05
    assert tr.a_cu[0, 0] == pytest.approx(0.7)
    assert tr.s[0, 0] == pytest.approx(sigma(0.7) * math.tanh(1.25))


def test_zero_weights_halve_the_state():
    tr = lstm_forward(LSTMParams.zeros(1, 1), np.zeros((3, 1)), s0=[8.0])
    np.testing.assert_allclose(tr.s[:, 0], [4.0, 2.0, 1.0])  # g_cs = 1/2, u = 0
    np.testing.assert_allclose(tr.v[:, 0], 0.5 * np.tanh([4.0, 2.0, 1.0]))


def column_vector_reference(p, x, s0, v0):
    """Eqs. 126-136 written literally, one sequence, one step at a time."""
    s_prev, v_prev, out = s0, v0, []
    for x_n in x:
        a_cu = p.W_x_cu @ x_n + p.W_s_cu @ s_prev + p.W_v_cu @ v_prev + p.b_cu
        a_cs = p.W_x_cs @ x_n + p.W_s_cs @ s_prev + p.W_v_cs @ v_prev + p.b_cs
        a_du = p.W_x_du @ x_n + p.W_v_du @ v_prev + p.b_du
        s = G_c(a_cs) * s_prev + G_c(a_cu) * G_d(a_du)
        a_cr = p.W_x_cr @ x_n + p.W_s_cr @ s + p.W_v_cr @ v_prev + p.b_cr
        v = G_c(a_cr) * G_d(s)
        out.append((a_cu, a_cs, a_cr, a_du, s, v))
        s_prev, v_prev = s, v
    return [np.array(z) for z in zip(*out, strict=True)]


@pytest.mark.parametrize("peepholes", [True, False])
def test_batched_matches_per_sequence_column_vector_code(peepholes):
    rng = np.random.default_rng(1)
    N, B, d_x, d_s = 5, 3, 4, 3
    p = LSTMParams.random(rng, d_x, d_s, peepholes=peepholes, scale=1.5)
    x = rng.standard_normal((N, B, d_x))
    s0, v0 = rng.standard_normal((B, d_s)), rng.standard_normal((B, d_s))
    tr = lstm_forward(p, x, s0, v0)
    for b in range(B):
        a_cu, a_cs, a_cr, a_du, s, v = column_vector_reference(p, x[:, b], s0[b], v0[b])
        for got, want in ((tr.a_cu, a_cu), (tr.a_cs, a_cs), (tr.a_cr, a_cr), (tr.a_du, a_du), (tr.s, s), (tr.v, v)):
            np.testing.assert_allclose(got[:, b], want, rtol=1e-12, atol=1e-14)


def test_trace_satisfies_every_equation():
    rng = np.random.default_rng(2)
    p = LSTMParams.random(rng, 2, 3)
    tr = lstm_forward(p, rng.standard_normal((4, 2)), s0=rng.standard_normal(3))
    s_prev = np.vstack([tr.s0, tr.s[:-1]])
    v_prev = np.vstack([tr.v0, tr.v[:-1]])
    close = dict(rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(tr.a_cr, tr.x @ p.W_x_cr.T + tr.s @ p.W_s_cr.T + v_prev @ p.W_v_cr.T + p.b_cr, **close)
    np.testing.assert_allclose(tr.a_cs, tr.x @ p.W_x_cs.T + s_prev @ p.W_s_cs.T + v_prev @ p.W_v_cs.T + p.b_cs, **close)
    np.testing.assert_allclose(tr.u, G_d(tr.a_du), **close)  # Eq. 130
    for g, a in ((tr.g_cu, tr.a_cu), (tr.g_cs, tr.a_cs), (tr.g_cr, tr.a_cr)):  # Eqs. 131-133
        np.testing.assert_allclose(g, G_c(a), rtol=1e-14, atol=3e-16)
    np.testing.assert_allclose(tr.s, tr.g_cs * s_prev + tr.g_cu * tr.u, **close)  # Eq. 134
    np.testing.assert_allclose(tr.r, G_d(tr.s), **close)  # Eq. 135
    np.testing.assert_allclose(tr.v, tr.g_cr * tr.r, **close)  # Eq. 136


def test_shapes_single_batched_and_one_step():
    rng = np.random.default_rng(3)
    p = LSTMParams.random(rng, d_x=5, d_s=2)
    one = lstm_forward(p, rng.standard_normal((1, 5)))
    assert one.s.shape == one.v.shape == one.a_cr.shape == (1, 2) and one.x.shape == (1, 5)
    assert one.s0.shape == one.v0.shape == (2,) and not one.batched
    x = rng.standard_normal((4, 3, 5))
    tr = lstm_forward(p, x)
    assert tr.batched and tr.g_cs.shape == tr.u.shape == (4, 3, 2) and tr.s0.shape == (3, 2)
    single = lstm_forward(p, x[:, 1])
    np.testing.assert_allclose(single.v, tr.v[:, 1], rtol=1e-13, atol=1e-15)


def test_initial_conditions_default_to_zero_and_broadcast():
    rng = np.random.default_rng(4)
    p = LSTMParams.random(rng, 2, 3)
    x = rng.standard_normal((3, 2, 2))
    np.testing.assert_array_equal(lstm_forward(p, x).v, lstm_forward(p, x, np.zeros(3), np.zeros((2, 3))).v)
    s0 = rng.standard_normal(3)
    np.testing.assert_array_equal(lstm_forward(p, x, s0=s0).s, lstm_forward(p, x, s0=np.tile(s0, (2, 1))).s)


def test_saturated_gates_stay_finite_and_silent():
    rng = np.random.default_rng(5)
    p = LSTMParams.random(rng, 3, 2, scale=50.0)
    tr = lstm_forward(p, 1e4 * rng.standard_normal((6, 3)))  # RuntimeWarning is an error in this suite
    assert np.all(np.isfinite(tr.v)) and np.all((tr.g_cu >= 0) & (tr.g_cu <= 1))


def test_params_random_and_zeros():
    p = LSTMParams.random(np.random.default_rng(0), d_x=3, d_s=4)
    q = LSTMParams.random(np.random.default_rng(0), d_x=3, d_s=4, peepholes=False)
    assert p.n_params == 4 * 4 * 3 + 7 * 16 + 4 * 4 == 176
    for f in dataclasses.fields(LSTMParams):
        a, b = getattr(p, f.name), getattr(q, f.name)
        if f.name.startswith("W_s"):
            assert not np.any(b) and np.any(a)
        else:
            np.testing.assert_array_equal(a, b)  # the same draws either way
    z = LSTMParams.zeros(3, 4)
    assert z.W_x_cr.shape == (4, 3) and z.W_v_du.shape == (4, 4) and z.b_cs.shape == (4,) and not np.any(z.W_v_cs)
    with pytest.raises(dataclasses.FrozenInstanceError):
        z.b_cu = np.ones(4)


def test_params_errors():
    good = {k: np.asarray(v) for k, v in dataclasses.asdict(LSTMParams.zeros(3, 2)).items()}
    with pytest.raises(ValueError, match=r"W_v_cs has shape \(2, 3\), expected \(d_s, d_s\) = \(2, 2\) from W_x_cu"):
        LSTMParams(**{**good, "W_v_cs": np.zeros((2, 3))})
    with pytest.raises(ValueError, match=r"W_x_du has shape \(3, 2\), expected \(d_s, d_x\) = \(2, 3\)"):
        LSTMParams(**{**good, "W_x_du": np.zeros((3, 2))})
    with pytest.raises(ValueError, match=r"b_cr has shape \(2, 1\), expected \(d_s,\) = \(2,\)"):
        LSTMParams(**{**good, "b_cr": np.zeros((2, 1))})
    with pytest.raises(ValueError, match=r"b_cu contains nan at index \(1,\)"):
        LSTMParams(**{**good, "b_cu": np.array([0.0, np.nan])})
    with pytest.raises(ValueError, match="W_s_cr contains inf"):
        LSTMParams(**{**good, "W_s_cr": np.full((2, 2), np.inf)})
    with pytest.raises(TypeError, match="rng has type int, expected numpy.random.Generator"):
        LSTMParams.random(0, 2, 3)
    with pytest.raises(ValueError, match="d_s = 0, expected a positive integer"):
        LSTMParams.zeros(2, 0)


def test_forward_errors():
    p = LSTMParams.zeros(3, 2)
    with pytest.raises(ValueError, match=r"x has shape \(4, 2\), expected \(N, d_x\) = \(N, 3\) or \(N, B, d_x\)"):
        lstm_forward(p, np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"x has shape \(3,\), expected \(N, d_x\)"):
        lstm_forward(p, np.zeros(3))
    with pytest.raises(ValueError, match=r"x contains nan at index \(1, 2\)"):
        lstm_forward(p, np.array([[0.0, 0, 0], [0, 0, np.nan]]))
    with pytest.raises(ValueError, match=r"sequence is empty"):
        lstm_forward(p, np.zeros((0, 3)))
    with pytest.raises(ValueError, match=r"s0 has shape \(3,\), expected \(d_s,\) = \(2,\)"):
        lstm_forward(p, np.zeros((4, 3)), s0=np.zeros(3))
    with pytest.raises(ValueError, match=r"v0 has shape \(4, 2\), expected \(d_s,\) = \(2,\) or \(B, d_s\) = \(5, 2\)"):
        lstm_forward(p, np.zeros((4, 5, 3)), v0=np.zeros((4, 2)))
    with pytest.raises(ValueError, match="v0 contains inf"):
        lstm_forward(p, np.zeros((4, 3)), v0=[np.inf, 0.0])
    with pytest.raises(TypeError, match="params has type dict, expected LSTMParams"):
        lstm_forward({}, np.zeros((4, 3)))
    with pytest.raises(TypeError, match="x has dtype <U1"):
        lstm_forward(p, [["a", "b", "c"]])


def test_trace_is_a_frozen_dataclass():
    tr = lstm_forward(LSTMParams.zeros(1, 1), [[0.0]])
    assert isinstance(tr, LSTMTrace)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tr.s = None


def test_fast_gate_form_of_eq_111_is_exact_and_silent():
    z = np.concatenate([np.linspace(-50, 50, 10001), [-1.7e308, 1.7e308, -5e-324, 0.0, 5e-324, -745.0, 745.0]])
    np.testing.assert_allclose(_G_c_tanh(z), G_c(z), rtol=0, atol=2.3e-16)  # RuntimeWarning would be an error
    buf = z.copy()
    assert _G_c_tanh(buf, out=buf) is buf and np.array_equal(buf, _G_c_tanh(z))
