"""lrnn.scan: the associative scan equals the loop, its backward pass equals finite differences."""

import numpy as np
import pytest

from lrnn.gradcheck import numerical_gradient
from lrnn.scan import linear_scan, linear_scan_backward, linear_scan_loop, scan_combine, scan_method


def _random(rng, shape, complex_):
    a = rng.uniform(-1.0, 1.0, shape)
    b = rng.standard_normal(shape)
    if complex_:
        a = a * np.exp(1j * rng.uniform(0, 2 * np.pi, shape))
        b = b + 1j * rng.standard_normal(shape)
    return a, b


def _rel(x, ref):
    return np.max(np.abs(x - ref)) / np.max(np.abs(ref))


@pytest.mark.parametrize("complex_", [False, True])
@pytest.mark.parametrize("N", [1, 2, 3, 5, 8, 9, 100, 1023, 1024, 1025, 100_000])
def test_scan_equals_the_loop_to_1e_12(N, complex_):
    rng = np.random.default_rng(N)
    shape = (N, 3, 2) if N < 100_000 else (N, 2)  # batched, with a state vector
    a, b = _random(rng, shape, complex_)
    h0 = rng.standard_normal(shape[1:]) + (1j * rng.standard_normal(shape[1:]) if complex_ else 0.0)
    for start in (None, h0):
        ref = linear_scan_loop(a, b, start)
        h = linear_scan(a, b, start)
        assert h.dtype == ref.dtype == (np.complex128 if complex_ else np.float64)
        assert _rel(h, ref) < 1e-12


def test_coefficients_broadcast_and_near_unit_modulus():
    rng = np.random.default_rng(0)
    lam = 0.999 * np.exp(1j * rng.uniform(0, 0.3, 4))  # an LRU's diagonal, the same at every step
    b = rng.standard_normal((5000, 2, 4)) + 0j
    assert _rel(linear_scan(lam, b), linear_scan_loop(np.broadcast_to(lam, b.shape), b)) < 1e-12


def test_hand_computed_and_combine_is_associative():
    np.testing.assert_allclose(linear_scan([2.0, 3.0, 0.5], [1.0, 1.0, 1.0], h0=1.0), [3.0, 10.0, 6.0])
    rng = np.random.default_rng(1)
    p, q, r = [tuple(rng.standard_normal(2)) for _ in range(3)]
    left = scan_combine(scan_combine(p, q), r)
    right = scan_combine(p, scan_combine(q, r))
    np.testing.assert_allclose(left, right, rtol=1e-14)


def test_tiny_coefficient_products_are_flushed_not_wrong():
    a = np.full(4096, 0.5)  # 0.5 ** 4096 underflows
    b = np.ones(4096)
    np.testing.assert_allclose(linear_scan(a, b), linear_scan_loop(a, b), rtol=1e-13)


@pytest.mark.parametrize("complex_", [False, True])
def test_backward_matches_finite_differences(complex_):
    rng = np.random.default_rng(2)
    a, b = _random(rng, (7, 2), complex_)
    h0 = rng.standard_normal(2)
    w = rng.standard_normal((7, 2))
    loss = lambda h: float(np.sum(w * h.real) + (np.sum(w[::-1] * h.imag) if complex_ else 0.0))  # noqa: E731
    dE_dh = w + (1j * w[::-1] if complex_ else 0.0)
    h = linear_scan(a, b, h0)
    for method in ("scan", "loop"):
        da, db, dh0 = linear_scan_backward(a, h, dE_dh, h0, method=method)
        num = lambda f, x: numerical_gradient(f, x)  # noqa: E731
        np.testing.assert_allclose(
            db.real,
            num(lambda v: loss(linear_scan(a, v + b.imag * 1j if complex_ else v, h0)), b.real),
            rtol=1e-6,
            atol=1e-9,
        )
        np.testing.assert_allclose(
            da.real,
            num(lambda v: loss(linear_scan(v + (a.imag * 1j if complex_ else 0), b, h0)), a.real),
            rtol=1e-6,
            atol=1e-9,
        )
        if complex_:
            np.testing.assert_allclose(
                da.imag, num(lambda v: loss(linear_scan(a.real + 1j * v, b, h0)), a.imag), rtol=1e-6, atol=1e-9
            )
            np.testing.assert_allclose(
                db.imag, num(lambda v: loss(linear_scan(a, b.real + 1j * v, h0)), b.imag), rtol=1e-6, atol=1e-9
            )
        np.testing.assert_allclose(dh0.real, num(lambda v: loss(linear_scan(a, b, v)), h0), rtol=1e-6, atol=1e-9)


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="b has shape \\(0,\\)"):
        linear_scan([], [])
    with pytest.raises(ValueError, match="a has shape \\(3,\\), which does not broadcast"):
        linear_scan(np.ones(3), np.ones((5, 2)))
    with pytest.raises(ValueError, match="h0 has shape \\(3,\\), expected one step of b, \\(2,\\)"):
        linear_scan(np.ones(2), np.ones((5, 2)), h0=np.ones(3))
    with pytest.raises(ValueError, match="b contains nan"):
        linear_scan(np.ones(2), [1.0, np.nan])
    with pytest.raises(TypeError, match="a has dtype <U1"):
        linear_scan(["x"], [1.0])
    with pytest.raises(ValueError, match="method = 'fft'"):
        scan_method("fft")
