"""Tests for lrnn.lstm_bptt: the Vanilla LSTM backward pass (Sherstinsky Eqs. 137-172, erratum P3)."""

import dataclasses
import math

import numpy as np
import pytest

from lrnn.gradcheck import check_gradients, relative_error
from lrnn.lstm import LSTMParams, lstm_forward
from lrnn.lstm_bptt import lstm_backward, lstm_bptt_signals


def test_hand_computed_one_step(scalar_lstm, sigma):
    # E = w v[0] for one scalar step from rest; Eqs. 144-153 by hand.
    (P, p), x, w = scalar_lstm, 0.8, 1.7
    a_cu, a_du = P["W_x_cu"] * x + P["b_cu"], P["W_x_du"] * x + P["b_du"]  # a_cs only meets s[-1] = 0
    g_cu, u = sigma(a_cu), math.tanh(a_du)
    s = g_cu * u
    g_cr = sigma(P["W_x_cr"] * x + P["W_s_cr"] * s + P["b_cr"])
    r = math.tanh(s)
    chi = w  # Eq. 144 with f_chi[1] = 0
    alpha_cr = chi * r * g_cr * (1 - g_cr)  # Eq. 147
    psi = chi * g_cr * (1 - r**2) + P["W_s_cr"] * alpha_cr  # Eq. 150 with f_psi[1] = 0
    alpha_cu = psi * u * g_cu * (1 - g_cu)  # Eq. 152
    alpha_du = psi * g_cu * (1 - u**2)  # Eq. 153
    grads, psi_got = lstm_backward(p, lstm_forward(p, [[x]]), [[w]])
    assert psi_got[0, 0] == pytest.approx(psi, rel=1e-13)
    assert grads.b_cr[0] == pytest.approx(alpha_cr, rel=1e-13)
    assert grads.W_s_cr[0, 0] == pytest.approx(alpha_cr * s, rel=1e-13)  # the current state s[0]
    assert grads.W_x_cu[0, 0] == pytest.approx(alpha_cu * x, rel=1e-13)
    assert grads.W_x_du[0, 0] == pytest.approx(alpha_du * x, rel=1e-13)
    assert grads.b_cs[0] == 0.0 and grads.W_v_cu[0, 0] == 0.0 and grads.W_s_cs[0, 0] == 0.0  # s[-1] = v[-1] = 0


def test_hand_computed_two_steps_carry_terms(scalar_lstm):
    # psi[0] collects f_psi[1] = W_s_cu alpha_cu[1] + W_s_cs alpha_cs[1] + g_cs[1] psi[1] (Eq. 155).
    P, p = scalar_lstm
    tr = lstm_forward(p, [[0.3], [-1.1]])
    _, psi = lstm_backward(p, tr, [[0.0], [1.0]])
    s0 = tr.s[0, 0]
    g_cu1, g_cs1, u1, g_cr1, r1 = tr.g_cu[1, 0], tr.g_cs[1, 0], tr.u[1, 0], tr.g_cr[1, 0], tr.r[1, 0]
    alpha_cr1 = r1 * g_cr1 * (1 - g_cr1)
    psi1 = g_cr1 * (1 - r1**2) + P["W_s_cr"] * alpha_cr1
    alpha_cu1, alpha_cs1 = psi1 * u1 * g_cu1 * (1 - g_cu1), psi1 * s0 * g_cs1 * (1 - g_cs1)
    alpha_du1 = psi1 * g_cu1 * (1 - u1**2)
    chi0 = P["W_v_cu"] * alpha_cu1 + P["W_v_cs"] * alpha_cs1 + P["W_v_cr"] * alpha_cr1 + P["W_v_du"] * alpha_du1
    g_cr0, r0 = tr.g_cr[0, 0], tr.r[0, 0]
    alpha_cr0 = chi0 * r0 * g_cr0 * (1 - g_cr0)
    psi0 = chi0 * g_cr0 * (1 - r0**2) + P["W_s_cr"] * alpha_cr0 + P["W_s_cu"] * alpha_cu1 + P["W_s_cs"] * alpha_cs1
    psi0 += g_cs1 * psi1
    np.testing.assert_allclose(psi[:, 0], [psi0, psi1], rtol=1e-13)


CONFIGS = {  # (N, B or None, d_x, d_s, pinholes, non-zero initial state)
    "single": (5, None, 3, 4, True, False),
    "batched": (4, 3, 3, 2, True, True),
    "N=1": (1, 2, 2, 3, True, True),
    "d_x>d_s, no pinholes": (4, 2, 5, 2, False, True),
    "single, pinholes, s0 v0": (6, None, 2, 3, True, True),
}


