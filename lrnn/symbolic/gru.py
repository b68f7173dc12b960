"""The GRU's backward pass checked symbolically on a tiny unrolled GRU, Eqs. G1-G19 of :mod:`lrnn.gru`.

Two routes to the same gradient, compared by SymPy, for either convention:

(a) unroll the GRU (Eqs. G1-G4, or PyTorch's G5-G8) for ``K`` steps into closed-form
    expressions ``s[n](Theta)`` and the loss ``E = sum_n c_n^T s[n]``, and differentiate
    ``E`` with :func:`sympy.diff`;
(b) run the BPTT recursion of :mod:`lrnn.gru_bptt` (Eqs. G9-G13, or G14-G19) with SymPy
    matrices, column vectors and ``W^T alpha`` written out.

:func:`discrepancies` subtracts them. With ``d = 1`` every symbol is free, so a zero
difference proves the recursion for any scalar GRU over two steps; ``d = 2`` (non-symmetric
matrices) also proves every transpose.

The loss is linear in ``s[n]`` with symbolic weights ``c_n``, and that is no loss of
generality: the recursion is linear in the direct derivatives ``dE/ds[n]``, and ``c_n``
stands for whatever value they take. The gates are written ``G_c(a) = (1 + tanh(a/2)) / 2``
(Sherstinsky Eq. 111), so both routes are polynomials in the same ``tanh`` atoms, and
expanding ``a - b`` to 0 proves them equal.

Symbols (book -> SymPy; ``d = d_s = d_x``)::

    W_x_r, W_s_r, ...   Matrix of symbols Wxr_ij, Wsr_ij, ...      (d, d)
    b_r, ..., b_s_u     Matrix of symbols br_i, ..., bsu_i          (d, 1)
    x[n], s[-1]         x{n}_i, s0_i                                (d, 1)
    c_n                 c{n}_i, the direct derivative dE/ds[n]      (d, 1)

This module imports SymPy; ``import lrnn`` never imports it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.polys.domains import QQ
from sympy.polys.rings import ring

__all__ = ["UnrolledGRU", "unrolled_gru", "gradient_by_diff", "gradient_by_bptt", "discrepancies"]

_NAMES = ("W_x_r", "W_s_r", "b_r", "W_x_z", "W_s_z", "b_z", "W_x_u", "W_s_u", "b_u")


def G_c(a):
    """The control warping ``(1 + tanh(a/2)) / 2`` (Sherstinsky Eq. 111), elementwise on a Matrix."""
    return a.applyfunc(lambda v: (1 + sp.tanh(v / 2)) / 2)


def G_d(a):
    """The data warping ``tanh``, elementwise on a Matrix."""
    return a.applyfunc(sp.tanh)


@dataclass(frozen=True)
class UnrolledGRU:
    """A GRU unrolled in closed form, with its loss.

    Attributes
    ----------
    convention : str
        ``"chung"`` (Eqs. G1-G4) or ``"torch"`` (Eqs. G5-G8).
    params : dict of sympy.Matrix
        The parameter symbols by the names of :class:`lrnn.gru.GRUParams` (and ``b_s_u``).
    x, c : tuple of sympy.Matrix
        Inputs ``x[n]`` and loss weights ``c_n``, each (d, 1).
    s0 : sympy.Matrix
        The initial state ``s[-1]``, (d, 1), symbols.
    g_r, g_z, u, s, a_s_u : tuple of sympy.Matrix
        Closed-form signals of each step (``a_s_u`` empty in Chung's convention).
    E : sympy.Expr
        ``sum_n c_n^T s[n]``.
    """

    convention: str
    params: dict
    x: tuple
    c: tuple
    s0: sp.Matrix
    g_r: tuple
    g_z: tuple
    u: tuple
    s: tuple
    a_s_u: tuple
    E: sp.Expr


def unrolled_gru(d: int = 1, K: int = 2, convention: str = "chung") -> UnrolledGRU:
    """Unroll a GRU with ``d_s = d_x = d`` for ``K`` steps from a symbolic ``s[-1]``.

    Parameters
    ----------
    d : {1, 2}, default 1
        State and input size (2 makes every matrix non-symmetric, so a missing transpose shows).
    K : int, default 2
        Number of steps.
    convention : {"chung", "torch"}, default "chung"

    Returns
    -------
    UnrolledGRU

    Raises
    ------
    ValueError
        For another ``d``, ``K < 1`` or an unknown convention.

    Examples
    --------
    >>> net = unrolled_gru(1, 1)
    >>> net.params["W_s_u"], net.E.has(net.params["W_s_u"][0]), len(net.params)
    (Matrix([[Wsu_11]]), True, 9)
    """
    if d not in (1, 2) or not isinstance(K, int) or K < 1:
        raise ValueError(f"d = {d!r}, K = {K!r}; expected d in (1, 2) and an integer K >= 1 (larger sizes are slow).")
    if convention not in ("chung", "torch"):
        raise ValueError(f"convention = {convention!r}, expected 'chung' or 'torch'.")
    names = _NAMES + (("b_s_u",) if convention == "torch" else ())
    P = {}
    for name in names:
        short = name.replace("_", "")
        if name.startswith("W"):
            P[name] = sp.Matrix(d, d, lambda i, j, s=short: sp.Symbol(f"{s}_{i + 1}{j + 1}", real=True))
        else:
            P[name] = sp.Matrix(d, 1, lambda i, _, s=short: sp.Symbol(f"{s}_{i + 1}", real=True))
    vec = lambda stem: sp.Matrix(d, 1, lambda i, _: sp.Symbol(f"{stem}_{i + 1}", real=True))
    x, c, s0 = tuple(vec(f"x{n}") for n in range(K)), tuple(vec(f"c{n}") for n in range(K)), vec("s0")
    g_r, g_z, u, s, a_s_u = [], [], [], [], []
    s_prev = s0
    for n in range(K):
        g_r.append(G_c(P["W_x_r"] * x[n] + P["W_s_r"] * s_prev + P["b_r"]))  # Eq. G1 / G5
        g_z.append(G_c(P["W_x_z"] * x[n] + P["W_s_z"] * s_prev + P["b_z"]))  # Eq. G2 / G6
        if convention == "chung":
            u.append(G_d(P["W_x_u"] * x[n] + P["W_s_u"] * g_r[n].multiply_elementwise(s_prev) + P["b_u"]))  # Eq. G3
            s.append((sp.ones(d, 1) - g_z[n]).multiply_elementwise(s_prev) + g_z[n].multiply_elementwise(u[n]))  # G4
        else:
            a_s_u.append(P["W_s_u"] * s_prev + P["b_s_u"])  # Eq. G7, before the reset
            u.append(G_d(P["W_x_u"] * x[n] + P["b_u"] + g_r[n].multiply_elementwise(a_s_u[n])))  # Eq. G7
            s.append((sp.ones(d, 1) - g_z[n]).multiply_elementwise(u[n]) + g_z[n].multiply_elementwise(s_prev))  # G8
        s_prev = s[n]
    E = sum(((c[n].T * s[n])[0, 0] for n in range(K)), sp.Integer(0))
    return UnrolledGRU(convention, P, x, c, s0, tuple(g_r), tuple(g_z), tuple(u), tuple(s), tuple(a_s_u), E)


def gradient_by_diff(net: UnrolledGRU) -> dict:
    """Route (a): ``dE/dTheta`` by :func:`sympy.diff` of the unrolled loss, one Matrix per parameter.

    Examples
    --------
    >>> g = gradient_by_diff(unrolled_gru(1, 1))
    >>> g["b_u"].shape
    (1, 1)
    """
    return {name: P.applyfunc(lambda p: sp.diff(net.E, p)) for name, P in net.params.items()}


def gradient_by_bptt(net: UnrolledGRU, *, transposed: bool = True) -> tuple[dict, list]:
    """Route (b): the recursion of :func:`lrnn.gru_bptt.gru_backward` in column-vector form.

    Parameters
    ----------
    net : UnrolledGRU
    transposed : bool, default True
        False writes ``W_s_* alpha`` where Eqs. G9 and G14 have ``W_s_*^T alpha``: the slip of
        Sherstinsky's printed Eqs. 82 and 150 (errata P1, P3), here on purpose, to show that
        route (a) catches it when ``d = 2`` (for ``d = 1`` it cannot matter).

    Returns
    -------
    grads : dict of sympy.Matrix
        As :func:`gradient_by_diff` (Eq. G13, and G19 for PyTorch's convention).
    psi : list of sympy.Matrix
        ``psi[n]``, the total ``dE/ds[n]`` (Eq. G9 or G14), each (d, 1).

    Examples
    --------
    >>> net = unrolled_gru(1, 2)
    >>> a, (b, psi) = gradient_by_diff(net), gradient_by_bptt(net)
    >>> sp.expand(a["W_s_z"] - b["W_s_z"])
    Matrix([[0]])
    """
    P, K, d = net.params, len(net.x), net.s0.shape[0]
    WT = {k: (P[k].T if transposed else P[k]) for k in ("W_s_r", "W_s_z", "W_s_u")}  # W^T alpha: the transpose
    one, zero = sp.ones(d, 1), sp.zeros(d, 1)
    mul = lambda a, b: a.multiply_elementwise(b)
    dGc = lambda g: mul(g, one - g)  # G_c'(a) = g (1 - g), Eq. 137
    s_prev = [net.s0, *net.s[:-1]]
    psi, alpha_r, alpha_z, alpha_u = [zero] * (K + 1), [zero] * (K + 1), [zero] * (K + 1), [zero] * (K + 1)
    back = [zero] * (K + 1)  # Chung: rho[n+1] = W_s_u^T alpha_u[n+1]; PyTorch: gamma_u[n+1]
    torch = net.convention == "torch"
    for n in reversed(range(K)):
        f_psi = WT["W_s_r"] * alpha_r[n + 1] + WT["W_s_z"] * alpha_z[n + 1]
        if n + 1 < K:
            if torch:
                f_psi += mul(net.g_z[n + 1], psi[n + 1]) + WT["W_s_u"] * back[n + 1]  # Eq. G14
            else:
                f_psi += mul(one - net.g_z[n + 1], psi[n + 1]) + mul(net.g_r[n + 1], back[n + 1])  # Eq. G9
        psi[n] = net.c[n] + f_psi  # Eq. G9 / G14, with dE/ds[n] = c_n
        dGd = one - mul(net.u[n], net.u[n])  # G_d'(a_u) = 1 - u^2, Eq. 138
        if torch:
            alpha_u[n] = mul(mul(psi[n], one - net.g_z[n]), dGd)  # Eq. G15
            alpha_z[n] = mul(mul(psi[n], s_prev[n] - net.u[n]), dGc(net.g_z[n]))  # Eq. G16
            alpha_r[n] = mul(mul(alpha_u[n], net.a_s_u[n]), dGc(net.g_r[n]))  # Eq. G17
            back[n] = mul(alpha_u[n], net.g_r[n])  # Eq. G18: gamma_u
        else:
            alpha_u[n] = mul(mul(psi[n], net.g_z[n]), dGd)  # Eq. G10
            alpha_z[n] = mul(mul(psi[n], net.u[n] - s_prev[n]), dGc(net.g_z[n]))  # Eq. G11
            back[n] = WT["W_s_u"] * alpha_u[n]  # rho[n]
            alpha_r[n] = mul(mul(back[n], s_prev[n]), dGc(net.g_r[n]))  # Eq. G12
    total = lambda terms, shape: sum(terms, sp.zeros(*shape))
    grads = {}
    for k, alpha in (("r", alpha_r), ("z", alpha_z), ("u", alpha_u)):  # Eq. G13
        grads[f"W_x_{k}"] = total([alpha[n] * net.x[n].T for n in range(K)], (d, d))
        grads[f"b_{k}"] = total(alpha[:K], (d, 1))
        if k != "u":
            grads[f"W_s_{k}"] = total([alpha[n] * s_prev[n].T for n in range(K)], (d, d))
    if torch:  # Eq. G19
        grads["W_s_u"] = total([back[n] * s_prev[n].T for n in range(K)], (d, d))
        grads["b_s_u"] = total(back[:K], (d, 1))
    else:  # Eq. G13: alpha_u (g_r * s[n-1])^T
        grads["W_s_u"] = total([alpha_u[n] * mul(net.g_r[n], s_prev[n]).T for n in range(K)], (d, d))
    return {name: grads[name] for name in net.params}, psi[:K]


def discrepancies(net: UnrolledGRU, *, transposed: bool = True) -> dict:
    """Route (a) minus route (b) for every parameter, expanded: all zero matrices when the recursion is right.

    Each ``tanh`` atom (the same objects on both routes) becomes a fresh symbol, and the
    difference is expanded exactly in a polynomial ring over the rationals; a zero
    polynomial means the two gradients are the same function. (This is what
    ``sympy.expand`` would decide, some 20 times faster for ``d = 2``.)

    Parameters
    ----------
    net : UnrolledGRU
    transposed : bool, default True
        Passed to :func:`gradient_by_bptt`; False shows what a missing transpose does.

    Returns
    -------
    dict of sympy.Matrix
        Parameter name -> the expanded difference, in the symbols of ``net`` and ``tanh_k``.

    Examples
    --------
    >>> all(m.is_zero_matrix for m in discrepancies(unrolled_gru(1, 2, "torch")).values())
    True
    """
    a, (b, _) = gradient_by_diff(net), gradient_by_bptt(net, transposed=transposed)
    diff = {name: a[name] - b[name] for name in net.params}
    atoms = sorted(set().union(*(m.atoms(sp.tanh) for m in diff.values())), key=sp.default_sort_key)
    T = {atom: sp.Dummy(f"tanh_{k}") for k, atom in enumerate(atoms)}
    diff = {name: m.xreplace(T) for name, m in diff.items()}
    gens = sorted(set().union(*(m.free_symbols for m in diff.values())), key=sp.default_sort_key)
    R = ring(gens, QQ)[0]
    return {name: m.applyfunc(lambda e: R(e).as_expr()) for name, m in diff.items()}
