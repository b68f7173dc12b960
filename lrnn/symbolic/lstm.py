"""SymPy checks for the Vanilla LSTM chapter (imports SymPy; never imported by ``import lrnn``).

Sherstinsky (2020) Sec. V-VI: the warping-function identities of Eqs. 109-111,
121-122 and their derivatives, Eqs. 137-138; and the transpose of erratum P3 (the
term ``W_s_cr^T alpha_cr[n]`` of Eqs. 149-150), derived symbolically for a small cell.

Symbols (paper -> SymPy)::

    z                       Symbol("z", real=True)
    G_c(z) = sigma(z)       G_c(z) = 1 / (1 + exp(-z))           (Eq. 109)
    G_d(z) = tanh(z)        sympy.tanh(z)                         (Eq. 122)
    W_s_cr                  Matrix of symbols w_ij                (d_s, d_s)
    alpha_cr[n], s[n]       column vectors of symbols alpha_i, s_i

Each identity is stored as ``lhs - rhs``; :func:`identity_residual` rewrites it in
terms of ``exp`` and simplifies, which gives exactly 0 when the identity holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

__all__ = [
    "z",
    "G_c",
    "G_d",
    "WARPING_IDENTITIES",
    "identity_residual",
    "residual",
    "PinholeGradient",
    "readout_pinhole_gradient",
]

z = sp.Symbol("z", real=True)


def G_c(arg):
    """Control warping function, the logistic sigmoid ``1 / (1 + exp(-arg))`` (Eq. 109)."""
    return 1 / (1 + sp.exp(-arg))


def G_d(arg):
    """Data warping function, the hyperbolic tangent (Eq. 122)."""
    return sp.tanh(arg)


#: Equation label -> (left side, right side, what the identity says), each a SymPy expression in ``z``.
WARPING_IDENTITIES = {
    "110": (G_c(z), (1 + sp.tanh(z / 2)) / 2, "sigma(z) = (1 + tanh(z/2)) / 2"),
    "111": (G_c(z), (1 + G_d(z / 2)) / 2, "G_c(z) = (1 + G_d(z/2)) / 2"),
    "122a": (G_d(z), (sp.exp(z) - sp.exp(-z)) / (sp.exp(z) + sp.exp(-z)), "tanh(z) = (e^z - e^-z) / (e^z + e^-z)"),
    "122b": (G_d(z), 2 * G_c(2 * z) - 1, "G_d(z) = 2 G_c(2z) - 1"),
    "137": (sp.diff(G_c(z), z), G_c(z) * (1 - G_c(z)), "G_c'(z) = G_c(z) (1 - G_c(z))"),
    "138": (sp.diff(G_d(z), z), 1 - G_d(z) ** 2, "G_d'(z) = 1 - G_d(z)^2"),
}


def identity_residual(label: str) -> sp.Expr:
    """``simplify((lhs - rhs).rewrite(exp))`` for one identity of :data:`WARPING_IDENTITIES`.

    Parameters
    ----------
    label : str
        One of ``"110", "111", "122a", "122b", "137", "138"``.

    Returns
    -------
    sympy.Expr
        ``0`` when the identity holds.

    Raises
    ------
    KeyError
        If ``label`` is not one of the stored identities (the message lists them).

    Examples
    --------
    >>> identity_residual("137")
    0
    """
    if label not in WARPING_IDENTITIES:
        raise KeyError(f"label {label!r} is not one of {sorted(WARPING_IDENTITIES)}.")
    lhs, rhs, _ = WARPING_IDENTITIES[label]
    return residual(lhs, rhs)


def residual(lhs, rhs) -> sp.Expr:
    """``simplify(expand((lhs - rhs).rewrite(exp)))``: 0 exactly when ``lhs = rhs`` is an identity in ``z``.

    Examples
    --------
    A wrong "tanh" (``2 G_c(z) - 1`` is ``tanh(z/2)``, not ``tanh(z)``) leaves a residual:

    >>> residual(G_d(z), 2 * G_c(z) - 1) == 0
    False
    >>> residual(G_d(z / 2), 2 * G_c(z) - 1)
    0
    """
    return sp.simplify(sp.expand((sp.sympify(lhs) - sp.sympify(rhs)).rewrite(sp.exp)))


@dataclass(frozen=True)
class PinholeGradient:
    """The gradient that ``a_cr[n] = W_s_cr s[n] + ...`` (Eq. 128) sends back to ``s[n]``.

    Attributes
    ----------
    W, alpha, s : sympy.Matrix
        ``W_s_cr`` (d_s, d_s), ``alpha_cr[n] = dE/da_cr[n]`` and ``s[n]`` (d_s, 1), all symbols.
    derived : sympy.Matrix
        ``d(alpha^T W s)/ds``: by the chain rule, what ``E`` receives through ``a_cr``.
    printed, corrected : sympy.Matrix
        ``W alpha`` as printed in Eqs. 149-150 and ``W^T alpha`` (erratum P3).
    """

    W: sp.Matrix
    alpha: sp.Matrix
    s: sp.Matrix
    derived: sp.Matrix
    printed: sp.Matrix
    corrected: sp.Matrix


def readout_pinhole_gradient(d_s: int = 2) -> PinholeGradient:
    """Derive the ``W_s_cr`` term of ``psi[n]`` (Eqs. 148-150) symbolically.

    Only the linear dependence matters: ``E`` changes by ``alpha_cr^T d a_cr`` when
    ``a_cr`` changes, and ``a_cr`` depends on ``s[n]`` through ``W_s_cr s[n]``; so the
    contribution to ``psi[n] = dE/ds[n]`` is the gradient of ``alpha_cr^T W_s_cr s[n]``.

    Parameters
    ----------
    d_s : int, default 2
        State size (at least 2, so that ``W`` and ``W^T`` differ).

    Returns
    -------
    PinholeGradient

    Raises
    ------
    ValueError
        If ``d_s < 2``.

    Examples
    --------
    >>> g = readout_pinhole_gradient(2)
    >>> (g.derived - g.corrected).expand() == sp.zeros(2, 1), (g.derived - g.printed).expand() == sp.zeros(2, 1)
    (True, False)
    """
    if not isinstance(d_s, int) or d_s < 2:
        raise ValueError(f"d_s = {d_s!r}, expected an integer >= 2 (for d_s = 1, W and W^T coincide).")
    W = sp.Matrix(d_s, d_s, lambda i, j: sp.Symbol(f"w_{i + 1}{j + 1}"))
    alpha = sp.Matrix(d_s, 1, lambda i, _: sp.Symbol(f"alpha_{i + 1}"))
    s = sp.Matrix(d_s, 1, lambda i, _: sp.Symbol(f"s_{i + 1}"))
    E_lin = (alpha.T * W * s)[0, 0]  # alpha_cr^T W_s_cr s[n]
    derived = sp.Matrix([sp.diff(E_lin, si) for si in s])
    return PinholeGradient(W=W, alpha=alpha, s=s, derived=derived, printed=W * alpha, corrected=W.T * alpha)
