import numpy as np
import pytest

from lrnn.gradcheck import check_gradients, numerical_gradient
from lrnn.rnn import RNNParams, rnn_forward
from lrnn.rnn_bptt import rnn_backward


def _case(rng, N, B, d_x, d_s, canonical, s0=True):
    p = RNNParams.init(rng, d_x, d_s, scale=1.5, canonical=canonical)
    lead = (N,) if B is None else (N, B)
    x = rng.normal(size=(*lead, d_x))
    s0 = rng.normal(size=lead[1:] + (d_s,)) if s0 else None
    target = rng.normal(size=(*lead, d_s))
    return p, x, s0, target


def _loss(x, s0, target):
    return lambda q: 0.5 * float(np.sum((rnn_forward(q, x, s0).r - target) ** 2))


def _grads(p, x, s0, target, **kw):
    tr = rnn_forward(p, x, s0)
    return rnn_backward(p, tr, tr.r - target, **kw)  # dE/dr[n] of E = 0.5 sum (r - target)^2


def test_hand_computed_scalar_two_steps():
    p = RNNParams(W_r=[[0.5]], W_x=[[2.0]], theta_s=[0.1])
    tr = rnn_forward(p, [[1.0], [-1.0]])
    grads, psi = rnn_backward(p, tr, [[1.0], [1.0]])  # E = r[0] + r[1]
    s0 = 2.1
    s1 = 0.5 * np.tanh(s0) - 1.9
    psi1 = 1 - np.tanh(s1) ** 2  # Eq. 84 with psi[2] = 0 (Eq. 85)
    psi0 = (1 + 0.5 * psi1) * (1 - np.tanh(s0) ** 2)
    np.testing.assert_allclose(psi[:, 0], [psi0, psi1], rtol=1e-14)
    np.testing.assert_allclose(grads.W_r, [[psi1 * np.tanh(s0)]], rtol=1e-14)  # r[-1] = 0 (Eq. 87)
    np.testing.assert_allclose(grads.W_x, [[psi0 - psi1]], rtol=1e-14)  # Eq. 88
    np.testing.assert_allclose(grads.theta_s, [psi0 + psi1], rtol=1e-14)  # Eq. 89
    assert grads.W_s is None


def test_hand_computed_two_by_two_uses_transpose():
    W_r = np.array([[0.0, 2.0], [0.0, 0.0]])  # only r_2[n-1] -> s_1[n]
    p = RNNParams(W_r=W_r, W_x=np.zeros((2, 1)), theta_s=np.zeros(2))
    tr = rnn_forward(p, np.zeros((2, 1)))  # s = 0 everywhere, G' = 1
    _, psi = rnn_backward(p, tr, [[0.0, 0.0], [1.0, 0.0]])  # E = r_1[1]
    np.testing.assert_array_equal(psi, [[0.0, 2.0], [1.0, 0.0]])  # dE/ds_2[0] = 2 through W_r[0, 1]
    _, printed = rnn_backward(p, tr, [[0.0, 0.0], [1.0, 0.0]], erratum_p1=True)
    np.testing.assert_array_equal(printed[0], [0.0, 0.0])  # the printed Eq. 82 loses it


@pytest.mark.parametrize("N, B, d_x, d_s, canonical", [(1, None, 3, 2, False), (4, 5, 2, 3, True), (1, 1, 1, 4, False)])
def test_shapes(rng, N, B, d_x, d_s, canonical):
    p, x, s0, target = _case(rng, N, B, d_x, d_s, canonical)
    grads, psi = _grads(p, x, s0, target)
    assert psi.shape == x.shape[:-1] + (d_s,)
    assert grads.W_r.shape == (d_s, d_s) and grads.W_x.shape == (d_s, d_x) and grads.theta_s.shape == (d_s,)
    assert (grads.W_s is not None) == canonical


@pytest.mark.parametrize("B", [None, 3])
@pytest.mark.parametrize("canonical", [False, True])
def test_gradients_match_finite_differences(rng, B, canonical):
    p, x, s0, target = _case(rng, 5, B, 2, 3, canonical)
    report = check_gradients(_loss(x, s0, target), p, _grads(p, x, s0, target)[0])
    assert report.max_error < 1e-6, str(report)


