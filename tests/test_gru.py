"""Tests for lrnn.gru: GRUParams, TorchGRUParams and the GRU forward pass (Eqs. G1-G8)."""

import dataclasses
import math

import numpy as np
import pytest

from lrnn.activations import G_c
from lrnn.gru import GRUParams, GRUTrace, TorchGRUParams, gru_forward

SCALAR = dict(
    W_x_r=0.7, W_s_r=-0.4, b_r=0.1,
    W_x_z=-0.5, W_s_z=0.9, b_z=0.3,
    W_x_u=1.3, W_s_u=0.6, b_u=-0.2,
)  # fmt: skip


def scalar_params(cls=GRUParams, **kw):
    values = {**SCALAR, **({"b_s_u": 0.25} if cls is TorchGRUParams else {}), **kw}
    return cls(**{k: np.reshape(v, (1,) if k.startswith("b") else (1, 1)) for k, v in values.items()})


def sigma(z):
    return 1.0 / (1.0 + math.exp(-z))


@pytest.mark.parametrize("cls", [GRUParams, TorchGRUParams])
def test_hand_computed_two_steps(cls):
    # d_s = d_x = 1, x = (1, -2), s[-1] = 0.5: Eqs. G1-G4 (or G5-G8) with scalars.
    P, s_prev, expected = SCALAR, 0.5, []
    for x in (1.0, -2.0):
        g_r = sigma(P["W_x_r"] * x + P["W_s_r"] * s_prev + P["b_r"])
        g_z = sigma(P["W_x_z"] * x + P["W_s_z"] * s_prev + P["b_z"])
        if cls is GRUParams:
            u = math.tanh(P["W_x_u"] * x + P["W_s_u"] * (g_r * s_prev) + P["b_u"])  # Eq. G3
            s = (1 - g_z) * s_prev + g_z * u  # Eq. G4
        else:
            u = math.tanh(P["W_x_u"] * x + P["b_u"] + g_r * (P["W_s_u"] * s_prev + 0.25))  # Eq. G7
            s = (1 - g_z) * u + g_z * s_prev  # Eq. G8
        expected.append((g_r, g_z, u, s))
        s_prev = s
    tr = gru_forward(scalar_params(cls), [[1.0], [-2.0]], s0=[0.5])
    got = np.stack([tr.g_r[:, 0], tr.g_z[:, 0], tr.u[:, 0], tr.s[:, 0]], axis=1)
    np.testing.assert_allclose(got, np.array(expected), rtol=1e-14, atol=1e-15)
    assert tr.a_z[0, 0] == pytest.approx(-0.5 + 0.9 * 0.5 + 0.3)  # step 0 by hand
    assert (tr.a_s_u is None) == (cls is GRUParams)


def test_a_constant_update_gate_is_a_leaky_integrator():
    # W_x_z = W_s_z = 0, b_z = logit(c): s[n] = (1 - c) s[n-1] + c u[n], a fixed W_s = (1 - c) I (Chapter 1).
    c = 0.2
    rng = np.random.default_rng(0)
    p = dataclasses.replace(
        GRUParams.init(rng, 2, 3, recurrent="gaussian"),
        W_x_z=np.zeros((3, 2)),
        W_s_z=np.zeros((3, 3)),
        b_z=np.full(3, math.log(c / (1 - c))),
    )
    x, s0 = rng.standard_normal((6, 2)), rng.standard_normal(3)
    tr = gru_forward(p, x, s0)
    s_prev = np.concatenate([s0[None], tr.s[:-1]])
    np.testing.assert_allclose(tr.g_z, c, rtol=1e-15)
    np.testing.assert_allclose(tr.s, (1 - c) * s_prev + c * tr.u, rtol=1e-14)
    # with no input drive (u = 0), the state decays geometrically: s[n] = (1 - c)^(n+1) s[-1]
    quiet = dataclasses.replace(p, W_x_u=np.zeros((3, 2)), W_s_u=np.zeros((3, 3)), b_u=np.zeros(3))
    np.testing.assert_allclose(gru_forward(quiet, x, s0).s, (1 - c) ** np.arange(1, 7)[:, None] * s0, rtol=1e-14)


