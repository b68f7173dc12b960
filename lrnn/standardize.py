"""Data set standardization, Sherstinsky (2020) Sec. VI-D, Eqs. 118-120 and footnote 23.

The LSTM's data warping ``G_d = tanh`` saturates at +-1, which the paper lines up with
"one standard deviation of x[n] in each direction": every input feature is shifted to
zero mean and scaled to unit variance *over the training set*, and the same shift and
scale are applied to validation and test data (footnote 23). Recomputing them on the
test set would erase exactly the differences between data sets that a model must see.

Symbols (paper -> code -> shape)::

    x_0[n]          x_train / x     (N, d_x) or (N, B, d_x)   raw input samples
    mu              mu              (d_x,)                    training mean (Eq. 118)
    V               V               (d_x, d_x)                training covariance, 1/(N-1) (Eq. 119)
    sqrt(V_ii)      sigma           (d_x,)                    per-feature standard deviation
    x[n]            transform(x)    same as x                 standardized input (Eq. 120)

Eq. 120 divides by ``diag[sqrt(V_ii)]`` only: correlations between features are kept
(the standardized covariance is the correlation matrix), nothing is whitened.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, fmt_shape

__all__ = ["Standardizer", "fit_standardizer"]


@dataclass(frozen=True)
class Standardizer:
    """Training-set statistics and the map of Eq. 120.

    Parameters
    ----------
    mu : numpy.ndarray, shape (d_x,)
        Mean of the training samples (Eq. 118).
    V : numpy.ndarray, shape (d_x, d_x)
        Covariance of the training samples with the ``1/(N-1)`` normalisation (Eq. 119).
    n_samples : int
        Number of training samples the statistics came from.

    Examples
    --------
    >>> st = fit_standardizer([[1.0, 10.0], [3.0, 30.0]])
    >>> st.mu, st.sigma
    (array([ 2., 20.]), array([ 1.41421356, 14.14213562]))
    >>> st.transform([[2.0, 20.0]])
    array([[0., 0.]])
    """

    mu: np.ndarray  # (d_x,)  Eq. 118
    V: np.ndarray  # (d_x, d_x)  Eq. 119
    n_samples: int

    def __post_init__(self):
        mu = as_float_array("mu", self.mu, ndim=1)
        V = as_float_array("V", self.V, ndim=2)
        if V.shape != (mu.size, mu.size):
            raise ValueError(f"V has shape {fmt_shape(V.shape)}, expected (d_x, d_x) = ({mu.size}, {mu.size}) from mu.")
        if np.any(np.diag(V) <= 0):
            raise ValueError("V has a non-positive diagonal entry: every feature needs a positive variance.")
        object.__setattr__(self, "mu", mu)
        object.__setattr__(self, "V", V)

    @property
    def d_x(self) -> int:
        """Number of input features."""
        return self.mu.shape[0]

    @property
    def sigma(self) -> np.ndarray:
        """Per-feature standard deviations ``sqrt(V_ii)``, shape ``(d_x,)`` (the divisor of Eq. 120)."""
        return np.sqrt(np.diag(self.V))

    def _read(self, name: str, x) -> np.ndarray:
        a = as_float_array(name, x)
        if a.ndim < 1 or a.shape[-1] != self.d_x:
            raise ValueError(
                f"{name} has shape {fmt_shape(a.shape)}, expected (..., d_x) = (..., {self.d_x}) from the "
                f"training statistics (mu of shape {fmt_shape(self.mu.shape)}); features run along the last axis."
            )
        return a

    def transform(self, x) -> np.ndarray:
        """Standardize ``x`` with the *training* statistics (Eq. 120, footnote 23).

        Parameters
        ----------
        x : array_like, shape (..., d_x)
            Any number of leading axes: one sample, a sequence ``(N, d_x)``, a batch ``(N, B, d_x)``.

        Returns
        -------
        numpy.ndarray
            ``(x - mu) / sqrt(diag V)``, same shape as ``x``.

        Raises
        ------
        TypeError, ValueError
            Non-numeric input, NaN/inf, or a last axis that is not ``d_x``.
        """
        return (self._read("x", x) - self.mu) / self.sigma  # Eq. 120

    def inverse_transform(self, x) -> np.ndarray:
        """Undo :meth:`transform`: ``sqrt(diag V) x + mu``, same shape as ``x``.

        Examples
        --------
        >>> st = fit_standardizer([[0.0], [2.0], [4.0]])
        >>> st.inverse_transform(st.transform([[3.0]]))
        array([[3.]])
        """
        return self._read("x", x) * self.sigma + self.mu


def fit_standardizer(x_train, *, rtol: float = 1e-12) -> Standardizer:
    """Estimate the training statistics of Eqs. 118-119.

    Parameters
    ----------
    x_train : array_like, shape (N, d_x) or (N, B, d_x)
        Training samples ``x_0[n]``; every leading axis counts as samples (a batch of
        sequences is pooled, as the paper's sums run over the whole training set).
    rtol : float, default 1e-12
        A feature whose standard deviation is at most ``rtol * max(1, |mu|)`` counts as
        constant: it cannot be scaled to unit variance.

    Returns
    -------
    Standardizer

    Raises
    ------
    TypeError
        If ``x_train`` is not numeric.
    ValueError
        Fewer than two samples (Eq. 119 divides by ``N - 1``), NaN/inf, fewer than two
        axes, or a constant feature (zero variance), naming the feature.

    References
    ----------
    Sherstinsky (2020), Sec. VI-D, Eqs. 118-120 and footnote 23.

    Examples
    --------
    >>> st = fit_standardizer(np.arange(12.0).reshape(6, 2))
    >>> st.mu, st.V
    (array([5., 6.]), array([[14., 14.],
           [14., 14.]]))
    """
    a = as_float_array("x_train", x_train)
    if a.ndim < 2:
        raise ValueError(
            f"x_train has shape {fmt_shape(a.shape)}, expected (N, d_x) or (N, B, d_x); "
            "for a single feature pass x[:, None]."
        )
    X = a.reshape(-1, a.shape[-1])  # every leading axis is a sample
    N = X.shape[0]
    if N < 2:
        raise ValueError(
            f"x_train has {N} sample(s) (shape {fmt_shape(a.shape)}); the variance of Eq. 119 divides by N - 1, "
            "so at least two training samples are needed."
        )
    mu = X.mean(axis=0)  # Eq. 118
    D = X - mu
    V = D.T @ D / (N - 1)  # Eq. 119
    sigma = np.sqrt(np.diag(V))
    flat = np.flatnonzero(sigma <= rtol * np.maximum(1.0, np.abs(mu)))
    if flat.size:
        i = int(flat[0])
        raise ValueError(
            f"x_train feature {i} is constant over the training set (value {mu[i]:.6g}, standard deviation "
            f"{sigma[i]:.3g}): it has zero variance and cannot be scaled by Eq. 120; drop that feature "
            f"(it carries no information) before standardizing. Constant features: {flat.tolist()}."
        )
    return Standardizer(mu=mu, V=V, n_samples=N)
