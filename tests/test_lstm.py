"""Tests for lrnn.lstm: LSTMParams and the Vanilla LSTM forward pass (Sherstinsky Eqs. 123-136)."""

import dataclasses
import math

import numpy as np
import pytest

import lrnn
from lrnn.activations import G_c, G_d
from lrnn.lstm import LSTMParams, LSTMTrace, chrono_bias, lstm_forward, lstm_inputs, lstm_step


def test_hand_computed_two_steps(scalar_lstm, sigma):
    # d_s = d_x = 1, x = (1, -2), s[-1] = v[-1] = 0, the equations evaluated by hand with scalars.
    P, p = scalar_lstm
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
    tr = lstm_forward(p, [[1.0], [-2.0]])
    got = np.stack([tr.g_cu[:, 0], tr.g_cs[:, 0], tr.u[:, 0], tr.s[:, 0], tr.g_cr[:, 0], tr.v[:, 0]], axis=1)
    np.testing.assert_allclose(got, np.array(expected), rtol=1e-14, atol=1e-15)
    # step 0 from rest in numbers: a_cu = 0.5 + 0.2, a_du = 1.2 + 0.05
    assert tr.a_cu[0, 0] == pytest.approx(0.7)
    assert tr.s[0, 0] == pytest.approx(sigma(0.7) * math.tanh(1.25))


def test_zero_weights_halve_the_state():
    tr = lstm_forward(LSTMParams.zeros(1, 1), np.zeros((3, 1)), s0=[8.0])
    np.testing.assert_allclose(tr.s[:, 0], [4.0, 2.0, 1.0])  # g_cs = 1/2, u = 0
    np.testing.assert_allclose(tr.v[:, 0], 0.5 * np.tanh([4.0, 2.0, 1.0]))


@pytest.mark.parametrize("pinholes", [True, False])
def test_batched_matches_single_sequences_and_single_steps(pinholes):
    rng = np.random.default_rng(1)
    N, B, d_x, d_s = 5, 3, 4, 3
    p = LSTMParams.init(rng, d_x, d_s, pinholes=pinholes, scale=1.5)
    x = rng.standard_normal((N, B, d_x))
    s0, v0 = rng.standard_normal((B, d_s)), rng.standard_normal((B, d_s))
    tr = lstm_forward(p, x, s0, v0)
    for b in range(B):
        one = lstm_forward(p, x[:, b], s0[b], v0[b])
        for k in ("a_cu", "a_cs", "a_cr", "a_du", "s", "v"):
            np.testing.assert_allclose(getattr(tr, k)[:, b], getattr(one, k), rtol=1e-13, atol=1e-15, err_msg=k)
        step = lstm_step(p, x[2, b], tr.s[1, b], tr.v[1, b])  # one column vector, as the paper writes it
        np.testing.assert_allclose(step["s"], tr.s[2, b], rtol=1e-13)
        np.testing.assert_allclose(step["a_cr"], tr.a_cr[2, b], rtol=1e-13)


def test_step_is_the_forward_pass_and_uses_the_package_warping():
    assert lrnn.lstm.G_c is lrnn.G_c and lrnn.lstm.G_d is lrnn.G_d  # one gate function, not a second version
    p = LSTMParams.init(np.random.default_rng(9), 2, 3, scale=1.5)
    step = lstm_step(p, np.ones(2), np.zeros(3), np.zeros(3))
    tr = lstm_forward(p, np.ones((1, 2)))
    for k, a in step.items():
        np.testing.assert_array_equal(a, getattr(tr, k)[0], err_msg=k)


def test_input_terms_for_the_whole_sequence_are_each_steps_products():
    # lstm_forward computes W_x_* x[n] for all n before its loop and hands each step its own
    rng = np.random.default_rng(10)
    p, x = LSTMParams.init(rng, 3, 4), rng.standard_normal((6, 2, 3))
    xi = lstm_inputs(p, x)
    assert sorted(xi) == ["cr", "cs", "cu", "du"]
    for k, a in xi.items():
        assert a.shape == (6, 2, 4)
        for n, b in [(0, 0), (5, 1)]:
            np.testing.assert_allclose(a[n, b], getattr(p, f"W_x_{k}") @ x[n, b], rtol=1e-13, err_msg=k)
    s_prev, v_prev = rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    given = lstm_step(p, x[3], s_prev, v_prev, {k: a[3] for k, a in xi.items()})
    for k, a in lstm_step(p, x[3], s_prev, v_prev).items():
        np.testing.assert_allclose(given[k], a, rtol=1e-13, atol=1e-15, err_msg=k)


def test_trace_satisfies_every_equation():
    rng = np.random.default_rng(2)
    p = LSTMParams.init(rng, 2, 3)
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
    p = LSTMParams.init(rng, d_x=5, d_s=2)
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
    p = LSTMParams.init(rng, 2, 3)
    x = rng.standard_normal((3, 2, 2))
    np.testing.assert_array_equal(lstm_forward(p, x).v, lstm_forward(p, x, np.zeros(3), np.zeros((2, 3))).v)
    s0 = rng.standard_normal(3)
    np.testing.assert_array_equal(lstm_forward(p, x, s0=s0).s, lstm_forward(p, x, s0=np.tile(s0, (2, 1))).s)


def test_saturated_gates_stay_finite_and_silent():
    rng = np.random.default_rng(5)
    p = LSTMParams.init(rng, 3, 2, scale=50.0)
    tr = lstm_forward(p, 1e4 * rng.standard_normal((6, 3)))  # RuntimeWarning is an error in this suite
    assert np.all(np.isfinite(tr.v)) and np.all((tr.g_cu >= 0) & (tr.g_cu <= 1))


