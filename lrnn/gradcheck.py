"""Central finite differences and a relative-error report for any parameter dataclass.

Not part of the paper: this is the referee for every backward pass in the book
(Eqs. 78-90, 137-172, 216-250). Each hand-derived gradient is compared with

    dE/dtheta_i  ~  (E(theta + eps e_i) - E(theta - eps e_i)) / (2 eps)

in float64, whose truncation error is O(eps^2) and rounding error O(macheps / eps),
so ``eps = 1e-6`` gives about 1e-9 relative accuracy on smooth losses.

The relative error of one parameter entity ``W`` is ``||g - n|| / max(||g|| + ||n||, tiny)``
(Frobenius norms of the analytic gradient ``g`` and the numerical one ``n``).

A backward pass needs a loss to be checked on: :func:`random_readout_loss` gives the one the
chapters and the tests use, a random linear readout of the cell's output scored by squared error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from ._validation import as_float_array, check_rng, positive_int

__all__ = [
    "numerical_gradient",
    "relative_error",
    "check_gradients",
    "check_cell",
    "GradCheckReport",
    "random_readout_loss",
]


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
    """``||a - n|| / (||a|| + ||n||)``, and 0 when both are exactly zero; real or complex.

    Examples
    --------
    >>> relative_error([1.0, 0.0], [1.0, 0.0])
    0.0
    >>> relative_error([1j], [-1j])
    1.0
    """
    complex_ = np.iscomplexobj(analytic) or np.iscomplexobj(numeric)
    a, n = (np.asarray(v, complex if complex_ else float) for v in (analytic, numeric))
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
        One entry per array; the arrays of a composed model (a field holding a tuple of cells or
        a cell, as :class:`lrnn.compose.Stack`) are named by their path, e.g. ``layers[1].W_x_cu``.

    Examples
    --------
    >>> from lrnn.rnn import RNNParams
    >>> p = RNNParams(W_r=[[0.5]], W_x=[[2.0]], theta_s=[0.1])
    >>> E = lambda q: float((q.W_r ** 2).sum() + (q.W_x ** 2).sum() + (q.theta_s ** 2).sum())
    >>> g = RNNParams(W_r=2 * p.W_r, W_x=2 * p.W_x, theta_s=2 * p.theta_s)
    >>> check_gradients(E, p, g).max_error < 1e-9
    True
    """
    errors: dict[str, float] = {}
    _check_tree(loss, params, grads, eps, "", errors)
    return GradCheckReport(errors)


def _check_tree(loss: Callable, params, grads, eps: float, prefix: str, errors: dict) -> None:
    """Fill ``errors`` entity by entity; a field that is itself a tree (a composed model's layers) is entered."""
    if isinstance(params, tuple | list):  # e.g. the layers of lrnn.compose.Stack: "layers[0].W_x"
        if type(grads) is not type(params) or len(grads) != len(params):
            raise TypeError(f"grads{prefix} must have the structure of params{prefix}, a {type(params).__name__} "
                            f"of {len(params)}; got {type(grads).__name__}.")  # fmt: skip
        for i, (p, g) in enumerate(zip(params, grads)):

            def with_entry(q, i=i):
                return loss(type(params)(q if j == i else t for j, t in enumerate(params)))

            _check_tree(with_entry, p, g, eps, f"{prefix}[{i}]", errors)
        return
    if not dataclasses.is_dataclass(params) or type(grads) is not type(params):
        raise TypeError(
            f"params and grads must be instances of the same parameter dataclass, "
            f"got {type(params).__name__} and {type(grads).__name__}."
        )
    dot = "." if prefix else ""
    for field in dataclasses.fields(params):
        value = getattr(params, field.name)

        def f(v, name=field.name):
            return loss(dataclasses.replace(params, **{name: v}))

        if isinstance(value, tuple | list) or (dataclasses.is_dataclass(value) and not isinstance(value, type)):
            _check_tree(f, value, getattr(grads, field.name), eps, f"{prefix}{dot}{field.name}", errors)
        elif isinstance(value, np.ndarray):
            err = relative_error(getattr(grads, field.name), numerical_gradient(f, value, eps))
            errors[f"{prefix}{dot}{field.name}"] = err


def random_readout_loss(rng: np.random.Generator, forward: Callable, params, x, *initial, d_y: int = 2):
    """A loss to check a cell's backward pass on: the squared error of a random readout of its output.

    ``E(q) = 1/2 sum_n ||W_y out[n] - target[n]||^2`` with ``out = forward(q, x, *initial).output``
    (``r`` of the RNN, ``v`` of the LSTMs, ``s`` of the GRU) and ``W_y`` of shape ``(d_y, d_out)`` and
    the targets drawn from ``rng`` (standard normal, in that order). Every output unit at every step
    reaches ``E`` with weights of its own, so a gradient wrong in any of them shows. The direct
    derivative is ``dE/dout[n] = W_y^T (W_y out[n] - target[n])``, the first term of Eq. 144 (Eq. 217
    for the Augmented LSTM); the backward pass adds what reaches ``out[n]`` from later steps.

    Parameters
    ----------
    rng : numpy.random.Generator
    forward : callable
        ``forward(params, x, *initial) -> trace`` with ``trace.output``, e.g. ``lrnn.lstm_forward``.
    params : parameter dataclass
        The cell's parameters (its ``d_out`` sizes the readout).
    x : array_like, shape (N, d_x) or (N, B, d_x)
    *initial
        The initial state as ``forward`` takes it, e.g. ``s0, v0``.
    d_y : int, default 2
        Outputs of the readout.

    Returns
    -------
    loss : callable
        ``loss(q) -> float``: ``E`` at parameters ``q`` of the same cell.
    dE_dout : callable
        ``dE_dout(trace) -> array`` of the trace's output shape: the derivative to pass to the backward pass.

    Examples
    --------
    >>> from lrnn.lstm import LSTMParams, lstm_forward
    >>> rng = np.random.default_rng(0)
    >>> p, x = LSTMParams.init(rng, 2, 3), rng.standard_normal((5, 2))
    >>> loss, dE_dout = random_readout_loss(rng, lstm_forward, p, x)
    >>> trace = lstm_forward(p, x)
    >>> check_gradients(loss, p, p.backward(trace, dE_dout(trace))).max_error < 1e-6
    True
    """
    check_rng(rng)
    d_y = positive_int("d_y", d_y)
    W_y = rng.standard_normal((d_y, params.d_out))
    target = rng.standard_normal(np.shape(x)[:-1] + (d_y,))

    def loss(q) -> float:
        return 0.5 * float(np.sum((forward(q, x, *initial).output @ W_y.T - target) ** 2))

    def dE_dout(trace) -> np.ndarray:
        return (trace.output @ W_y.T - target) @ W_y

    return loss, dE_dout


