"""Tests for lrnn.standardize: Sherstinsky Eqs. 118-120 and footnote 23."""

import numpy as np
import pytest

from lrnn.standardize import Standardizer, fit_standardizer


def test_hand_computed_two_samples():
    st = fit_standardizer([[1.0, -2.0], [3.0, 2.0]])
    np.testing.assert_allclose(st.mu, [2.0, 0.0])  # Eq. 118
    np.testing.assert_allclose(st.V, [[2.0, 4.0], [4.0, 8.0]])  # Eq. 119, 1/(N-1)
    np.testing.assert_allclose(st.transform([[3.0, 2.0]]), [[1 / np.sqrt(2), 2 / np.sqrt(8)]])  # Eq. 120
    assert st.n_samples == 2 and st.d_x == 2


def test_train_set_becomes_zero_mean_unit_variance(rng):
    x = rng.normal(loc=[5.0, -3.0, 0.1], scale=[10.0, 0.01, 1.0], size=(200, 3))
    z = fit_standardizer(x).transform(x)
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(z.var(axis=0, ddof=1), 1.0, rtol=1e-12)


def test_matches_numpy_cov_and_keeps_correlations(rng):
    x = rng.standard_normal((50, 2)) @ np.array([[1.0, 0.8], [0.0, 0.5]])
    st = fit_standardizer(x)
    np.testing.assert_allclose(st.V, np.cov(x, rowvar=False), rtol=1e-12)
    # Eq. 120 scales by the diagonal only: the standardized covariance is the correlation matrix
    np.testing.assert_allclose(np.cov(st.transform(x), rowvar=False), np.corrcoef(x, rowvar=False), rtol=1e-12)


def test_batched_sequences_are_pooled_and_test_data_uses_training_statistics(rng):
    train = rng.normal(2.0, 3.0, size=(20, 4, 2))  # (N, B, d_x)
    st = fit_standardizer(train)
    assert st.n_samples == 80
    np.testing.assert_allclose(st.mu, train.reshape(-1, 2).mean(axis=0))
    test = rng.normal(2.0, 3.0, size=(7, 2)) + 10.0  # a shifted test set stays shifted
    z = st.transform(test)
    assert z.shape == (7, 2) and np.all(z.mean(axis=0) > 2.0)
    np.testing.assert_allclose(st.inverse_transform(z), test, rtol=1e-12)
    assert st.transform(test[0]).shape == (2,)  # one sample works too


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="at least two training samples"):
        fit_standardizer([[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"feature 1 is constant .* drop that feature"):
        fit_standardizer([[1.0, 0.3], [2.0, 0.3], [4.0, 0.3]])
    with pytest.raises(ValueError, match=r"expected \(N, d_x\)"):
        fit_standardizer([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="contains nan"):
        fit_standardizer([[1.0], [np.nan]])
    with pytest.raises(TypeError, match="dtype"):
        fit_standardizer([["a"], ["b"]])
    st = fit_standardizer([[1.0, 2.0], [2.0, 5.0]])
    with pytest.raises(ValueError, match=r"expected \(\.\.\., d_x\) = \(\.\.\., 2\)"):
        st.transform(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="positive variance"):
        Standardizer(mu=np.zeros(2), V=np.zeros((2, 2)), n_samples=5)
    with pytest.raises(ValueError, match=r"V has shape \(3, 3\)"):
        Standardizer(mu=np.zeros(2), V=np.eye(3), n_samples=5)


def test_constant_feature_detected_despite_rounding():
    x = np.full((3, 1), 0.1) * np.array([[1.0], [1.0], [1.0]])
    x[1] = 0.1 + 1e-17  # rounding noise below the relative tolerance
    with pytest.raises(ValueError, match="constant"):
        fit_standardizer(x)
