"""Tests for lrnn.augmented: AugmentedLSTMParams and the forward pass (Sherstinsky Eqs. 183-215)."""

import dataclasses
import math

import numpy as np
import pytest

from lrnn.augmented import (
    NODES,
    OPEN_GATE_BIAS,
    AugmentedLSTMParams,
    AugmentedTrace,
    augmented_forward,
    augmented_n_params,
    augmented_step,
    context_window,
)
from lrnn.lstm import LSTMParams, lstm_forward, lstm_inputs, lstm_step
from lrnn.rnn_to_lstm import stage_diff

# A scalar cell (d_x = d_s = d_v = 1) with L = 2 taps per input weight: (tap 0, tap 1).
TAPS = dict(W_x_cu=(0.5, -0.3), W_x_cs=(-0.4, 0.2), W_x_cr=(0.7, 0.1), W_x_cx=(0.9, -0.6), W_x_du=(1.2, 0.8))
REST = dict(
    W_s_cu=0.1, W_v_cu=-0.3, b_cu=0.2,
    W_s_cs=0.2, W_v_cs=0.6, b_cs=1.0,
    W_s_cr=-0.5, W_v_cr=0.25, b_cr=-0.1,
    W_s_cx=0.3, W_v_cx=-0.2, b_cx=0.4,
    W_v_du=0.8, b_du=0.05, W_q_dr=0.8,
)  # fmt: skip


def scalar_params():
    taps = {k: np.reshape(v, (2, 1, 1)) for k, v in TAPS.items()}
    rest = {k: np.reshape(v, (1,) if k.startswith("b") else (1, 1)) for k, v in REST.items()}
    return AugmentedLSTMParams(**taps, **rest)


def sigma(z):
    return 1.0 / (1.0 + math.exp(-z))


def test_hand_computed_two_steps_with_look_ahead_and_padding():
    # x = (1, -2): step 0 sees x[0] and x[1]; step 1 sees x[1] and the zero padding x[2] = 0 (P10).
    P = REST
    x = (1.0, -2.0, 0.0)
    s_prev = v_prev = 0.0
    expected = []
    for n in range(2):
        xi = {k: w[0] * x[n] + w[1] * x[n + 1] for k, w in TAPS.items()}  # Eq. 188 with L = 2
        g_cu = sigma(xi["W_x_cu"] + P["W_s_cu"] * s_prev + P["W_v_cu"] * v_prev + P["b_cu"])  # Eqs. 197-198
        g_cs = sigma(xi["W_x_cs"] + P["W_s_cs"] * s_prev + P["W_v_cs"] * v_prev + P["b_cs"])  # Eqs. 200-201
        g_cx = sigma(xi["W_x_cx"] + P["W_s_cx"] * s_prev + P["W_v_cx"] * v_prev + P["b_cx"])  # Eqs. 206-207
        u = math.tanh(g_cx * xi["W_x_du"] + P["W_v_du"] * v_prev + P["b_du"])  # Eqs. 209-210
        s = g_cs * s_prev + g_cu * u  # Eq. 211
        g_cr = sigma(xi["W_x_cr"] + P["W_s_cr"] * s + P["W_v_cr"] * v_prev + P["b_cr"])  # Eqs. 203-204, current s
        q = g_cr * math.tanh(s)  # Eqs. 212-213
        v = P["W_q_dr"] * q  # Eq. 214
        expected.append((g_cu, g_cs, g_cx, u, s, g_cr, q, v))
        s_prev, v_prev = s, v
    tr = augmented_forward(scalar_params(), [[1.0], [-2.0]])
    names = ("g_cu", "g_cs", "g_cx", "u", "s", "g_cr", "q", "v")
    got = np.stack([getattr(tr, k)[:, 0] for k in names], axis=1)
    np.testing.assert_allclose(got, np.array(expected), rtol=1e-14, atol=1e-15)
    # the windowed inputs in numbers: xi_du[0] = 1.2 * 1 + 0.8 * (-2), xi_du[1] = 1.2 * (-2) + 0.8 * 0
    np.testing.assert_allclose(tr.xi_x_du[:, 0], [-0.4, -2.4], rtol=1e-14)


