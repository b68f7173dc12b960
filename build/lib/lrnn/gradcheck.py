"""Central finite differences and a relative-error report for any parameter dataclass.

Not part of the paper: this is the referee for every backward pass in the book
(Eqs. 78-90, 137-172, 216-250). Each hand-derived gradient is compared with

    dE/dtheta_i  ~  (E(theta + eps e_i) - E(theta - eps e_i)) / (2 eps)

in float64, whose truncation error is O(eps^2) and rounding error O(macheps / eps),
so ``eps = 1e-6`` gives about 1e-9 relative accuracy on smooth losses.

The relative error of one parameter entity ``W`` is ``||g - n|| / max(||g|| + ||n||, tiny)``
(Frobenius norms of the analytic gradient ``g`` and the numerical one ``n``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from ._validation import as_float_array

__all__ = ["numerical_gradient", "relative_error", "check_gradients", "GradCheckReport"]


def numerical_gradient(f: Callable[[np.ndarray], float], x, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar function of one array.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``; called ``2 * x.size`` times on perturbed copies of ``x``.
    x : array_like
        Point of evaluation, any shape.
    eps : float, default 1e-6
        Perturbation.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``.

    Examples
    --------
    >>> g = numerical_gradient(lambda v: float(np.sum(v ** 3)), np.array([1.0, 2.0]))
    >>> np.allclose(g, [3.0, 12.0])
    True
    """
    x = as_float_array("x", x).copy()
    g = np.empty_like(x)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        f_plus = float(f(x))
        flat[i] = old - eps
        f_minus = float(f(x))
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2.0 * eps)
    return g


def relative_error(analytic, numeric) -> float:
    """``||a - n|| / (||a|| + ||n||)``, and 0 when both are exactly zero.

    Examples
    --------
    >>> relative_error([1.0, 0.0], [1.0, 0.0])
    0.0
    """
    a, n = np.asarray(analytic, float), np.asarray(numeric, float)
    den = np.linalg.norm(a) + np.linalg.norm(n)
    return 0.0 if den == 0 else float(np.linalg.norm(a - n) / den)


@dataclasses.dataclass(frozen=True)
class GradCheckReport:
    """Relative error of each parameter entity; ``max_error`` is the worst one.

    Attributes
    ----------
    errors : dict[str, float]
        Field name -> relative error.
    """

    errors: dict

    @property
    def max_error(self) -> float:
        """Worst relative error over all entities."""
        return max(self.errors.values()) if self.errors else 0.0

    @property
    def worst(self) -> str:
        """Name of the entity with the worst error."""
        return max(self.errors, key=self.errors.get)

    def __str__(self) -> str:
        width = max(len(k) for k in self.errors)
        lines = [f"{k:<{width}}  {v:.2e}" for k, v in self.errors.items()]
        return "\n".join(lines + [f"{'max':<{width}}  {self.max_error:.2e}  ({self.worst})"])


def check_gradients(loss: Callable, params, grads, eps: float = 1e-6) -> GradCheckReport:
    """Compare analytic gradients with central differences, entity by entity.

    Parameters
    ----------
    loss : callable
        ``loss(params) -> float``.
    params : dataclass instance
        Frozen dataclass whose array fields are the parameters (``RNNParams``,
        ``LSTMParams``, ...). Fields that are ``None`` are skipped.
    grads : dataclass instance
        Same type, holding the analytic gradients.
    eps : float, default 1e-6

    Returns
    -------
    GradCheckReport

    Examples
    --------
    >>> from lrnn.rnn import RNNParams
    >>> p = RNNParams(W_r=[[0.5]], W_x=[[2.0]], theta_s=[0.1])
    >>> E = lambda q: float((q.W_r ** 2).sum() + (q.W_x ** 2).sum() + (q.theta_s ** 2).sum())
    >>> g = RNNParams(W_r=2 * p.W_r, W_x=2 * p.W_x, theta_s=2 * p.theta_s)
    >>> check_gradients(E, p, g).max_error < 1e-9
    True
    """
    if not dataclasses.is_dataclass(params) or type(grads) is not type(params):
        raise TypeError(
            f"params and grads must be instances of the same parameter dataclass, "
            f"got {type(params).__name__} and {type(grads).__name__}."
        )
    errors = {}
    for field in dataclasses.fields(params):
        value = getattr(params, field.name)
        if value is None or not isinstance(value, np.ndarray):
            continue

        def f(v, name=field.name):
            return loss(dataclasses.replace(params, **{name: v}))

        errors[field.name] = relative_error(getattr(grads, field.name), numerical_gradient(f, value, eps))
    return GradCheckReport(errors)