def test_psi_is_the_total_derivative_with_respect_to_s(rng):
    p, x, s0, target = _case(rng, 4, None, 2, 3, canonical=True)

    def loss_of_offsets(e):  # E when e[n] is added to s[n]; dE/de[n] at e = 0 is psi[n]
        s_prev, r_prev, E = s0, np.tanh(s0), 0.0
        for n in range(len(x)):
            s_prev = p.W_s @ s_prev + p.W_r @ r_prev + p.W_x @ x[n] + p.theta_s + e[n]
            r_prev = np.tanh(s_prev)
            E += 0.5 * np.sum((r_prev - target[n]) ** 2)
        return E

    _, psi = _grads(p, x, s0, target)
    np.testing.assert_allclose(psi, numerical_gradient(loss_of_offsets, np.zeros((4, 3))), rtol=1e-6, atol=1e-9)


def test_printed_eq82_fails_the_gradient_check(rng):
    p, x, s0, _ = _case(rng, 6, None, 2, 3, canonical=False)
    p = RNNParams(W_r=1.5 * np.triu(rng.normal(size=(3, 3)), 1), W_x=p.W_x, theta_s=p.theta_s)  # far from symmetric
    w = rng.normal(size=(6, 3))  # E = sum_n w[n] . r[n]
    grads_printed, _ = rnn_backward(p, rnn_forward(p, x, s0), w, erratum_p1=True)
    report = check_gradients(lambda q: float(np.sum(w * rnn_forward(q, x, s0).r)), p, grads_printed)
    assert report.max_error > 0.1, str(report)


def test_printed_eq82_is_right_for_symmetric_W_r(rng):
    p, x, s0, target = _case(rng, 5, None, 2, 3, canonical=False)
    p = RNNParams(W_r=p.W_r + p.W_r.T, W_x=p.W_x, theta_s=p.theta_s)
    np.testing.assert_allclose(_grads(p, x, s0, target, erratum_p1=True)[1], _grads(p, x, s0, target)[1], rtol=1e-13)


def test_batch_is_the_sum_over_sequences(rng):
    p, x, s0, target = _case(rng, 4, 3, 2, 3, canonical=True)
    grads, psi = _grads(p, x, s0, target)
    singles = [_grads(p, x[:, b], s0[b], target[:, b]) for b in range(3)]
    for name in ("W_r", "W_x", "theta_s", "W_s"):
        np.testing.assert_allclose(getattr(grads, name), sum(getattr(g, name) for g, _ in singles), rtol=1e-12)
    np.testing.assert_allclose(psi, np.stack([s for _, s in singles], axis=1), rtol=1e-12, atol=1e-15)


def test_errors(rng):
    p, x, _, _ = _case(rng, 5, None, 2, 3, canonical=False)
    tr = rnn_forward(p, x)
    with pytest.raises(ValueError, match=r"dE_dr has shape \(4, 3\), expected the shape of trace.r, \(5, 3\)"):
        rnn_backward(p, tr, np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"dE_dr has shape \(5, 1, 3\), expected the shape of trace.r"):
        rnn_backward(p, tr, np.zeros((5, 1, 3)))
    bad = np.zeros((5, 3))
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"dE_dr contains nan at index \(2, 1\)"):
        rnn_backward(p, tr, bad)
    with pytest.raises(TypeError, match="dE_dr has dtype <U1"):
        rnn_backward(p, tr, np.full((5, 3), "a"))
    with pytest.raises(TypeError, match="trace has type tuple, expected RNNTrace"):
        rnn_backward(p, (tr.s, tr.r), np.zeros((5, 3)))
    with pytest.raises(TypeError, match="params has type dict"):
        rnn_backward({}, tr, np.zeros((5, 3)))
    other = RNNParams.init(rng, d_x=2, d_s=4)
    with pytest.raises(ValueError, match=r"trace has d_s = 3, d_x = 2 but params has d_s = 4, d_x = 2"):
        rnn_backward(other, tr, np.zeros((5, 3)))