def check_cell(rng: np.random.Generator, cell, x, state=None, *, eps: float = 1e-6, **options) -> GradCheckReport:
    """Check a cell's whole backward pass: every parameter, ``dE/dx`` and ``dE/dstate``, by central differences.

    The loss is :func:`random_readout_loss`'s, ``E = 1/2 sum_n ||W_y out[n] - target[n]||^2``, now
    also a function of the input and of the initial state; ``cell.backward(trace, dE_dout,
    return_inputs=True, **options)`` must return ``(grads, dE_dx, dE_dstate)``
    (:class:`lrnn.cell.Cell`).

    Parameters
    ----------
    rng : numpy.random.Generator
        Draws the readout and the targets.
    cell : Cell
        Any cell or composed model (:mod:`lrnn.compose`).
    x : array_like, shape (N, d_x) or (N, B, d_x)
    state : tuple, optional
        The initial state, as ``cell.forward`` takes it (every entry an array, or nested tuples of
        arrays for a composed model); None for zeros (then ``dE/dstate`` is checked at zero).
    eps : float, default 1e-6
    **options
        Passed to ``cell.backward``.

    Returns
    -------
    GradCheckReport
        The parameters' entries as :func:`check_gradients` names them, ``"x"``, and one entry per
        array of the state, ``"state[0]"``, ``"state[1]"``, ... (``"state[1][0]"`` in a nest).

    Examples
    --------
    >>> from lrnn.lstm import LSTMParams
    >>> rng = np.random.default_rng(0)
    >>> p, x = LSTMParams.init(rng, 2, 3), rng.standard_normal((4, 2))
    >>> report = check_cell(rng, p, x, (rng.standard_normal(3), rng.standard_normal(3)))
    >>> sorted(k for k in report.errors if not k.startswith("W_") and not k.startswith("b_")), report.max_error < 1e-6
    (['state[0]', 'state[1]', 'x'], True)
    """
    check_rng(rng)
    x = as_float_array("x", x)
    trace = cell.forward(x, state)
    if state is None:
        state = _zeros_like_state(trace.last_state)
    W_y = rng.standard_normal((2, cell.d_out))
    target = rng.standard_normal(trace.output.shape[:-1] + (2,))

    def loss(q=cell, x_=x, state_=state) -> float:
        return 0.5 * float(np.sum((q.forward(x_, state_).output @ W_y.T - target) ** 2))

    trace = cell.forward(x, state)
    grads, dE_dx, dE_dstate = cell.backward(trace, (trace.output @ W_y.T - target) @ W_y, return_inputs=True,
                                            **options)  # fmt: skip
    report = check_gradients(lambda q: loss(q), cell, grads, eps)
    errors = dict(report.errors)
    errors["x"] = relative_error(dE_dx, numerical_gradient(lambda v: loss(x_=v), x, eps))
    for path, value, analytic in _state_leaves(state, dE_dstate, ""):

        def f(v, path=path):
            return loss(state_=_replace_at(state, path, v))

        errors[f"state{_fmt_path(path)}"] = relative_error(analytic, numerical_gradient(f, value, eps))
    return GradCheckReport(errors)


def _zeros_like_state(state):
    """A state of zeros with the nesting and shapes of ``state`` (a trace's ``last_state``)."""
    if isinstance(state, tuple | list):
        return tuple(_zeros_like_state(s) for s in state)
    return np.zeros(np.shape(state))


def _state_leaves(state, grads, path):
    """``(path, array, its gradient)`` for every array of a (nested) state and its gradient."""
    if isinstance(state, tuple | list):
        if not isinstance(grads, tuple | list) or len(grads) != len(state):
            raise TypeError(f"dE_dstate{_fmt_path(path)} must have the structure of state{_fmt_path(path)}, "
                            f"a tuple of {len(state)}; got {type(grads).__name__}.")  # fmt: skip
        for i, (s, g) in enumerate(zip(state, grads)):
            yield from _state_leaves(s, g, (*path, i))
        return
    value, g = as_float_array("state", state), np.asarray(grads)
    if g.shape != value.shape:
        raise ValueError(f"dE_dstate{_fmt_path(path)} has shape {g.shape}, expected {value.shape} (the state's).")
    yield path, value, g


def _replace_at(state, path, value):
    if not path:
        return value
    i, rest = path[0], path[1:]
    return tuple(_replace_at(s, rest, value) if j == i else s for j, s in enumerate(state))


def _fmt_path(path) -> str:
    return "".join(f"[{i}]" for i in path)
