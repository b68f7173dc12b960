"""BPTT checked symbolically on tiny unrolled RNNs, Sherstinsky (2020) Sec. IV, Eqs. 78-90.

Two routes to the same gradient, compared by SymPy:

(a) unroll the standard RNN (Eqs. 32-33) for ``K`` steps into one closed-form
    expression ``E(W_r, W_x, theta_s)`` and differentiate it with :func:`sympy.diff`;
(b) run the BPTT recursion of Eqs. 82-90 symbolically: ``psi[K] = 0`` (Eq. 85),
    ``chi[n] = dE_n/dr[n] + W_r^T psi[n+1]`` (Eq. 82, corrected per erratum P1),
    ``psi[n] = chi[n] * G'(s[n])`` (Eq. 83), gradients ``sum_n psi[n] (...)^T`` (Eqs. 87-90).

Both routes build expressions in the same ``tanh`` atoms, so ``sympy.expand(a - b) == 0``
proves them equal in milliseconds (``sympy.simplify`` reaches 0 too, after 30-80 s).

In the scalar RNN, ``W_r^T = W_r``, so the printed Eq. 82 is indistinguishable from the
corrected one there; :func:`matrix_rnn` (2 x 2, ``K = 2``) shows the difference and
:func:`erratum_p1_difference` factors it: it is proportional to ``w12 - w21``.

Symbols (paper -> code -> shape)::

    W_r        UnrolledRNN.W_r       (d_s, d_s)  w_r in the scalar RNN
    W_x        UnrolledRNN.W_x       (d_s, d_x)  w_x
    theta_s    UnrolledRNN.theta_s   (d_s, 1)    theta
    x[n]       UnrolledRNN.x[n]      (d_x, 1)    x0, x1, ...
    s[n], r[n] UnrolledRNN.s, .r     (d_s, 1)    closed-form expressions; s[-1] = 0 (Eq. 73)
    E_n        UnrolledRNN.E         scalar      E = sum_n E_n(r[n]) (Eq. 80)

This module imports SymPy; ``import lrnn`` never imports it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

__all__ = ["UnrolledRNN", "scalar_rnn", "matrix_rnn", "gradient_by_diff", "gradient_by_bptt", "erratum_p1_difference"]


@dataclass(frozen=True)
class UnrolledRNN:
    """A standard RNN unrolled in closed form, with its loss.

    Attributes
    ----------
    W_r, W_x, theta_s : sympy.Matrix
        Parameter symbols, shapes (d_s, d_s), (d_s, d_x), (d_s, 1).
    x : tuple of sympy.Matrix
        Inputs, each (d_x, 1).
    s, r : tuple of sympy.Matrix
        ``s[n]`` (Eq. 32) and ``r[n] = tanh(s[n])`` (Eq. 33), each (d_s, 1).
    E : sympy.Expr
        ``sum_n E_n(r[n])`` (Eq. 80).
    dE_dr : tuple of sympy.Matrix
        Direct derivatives ``dE_n/dr[n]`` evaluated at ``r[n]`` (first term of Eq. 82).
    """

    W_r: sp.Matrix
    W_x: sp.Matrix
    theta_s: sp.Matrix
    x: tuple
    s: tuple
    r: tuple
    E: sp.Expr
    dE_dr: tuple


def _unroll(W_r, W_x, theta_s, x, E_n) -> UnrolledRNN:
    """Unroll Eqs. 32-33 from ``s[-1] = 0``; ``E_n(n, z)`` is the loss of step ``n`` at readout ``z``."""
    d_s = W_r.shape[0]
    z = sp.Matrix(sp.symbols(f"z0:{d_s}", real=True))  # placeholder for r[n] in dE_n/dr
    s, r, dE_dr, E = [], [], [], sp.Integer(0)
    r_prev = sp.zeros(d_s, 1)  # r[-1] = G(s[-1]) = G(0) = 0 (Eq. 73)
    for n, x_n in enumerate(x):
        s.append(W_r * r_prev + W_x * x_n + theta_s)  # Eq. 32
        r.append(s[n].applyfunc(sp.tanh))  # Eq. 33
        E += E_n(n, r[n])  # Eq. 80
        dE_dr.append(sp.Matrix([sp.diff(E_n(n, z), z_i) for z_i in z]).subs(dict(zip(z, r[n], strict=True))))
        r_prev = r[n]
    return UnrolledRNN(W_r, W_x, theta_s, tuple(x), tuple(s), tuple(r), E, tuple(dE_dr))


def scalar_rnn(K: int = 3, loss: str = "quadratic") -> UnrolledRNN:
    """The scalar standard RNN ``s[n] = w_r r[n-1] + w_x x[n] + theta`` unrolled for ``K`` steps.

    Parameters
    ----------
    K : int, default 3
        Number of steps; inputs ``x0 .. x{K-1}``.
    loss : {"quadratic", "generic"}, default "quadratic"
        ``E_n = (r[n] - y_n)^2 / 2`` with targets ``y0 ..``, or an undefined function
        ``E_n(r[n])`` per step, so the comparison holds for any loss.

    Returns
    -------
    UnrolledRNN
        With 1 x 1 matrices.

    Examples
    --------
    >>> net = scalar_rnn(2)
    >>> net.s[1][0]
    theta + w_r*tanh(theta + w_x*x0) + w_x*x1
    """
    w_r, w_x, theta = sp.symbols("w_r w_x theta", real=True)
    x = [sp.Matrix([xi]) for xi in sp.symbols(f"x0:{K}", real=True)]
    if loss == "quadratic":
        y = sp.symbols(f"y0:{K}", real=True)
        E_n = lambda n, z: (z[0] - y[n]) ** 2 / 2
    elif loss == "generic":
        E_n = lambda n, z: sp.Function(f"E_{n}")(z[0])
    else:
        raise ValueError(f"loss = {loss!r}, expected 'quadratic' or 'generic'.")
    return _unroll(sp.Matrix([[w_r]]), sp.Matrix([[w_x]]), sp.Matrix([theta]), x, E_n)


def matrix_rnn(K: int = 2) -> UnrolledRNN:
    """A 2-state, 1-input standard RNN unrolled for ``K`` steps, loss ``E = sum_n c_n^T r[n]``.

    ``W_r = [[w11, w12], [w21, w22]]`` is a general (non-symmetric) matrix, so the printed
    Eq. 82 (``W_r psi[n+1]``) and the correct one (``W_r^T psi[n+1]``) differ.

    Examples
    --------
    >>> net = matrix_rnn()
    >>> net.W_r
    Matrix([
    [w11, w12],
    [w21, w22]])
    """
    W_r = sp.Matrix(2, 2, sp.symbols("w11 w12 w21 w22", real=True))
    W_x = sp.Matrix(sp.symbols("u1 u2", real=True))
    theta_s = sp.Matrix(sp.symbols("theta1 theta2", real=True))
    x = [sp.Matrix([xi]) for xi in sp.symbols(f"x0:{K}", real=True)]
    c = [sp.Matrix(sp.symbols(f"c{n}_1 c{n}_2", real=True)) for n in range(K)]
    return _unroll(W_r, W_x, theta_s, x, lambda n, z: (c[n].T * z)[0])


def _unwrap(M: sp.Matrix):
    return M[0, 0] if M.shape == (1, 1) else M


def gradient_by_diff(net: UnrolledRNN) -> dict:
    """Route (a): differentiate the fully unrolled ``E`` with :func:`sympy.diff`.

    Returns
    -------
    dict
        ``{"W_r": ..., "W_x": ..., "theta_s": ...}``, each a Matrix of the parameter's shape
        (a plain expression for the scalar RNN).

    Examples
    --------
    >>> g = gradient_by_diff(scalar_rnn(1))  # one step: r[-1] = 0, so dE/dw_r = 0
    >>> g["W_r"]
    0
    """
    grad = lambda P: P.applyfunc(lambda p: sp.diff(net.E, p))
    return {name: _unwrap(grad(getattr(net, name))) for name in ("W_r", "W_x", "theta_s")}


def gradient_by_bptt(net: UnrolledRNN, *, printed: bool = False) -> tuple[dict, list]:
    """Route (b): the BPTT recursion of Eqs. 82-90, written with SymPy matrices.

    Parameters
    ----------
    net : UnrolledRNN
    printed : bool, default False
        Use Eq. 82 as printed (``W_r psi[n+1]``) instead of the corrected ``W_r^T psi[n+1]``
        (erratum P1). Identical for the scalar RNN; wrong for a non-symmetric ``W_r``.

    Returns
    -------
    grads : dict
        As :func:`gradient_by_diff` (Eqs. 87-90).
    psi : list of sympy.Matrix
        ``psi[n]``, each (d_s, 1) (Eqs. 83-85).

    Examples
    --------
    >>> net = scalar_rnn(3)
    >>> a, (b, psi) = gradient_by_diff(net), gradient_by_bptt(net)
    >>> sp.expand(a["W_r"] - b["W_r"])  # expand suffices; simplify also works but takes ~30 s
    0
    """
    K, d_s = len(net.x), net.W_r.shape[0]
    W_back = net.W_r if printed else net.W_r.T  # Eq. 82 prints W_r; the gradient needs W_r.T (erratum P1)
    psi, psi_next = [None] * K, sp.zeros(d_s, 1)  # Eq. 85: psi[K] = 0
    for n in reversed(range(K)):
        chi = net.dE_dr[n] + W_back * psi_next  # Eq. 82
        psi[n] = chi.multiply_elementwise(net.r[n].applyfunc(lambda v: 1 - v**2))  # Eqs. 83-84, G' = 1 - tanh^2
        psi_next = psi[n]
    r_prev = [sp.zeros(d_s, 1), *net.r[:-1]]  # r[-1] = 0
    grads = {
        "W_r": sum((psi[n] * r_prev[n].T for n in range(K)), sp.zeros(d_s, d_s)),  # Eqs. 87, 90
        "W_x": sum((psi[n] * net.x[n].T for n in range(K)), sp.zeros(*net.W_x.shape)),  # Eqs. 88, 90
        "theta_s": sum(psi, sp.zeros(d_s, 1)),  # Eqs. 89, 90
    }
    return {k: _unwrap(v) for k, v in grads.items()}, psi


def erratum_p1_difference(net: UnrolledRNN | None = None) -> sp.Matrix:
    """``dE/dtheta_s`` from the printed Eq. 82 minus the true gradient, factored (erratum P1).

    For :func:`matrix_rnn` each entry has the factor ``w12 - w21``: the printed recursion
    is right exactly when ``W_r`` is symmetric. (``dE/dW_r`` happens to agree at ``K = 2``,
    because its only non-zero term ``psi[1] r[0]^T`` does not involve Eq. 82.)

    Parameters
    ----------
    net : UnrolledRNN, optional
        Default ``matrix_rnn(K=2)``.

    Returns
    -------
    sympy.Matrix, shape (d_s, 1)

    Examples
    --------
    >>> w12, w21 = sp.symbols("w12 w21", real=True)
    >>> [bool(e.has(w12 - w21)) for e in erratum_p1_difference()]
    [True, True]
    """
    net = matrix_rnn() if net is None else net
    true, printed = gradient_by_diff(net)["theta_s"], gradient_by_bptt(net, printed=True)[0]["theta_s"]
    return (printed - true).applyfunc(lambda e: sp.factor(sp.expand(e)))
