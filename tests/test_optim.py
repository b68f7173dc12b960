"""Tests for lrnn.optim: parameter trees, global-norm clipping, SGD, RMSProp and Adam."""

import numpy as np
import pytest

from lrnn.losses import Readout
from lrnn.optim import SGD, Adam, RMSProp, clip_by_global_norm, global_norm, tree_leaves, tree_map
from lrnn.rnn import RNNParams

C = np.array([[0.01, 1.0, 100.0]])  # curvatures from 0.01 to 100: a badly scaled bowl


def quadratic(p):
    """E = sum_i c_i (w_i - 1)^2 + (b - 2)^2 and its gradient."""
    E = float(np.sum(C * (p.W_y - 1.0) ** 2) + np.sum((p.b_y - 2.0) ** 2))
    return E, Readout(W_y=2 * C * (p.W_y - 1.0), b_y=2 * (p.b_y - 2.0))


def start():
    return Readout(W_y=np.zeros((1, 3)), b_y=np.zeros(1))


def run(opt, steps, p=None):
    p = start() if p is None else p
    state = opt.init_state(p)
    for _ in range(steps):
        p, state = opt.step(p, quadratic(p)[1], state)
    return p, state


# Hand-computed first steps on the quadratic: g = 2 c (0 - 1) = -2c at w = 0, and -4 for b --------


def test_sgd_first_steps_by_hand():
    p, _ = run(SGD(lr=0.1), 1)
    np.testing.assert_allclose(p.W_y, [[0.002, 0.2, 20.0]])  # w - lr g = 0.2 c
    p, _ = run(SGD(lr=0.1, momentum=0.9), 2)
    # step 1: b = g0 = -2c, w1 = 0.2c; step 2: g1 = 2c (0.2c - 1), b = 0.9 b + g1, w2 = w1 - 0.1 b
    c = C[0]
    g0, w1 = -2 * c, 0.2 * c
    b = 0.9 * g0 + 2 * c * (w1 - 1)
    np.testing.assert_allclose(p.W_y[0], w1 - 0.1 * b, rtol=1e-14)


def test_rmsprop_first_step_by_hand():
    # n = (1 - rho) g^2, theta = -lr g / (sqrt(n) + eps) = lr / sqrt(1 - rho) (up to eps) for g < 0
    p, state = run(RMSProp(lr=0.01, rho=0.9, eps=0.0), 1)
    np.testing.assert_allclose(p.W_y, 0.01 / np.sqrt(0.1), rtol=1e-14)
    np.testing.assert_allclose(state.n[0], 0.1 * (2 * C) ** 2, rtol=1e-14)
    # centred: n - m^2 = (1 - rho) g^2 - (1 - rho)^2 g^2 = rho (1 - rho) g^2
    p, _ = run(RMSProp(lr=0.01, rho=0.9, eps=0.0, centered=True), 1)
    np.testing.assert_allclose(p.W_y, 0.01 / np.sqrt(0.09), rtol=1e-14)


def test_adam_first_step_moves_every_entry_by_lr():
    # Bias correction makes the first step -lr g / (|g| + eps) = lr sign(-g), whatever the gradient's scale.
    p = start()
    q, state = Adam(lr=0.1).step(p, quadratic(p)[1], Adam(lr=0.1).init_state(p))
    np.testing.assert_allclose(q.W_y, 0.1, rtol=1e-6)
    np.testing.assert_allclose(q.b_y, 0.1, rtol=1e-6)
    assert state.t == 1 and np.all(p.W_y == 0.0)  # the argument is untouched


# The equations, step by step, against a scalar transcription of the module docstring ------------


def reference_rmsprop(g_of, w, lr, rho, eps, mu, centered, steps):
    n = m = b = 0.0
    for _ in range(steps):
        g = g_of(w)
        n = rho * n + (1 - rho) * g * g
        if centered:
            m = rho * m + (1 - rho) * g
        d = np.sqrt(n - m * m) + eps
        b = mu * b + g / d
        w = w - lr * b
    return w


def reference_adam(g_of, w, lr, b1, b2, eps, steps):
    m = v = 0.0
    for t in range(1, steps + 1):
        g = g_of(w)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return w


