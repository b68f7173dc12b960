import numpy as np
import pytest

from lrnn.activations import G_d
from lrnn.rnn import RNNParams, rnn_forward


def test_hand_computed_two_steps_standard():
    p = RNNParams(W_r=[[0.5]], W_x=[[2.0]], theta_s=[0.1])
    tr = rnn_forward(p, [[1.0], [-1.0]])
    s0 = 2.0 + 0.1  # r[-1] = G(0) = 0
    s1 = 0.5 * np.tanh(s0) - 2.0 + 0.1
    np.testing.assert_allclose(tr.s[:, 0], [s0, s1])
    np.testing.assert_allclose(tr.r, np.tanh(tr.s))


def test_hand_computed_canonical_with_initial_state():
    # Eq. 30 written out entry by entry, with non-symmetric 2x2 W_s and W_r: a transposed matrix fails.
    W_s, W_r = [[0.5, 0.2], [-0.1, 0.3]], [[0.4, -0.3], [0.1, 0.2]]
    p = RNNParams(W_r=W_r, W_x=[[1.0], [-2.0]], theta_s=[0.1, 0.0], W_s=W_s)
    tr = rnn_forward(p, [[0.5], [-1.0]], s0=[1.0, -2.0])
    a, b = np.tanh(1.0), np.tanh(-2.0)  # r[-1] = G(s[-1])
    s0 = [0.5 * 1.0 + 0.2 * -2.0 + 0.4 * a - 0.3 * b + 1.0 * 0.5 + 0.1,
          -0.1 * 1.0 + 0.3 * -2.0 + 0.1 * a + 0.2 * b - 2.0 * 0.5]  # fmt: skip
    c, d = np.tanh(s0[0]), np.tanh(s0[1])
    s1 = [0.5 * s0[0] + 0.2 * s0[1] + 0.4 * c - 0.3 * d + 1.0 * -1.0 + 0.1,
          -0.1 * s0[0] + 0.3 * s0[1] + 0.1 * c + 0.2 * d - 2.0 * -1.0]  # fmt: skip
    np.testing.assert_allclose(tr.s, [s0, s1], rtol=1e-14)
    for swapped in (dict(W_s=np.transpose(W_s)), dict(W_r=np.transpose(W_r))):  # the test can fail
        q = RNNParams(**{**p.arrays(), **swapped})
        assert not np.allclose(rnn_forward(q, [[0.5], [-1.0]], s0=[1.0, -2.0]).s, [s0, s1])


def test_shapes_single_batched_and_n1(rng):
    p = RNNParams.init(rng, d_x=3, d_s=5)
    for x in (rng.normal(size=(1, 3)), rng.normal(size=(7, 3)), rng.normal(size=(7, 4, 3))):
        tr = rnn_forward(p, x)
        assert tr.s.shape == tr.r.shape == x.shape[:-1] + (5,)
        assert tr.s0.shape == x.shape[1:-1] + (5,)


def test_batch_equals_loop_over_sequences(rng):
    p = RNNParams.init(rng, d_x=2, d_s=4, canonical=True)
    x = rng.normal(size=(6, 3, 2))
    s0 = rng.normal(size=(3, 4))
    tr = rnn_forward(p, x, s0=s0)
    for b in range(3):
        np.testing.assert_allclose(tr.s[:, b], rnn_forward(p, x[:, b], s0=s0[b]).s, rtol=1e-14)


def test_standard_is_canonical_with_zero_W_s(rng):
    p = RNNParams.init(rng, d_x=2, d_s=3)
    q = RNNParams(p.W_r, p.W_x, p.theta_s, W_s=np.zeros((3, 3)))
    x = rng.normal(size=(5, 2))
    np.testing.assert_array_equal(rnn_forward(p, x).s, rnn_forward(q, x).s)
    assert not p.canonical and q.canonical


