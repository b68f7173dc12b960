"""Tests for lrnn.symbolic.lstm: warping identities (Eqs. 109-111, 121-122, 137-138) and erratum P3."""

import numpy as np
import pytest
import sympy as sp

from lrnn import activations
from lrnn.symbolic.lstm import WARPING_IDENTITIES, G_c, G_d, identity_residual, readout_pinhole_gradient, residual, z


@pytest.mark.parametrize("label", sorted(WARPING_IDENTITIES))
def test_every_identity_simplifies_to_zero(label):
    assert identity_residual(label) == 0


@pytest.mark.parametrize("label", sorted(WARPING_IDENTITIES))
def test_identities_hold_numerically(label):
    lhs, rhs, _ = WARPING_IDENTITIES[label]
    f, g = sp.lambdify(z, lhs, "numpy"), sp.lambdify(z, rhs, "numpy")
    zz = np.linspace(-6, 6, 25)
    np.testing.assert_allclose(f(zz), g(zz), rtol=1e-12, atol=1e-14)


def test_symbolic_functions_match_lrnn_activations():
    zz = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(sp.lambdify(z, G_c(z))(zz), activations.G_c(zz), rtol=1e-14)
    np.testing.assert_allclose(sp.lambdify(z, G_d(z))(zz), activations.G_d(zz), rtol=1e-14)
    np.testing.assert_allclose(sp.lambdify(z, sp.diff(G_c(z), z))(zz), activations.dG_c(zz), rtol=1e-12)
    np.testing.assert_allclose(sp.lambdify(z, sp.diff(G_d(z), z))(zz), activations.dG_d(zz), rtol=1e-12)


def test_a_false_identity_leaves_a_residual():
    assert residual(G_d(z), 2 * G_c(z) - 1) != 0  # the tanh(z/2) mix-up
    assert residual(sp.diff(G_c(z), z), G_c(z) * (1 + G_c(z))) != 0


def test_unknown_label():
    with pytest.raises(KeyError, match="is not one of"):
        identity_residual("999")


@pytest.mark.parametrize("d_s", [2, 3])
def test_pinhole_gradient_needs_the_transpose(d_s):
    g = readout_pinhole_gradient(d_s)
    assert (g.derived - g.corrected).expand() == sp.zeros(d_s, 1)
    assert (g.derived - g.printed).expand() != sp.zeros(d_s, 1)
    assert g.derived.shape == (d_s, 1)


def test_pinhole_gradient_size_check():
    with pytest.raises(ValueError, match="expected an integer >= 2"):
        readout_pinhole_gradient(1)