# The border gradients (what composition needs): dE/dx[n] and dE/ds[-1] ------------------------------


def test_border_gradients_hand_computed_scalar():
    # E = r[0] after one step from s[-1]: dE/dx[0] = W_x G'(s[0]), dE/ds[-1] = W_r G'(s[0]) G'(s[-1]) + W_s G'(s[0]).
    p = RNNParams(W_r=[[0.5]], W_x=[[2.0]], theta_s=[0.1], W_s=[[0.3]])
    tr = rnn_forward(p, [[0.4]], s0=[-0.7])
    grads, dE_dx, (dE_ds0,) = p.backward(tr, [[1.0]], return_inputs=True)
    s0 = 0.3 * -0.7 + 0.5 * np.tanh(-0.7) + 2.0 * 0.4 + 0.1
    dG0 = 1 - np.tanh(s0) ** 2
    np.testing.assert_allclose(dE_dx, [[2.0 * dG0]], rtol=1e-14)
    np.testing.assert_allclose(dE_ds0, [0.5 * dG0 * (1 - np.tanh(-0.7) ** 2) + 0.3 * dG0], rtol=1e-14)
    assert isinstance(grads, RNNParams)


@pytest.mark.parametrize("B", [None, 3])
@pytest.mark.parametrize("canonical", [False, True])
def test_border_gradients_match_finite_differences(rng, B, canonical):
    from lrnn.gradcheck import check_cell

    p, x, s0, _ = _case(rng, 5, B, 2, 3, canonical)
    report = check_cell(rng, p, x, (s0,))
    assert set(report.errors) >= {"x", "state[0]"}
    assert report.max_error < 1e-6, str(report)


def test_return_inputs_default_and_shapes(rng):
    p, x, s0, target = _case(rng, 4, 2, 3, 5, False)
    tr = rnn_forward(p, x, s0)
    assert isinstance(p.backward(tr, tr.r - target), RNNParams)  # the default is unchanged
    grads, dE_dx, dE_dstate = p.backward(tr, tr.r - target, return_inputs=True)
    np.testing.assert_array_equal(grads.W_r, p.backward(tr, tr.r - target).W_r)
    assert dE_dx.shape == x.shape and isinstance(dE_dstate, tuple) and dE_dstate[0].shape == s0.shape


@pytest.mark.parametrize("bad", [1, "yes", None, np.array([True])])
def test_return_inputs_must_be_a_bool(rng, bad):
    p, x, s0, target = _case(rng, 2, None, 1, 2, False)
    tr = rnn_forward(p, x, s0)
    with pytest.raises(TypeError, match="return_inputs has type .*expected a bool.*RNNParams.backward"):
        p.backward(tr, tr.r - target, return_inputs=bad)


def test_border_gradients_reject_a_psi_of_another_shape(rng):
    from lrnn.rnn_bptt import rnn_border_gradients

    p, x, s0, _ = _case(rng, 3, None, 1, 2, False)
    with pytest.raises(ValueError, match="psi has shape"):
        rnn_border_gradients(p, rnn_forward(p, x, s0), np.zeros((2, 2)))


def test_rnn_backward_return_inputs_adds_the_border_gradients(rng):
    p, x, s0, target = _case(rng, 4, 2, 3, 5, True)
    tr = rnn_forward(p, x, s0)
    grads, psi, dE_dx, (dE_ds0,) = rnn_backward(p, tr, tr.r - target, return_inputs=True)
    _, want_dx, (want_ds0,) = p.backward(tr, tr.r - target, return_inputs=True)
    np.testing.assert_array_equal(dE_dx, want_dx)
    np.testing.assert_array_equal(dE_ds0, want_ds0)
    np.testing.assert_array_equal(psi, rnn_backward(p, tr, tr.r - target)[1])
    with pytest.raises(TypeError, match="return_inputs has type int"):
        rnn_backward(p, tr, tr.r - target, return_inputs=0)
