import warnings

import numpy as np
import pytest

from lrnn.activations import G_c, G_d, dG_c, dG_d

EXTREME = np.array([-1e308, -1e4, -745.0, -710.0, -40.0, -1.0, 0.0, 1e-300, 1.0, 40.0, 710.0, 1e4, 1e308])


def test_hand_values():
    assert G_c(0.0) == 0.5 and dG_c(0.0) == 0.25
    assert G_d(0.0) == 0.0 and dG_d(0.0) == 1.0
    np.testing.assert_allclose(G_c(np.log(3.0)), 0.75)
    np.testing.assert_allclose(G_d(np.log(2.0)), 0.6)  # (2 - 1/2) / (2 + 1/2)


def test_identities_eqs_110_111_122(rng):
    z = rng.normal(scale=5, size=1000)
    np.testing.assert_allclose(G_c(z), (1 + np.tanh(z / 2)) / 2, atol=1e-15)  # Eq. 110
    np.testing.assert_allclose(G_c(z), (1 + G_d(z / 2)) / 2, atol=1e-15)  # Eq. 111
    np.testing.assert_allclose(G_d(z), 2 * G_c(2 * z) - 1, atol=1e-14)  # Eq. 122


def test_derivatives_eqs_137_138(rng):
    z = rng.normal(scale=3, size=200)
    np.testing.assert_allclose(dG_c(z), G_c(z) * (1 - G_c(z)), rtol=1e-12, atol=1e-300)  # Eq. 137
    np.testing.assert_allclose(dG_d(z), 1 - G_d(z) ** 2, rtol=1e-9, atol=1e-15)  # Eq. 138
    h = 1e-6
    np.testing.assert_allclose(dG_c(z), (G_c(z + h) - G_c(z - h)) / (2 * h), rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(dG_d(z), (G_d(z + h) - G_d(z - h)) / (2 * h), rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("f", [G_c, G_d, dG_c, dG_d])
def test_no_overflow_no_warning_for_any_finite_float(f):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            out = f(EXTREME)
    assert np.all(np.isfinite(out)) and out.shape == EXTREME.shape


def test_saturation_values():
    assert G_c(-1e4) == 0.0 and G_c(1e4) == 1.0
    assert G_d(-1e4) == -1.0 and G_d(1e4) == 1.0
    assert dG_c(800.0) == 0.0 and dG_d(-800.0) == 0.0
    assert dG_c(-30.0) > 0  # exact tail, no cancellation: e^-30 / (1 + e^-30)^2
    np.testing.assert_allclose(dG_c(-30.0), np.exp(-30.0), rtol=1e-12)


@pytest.mark.parametrize("f", [G_c, G_d, dG_c, dG_d])
def test_bad_input(f):
    with pytest.raises(ValueError, match=r"z contains nan at index \(1,\)"):
        f([0.0, np.nan])
    with pytest.raises(ValueError, match="z contains inf"):
        f(np.inf)
    with pytest.raises(TypeError, match="z has dtype <U1, expected real numbers"):
        f(["a"])


@pytest.mark.parametrize("f", [G_c, G_d, dG_c, dG_d])
def test_out_and_unchecked_forms_give_the_same_values(f):
    z = np.linspace(-50.0, 50.0, 201)
    want = f(z)
    buf = np.empty_like(z)
    assert f(z, out=buf, check=False) is buf
    np.testing.assert_array_equal(buf, want)
    inplace = z.copy()
    np.testing.assert_array_equal(f(inplace, out=inplace), want)  # out may be z itself


def test_G_c_is_exact_to_one_ulp_of_one():
    mpmath = pytest.importorskip("mpmath")
    z = np.concatenate([np.linspace(-50, 50, 4001), [-1.7e308, 1.7e308, -5e-324, 0.0, 5e-324, -745.0, 745.0]])
    exact = np.array([float(1 / (1 + mpmath.exp(-mpmath.mpf(t)))) for t in z])  # 15 digits, then rounded
    np.testing.assert_allclose(G_c(z), exact, rtol=0, atol=2.3e-16)
    assert np.all((G_c(z) >= 0) & (G_c(z) <= 1)) and G_c(40.0) == 1.0  # an open gate is exactly open