def test_conventions_agree_when_z_is_mirrored_and_the_reset_commutes():
    # PyTorch's g_z plays Chung's 1 - g_z: negate the z weights. With W_s_u = 0, b_s_u = 0 the reset acts on nothing.
    rng = np.random.default_rng(1)
    p = dataclasses.replace(GRUParams.init(rng, 2, 3, scale=1.5, recurrent="gaussian"), W_s_u=np.zeros((3, 3)))
    fields = {f.name: getattr(p, f.name) for f in dataclasses.fields(GRUParams)}
    q = TorchGRUParams(**{**fields, "W_x_z": -p.W_x_z, "W_s_z": -p.W_s_z, "b_z": -p.b_z, "b_s_u": np.zeros(3)})
    x = rng.standard_normal((5, 2, 2))
    np.testing.assert_allclose(gru_forward(q, x).s, gru_forward(p, x).s, rtol=1e-13, atol=1e-15)
    # A diagonal W_s_u commutes with the reset: W (g_r * s) = g_r * (W s) ...
    D = np.diag(rng.standard_normal(3))
    diagonal = [dataclasses.replace(c, W_s_u=D) for c in (p, q)]
    np.testing.assert_allclose(gru_forward(diagonal[1], x).s, gru_forward(diagonal[0], x).s, rtol=1e-13, atol=1e-15)
    # ... a full one mixes the units between the two places of the reset, and the cells differ.
    W = rng.standard_normal((3, 3))
    full = [dataclasses.replace(c, W_s_u=W) for c in (p, q)]
    assert np.abs(gru_forward(full[1], x).s - gru_forward(full[0], x).s).max() > 1e-3


def column_vector_reference(p, x, s0):
    """Eqs. G1-G4 or G5-G8 written literally, one sequence, one step at a time, with W @ x."""
    s_prev, out = s0, []
    for x_n in x:
        g_r = G_c(p.W_x_r @ x_n + p.W_s_r @ s_prev + p.b_r)
        g_z = G_c(p.W_x_z @ x_n + p.W_s_z @ s_prev + p.b_z)
        if p.convention == "torch":
            u = np.tanh(p.W_x_u @ x_n + p.b_u + g_r * (p.W_s_u @ s_prev + p.b_s_u))
            s = (1 - g_z) * u + g_z * s_prev
        else:
            u = np.tanh(p.W_x_u @ x_n + p.W_s_u @ (g_r * s_prev) + p.b_u)
            s = (1 - g_z) * s_prev + g_z * u
        out.append((g_r, g_z, u, s))
        s_prev = s
    return [np.array(z) for z in zip(*out, strict=True)]


@pytest.mark.parametrize("cls", [GRUParams, TorchGRUParams])
@pytest.mark.parametrize("N, B, d_x, d_s", [(5, 3, 4, 3), (1, 2, 2, 5), (3, 1, 1, 2)])
def test_batched_matches_per_sequence_column_vector_code(cls, N, B, d_x, d_s):
    rng = np.random.default_rng(N * 100 + B * 10 + d_x)
    p = cls.init(rng, d_x, d_s, scale=1.5, recurrent="gaussian")
    x, s0 = rng.standard_normal((N, B, d_x)), rng.standard_normal((B, d_s))
    tr = gru_forward(p, x, s0)
    assert tr.s.shape == tr.u.shape == tr.g_z.shape == tr.a_r.shape == (N, B, d_s) and tr.x.shape == (N, B, d_x)
    for b in range(B):
        for got, want in zip((tr.g_r, tr.g_z, tr.u, tr.s), column_vector_reference(p, x[:, b], s0[b]), strict=True):
            np.testing.assert_allclose(got[:, b], want, rtol=1e-13, atol=1e-15)
    single = gru_forward(p, x[:, 0], s0[0])
    assert single.s.shape == (N, d_s) and single.s0.shape == (d_s,) and not single.batched
    np.testing.assert_allclose(single.s, tr.s[:, 0], rtol=1e-14)


def test_a_shared_initial_state_broadcasts_over_the_batch():
    rng = np.random.default_rng(2)
    p = GRUParams.init(rng, 2, 3, recurrent="gaussian")
    x, s0 = rng.standard_normal((4, 2, 2)), rng.standard_normal(3)
    np.testing.assert_array_equal(gru_forward(p, x, s0=s0).s, gru_forward(p, x, s0=np.tile(s0, (2, 1))).s)


