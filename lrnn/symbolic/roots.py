"""SymPy derivations shown in the book (imports SymPy; never imported by ``import lrnn``).

Chapter 1, Sherstinsky (2020) Sec. II, Eqs. 23-29: backward Euler applied to the
additive model (Eq. 14) with the delay equal to the step, solved for ``s[n]``,
read off as the canonical RNN (Eq. 30).

Symbols (paper -> SymPy)::

    A, B, C, phi       MatrixSymbol-free explicit matrices of scalar symbols a_ij, b_ij, c_ij, phi_i
    dT                 Symbol("Delta_T", positive=True)
    s[n-1], r[n-1]     s_prev, r_prev     (column vectors of symbols)
    x[n]               x_n
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

__all__ = ["CanonicalDerivation", "derive_canonical_rnn", "numeric_parameters"]


@dataclass(frozen=True)
class CanonicalDerivation:
    """The steps of the derivation, as SymPy objects ready to display.

    Attributes
    ----------
    symbols : dict
        ``A, B, C, phi, dT, s_prev, r_prev, x_n`` (matrices of symbols and ``dT``).
    eq23 : sympy.Eq
        ``s[n] - s[n-1] = dT (A s[n] + B r[n-1] + C x[n] + phi)``, Eq. 23 shifted by one step.
    s_n : sympy.Matrix
        ``s[n]`` solved from Eq. 23 by SymPy (no matrix inverse written by hand).
    W_s, W_r, W_x, theta_s : sympy.Matrix
        Read off ``s_n`` as Jacobians with respect to ``s[n-1]``, ``r[n-1]``, ``x[n]`` and its
        value at zero signals (Eqs. 25-29).
    closed_form : dict
        The paper's expressions ``(I - dT A)^-1``, ``dT W_s B``, ``dT W_s C``, ``dT W_s phi``.
    """

    symbols: dict
    eq23: sp.Eq
    s_n: sp.Matrix
    W_s: sp.Matrix
    W_r: sp.Matrix
    W_x: sp.Matrix
    theta_s: sp.Matrix
    closed_form: dict

    def residuals(self) -> dict:
        """``simplify(read-off - closed form)`` for each parameter: all zero matrices when the paper is right."""
        return {k: sp.simplify(getattr(self, k) - v) for k, v in self.closed_form.items()}


def derive_canonical_rnn(d: int = 2, d_x: int = 1) -> CanonicalDerivation:
    """Derive the canonical RNN from backward Euler symbolically (Eqs. 15-29).

    Eqs. 15-22 (grid, forward difference, right-hand side at t + dT, delay tau0 = dT)
    lead to Eq. 23, which is written here directly; SymPy solves it (Eq. 24) and the
    coefficients are read off (Eqs. 25-29).

    Parameters
    ----------
    d : int, default 2
        State size.
    d_x : int, default 1
        Input size.

    Returns
    -------
    CanonicalDerivation

    Examples
    --------
    >>> der = derive_canonical_rnn(d=1, d_x=1)
    >>> all(m.is_zero_matrix for m in der.residuals().values())
    True
    """
    dT = sp.Symbol("Delta_T", positive=True)
    A = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"a_{i + 1}{j + 1}"))
    B = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"b_{i + 1}{j + 1}"))
    C = sp.Matrix(d, d_x, lambda i, j: sp.Symbol(f"c_{i + 1}{j + 1}"))
    phi = sp.Matrix(d, 1, lambda i, _: sp.Symbol(f"phi_{i + 1}"))
    s_prev = sp.Matrix(d, 1, lambda i, _: sp.Symbol(f"s_{i + 1}[n-1]"))
    r_prev = sp.Matrix(d, 1, lambda i, _: sp.Symbol(f"r_{i + 1}[n-1]"))
    x_n = sp.Matrix(d_x, 1, lambda i, _: sp.Symbol(f"x_{i + 1}[n]"))
    s_n_sym = sp.Matrix(d, 1, lambda i, _: sp.Symbol(f"s_{i + 1}[n]"))
    # Eq. 23 (written for the step n-1 -> n): backward Euler with tau0 = dT
    eq23 = sp.Eq(s_n_sym - s_prev, dT * (A * s_n_sym + B * r_prev + C * x_n + phi))
    sol = sp.solve(list(eq23.lhs - eq23.rhs), list(s_n_sym), dict=True)[0]
    s_n = sp.Matrix([sp.simplify(sol[v]) for v in s_n_sym])
    zero = {v: 0 for v in list(s_prev) + list(r_prev) + list(x_n)}
    W_s_cf = (sp.eye(d) - dT * A).inv()  # Eq. 25
    return CanonicalDerivation(
        symbols=dict(A=A, B=B, C=C, phi=phi, dT=dT, s_prev=s_prev, r_prev=r_prev, x_n=x_n),
        eq23=eq23,
        s_n=s_n,
        W_s=s_n.jacobian(s_prev),  # coefficient of s[n-1]
        W_r=s_n.jacobian(r_prev),  # coefficient of r[n-1]
        W_x=s_n.jacobian(x_n),  # coefficient of x[n]
        theta_s=s_n.subs(zero),  # what remains with all signals at zero
        closed_form=dict(W_s=W_s_cf, W_r=dT * W_s_cf * B, W_x=dT * W_s_cf * C, theta_s=dT * W_s_cf * phi),
    )


def numeric_parameters(der: CanonicalDerivation, A, B, C, phi, dT) -> dict:
    """Substitute numbers into the symbolic ``W_s, W_r, W_x, theta_s``; returns numpy arrays.

    ``theta_s`` comes back with shape ``(d,)`` to match :class:`lrnn.rnn.RNNParams`.
    """
    sym = der.symbols
    subs = {sym["dT"]: dT}
    for name, value in (("A", A), ("B", B), ("C", C), ("phi", np.reshape(phi, (-1, 1)))):
        for s, v in zip(sym[name], np.asarray(value, float).ravel()):
            subs[s] = v
    out = {k: np.array(getattr(der, k).subs(subs).evalf(), dtype=float) for k in ("W_s", "W_r", "W_x", "theta_s")}
    out["theta_s"] = out["theta_s"].ravel()
    return out