@pytest.mark.parametrize("name", CONFIGS)
def test_gradients_match_finite_differences(name, squared_error):
    N, B, d_x, d_s, pinholes, init = CONFIGS[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    p = LSTMParams.init(rng, d_x, d_s, pinholes=pinholes, scale=1.5)
    lead = (N,) if B is None else (N, B)
    x = rng.standard_normal(lead + (d_x,))
    s0 = rng.standard_normal(lead[1:] + (d_s,)) if init else None
    v0 = 0.5 * rng.standard_normal(lead[1:] + (d_s,)) if init else None
    loss, dE_dv = squared_error(rng, lstm_forward, p, x, s0, v0)
    tr = lstm_forward(p, x, s0, v0)
    grads, psi = lstm_backward(p, tr, dE_dv(tr))
    assert psi.shape == tr.s.shape
    report = check_gradients(loss, p, grads)
    assert report.max_error < 1e-6, str(report)


def test_psi_is_the_total_derivative_wrt_each_state():
    # Perturb s[n] inside the recursion: it changes v[n] (through r[n] and a_cr[n], Eq. 128) and all later steps.
    rng = np.random.default_rng(7)
    p = LSTMParams.init(rng, 2, 3, scale=1.5)
    x = rng.standard_normal((5, 2))
    W_y, target = rng.standard_normal((2, 3)), rng.standard_normal((5, 2))
    tr = lstm_forward(p, x)
    _, psi = lstm_backward(p, tr, (tr.v @ W_y.T - target) @ W_y)

    def E_with_state_bump(n, delta):
        s_n = tr.s[n] + delta
        a_cr = tr.a_cr[n] + p.W_s_cr @ delta
        v_n = 1.0 / (1.0 + np.exp(-a_cr)) * np.tanh(s_n)
        v = np.vstack([tr.v[:n], v_n[None]])
        if n + 1 < len(x):
            v = np.vstack([v, lstm_forward(p, x[n + 1 :], s0=s_n, v0=v_n).v])
        return 0.5 * np.sum((v @ W_y.T - target) ** 2)

    eps = 1e-6
    for n in range(len(x)):
        fd = [(E_with_state_bump(n, eps * e) - E_with_state_bump(n, -eps * e)) / (2 * eps) for e in np.eye(3)]
        assert relative_error(psi[n], fd) < 1e-7


def test_printed_eq_150_fails_the_gradient_check(squared_error):
    # Erratum P3: W_s_cr alpha_cr (as printed) instead of W_s_cr^T alpha_cr.
    rng = np.random.default_rng(11)
    p = LSTMParams.init(rng, 3, 3, scale=1.5)
    p = dataclasses.replace(p, W_s_cr=3.0 * p.W_s_cr)
    x = rng.standard_normal((4, 2, 3))
    loss, dE_dv = squared_error(rng, lstm_forward, p, x)
    tr = lstm_forward(p, x)
    right, _ = lstm_backward(p, tr, dE_dv(tr))
    printed, _ = lstm_backward(p, tr, dE_dv(tr), erratum_p3=True)
    assert check_gradients(loss, p, right).max_error < 1e-6
    assert check_gradients(loss, p, printed).max_error > 0.1


def test_printed_eq_150_is_right_for_a_symmetric_W_s_cr():
    rng = np.random.default_rng(12)
    p = LSTMParams.init(rng, 2, 3)
    p = dataclasses.replace(p, W_s_cr=p.W_s_cr + p.W_s_cr.T)
    tr = lstm_forward(p, rng.standard_normal((3, 2)))
    dE = rng.standard_normal((3, 3))
    np.testing.assert_allclose(lstm_backward(p, tr, dE)[1], lstm_backward(p, tr, dE, erratum_p3=True)[1], rtol=1e-13)


def test_batched_gradients_are_sums_over_sequences():
    rng = np.random.default_rng(13)
    p = LSTMParams.init(rng, 2, 3)
    x, dE = rng.standard_normal((4, 3, 2)), rng.standard_normal((4, 3, 3))
    s0 = rng.standard_normal((3, 3))
    grads, psi = lstm_backward(p, lstm_forward(p, x, s0=s0), dE)
    parts = [lstm_backward(p, lstm_forward(p, x[:, b], s0=s0[b]), dE[:, b]) for b in range(3)]
    for f in dataclasses.fields(LSTMParams):
        np.testing.assert_allclose(getattr(grads, f.name), sum(getattr(g, f.name) for g, _ in parts), atol=1e-13)
    np.testing.assert_allclose(psi, np.stack([q for _, q in parts], axis=1), atol=1e-13)


def test_clip_bounds_every_accumulation_derivative():
    rng = np.random.default_rng(14)
    p = LSTMParams.init(rng, 2, 3)
    N, B = 5, 2
    tr = lstm_forward(p, rng.standard_normal((N, B, 2)))
    big = 1e3 * rng.standard_normal((N, B, 3))
    exact, _ = lstm_backward(p, tr, big)
    clipped, _ = lstm_backward(p, tr, big, clip=True)
    for b in ("b_cu", "b_cs", "b_cr", "b_du"):  # the bias gradient is sum_n alpha[n] over N B rows
        assert np.abs(getattr(clipped, b)).max() <= N * B
        assert np.abs(getattr(exact, b)).max() > N * B
    small = 1e-4 * rng.standard_normal((N, B, 3))  # every |alpha| < 1: clipping changes nothing
    for f in dataclasses.fields(LSTMParams):
        np.testing.assert_array_equal(
            getattr(lstm_backward(p, tr, small)[0], f.name), getattr(lstm_backward(p, tr, small, clip=True)[0], f.name)
        )


def test_backward_errors():
    p = LSTMParams.zeros(3, 2)
    tr = lstm_forward(p, np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"dE_dv has shape \(4, 3\), expected the shape of trace.v, \(4, 2\)"):
        lstm_backward(p, tr, np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"dE_dv contains nan at index \(2, 1\)"):
        lstm_backward(p, tr, np.where(np.arange(8).reshape(4, 2) == 5, np.nan, 0.0))
    with pytest.raises(TypeError, match="trace has type tuple, expected LSTMTrace"):
        lstm_backward(p, (tr.s, tr.v), np.zeros((4, 2)))
    with pytest.raises(TypeError, match="params has type NoneType, expected LSTMParams"):
        lstm_backward(None, tr, np.zeros((4, 2)))
    with pytest.raises(ValueError, match="trace has d_s = 2, d_x = 3 but params has d_s = 3, d_x = 3"):
        lstm_backward(LSTMParams.zeros(3, 3), tr, np.zeros((4, 2)))


def test_signals_are_the_error_gradient_sequences():
    # chi and alpha from lstm_bptt_signals satisfy Eqs. 144-147 and 151-153 read off the trace,
    # and the gradients are their outer products (Eqs. 156-172), also for a batch.
    rng = np.random.default_rng(21)
    p = LSTMParams.init(rng, 3, 2, scale=1.5)
    x, s0, v0 = rng.standard_normal((5, 4, 3)), rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    tr = lstm_forward(p, x, s0, v0)
    dE = rng.standard_normal((5, 4, 2))
    sig = lstm_bptt_signals(p, tr, dE)
    close = dict(rtol=1e-12, atol=1e-14)
    back = sig.alpha_cu @ p.W_v_cu + sig.alpha_cs @ p.W_v_cs + sig.alpha_cr @ p.W_v_cr + sig.alpha_du @ p.W_v_du
    f_chi_next = np.concatenate([back[1:], np.zeros((1, 4, 2))])  # step n+1 sends back f_chi[n+1]; f_chi[N] = 0
    np.testing.assert_allclose(sig.chi, dE + f_chi_next, **close)  # Eqs. 144, 154
    np.testing.assert_allclose(sig.alpha_cr, sig.chi * tr.r * tr.g_cr * (1 - tr.g_cr), **close)  # Eq. 147
    s_prev = np.concatenate([s0[None], tr.s[:-1]])
    np.testing.assert_allclose(sig.alpha_cs, sig.psi * s_prev * tr.g_cs * (1 - tr.g_cs), **close)  # Eq. 151
    np.testing.assert_allclose(sig.alpha_du, sig.psi * tr.g_cu * (1 - tr.u**2), **close)  # Eq. 153
    grads, psi = lstm_backward(p, tr, dE)
    np.testing.assert_array_equal(psi, sig.psi)
    np.testing.assert_allclose(grads.W_s_cs, np.einsum("nbi,nbj->ij", sig.alpha_cs, s_prev), **close)  # Eq. 161
    np.testing.assert_allclose(grads.W_s_cr, np.einsum("nbi,nbj->ij", sig.alpha_cr, tr.s), **close)  # Eq. 165
    one = lstm_bptt_signals(p, lstm_forward(p, x[:, 1], s0[1], v0[1]), dE[:, 1])
    np.testing.assert_allclose(one.chi, sig.chi[:, 1], **close)  # one sequence: (N, d_s) signals


# The border gradients (what composition needs): dE/dx[n] = sum of W_x_*^T alpha_*[n], dE/d(s[-1], v[-1]) --------


def test_border_gradients_hand_computed_one_step(scalar_lstm):
    # E = v[0], one scalar step: dE/dx[0] = sum over the four nodes of W_x_* alpha_*[0].
    P, p = scalar_lstm
    tr = lstm_forward(p, [[0.8]], s0=[0.3], v0=[-0.2])
    sig = lstm_bptt_signals(p, tr, [[1.0]])
    _, dE_dx, (dE_ds0, dE_dv0) = p.backward(tr, [[1.0]], return_inputs=True)
    want_x = sum(P[f"W_x_{k}"] * getattr(sig, f"alpha_{k}")[0, 0] for k in ("cu", "cs", "cr", "du"))
    want_v = sum(P[f"W_v_{k}"] * getattr(sig, f"alpha_{k}")[0, 0] for k in ("cu", "cs", "cr", "du"))  # Eq. 154
    want_s = P["W_s_cu"] * sig.alpha_cu[0, 0] + P["W_s_cs"] * sig.alpha_cs[0, 0] + tr.g_cs[0, 0] * sig.psi[0, 0]
    assert dE_dx[0, 0] == pytest.approx(want_x, rel=1e-14)
    assert dE_dv0[0] == pytest.approx(want_v, rel=1e-14) and dE_ds0[0] == pytest.approx(want_s, rel=1e-14)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_border_gradients_match_finite_differences(rng, name):
    from lrnn.gradcheck import check_cell

    N, B, d_x, d_s, pinholes, initial = CONFIGS[name]
    p = LSTMParams.init(rng, d_x, d_s, pinholes=pinholes)
    lead = (N,) if B is None else (N, B)
    x = rng.standard_normal((*lead, d_x))
    state = tuple(rng.standard_normal((*lead[1:], d_s)) for _ in range(2)) if initial else None
    report = check_cell(rng, p, x, state)
    assert {"x", "state[0]", "state[1]"} <= set(report.errors)
    assert report.max_error < 1e-6, str(report)


def test_return_inputs_matches_the_default_gradients(rng):
    p = LSTMParams.init(rng, 2, 3)
    x, dE = rng.standard_normal((4, 2, 2)), rng.standard_normal((4, 2, 3))
    tr = lstm_forward(p, x)
    plain = p.backward(tr, dE, clip=True)
    grads, dE_dx, (dE_ds0, dE_dv0) = p.backward(tr, dE, return_inputs=True, clip=True)
    for f in dataclasses.fields(plain):
        np.testing.assert_array_equal(getattr(grads, f.name), getattr(plain, f.name))
    assert dE_dx.shape == x.shape and dE_ds0.shape == dE_dv0.shape == (2, 3)


def test_return_inputs_must_be_a_bool(rng):
    p = LSTMParams.init(rng, 1, 2)
    tr = lstm_forward(p, np.zeros((2, 1)))
    with pytest.raises(TypeError, match="return_inputs has type int, expected a bool"):
        p.backward(tr, np.zeros((2, 2)), return_inputs=1)


def test_border_gradients_refuse_signals_of_another_trace(rng):
    from lrnn.lstm_bptt import lstm_border_gradients

    p = LSTMParams.init(rng, 1, 2)
    sig = lstm_bptt_signals(p, lstm_forward(p, np.zeros((3, 1))), np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"signals.psi has shape \(3, 2\), expected the shape of trace.s, \(4, 2\)"):
        lstm_border_gradients(p, lstm_forward(p, np.zeros((4, 1))), sig)
    with pytest.raises(TypeError, match="signals has type tuple, expected LSTMBPTTSignals"):
        lstm_border_gradients(p, lstm_forward(p, np.zeros((3, 1))), (sig.psi,))


def test_lstm_backward_return_inputs_adds_the_border_gradients(rng):
    p = LSTMParams.init(rng, 2, 3)
    x, dE = rng.standard_normal((4, 2, 2)), rng.standard_normal((4, 2, 3))
    tr = lstm_forward(p, x)
    grads, psi, dE_dx, (dE_ds0, dE_dv0) = lstm_backward(p, tr, dE, return_inputs=True)
    _, want_dx, (want_ds0, want_dv0) = p.backward(tr, dE, return_inputs=True)
    np.testing.assert_array_equal(dE_dx, want_dx)
    np.testing.assert_array_equal(dE_dv0, want_dv0)
    np.testing.assert_array_equal(psi, lstm_backward(p, tr, dE)[1])
    with pytest.raises(TypeError, match="return_inputs has type str"):
        lstm_backward(p, tr, dE, return_inputs="yes")