def test_params_errors():
    with pytest.raises(ValueError, match=r"W_r has shape \(2, 3\), expected \(d_s, d_s\)"):
        RNNParams(W_r=np.zeros((2, 3)), W_x=np.zeros((2, 1)), theta_s=np.zeros(2))
    with pytest.raises(ValueError, match=r"W_x has shape \(3, 1\), expected \(d_s, d_x\) = \(2, \?\) from W_r"):
        RNNParams(W_r=np.zeros((2, 2)), W_x=np.zeros((3, 1)), theta_s=np.zeros(2))
    with pytest.raises(ValueError, match=r"theta_s has shape \(3,\)"):
        RNNParams(W_r=np.zeros((2, 2)), W_x=np.zeros((2, 1)), theta_s=np.zeros(3))
    with pytest.raises(ValueError, match="W_s contains nan"):
        RNNParams(W_r=np.zeros((2, 2)), W_x=np.zeros((2, 1)), theta_s=np.zeros(2), W_s=np.full((2, 2), np.nan))
    with pytest.raises(TypeError, match="rng has type int"):
        RNNParams.init(0, 1, 1)


def test_forward_errors(rng):
    p = RNNParams.init(rng, d_x=3, d_s=2)
    with pytest.raises(ValueError, match=r"x has shape \(4,\), expected \(N, d_x\) = \(N, 3\)"):
        rnn_forward(p, np.zeros(4))
    with pytest.raises(ValueError, match=r"x has shape \(5, 2\), expected .* from W_x of shape \(2, 3\)"):
        rnn_forward(p, np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"x contains inf at index \(1, 0\)"):
        rnn_forward(p, np.array([[0.0, 0, 0], [np.inf, 0, 0]]))
    with pytest.raises(ValueError, match=r"s0 has shape \(3,\), expected \(d_s,\) = \(2,\)"):
        rnn_forward(p, np.zeros((5, 3)), s0=np.zeros(3))
    with pytest.raises(TypeError, match="params has type dict, expected RNNParams"):
        rnn_forward({}, np.zeros((5, 3)))


def test_saturating_inputs_stay_finite_and_silent(rng):
    p = RNNParams.init(rng, d_x=2, d_s=3, scale=50.0)
    tr = rnn_forward(p, 1e150 * rng.normal(size=(4, 2)))
    assert np.all(np.isfinite(tr.s)) and np.all(np.abs(tr.r) <= 1)
    np.testing.assert_array_equal(tr.r, G_d(tr.s))


# The cell interface (zeros, init, sizes, forward/backward, output, last_state) -------------------


@pytest.mark.parametrize("canonical", [False, True])
def test_zeros_and_sizes(canonical):
    p = RNNParams.zeros(d_x=3, d_s=5, canonical=canonical)
    assert (p.d_x, p.d_s, p.d_out, p.canonical) == (3, 5, 5, canonical)
    assert p.n_params == 25 + 15 + 5 + (25 if canonical else 0)
    assert all(not np.any(a) for a in (p.W_r, p.W_x, p.theta_s))


def test_init_gaussian_draws_what_the_chapters_were_written_with():
    # The draw order (W_s, W_r, W_x, theta_s) is part of the contract: seeded chapters keep their numbers.
    rng, ref = np.random.default_rng(7), np.random.default_rng(7)
    p = RNNParams.init(rng, d_x=2, d_s=3, scale=1.5, canonical=True)
    W_s = 0.3 * ref.standard_normal((3, 3)) / np.sqrt(3)
    W_r = 1.5 * ref.standard_normal((3, 3)) / np.sqrt(3)
    W_x = ref.standard_normal((3, 2)) / np.sqrt(2)
    theta_s = 0.1 * ref.standard_normal(3)
    for a, b in ((p.W_s, W_s), (p.W_r, W_r), (p.W_x, W_x), (p.theta_s, theta_s)):
        np.testing.assert_array_equal(a, b)


def test_init_gaussian_spectral_radius_is_about_scale():
    # Circular law: the eigenvalues of N(0, scale^2/d) matrices fill the disc of radius scale.
    radii = [
        np.max(np.abs(np.linalg.eigvals(RNNParams.init(np.random.default_rng(k), 1, 400, scale=0.8).W_r)))
        for k in range(3)
    ]
    np.testing.assert_allclose(radii, 0.8, rtol=0.1)  # finite d_s: the edge of the disc fluctuates by a few %


