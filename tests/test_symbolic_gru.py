"""Tests for lrnn.symbolic.gru: the GRU's BPTT (Eqs. G9-G19) equals sympy.diff of the unrolled GRU."""

import numpy as np
import pytest
import sympy as sp

from lrnn.gru import GRUParams, TorchGRUParams, gru_forward
from lrnn.gru_bptt import gru_backward
from lrnn.symbolic.gru import discrepancies, gradient_by_bptt, unrolled_gru


@pytest.mark.parametrize("convention", ["chung", "torch"])
@pytest.mark.parametrize("d", [1, 2])
def test_bptt_equals_differentiating_the_unrolled_gru(d, convention):
    net = unrolled_gru(d, 2, convention)
    D = discrepancies(net)
    assert set(D) == set(net.params) and len(D) == 9 + (convention == "torch")
    assert all(m.is_zero_matrix for m in D.values())


def point(net, rng):
    """Random values for every symbol of ``net``: parameters, inputs, loss weights, initial state."""
    symbols = set(net.s0).union(*net.x, *net.c, *net.params.values())
    return {v: sp.Float(rng.standard_normal()) for v in sorted(symbols, key=str)}


def at(M, values):
    return np.array(M.xreplace(values), dtype=float)


def test_a_missing_transpose_is_caught_only_when_d_is_2():
    rng = np.random.default_rng(4)
    for convention in ("chung", "torch"):
        assert all(m.is_zero_matrix for m in discrepancies(unrolled_gru(1, 2, convention), transposed=False).values())
        net = unrolled_gru(2, 2, convention)
        right = sp.Matrix([sp.diff(net.E, b) for b in net.params["b_u"]])  # route (a), for b_u only
        wrong = gradient_by_bptt(net, transposed=False)[0]["b_u"]
        values = point(net, rng)  # one point where the two differ proves them different functions
        assert np.abs(at(right, values) - at(wrong, values)).max() > 1e-3


@pytest.mark.parametrize("convention", ["chung", "torch"])
def test_symbolic_recursion_matches_lrnn_numerically(convention):
    rng = np.random.default_rng(3)
    net = unrolled_gru(2, 2, convention)
    values = point(net, rng)
    cls = TorchGRUParams if convention == "torch" else GRUParams
    p = cls(**{name: at(M, values).reshape(M.shape if name.startswith("W") else -1) for name, M in net.params.items()})
    x, c = np.stack([at(m, values).ravel() for m in net.x]), np.stack([at(m, values).ravel() for m in net.c])
    grads, psi = gru_backward(p, gru_forward(p, x, at(net.s0, values).ravel()), c)  # E = sum_n c_n . s[n]
    sym, sym_psi = gradient_by_bptt(net)
    for name in net.params:
        np.testing.assert_allclose(
            getattr(grads, name), at(sym[name], values).reshape(getattr(p, name).shape), rtol=1e-12
        )
    np.testing.assert_allclose(psi, np.stack([at(m, values).ravel() for m in sym_psi]), rtol=1e-12)


def test_argument_errors():
    with pytest.raises(ValueError, match=r"expected d in \(1, 2\) and an integer K >= 1"):
        unrolled_gru(3)
    with pytest.raises(ValueError, match="convention = 'keras', expected 'chung' or 'torch'"):
        unrolled_gru(1, 2, "keras")