@pytest.mark.parametrize("cls", [GRUParams, TorchGRUParams])
def test_cell_interface_chunks_continue_the_sequence(cls):
    rng = np.random.default_rng(3)
    p = cls.init(rng, d_x=2, d_s=3)
    assert (p.d_x, p.d_s, p.d_out) == (2, 3, 3)
    x = rng.standard_normal((7, 4, 2))
    whole = p.forward(x)
    first = p.forward(x[:3])
    second = p.forward(x[3:], state=first.last_state)
    np.testing.assert_allclose(np.concatenate([first.output, second.output]), whole.output, rtol=1e-14)
    assert first.output is first.s and len(first.last_state) == 1
    np.testing.assert_array_equal(first.last_state[0], first.s[-1])
    grads = p.backward(whole, np.ones_like(whole.s))
    assert type(grads) is cls and grads.W_s_u.shape == (3, 3)
    with pytest.raises(TypeError, match=r"state has type ndarray, expected None or a 1-tuple \(s\[-1\],\)"):
        p.forward(x, state=first.s[-1])


def test_saturated_gates_stay_finite_and_silent():
    rng = np.random.default_rng(4)
    for cls in (GRUParams, TorchGRUParams):
        p = cls.init(rng, 3, 2, scale=50.0, recurrent="gaussian")
        tr = gru_forward(p, 1e4 * rng.standard_normal((6, 3)))  # warnings are errors
        assert np.all(np.isfinite(tr.s)) and np.all((tr.g_z >= 0) & (tr.g_z <= 1)) and np.all(np.abs(tr.s) <= 1)


def test_zeros_random_and_n_params():
    for cls, extra in ((GRUParams, 0), (TorchGRUParams, 4)):
        z = cls.zeros(3, 4)
        assert z.n_params == 3 * 4 * 3 + 3 * 16 + 3 * 4 + extra
        assert z.W_x_u.shape == (4, 3) and z.W_s_r.shape == (4, 4) and z.b_z.shape == (4,)
        assert not any(np.any(getattr(z, f.name)) for f in dataclasses.fields(z))
        with pytest.raises(dataclasses.FrozenInstanceError):
            z.b_u = np.ones(4)
    assert GRUParams.convention == "chung" and TorchGRUParams.convention == "torch"
    assert "convention" not in [f.name for f in dataclasses.fields(TorchGRUParams)]  # not a parameter array
    draw = lambda: GRUParams.init(np.random.default_rng(0), 3, 4, recurrent="gaussian")
    a, b = draw(), draw()
    np.testing.assert_array_equal(a.W_s_z, b.W_s_z)


@pytest.mark.parametrize("cls, sign", [(GRUParams, -1.0), (TorchGRUParams, 1.0)])
def test_init(cls, sign):
    d_x, d_s = 5, 4
    p = cls.init(np.random.default_rng(5), d_x, d_s)
    for name in ("W_s_r", "W_s_z", "W_s_u"):
        np.testing.assert_allclose(getattr(p, name) @ getattr(p, name).T, np.eye(d_s), atol=1e-14)  # orthogonal
    a = math.sqrt(6 / (d_x + d_s))
    for name in ("W_x_r", "W_x_z", "W_x_u"):
        W = getattr(p, name)
        assert np.abs(W).max() <= a and np.abs(W).max() > 0.5 * a  # Glorot-uniform on (-a, a)
    assert not any(np.any(getattr(p, f.name)) for f in dataclasses.fields(p) if f.name.startswith("b"))
    g = cls.init(np.random.default_rng(5), d_x, d_s, recurrent="glorot")
    assert np.abs(g.W_s_u).max() <= math.sqrt(6 / (2 * d_s)) and not np.allclose(g.W_s_u @ g.W_s_u.T, np.eye(d_s))
    # carry_bias opens the path that keeps s[n-1]: with the gate's weights at zero, its share is G_c(carry_bias)
    q = cls.init(np.random.default_rng(5), d_x, d_s, carry_bias=2.0)
    np.testing.assert_array_equal(q.b_z, np.full(d_s, sign * 2.0))
    quiet = dataclasses.replace(q, W_x_z=np.zeros((d_s, d_x)), W_s_z=np.zeros((d_s, d_s)))
    tr = gru_forward(quiet, np.zeros((1, d_x)), s0=np.ones(d_s))
    keep = 1 - tr.g_z if cls is GRUParams else tr.g_z
    np.testing.assert_allclose(keep, G_c(2.0), rtol=1e-15)
    # chrono: carry biases log(U(1, T_max - 1)), characteristic times 1 + exp(b) in (2, T_max)
    c = cls.init(np.random.default_rng(6), d_x, 200, chrono=50)
    T = 1 + np.exp(sign * c.b_z)
    assert T.min() >= 2 and T.max() <= 50 and T.max() - T.min() > 40