@pytest.mark.parametrize("d_s", [1, 4, 33])
def test_init_orthogonal_has_every_singular_value_equal_to_scale(rng, d_s):
    p = RNNParams.init(rng, d_x=2, d_s=d_s, recurrent="orthogonal", scale=1.1)
    np.testing.assert_allclose(np.linalg.svd(p.W_r, compute_uv=False), 1.1, rtol=1e-12)
    np.testing.assert_allclose(np.abs(np.linalg.eigvals(p.W_r)), 1.1, rtol=1e-9)
    assert not np.any(p.theta_s)


def test_init_orthogonal_is_haar_not_biased_to_positive_diagonal():
    # Without the sign correction, Q from QR of a Gaussian has a biased diagonal (Mezzadri 2007).
    diag = np.concatenate(
        [np.diag(RNNParams.init(np.random.default_rng(k), 1, 3, recurrent="orthogonal").W_r) for k in range(400)]
    )
    assert abs(diag.mean()) < 0.05


def test_init_identity_is_the_irnn(rng):
    p = RNNParams.init(rng, d_x=3, d_s=4, recurrent="identity", scale=0.5, canonical=True)
    np.testing.assert_array_equal(p.W_r, 0.5 * np.eye(4))
    assert p.W_s.shape == (4, 4) and not np.any(p.theta_s) and p.W_x.shape == (4, 3)


def test_init_errors():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"recurrent = 'xavier', expected one of 'gaussian', 'orthogonal', 'identity'"):
        RNNParams.init(rng, 1, 2, recurrent="xavier")
    with pytest.raises(ValueError, match=r"scale = -1.0, expected a finite number >= 0"):
        RNNParams.init(rng, 1, 2, scale=-1.0)
    with pytest.raises(ValueError, match=r"scale = inf"):
        RNNParams.init(rng, 1, 2, scale=np.inf)
    with pytest.raises(TypeError, match=r"scale has type str"):
        RNNParams.init(rng, 1, 2, scale="1")
    with pytest.raises(ValueError, match=r"d_s = 0, expected a positive integer size"):
        RNNParams.init(rng, 1, 0)
    with pytest.raises(ValueError, match=r"d_x = 2.5, expected a positive integer size"):
        RNNParams.zeros(2.5, 3)


@pytest.mark.parametrize("canonical", [False, True])
@pytest.mark.parametrize("shape", [(9, 2), (9, 3, 2)])
def test_forward_in_chunks_equals_forward_in_one_piece(rng, canonical, shape):
    # Carrying last_state = (s[N-1],) across chunks reproduces the full run bit for bit: r[-1] = G(s[-1]).
    p = RNNParams.init(rng, d_x=2, d_s=4, scale=1.5, canonical=canonical)
    x = rng.normal(size=shape)
    full = p.forward(x)
    state, outputs = None, []
    for a, b in ((0, 1), (1, 5), (5, 9)):
        tr = p.forward(x[a:b], state)
        outputs.append(tr.output)
        state = tr.last_state
    np.testing.assert_array_equal(np.concatenate(outputs), full.output)
    np.testing.assert_array_equal(state[0], full.s[-1])
    np.testing.assert_array_equal(full.output, full.r)


def test_forward_backward_are_the_module_functions(rng):
    from lrnn.rnn_bptt import rnn_backward

    p = RNNParams.init(rng, d_x=2, d_s=3, canonical=True)
    x, s0 = rng.normal(size=(5, 4, 2)), rng.normal(size=(4, 3))
    tr = p.forward(x, (s0,))
    ref = rnn_forward(p, x, s0=s0)
    np.testing.assert_array_equal(tr.s, ref.s)
    g = rng.normal(size=tr.output.shape)
    grads = p.backward(tr, g)
    ref_grads, _ = rnn_backward(p, tr, g)
    for name in ("W_r", "W_x", "theta_s", "W_s"):
        np.testing.assert_array_equal(getattr(grads, name), getattr(ref_grads, name))


def test_interface_errors(rng):
    p = RNNParams.init(rng, d_x=2, d_s=3)
    with pytest.raises(TypeError, match=r"state has type ndarray, expected None or a 1-tuple \(s\[-1\],\)"):
        p.forward(np.zeros((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"s0 has shape \(2,\), expected \(d_s,\) = \(3,\)"):
        p.forward(np.zeros((4, 2)), (np.zeros(2),))
