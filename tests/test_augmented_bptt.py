"""Tests for lrnn.augmented_bptt: the Augmented LSTM backward pass (Sherstinsky Eqs. 216-250, errata P3, P7)."""

import dataclasses

import numpy as np
import pytest

from lrnn.augmented import AugmentedLSTMParams, augmented_forward
from lrnn.augmented_bptt import augmented_backward, augmented_bptt_signals
from lrnn.gradcheck import check_gradients
from lrnn.lstm import LSTMParams, lstm_forward
from lrnn.lstm_bptt import lstm_backward


def dGc(g):
    return g * (1 - g)


def test_hand_computed_first_step_of_two():
    # E = w v[0] on a two-step segment, so step 1 sends nothing back (chi[1] = 0) and step 0
    # is a single step whose second tap reads x[1]. Eqs. 217-227 by hand, with scalars.
    p = AugmentedLSTMParams.init(np.random.default_rng(3), d_x=1, d_s=1, d_v=1, L=2, scale=1.5)
    w, x = 1.7, np.array([[0.6], [-1.3]])
    tr = augmented_forward(p, x)
    g_cu, g_cs, g_cx, g_cr, u, r, q = (getattr(tr, k)[0, 0] for k in ("g_cu", "g_cs", "g_cx", "g_cr", "u", "r", "q"))
    xi_du, W_q, W_s_cr = tr.xi_x_du[0, 0], p.W_q_dr[0, 0], p.W_s_cr[0, 0]
    chi = w  # Eq. 217 with f_chi[1] = 0
    beta = W_q * chi  # Eq. 218
    alpha_cr = beta * r * dGc(g_cr)  # Eq. 221
    psi = beta * g_cr * (1 - r**2) + W_s_cr * alpha_cr  # Eq. 222 with f_psi[1] = 0
    alpha_cu = psi * u * dGc(g_cu)  # Eq. 224
    alpha_du = psi * g_cu * (1 - u**2)  # Eq. 225
    alpha_cx = alpha_du * xi_du * dGc(g_cx)  # Eq. 227
    grads, psi_got = augmented_backward(p, tr, [[w], [0.0]])
    assert psi_got[0, 0] == pytest.approx(psi, rel=1e-13) and psi_got[1, 0] == 0.0
    assert grads.W_q_dr[0, 0] == pytest.approx(chi * q, rel=1e-13)  # Eq. 249
    assert grads.b_cx[0] == pytest.approx(alpha_cx, rel=1e-13)
    np.testing.assert_allclose(grads.W_x_cx[:, 0, 0], alpha_cx * x[:, 0], rtol=1e-13)  # taps read x[0], x[1]
    np.testing.assert_allclose(grads.W_x_du[:, 0, 0], alpha_du * g_cx * x[:, 0], rtol=1e-13)  # with g_cx (P7)
    np.testing.assert_allclose(grads.W_x_cu[:, 0, 0], alpha_cu * x[:, 0], rtol=1e-13)
    assert grads.W_s_cr[0, 0] == pytest.approx(alpha_cr * tr.s[0, 0], rel=1e-13)  # the current state
    assert grads.b_cs[0] == 0.0 and grads.W_s_cx[0, 0] == 0.0  # s[-1] = 0: a_cs only meets zeros
    printed, _ = augmented_backward(p, tr, [[w], [0.0]], erratum_p7=True)
    np.testing.assert_allclose(printed.W_x_du[:, 0, 0], alpha_du * x[:, 0], rtol=1e-13)  # Eq. 246 as printed


def test_last_taps_of_a_short_segment_get_no_gradient():
    rng = np.random.default_rng(0)
    p = AugmentedLSTMParams.init(rng, 2, 3, 2, L=4)
    tr = augmented_forward(p, rng.standard_normal((2, 5, 2)), s0=np.ones(3))  # N = 2 < L = 4; s[-1] != 0 for cs
    grads, _ = augmented_backward(p, tr, rng.standard_normal((2, 5, 2)))
    for k in ("cu", "cs", "cr", "cx", "du"):
        W = getattr(grads, f"W_x_{k}")
        assert np.all(W[2:] == 0.0) and np.all(np.abs(W[:2]) > 0), k  # taps 2, 3 only ever read padding