def test_window_is_eq_187_read_literally():
    # sum_{l=-L+1}^{0} W[l] x[n-l] with W[l] stored at index -l, and x = 0 outside [0, N).
    rng = np.random.default_rng(0)
    L, N, B, m, d_x = 4, 6, 2, 5, 3
    W, X = rng.standard_normal((L, m, d_x)), rng.standard_normal((N, B, d_x))
    want = np.zeros((N, B, m))
    for n in range(N):
        for l in range(-L + 1, 1):
            if 0 <= n - l < N:
                want[n] += X[n - l] @ W[-l].T
    np.testing.assert_allclose(context_window(W, X), want, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(context_window(W, X[:, 1]), want[:, 1], rtol=1e-13, atol=1e-14)  # one sequence


@pytest.mark.parametrize("L", [1, 3])
def test_zero_padding_equals_appending_zeros(L):
    rng = np.random.default_rng(1)
    p = AugmentedLSTMParams.init(rng, 2, 3, 2, L=L)
    x = rng.standard_normal((5, 2))
    short = augmented_forward(p, x)
    padded = augmented_forward(p, np.vstack([x, np.zeros((L - 1, 2))]))
    np.testing.assert_allclose(short.v, padded.v[:5], rtol=1e-14, atol=1e-15)
    if L > 1:  # appending non-zero inputs changes the last steps: the window reads them
        other = augmented_forward(p, np.vstack([x, np.ones((L - 1, 2))]))
        assert not np.allclose(short.v[-1], other.v[4])


def test_look_ahead_reaches_exactly_L_minus_1_steps():
    rng = np.random.default_rng(2)
    L, N, m = 3, 8, 6
    p = AugmentedLSTMParams.init(rng, 2, 3, 2, L=L)
    x = rng.standard_normal((N, 2))
    bumped = x.copy()
    bumped[m] += 1.0
    dv = np.abs(augmented_forward(p, bumped).v - augmented_forward(p, x).v).max(axis=1)
    assert np.all(dv[: m - L + 1] == 0.0)  # steps before the window reaches x[m] are untouched
    assert np.all(dv[m - L + 1 :] > 0)  # step m - L + 1 sees x[m] through its last tap


@pytest.mark.parametrize("batched", [False, True])
def test_shapes(batched):
    rng = np.random.default_rng(3)
    N, B, d_x, d_s, d_v, L = 1, 2, 3, 4, 2, 3  # N = 1 < L: every tap but the first reads padding
    p = AugmentedLSTMParams.init(rng, d_x, d_s, d_v, L)
    lead = (N, B) if batched else (N,)
    tr = augmented_forward(p, rng.standard_normal(lead + (d_x,)))
    assert isinstance(tr, AugmentedTrace) and tr.batched == batched
    for f in dataclasses.fields(AugmentedTrace):
        a = getattr(tr, f.name)
        if f.name in ("x", "s0", "v0"):
            continue
        assert a.shape == lead + ((d_v,) if f.name == "v" else (d_s,)), f.name
    assert tr.x.shape == lead + (d_x,) and tr.s0.shape == lead[1:] + (d_s,) and tr.v0.shape == lead[1:] + (d_v,)


def test_batched_matches_single_sequences_with_initial_state():
    rng = np.random.default_rng(4)
    p = AugmentedLSTMParams.init(rng, 2, 3, 2, L=2)
    x, s0, v0 = rng.standard_normal((5, 3, 2)), rng.standard_normal((3, 3)), rng.standard_normal((3, 2))
    tr = augmented_forward(p, x, s0, v0)
    for b in range(3):
        one = augmented_forward(p, x[:, b], s0[b], v0[b])
        np.testing.assert_allclose(tr.v[:, b], one.v, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(tr.s[:, b], one.s, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("d_x, d_s, d_v, L", [(1, 1, 1, 1), (3, 4, 2, 3), (2, 5, 5, 4), (7, 3, 1, 2)])
def test_parameter_count(d_x, d_s, d_v, L):
    p = AugmentedLSTMParams.zeros(d_x, d_s, d_v, L)
    formula = 5 * L * d_s * d_x + 4 * d_s**2 + 5 * d_s * d_v + 5 * d_s + d_v * d_s
    assert p.n_params == augmented_n_params(d_x, d_s, d_v, L) == formula
    assert AugmentedLSTMParams.init(np.random.default_rng(0), d_x, d_s, d_v, L).n_params == formula


def test_reduces_to_the_vanilla_lstm():
    rng = np.random.default_rng(5)
    van = LSTMParams.init(rng, 3, 4, scale=1.5)
    aug = AugmentedLSTMParams.from_vanilla(van)
    assert aug.L == 1 and aug.d_v == 4 and np.all(aug.b_cx == OPEN_GATE_BIAS)
    x, s0, v0 = rng.standard_normal((6, 2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    tv, ta = lstm_forward(van, x, s0, v0), augmented_forward(aug, x, s0, v0)
    assert np.all(ta.g_cx == 1.0)  # G_c(40) rounds to exactly one
    np.testing.assert_array_equal(ta.q, ta.v)  # W_q_dr = I
    for k in ("a_cu", "a_cs", "a_cr", "a_du", "g_cu", "g_cs", "g_cr", "u", "s", "r", "v"):
        np.testing.assert_allclose(getattr(ta, k), getattr(tv, k), rtol=1e-14, atol=1e-15, err_msg=k)


def test_init_is_deterministic_and_scaled():
    a = AugmentedLSTMParams.init(np.random.default_rng(6), 3, 4, 2, L=3)
    b = AugmentedLSTMParams.init(np.random.default_rng(6), 3, 4, 2, L=3)
    for f in dataclasses.fields(AugmentedLSTMParams):
        np.testing.assert_array_equal(getattr(a, f.name), getattr(b, f.name))
    big = AugmentedLSTMParams.init(np.random.default_rng(0), 50, 60, 40, L=4)
    assert abs(np.std(big.W_x_du) * np.sqrt(4 * 50) - 1) < 0.05  # fan_in = L d_x
    assert abs(np.std(big.W_v_cu) * np.sqrt(40) - 1) < 0.05  # fan_in = d_v


def test_params_errors():
    good = AugmentedLSTMParams.zeros(3, 4, 2, L=2)
    fields = {f.name: getattr(good, f.name) for f in dataclasses.fields(good)}
    with pytest.raises(ValueError, match=r"W_x_cu has shape \(4, 3\), expected \(L, d_s, d_x\).*W\[None\]"):
        AugmentedLSTMParams(**{**fields, "W_x_cu": np.zeros((4, 3))})
    with pytest.raises(ValueError, match=r"W_v_cx has shape \(4, 4\), expected \(d_s, d_v\) = \(4, 2\)"):
        AugmentedLSTMParams(**{**fields, "W_v_cx": np.zeros((4, 4))})
    with pytest.raises(ValueError, match=r"W_x_du has shape \(1, 4, 3\), expected \(L, d_s, d_x\) = \(2, 4, 3\)"):
        AugmentedLSTMParams(**{**fields, "W_x_du": np.zeros((1, 4, 3))})
    with pytest.raises(ValueError, match=r"b_cx contains nan"):
        AugmentedLSTMParams(**{**fields, "b_cx": np.full(4, np.nan)})
    with pytest.raises(ValueError, match="L = 0, expected a positive integer"):
        AugmentedLSTMParams.init(np.random.default_rng(0), 3, 4, L=0)
    with pytest.raises(ValueError, match="d_v = 2.5, expected a positive integer"):
        AugmentedLSTMParams.zeros(3, 4, d_v=2.5)
    with pytest.raises(TypeError, match="rng has type int"):
        AugmentedLSTMParams.init(0, 3, 4)
    with pytest.raises(TypeError, match="params has type AugmentedLSTMParams, expected LSTMParams"):
        AugmentedLSTMParams.from_vanilla(good)


def test_forward_errors():
    p = AugmentedLSTMParams.zeros(3, 4, 2, L=2)
    with pytest.raises(TypeError, match="params has type LSTMParams, expected AugmentedLSTMParams"):
        augmented_forward(LSTMParams.zeros(3, 4), np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"x has shape \(5, 4\), expected \(N, d_x\) = \(N, 3\)"):
        augmented_forward(p, np.zeros((5, 4)))
    with pytest.raises(ValueError, match=r"v0 has shape \(4,\), expected \(d_v,\) = \(2,\)"):
        augmented_forward(p, np.zeros((5, 3)), v0=np.zeros(4))
    with pytest.raises(ValueError, match=r"s0 has shape \(2,\), expected \(d_s,\) = \(4,\)"):
        augmented_forward(p, np.zeros((5, 3)), s0=np.zeros(2))
    with pytest.raises(ValueError, match="x contains inf"):
        augmented_forward(p, np.full((5, 3), np.inf))


def test_init_gate_biases():
    plain = AugmentedLSTMParams.init(np.random.default_rng(2), 2, 5, 3, L=2)
    shifted = AugmentedLSTMParams.init(np.random.default_rng(2), 2, 5, 3, L=2, forget_bias=1.0)
    np.testing.assert_allclose(shifted.b_cs, plain.b_cs + 1.0, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(shifted.b_cx, plain.b_cx)
    chrono = AugmentedLSTMParams.init(np.random.default_rng(2), 2, 5, 3, L=2, chrono=30)
    np.testing.assert_array_equal(chrono.b_cu, -chrono.b_cs)
    assert np.all((0 <= chrono.b_cs) & (chrono.b_cs <= np.log(29)))
    np.testing.assert_array_equal(chrono.W_q_dr, plain.W_q_dr)  # only the two gate biases change
    with pytest.raises(ValueError, match="pass either forget_bias or chrono"):
        AugmentedLSTMParams.init(np.random.default_rng(2), 2, 5, chrono=30, forget_bias=1.0)


def test_cell_interface():
    rng = np.random.default_rng(7)
    p = AugmentedLSTMParams.init(rng, 2, 4, 3, L=2, scale=1.5)
    assert (p.d_x, p.d_s, p.d_out, p.n_params) == (2, 4, 3, augmented_n_params(2, 4, 3, 2))
    x = rng.standard_normal((6, 2, 2))
    tr = p.forward(x)
    np.testing.assert_array_equal(tr.output, tr.v)
    assert tr.v.shape == (6, 2, 3) and [a.shape for a in tr.last_state] == [(2, 4), (2, 3)]
    # stateful chunks: the state carries over; with L = 2 the last window of a chunk reads padding (P10)
    first = p.forward(x[:4])
    second = p.forward(x[4:], state=first.last_state)
    np.testing.assert_allclose(first.v[:3], tr.v[:3], rtol=1e-14, atol=1e-15)
    assert not np.allclose(first.v[3], tr.v[3])
    np.testing.assert_array_equal(second.v, augmented_forward(p, x[4:], first.s[-1], first.v[-1]).v)
    one_tap = AugmentedLSTMParams.from_vanilla(LSTMParams.init(rng, 2, 4))
    whole, part = one_tap.forward(x), one_tap.forward(x[:4])
    rest = one_tap.forward(x[4:], state=part.last_state)
    np.testing.assert_allclose(np.concatenate([part.v, rest.v]), whole.v, rtol=1e-14, atol=1e-15)
    dE = rng.standard_normal((6, 2, 3))
    g = p.backward(tr, dE, erratum_p7=True)
    assert isinstance(g, AugmentedLSTMParams) and g.W_x_du.shape == (2, 4, 2)


def test_step_is_the_vanilla_step_plus_three_additions():
    diff = stage_diff(lstm_step, augmented_step).splitlines()
    added = [ln for ln in diff if ln.startswith("+ ")]
    removed = [ln for ln in diff if ln.startswith("- ")]
    assert any('a_cx = xi["cx"]' in ln for ln in added) and any("g_cx = G_c(a_cx" in ln for ln in added)
    assert any('a_du = g_cx * xi["du"]' in ln for ln in added)  # the control input gate (Eq. 209)
    assert any("q = g_cr * r" in ln for ln in added) and any("v = q @ p.W_q_dr.T" in ln for ln in added)
    # both steps take their input terms ready made: the windows (Eq. 188) change no line of the step
    assert [ln.split(" = ")[0].split("=")[0] for ln in removed] == ["- xi", "- a_du", "- v", "- return dict(a_cu"]
    assert sum(ln.startswith("  ") for ln in diff) == 9  # a_cu, a_cs, u, g_cu, g_cs, s, a_cr, g_cr, r: unchanged
    p = AugmentedLSTMParams.init(np.random.default_rng(3), 2, 3, 2, L=3)
    x = np.random.default_rng(4).standard_normal((5, 2))
    tr = augmented_forward(p, x)
    step = augmented_step(p, {k: getattr(tr, f"xi_x_{k}")[2] for k in NODES}, tr.s[1], tr.v[1])
    for k, a in step.items():
        np.testing.assert_array_equal(a, getattr(tr, k)[2], err_msg=k)
    vanilla = LSTMParams.init(np.random.default_rng(5), 2, 3)  # one tap: the window is the plain input product
    one_tap, xs = AugmentedLSTMParams.from_vanilla(vanilla), np.random.default_rng(6).standard_normal((5, 4, 2))
    for k, xi in lstm_inputs(vanilla, xs).items():
        np.testing.assert_allclose(context_window(getattr(one_tap, f"W_x_{k}"), xs), xi, rtol=1e-14, err_msg=k)
