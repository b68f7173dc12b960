import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

from lrnn.rnn import RNNParams, rnn_forward
from lrnn.rnn_bptt import rnn_backward
from lrnn.symbolic.bptt import erratum_p1_difference, gradient_by_bptt, gradient_by_diff, matrix_rnn, scalar_rnn


@pytest.mark.parametrize("loss", ["quadratic", "generic"])
def test_scalar_bptt_equals_diff_of_unrolled_expression(loss):
    net = scalar_rnn(3, loss)
    by_diff, (by_bptt, psi) = gradient_by_diff(net), gradient_by_bptt(net)
    assert len(psi) == 3
    for name in ("W_r", "W_x", "theta_s"):
        assert sp.expand(by_diff[name] - by_bptt[name]) == 0, name
    assert by_diff["W_r"].has(sp.Symbol("x2", real=True))  # the whole unrolled chain is in there


def test_scalar_printed_eq82_is_the_same():
    net = scalar_rnn(3)
    printed, _ = gradient_by_bptt(net, printed=True)
    assert sp.expand(printed["W_r"] - gradient_by_bptt(net)[0]["W_r"]) == 0  # W_r^T = W_r for a scalar


def test_scalar_symbolic_gradient_matches_numpy():
    net = scalar_rnn(3)
    values = dict(
        zip(sp.symbols("w_r w_x theta x0:3 y0:3", real=True), [0.7, -1.2, 0.3, 0.5, -1.0, 2.0, 0.1, 0.2, -0.3])
    )
    p = RNNParams(W_r=[[0.7]], W_x=[[-1.2]], theta_s=[0.3])
    tr = rnn_forward(p, [[0.5], [-1.0], [2.0]])
    grads, _ = rnn_backward(p, tr, tr.r - [[0.1], [0.2], [-0.3]])  # E_n = (r[n] - y_n)^2 / 2
    g = gradient_by_diff(net)
    for name in ("W_r", "W_x", "theta_s"):
        assert float(g[name].subs(values)) == pytest.approx(float(getattr(grads, name).ravel()[0]), rel=1e-12)


def test_matrix_printed_eq82_differs_from_the_true_gradient():
    net = matrix_rnn(2)
    true = gradient_by_diff(net)
    right, psi = gradient_by_bptt(net)
    printed, psi_printed = gradient_by_bptt(net, printed=True)
    for name in ("W_r", "W_x", "theta_s"):
        assert sp.expand(true[name] - right[name]) == sp.zeros(*true[name].shape), name
    assert sp.expand(true["theta_s"] - printed["theta_s"]) != sp.zeros(2, 1)
    G0 = net.r[0].applyfunc(lambda v: 1 - v**2)
    expected = ((net.W_r - net.W_r.T) * psi[1]).multiply_elementwise(G0)  # (W_r - W_r^T) psi[1] * G'(s[0])
    assert sp.expand(psi_printed[0] - psi[0] - expected) == sp.zeros(2, 1)


def test_erratum_difference_vanishes_iff_W_r_symmetric():
    diff = erratum_p1_difference()
    w12, w21 = sp.symbols("w12 w21", real=True)
    assert diff.subs(w21, w12) == sp.zeros(2, 1)
    # Only if: the difference is (w12 - w21) times c1_2 and two tanh'
    # factors, none of which vanishes at a generic point.  Symbols are
    # sorted so that the draw does not depend on the set's hash order.
    cofactor = sp.cancel(diff[0] / (w12 - w21))
    assert w12 - w21 not in sp.factor(cofactor).args
    symbols = sorted(diff.free_symbols, key=sp.default_sort_key)
    for seed in range(5):
        rng = np.random.default_rng(seed)
        values = {s: rng.normal() for s in symbols}
        assert abs(float(cofactor.subs(values))) > 1e-9
        if abs(values[w12] - values[w21]) > 1e-6:
            assert float(diff[0].subs(values)) != 0.0


def test_matrix_printed_psi_matches_numpy_erratum_option():
    net = matrix_rnn(2)
    rng = np.random.default_rng(1)
    W_r, W_x, theta, x, c = (
        rng.normal(size=(2, 2)),
        rng.normal(size=(2, 1)),
        rng.normal(size=2),
        rng.normal(size=(2, 1)),
        rng.normal(size=(2, 2)),
    )
    values = dict(zip(list(net.W_r) + list(net.W_x) + list(net.theta_s), [*W_r.ravel(), *W_x.ravel(), *theta]))
    values |= dict(zip(sp.symbols("x0:2", real=True), x.ravel()))
    values |= dict(zip(sp.symbols("c0_1 c0_2 c1_1 c1_2", real=True), c.ravel()))
    p = RNNParams(W_r=W_r, W_x=W_x, theta_s=theta)
    tr = rnn_forward(p, x)
    for printed in (False, True):
        _, psi_np = rnn_backward(p, tr, c, erratum_p1=printed)
        _, psi_sym = gradient_by_bptt(net, printed=printed)
        got = np.array([[float(v) for v in m.subs(values)] for m in psi_sym])
        np.testing.assert_allclose(got, psi_np, rtol=1e-12)


def test_scalar_rnn_bad_loss():
    with pytest.raises(ValueError, match="loss = 'l1', expected 'quadratic' or 'generic'"):
        scalar_rnn(2, "l1")


def test_import_lrnn_does_not_import_sympy():
    code = "import sys, lrnn; assert 'sympy' not in sys.modules and 'lrnn.symbolic.bptt' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