def test_params_init_and_zeros():
    p = LSTMParams.init(np.random.default_rng(0), d_x=3, d_s=4)
    q = LSTMParams.init(np.random.default_rng(0), d_x=3, d_s=4, pinholes=False)
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
        LSTMParams.init(0, 2, 3)
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


def test_init_draws_gaussian_weights_scaled_by_fan_in():
    p = LSTMParams.init(np.random.default_rng(0), d_x=60, d_s=80, scale=2.0)
    assert abs(np.std(p.W_x_cu) * np.sqrt(60) / 2 - 1) < 0.05  # N(0, scale^2 / d_x)
    assert abs(np.std(np.concatenate([p.W_v_cs, p.W_s_cr])) * np.sqrt(80) / 2 - 1) < 0.05  # N(0, scale^2 / d_s)
    assert abs(np.std(np.concatenate([p.b_cu, p.b_cs, p.b_cr, p.b_du])) / 0.1 - 1) < 0.15  # biases N(0, 0.1^2)
    assert abs(np.mean(p.W_x_du)) < 0.05 and abs(np.mean(p.b_cs)) < 0.03


def test_init_forget_bias_shifts_only_b_cs():
    plain = LSTMParams.init(np.random.default_rng(3), 2, 5)
    open_ = LSTMParams.init(np.random.default_rng(3), 2, 5, forget_bias=1.0)
    np.testing.assert_allclose(open_.b_cs, plain.b_cs + 1.0, rtol=0, atol=1e-15)
    for f in dataclasses.fields(LSTMParams):
        if f.name != "b_cs":
            np.testing.assert_array_equal(getattr(open_, f.name), getattr(plain, f.name))


def test_init_chrono_spreads_the_time_constants():
    T_max = 100.0
    b = chrono_bias(np.random.default_rng(4), T_max, 4000)
    tau = 1.0 / (1.0 - G_c(b))  # a unit keeps g_cs = G_c(b_cs) per step: time constant 1 + e^b_cs
    np.testing.assert_allclose(tau, 1.0 + np.exp(b), rtol=1e-9)
    assert 2.0 <= tau.min() and tau.max() <= T_max
    # b_cs = log(u), u ~ U(1, T_max - 1): e^b_cs is uniform, mean T_max / 2 and quartiles at 1/4 and 3/4
    u = np.exp(b)
    assert abs(u.mean() / (T_max / 2) - 1) < 0.03
    np.testing.assert_allclose(
        np.quantile(u, [0.25, 0.75]), [1 + 0.25 * (T_max - 2), 1 + 0.75 * (T_max - 2)], rtol=0.05
    )
    p = LSTMParams.init(np.random.default_rng(4), 2, 6, chrono=T_max)
    np.testing.assert_array_equal(p.b_cu, -p.b_cs)  # b_cu = -b_cs
    assert np.all((0 <= p.b_cs) & (p.b_cs <= np.log(T_max - 1)))
    q = LSTMParams.init(np.random.default_rng(4), 2, 6)  # chrono only replaces the two gate biases
    np.testing.assert_array_equal(p.W_v_du, q.W_v_du)
    np.testing.assert_array_equal(p.b_cr, q.b_cr)


def test_chrono_bias_and_init_errors():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"chrono = 2, expected T_max > 2"):
        chrono_bias(rng, 2, 3)
    with pytest.raises(ValueError, match="chrono contains inf"):
        LSTMParams.init(rng, 2, 3, chrono=np.inf)
    with pytest.raises(ValueError, match="pass either forget_bias or chrono"):
        LSTMParams.init(rng, 2, 3, forget_bias=1.0, chrono=50)
    with pytest.raises(ValueError, match="scale contains nan"):
        LSTMParams.init(rng, 2, 3, scale=np.nan)
    with pytest.raises(TypeError, match="rng has type int"):
        chrono_bias(0, 10, 3)


def test_cell_interface():
    rng = np.random.default_rng(8)
    p = LSTMParams.init(rng, 3, 4, scale=1.5)
    assert (p.d_x, p.d_s, p.d_out, p.n_params) == (3, 4, 4, 4 * 4 * 3 + 7 * 16 + 4 * 4)
    x, dE = rng.standard_normal((7, 2, 3)), rng.standard_normal((7, 2, 4))
    tr = p.forward(x)
    np.testing.assert_array_equal(tr.output, lstm_forward(p, x).v)
    for f in dataclasses.fields(LSTMParams):
        np.testing.assert_array_equal(
            getattr(p.backward(tr, dE), f.name), getattr(lrnn.lstm_backward(p, tr, dE)[0], f.name)
        )
    clipped = p.backward(tr, 1e3 * dE, clip=True)
    assert np.abs(clipped.b_du).max() <= 7 * 2  # options reach lstm_backward
    s_last, v_last = tr.last_state
    assert s_last.shape == v_last.shape == (2, 4)
    np.testing.assert_array_equal(s_last, tr.s[-1])
    # stateful chunks: the second chunk starts where the first ended
    first = p.forward(x[:3])
    second = p.forward(x[3:], state=first.last_state)
    np.testing.assert_allclose(np.concatenate([first.v, second.v]), tr.v, rtol=1e-14, atol=1e-15)
    with pytest.raises(TypeError, match=r"state has type ndarray, expected None or a 2-tuple \(s\[-1\], v\[-1\]\)"):
        p.forward(x, state=np.zeros(4))