def test_params_errors():
    good = {f.name: getattr(GRUParams.zeros(3, 2), f.name) for f in dataclasses.fields(GRUParams)}
    with pytest.raises(ValueError, match=r"W_s_z has shape \(2, 3\), expected \(d_s, d_s\) = \(2, 2\) from W_x_r"):
        GRUParams(**{**good, "W_s_z": np.zeros((2, 3))})
    with pytest.raises(ValueError, match=r"W_x_u has shape \(3, 2\), expected \(d_s, d_x\) = \(2, 3\)"):
        GRUParams(**{**good, "W_x_u": np.zeros((3, 2))})
    with pytest.raises(ValueError, match=r"b_s_u has shape \(3,\), expected \(d_s,\) = \(2,\)"):
        TorchGRUParams(**good, b_s_u=np.zeros(3))
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'b_s_u'"):
        TorchGRUParams(**good)
    with pytest.raises(ValueError, match=r"b_r contains nan at index \(1,\)"):
        GRUParams(**{**good, "b_r": np.array([0.0, np.nan])})
    with pytest.raises(ValueError, match="W_s_u contains inf"):
        GRUParams(**{**good, "W_s_u": np.full((2, 2), np.inf)})
    with pytest.raises(TypeError, match="rng has type int, expected numpy.random.Generator"):
        GRUParams.init(0, 2, 3)
    with pytest.raises(ValueError, match="d_s = 0, expected a positive integer"):
        GRUParams.zeros(2, 0)
    with pytest.raises(ValueError, match="recurrent = 'identity', expected one of 'orthogonal', 'glorot', 'gaussian'"):
        GRUParams.init(np.random.default_rng(0), 2, 3, recurrent="identity")
    with pytest.raises(ValueError, match="chrono = 2, expected T_max > 2"):
        GRUParams.init(np.random.default_rng(0), 2, 3, chrono=2)
    with pytest.raises(ValueError, match="either carry_bias or chrono"):
        GRUParams.init(np.random.default_rng(0), 2, 3, carry_bias=1.0, chrono=10)


def test_forward_errors():
    p = GRUParams.zeros(3, 2)
    with pytest.raises(ValueError, match=r"x has shape \(4, 2\), expected \(N, d_x\) = \(N, 3\) or \(N, B, d_x\)"):
        gru_forward(p, np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"x has shape \(3,\), expected \(N, d_x\)"):
        gru_forward(p, np.zeros(3))
    with pytest.raises(ValueError, match=r"x contains nan at index \(1, 2\)"):
        gru_forward(p, np.array([[0.0, 0, 0], [0, 0, np.nan]]))
    with pytest.raises(ValueError, match="sequence is empty"):
        gru_forward(p, np.zeros((0, 3)))
    with pytest.raises(ValueError, match=r"s0 has shape \(3,\), expected \(d_s,\) = \(2,\)"):
        gru_forward(p, np.zeros((4, 3)), s0=np.zeros(3))
    with pytest.raises(ValueError, match=r"s0 has shape \(4, 2\), expected \(d_s,\) = \(2,\) or \(B, d_s\) = \(5, 2\)"):
        gru_forward(p, np.zeros((4, 5, 3)), s0=np.zeros((4, 2)))
    with pytest.raises(ValueError, match="s0 contains inf"):
        gru_forward(p, np.zeros((4, 3)), s0=[np.inf, 0.0])
    with pytest.raises(TypeError, match="params has type dict, expected GRUParams or TorchGRUParams"):
        gru_forward({}, np.zeros((4, 3)))
    with pytest.raises(TypeError, match="x has dtype <U1"):
        gru_forward(p, [["a", "b", "c"]])


def test_trace_is_a_frozen_dataclass():
    tr = gru_forward(GRUParams.zeros(1, 1), [[0.0]])
    assert isinstance(tr, GRUTrace)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tr.s = None