@pytest.mark.parametrize("steps", [1, 2, 7])
@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("mu", [0.0, 0.5])
def test_rmsprop_equations_step_by_step(steps, centered, mu):
    p, _ = run(RMSProp(lr=0.03, rho=0.8, eps=1e-3, momentum=mu, centered=centered), steps)
    for i, c in enumerate(C[0]):
        ref = reference_rmsprop(lambda w, c=c: 2 * c * (w - 1), 0.0, 0.03, 0.8, 1e-3, mu, centered, steps)
        assert p.W_y[0, i] == pytest.approx(ref, rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("steps", [1, 2, 7])
def test_adam_equations_step_by_step(steps):
    p, _ = run(Adam(lr=0.03, beta1=0.8, beta2=0.9, eps=1e-3), steps)
    for i, c in enumerate(C[0]):
        ref = reference_adam(lambda w, c=c: 2 * c * (w - 1), 0.0, 0.03, 0.8, 0.9, 1e-3, steps)
        assert p.W_y[0, i] == pytest.approx(ref, rel=1e-13)


@pytest.mark.parametrize(
    "opt,steps",
    [(SGD(lr=0.004, momentum=0.9), 3000), (RMSProp(lr=0.01), 2000), (Adam(lr=0.05), 1500)],
    ids=["sgd-momentum", "rmsprop", "adam"],
)
def test_optimisers_minimise_a_badly_scaled_quadratic(opt, steps):
    p, _ = run(opt, steps)
    np.testing.assert_allclose(p.W_y[0, 1:], 1.0, atol=2e-2)  # the flat direction (c = 0.01) may lag
    np.testing.assert_allclose(p.b_y, 2.0, atol=2e-2)
    assert quadratic(p)[0] < 1e-2 * quadratic(start())[0]


def test_state_and_arguments_are_never_written(rng):
    p = (RNNParams.init(rng, 2, 3, canonical=True), Readout(W_y=rng.normal(size=(1, 3)), b_y=np.zeros(1)))
    g = tree_map(lambda a: rng.normal(size=a.shape), p)
    before = [a.copy() for a in tree_leaves(p) + tree_leaves(g)]
    for opt in (SGD(momentum=0.9), RMSProp(momentum=0.9, centered=True), Adam()):
        s0 = opt.init_state(p)
        q, s1 = opt.step(p, g, s0)
        q2, _ = opt.step(p, g, s0)  # the same call again: a pure function gives the same answer
        for a, b in zip(tree_leaves(q), tree_leaves(q2), strict=True):
            np.testing.assert_array_equal(a, b)
        assert s1.t == 1 and s0.t == 0 and type(q[0]) is RNNParams
    for a, b in zip(before, tree_leaves(p) + tree_leaves(g), strict=True):
        np.testing.assert_array_equal(a, b)


def test_torch_parity():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    w0 = rng.normal(size=(3, 4))
    grads = [rng.normal(size=(3, 4)) for _ in range(5)]
    cases = [
        (SGD(lr=0.1, momentum=0.9), lambda w: torch.optim.SGD([w], lr=0.1, momentum=0.9)),
        (RMSProp(lr=0.01, rho=0.9), lambda w: torch.optim.RMSprop([w], lr=0.01, alpha=0.9, eps=1e-8)),
        (
            RMSProp(lr=0.01, rho=0.95, eps=1e-4, momentum=0.9, centered=True),
            lambda w: torch.optim.RMSprop([w], lr=0.01, alpha=0.95, eps=1e-4, momentum=0.9, centered=True),
        ),
        (Adam(lr=0.01, beta1=0.8), lambda w: torch.optim.Adam([w], lr=0.01, betas=(0.8, 0.999), eps=1e-8)),
    ]
    for ours, make in cases:
        w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
        topt = make(w)
        p = Readout(W_y=w0, b_y=np.zeros(3))
        state = ours.init_state(p)
        for g in grads:
            w.grad = torch.tensor(g)
            topt.step()
            p, state = ours.step(p, Readout(W_y=g, b_y=np.zeros(3)), state)
            np.testing.assert_allclose(p.W_y, w.detach().numpy(), rtol=1e-12, atol=1e-14)


# Clipping -----------------------------------------------------------------------------------------


def test_global_norm_and_clipping():
    g = (Readout(W_y=[[3.0]], b_y=[0.0]), Readout(W_y=[[0.0]], b_y=[4.0]))
    assert global_norm(g) == 5.0
    clipped, norm = clip_by_global_norm(g, 2.5)
    assert norm == 5.0 and global_norm(clipped) == pytest.approx(2.5)
    np.testing.assert_allclose(clipped[0].W_y, [[1.5]])  # the direction is kept
    np.testing.assert_allclose(clipped[1].b_y, [2.0])
    assert clip_by_global_norm(g, 10.0)[0] is g  # below the threshold: untouched
    assert clip_by_global_norm(g, 5.0)[0] is g  # at the threshold: untouched


def test_clipping_skips_absent_fields(rng):
    g = RNNParams.init(rng, 2, 3)  # W_s is None: not a parameter
    assert g.W_s is None and len(tree_leaves(g)) == 3
    clipped, _ = clip_by_global_norm(g, 1e-3)
    assert clipped.W_s is None and global_norm(clipped) == pytest.approx(1e-3)


def test_errors():
    g = Readout(W_y=[[3.0]], b_y=[4.0])
    for bad in (0, -1.0, True, "1"):
        with pytest.raises(ValueError, match=r"max_norm = .*, expected a positive number"):
            clip_by_global_norm(g, bad)
    with pytest.raises(ValueError, match=r"max_norm = inf, expected a finite number; pass clip_norm=None"):
        clip_by_global_norm(g, np.inf)
    with pytest.raises(TypeError, match=r"expected a parameter dataclass .* got ndarray"):
        global_norm([np.zeros(3)])
    with pytest.raises(ValueError, match=r"the trees have \[2, 3\] arrays"):
        tree_map(np.add, g, RNNParams.zeros(1, 1))
    with pytest.raises(ValueError, match=r"lr = 0, expected a number in \(0.0, inf\)"):
        Adam(lr=0)
    with pytest.raises(ValueError, match=r"beta2 = 1.0, expected a number in \[0.0, 1.0\)"):
        Adam(beta2=1.0)
    with pytest.raises(ValueError, match=r"rho = -0.1, expected a number in \[0.0, 1.0\)"):
        RMSProp(rho=-0.1)
    with pytest.raises(ValueError, match=r"momentum = nan"):
        SGD(momentum=float("nan"))