CONFIGS = {  # (N, B or None, d_x, d_s, d_v, L, non-zero initial state)
    "single, L=3, d_v<d_s": (5, None, 2, 3, 2, 3, False),
    "batched, L=3, s0 v0": (4, 3, 3, 4, 2, 3, True),
    "N=1 < L": (1, 2, 2, 3, 3, 3, True),
    "L=1, d_v=d_s": (6, None, 3, 2, 2, 1, True),
    "d_x>d_s, L=4, d_v=1": (5, 2, 4, 3, 1, 4, True),
}


@pytest.mark.parametrize("name", CONFIGS)
def test_gradients_match_finite_differences(name, squared_error):
    N, B, d_x, d_s, d_v, L, init = CONFIGS[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    p = AugmentedLSTMParams.init(rng, d_x, d_s, d_v, L, scale=1.5)
    lead = (N,) if B is None else (N, B)
    x = rng.standard_normal(lead + (d_x,))
    s0 = rng.standard_normal(lead[1:] + (d_s,)) if init else None
    v0 = 0.5 * rng.standard_normal(lead[1:] + (d_v,)) if init else None
    loss, dE_dv = squared_error(rng, augmented_forward, p, x, s0, v0)
    tr = augmented_forward(p, x, s0, v0)
    grads, psi = augmented_backward(p, tr, dE_dv(tr))
    assert psi.shape == tr.s.shape
    report = check_gradients(loss, p, grads)
    assert report.max_error < 1e-6, str(report)


def test_printed_eq_246_fails_the_gradient_check(squared_error):
    # Erratum P7: without the factor g_cx the W_x_du gradient is wrong; nothing else changes.
    rng = np.random.default_rng(11)
    p = AugmentedLSTMParams.init(rng, 2, 3, 2, L=3, scale=1.5)
    x = rng.standard_normal((5, 2, 2))
    loss, dE_dv = squared_error(rng, augmented_forward, p, x)
    tr = augmented_forward(p, x)
    right, _ = augmented_backward(p, tr, dE_dv(tr))
    printed, _ = augmented_backward(p, tr, dE_dv(tr), erratum_p7=True)
    report = check_gradients(loss, p, printed)
    assert report.max_error > 0.1 and report.worst == "W_x_du"
    assert max(e for k, e in report.errors.items() if k != "W_x_du") < 1e-6
    for f in dataclasses.fields(p):
        if f.name != "W_x_du":
            np.testing.assert_array_equal(getattr(printed, f.name), getattr(right, f.name))


def test_printed_eq_222_fails_the_gradient_check(squared_error):
    rng = np.random.default_rng(12)
    p = AugmentedLSTMParams.init(rng, 2, 3, 2, L=2, scale=1.5)
    p = dataclasses.replace(p, W_s_cr=3.0 * p.W_s_cr)
    x = rng.standard_normal((4, 2, 2))
    loss, dE_dv = squared_error(rng, augmented_forward, p, x)
    tr = augmented_forward(p, x)
    assert check_gradients(loss, p, augmented_backward(p, tr, dE_dv(tr), erratum_p3=True)[0]).max_error > 0.1


def test_reduces_to_the_vanilla_lstm_gradients():
    rng = np.random.default_rng(13)
    van = LSTMParams.init(rng, 3, 4, scale=1.5)
    aug = AugmentedLSTMParams.from_vanilla(van)
    x, s0, v0 = rng.standard_normal((6, 2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    dE = rng.standard_normal((6, 2, 4))
    gv, psi_v = lstm_backward(van, lstm_forward(van, x, s0, v0), dE)
    ga, psi_a = augmented_backward(aug, augmented_forward(aug, x, s0, v0), dE)
    np.testing.assert_allclose(psi_a, psi_v, rtol=1e-13, atol=1e-14)
    for f in dataclasses.fields(LSTMParams):
        got = getattr(ga, f.name)
        got = got[0] if f.name.startswith("W_x") else got  # the only tap
        np.testing.assert_allclose(got, getattr(gv, f.name), rtol=1e-13, atol=1e-14, err_msg=f.name)
    for k in ("W_x_cx", "W_s_cx", "W_v_cx", "b_cx"):  # the saturated gate passes no gradient
        assert np.all(getattr(ga, k) == 0.0), k


def test_batched_gradients_are_sums_over_sequences():
    rng = np.random.default_rng(14)
    p = AugmentedLSTMParams.init(rng, 2, 3, 2, L=3)
    x, dE, s0 = rng.standard_normal((4, 3, 2)), rng.standard_normal((4, 3, 2)), rng.standard_normal((3, 3))
    grads, psi = augmented_backward(p, augmented_forward(p, x, s0=s0), dE)
    parts = [augmented_backward(p, augmented_forward(p, x[:, b], s0=s0[b]), dE[:, b]) for b in range(3)]
    for f in dataclasses.fields(AugmentedLSTMParams):
        np.testing.assert_allclose(getattr(grads, f.name), sum(getattr(g, f.name) for g, _ in parts), atol=1e-13)
    np.testing.assert_allclose(psi, np.stack([q for _, q in parts], axis=1), atol=1e-13)


def test_clip_bounds_every_accumulation_derivative():
    rng = np.random.default_rng(15)
    p = AugmentedLSTMParams.init(rng, 2, 3, 2, L=2)
    N, B = 5, 2
    tr = augmented_forward(p, rng.standard_normal((N, B, 2)))
    big = 1e3 * rng.standard_normal((N, B, 2))
    exact, _ = augmented_backward(p, tr, big)
    clipped, _ = augmented_backward(p, tr, big, clip=True)
    for b in ("b_cu", "b_cs", "b_cr", "b_cx", "b_du"):  # sum_n alpha[n] over N B rows
        assert np.abs(getattr(clipped, b)).max() <= N * B
        assert np.abs(getattr(exact, b)).max() > N * B


def test_backward_errors():
    p = AugmentedLSTMParams.zeros(3, 4, 2, L=2)
    tr = augmented_forward(p, np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"dE_dv has shape \(5, 4\), expected the shape of trace.v, \(5, 2\)"):
        augmented_backward(p, tr, np.zeros((5, 4)))
    with pytest.raises(ValueError, match=r"dE_dv contains nan at index \(1, 0\)"):
        augmented_backward(p, tr, np.where(np.arange(10).reshape(5, 2) == 2, np.nan, 0.0))
    with pytest.raises(TypeError, match="trace has type LSTMTrace, expected AugmentedTrace"):
        augmented_backward(p, lstm_forward(LSTMParams.zeros(3, 4), np.zeros((5, 3))), np.zeros((5, 2)))
    with pytest.raises(TypeError, match="params has type LSTMParams, expected AugmentedLSTMParams"):
        augmented_backward(LSTMParams.zeros(3, 4), tr, np.zeros((5, 2)))
    with pytest.raises(
        ValueError, match="trace has d_s = 4, d_x = 3, d_v = 2 but params has d_s = 4, d_x = 3, d_v = 4"
    ):
        augmented_backward(AugmentedLSTMParams.zeros(3, 4, 4, L=2), tr, np.zeros((5, 2)))


def test_signals_add_beta_and_alpha_cx():
    rng = np.random.default_rng(16)
    p = AugmentedLSTMParams.init(rng, 2, 3, 2, L=2, scale=1.5)
    tr = augmented_forward(p, rng.standard_normal((5, 3, 2)), s0=rng.standard_normal((3, 3)))
    dE = rng.standard_normal((5, 3, 2))
    sig = augmented_bptt_signals(p, tr, dE)
    close = dict(rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(sig.beta, sig.chi @ p.W_q_dr, **close)  # Eq. 218
    np.testing.assert_allclose(sig.alpha_cr, sig.beta * tr.r * dGc(tr.g_cr), **close)  # Eq. 221
    np.testing.assert_allclose(sig.alpha_cx, sig.alpha_du * tr.xi_x_du * dGc(tr.g_cx), **close)  # Eq. 227
    grads, psi = augmented_backward(p, tr, dE)
    np.testing.assert_array_equal(psi, sig.psi)
    assert sig.chi.shape == tr.v.shape and sig.beta.shape == tr.s.shape
    np.testing.assert_allclose(grads.W_q_dr, np.einsum("nbi,nbj->ij", sig.chi, tr.q), **close)  # Eq. 249


# The border gradients (what composition needs): the window's taps carry dE/dx[m] from steps m-L+1 .. m ----------


def test_border_gradient_of_a_lookahead_tap_reaches_back():
    # Only the last tap of W_x_du is non-zero (L = 2): x[1] is read by step 0 only through g_cx * W_x_du[1] x[1].
    p = AugmentedLSTMParams.init(np.random.default_rng(3), d_x=1, d_s=1, L=2)
    arrays = {k: np.zeros_like(v) for k, v in p.arrays().items()}
    arrays["W_x_du"] = np.array([[[0.0]], [[1.3]]])
    arrays["W_q_dr"] = np.ones((1, 1))
    q = AugmentedLSTMParams(**arrays)
    tr = augmented_forward(q, [[0.2], [0.7]])
    sig = augmented_bptt_signals(q, tr, [[1.0], [0.0]])  # E = v[0]
    _, dE_dx, _ = q.backward(tr, [[1.0], [0.0]], return_inputs=True)
    assert dE_dx[0, 0] == 0.0  # x[0] meets only tap 0, which is zero
    assert dE_dx[1, 0] == pytest.approx(1.3 * tr.g_cx[0, 0] * sig.alpha_du[0, 0], rel=1e-14)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_border_gradients_match_finite_differences(rng, name):
    from lrnn.gradcheck import check_cell

    N, B, d_x, d_s, d_v, L, initial = CONFIGS[name]
    p = AugmentedLSTMParams.init(rng, d_x, d_s, d_v, L)
    lead = (N,) if B is None else (N, B)
    x = rng.standard_normal((*lead, d_x))
    state = (rng.standard_normal((*lead[1:], d_s)), rng.standard_normal((*lead[1:], d_v))) if initial else None
    report = check_cell(rng, p, x, state)
    assert {"x", "state[0]", "state[1]"} <= set(report.errors)
    assert report.max_error < 1e-6, str(report)


def test_return_inputs_keeps_the_options(rng):
    p = AugmentedLSTMParams.init(rng, 2, 3, 2, L=2)
    x, dE = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    tr = augmented_forward(p, x)
    plain = p.backward(tr, dE, erratum_p7=True, clip=True)
    grads, dE_dx, (dE_ds0, dE_dv0) = p.backward(tr, dE, return_inputs=True, erratum_p7=True, clip=True)
    for f in dataclasses.fields(plain):
        np.testing.assert_array_equal(getattr(grads, f.name), getattr(plain, f.name))
    assert dE_dx.shape == x.shape and dE_ds0.shape == (3,) and dE_dv0.shape == (2,)
    with pytest.raises(TypeError, match="return_inputs has type str"):
        p.backward(tr, dE, return_inputs="True")


def test_augmented_backward_return_inputs_adds_the_border_gradients(rng):
    p = AugmentedLSTMParams.init(rng, 2, 3, 2, L=3)
    x, dE = rng.standard_normal((5, 2)), rng.standard_normal((5, 2))
    tr = augmented_forward(p, x)
    grads, psi, dE_dx, (dE_ds0, dE_dv0) = augmented_backward(p, tr, dE, return_inputs=True, erratum_p7=True)
    _, want_dx, (_, want_dv0) = p.backward(tr, dE, return_inputs=True)
    np.testing.assert_array_equal(dE_dx, want_dx)  # erratum P7 changes W_x_du's gradient only
    np.testing.assert_array_equal(dE_dv0, want_dv0)
    np.testing.assert_array_equal(grads.W_x_du, augmented_backward(p, tr, dE, erratum_p7=True)[0].W_x_du)
