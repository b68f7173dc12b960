"""Self-check for the exercise on one step of the GRU in Chung's convention (Ch. 7, Eqs. G1-G4).

A student writes ``my_gru_step(p, x, s_prev)``: the reset gate (Eq. G1), the update gate
(Eq. G2), the candidate with the reset applied to ``s[n-1]`` *before* the recurrent product
(Eq. G3), and the new state as the leaky-integrator mix ``(1 - g_z) s[n-1] + g_z u`` (Eq. G4).
:func:`check_gru_step` compares it with :func:`lrnn.gru.gru_forward` on random cases and names
the usual mistakes, above all the two places where PyTorch's convention differs (Eqs. G5-G8):
the roles of ``g_z`` and ``1 - g_z`` swapped, and the reset applied after the product.

Every case has ``d_x != d_s``, gates well away from 0 and 1 and a non-diagonal ``W_s_u``, so
that a swapped gate or a reset moved across the product changes the result.

In an exercise cell::

    import lrnn.exercises.gru
    lrnn.exercises.gru.check_gru_step(my_gru_step)
"""

from __future__ import annotations

import numpy as np

from ..activations import G_c, G_d
from ..gradcheck import relative_error
from ..gru import GRUParams, gru_forward

__all__ = ["check_gru_step"]

_TOL = 1e-8  # relative error accepted as "the same"

_MISTAKES = {
    "torch_update": "g_z and 1 - g_z are swapped: that is PyTorch's Eq. G8, where z keeps the old state. In "
    "Chung's convention g_z admits the new content: s[n] = (1 - g_z) * s[n-1] + g_z * u[n] (Eq. G4).",
    "reset_after": "the reset is applied after the recurrent product, g_r * (W_s_u @ s[n-1]), as PyTorch does "
    "(Eq. G7); Chung's Eq. G3 resets the state first: W_s_u @ (g_r * s[n-1]).",
    "no_reset": "the reset gate is missing from the candidate: Eq. G3 is "
    "u = G_d(W_x_u x + W_s_u (g_r * s[n-1]) + b_u).",
    "gates_swapped": "the reset and update gates are swapped: g_r (weights W_*_r, b_r) acts inside the candidate "
    "(Eq. G3), g_z (weights W_*_z, b_z) mixes old state and candidate (Eq. G4).",
    "transpose": "a recurrent matrix is applied transposed: one step is W @ s[n-1] (column vectors, P9), not W.T @ s.",
    "candidate_sigmoid": "the candidate is squashed by G_c (the logistic); Eq. G3 uses G_d = tanh, "
    "so u lies in (-1, 1).",
    "no_candidate_warp": "the candidate is not warped: Eq. G3 passes its accumulation through G_d = tanh.",
    "no_bias": "a bias is missing: each of Eqs. G1-G3 adds its own b_r, b_z, b_u.",
}


def _step(p: GRUParams, x, s_prev, mistake=None):
    """Eqs. G1-G4 in column-vector form, optionally with one typical mistake."""
    T = (lambda W: W.T) if mistake == "transpose" else (lambda W: W)
    b = (lambda v: 0.0 * v) if mistake == "no_bias" else (lambda v: v)
    g_r = G_c(p.W_x_r @ x + T(p.W_s_r) @ s_prev + b(p.b_r))  # Eq. G1
    g_z = G_c(p.W_x_z @ x + T(p.W_s_z) @ s_prev + b(p.b_z))  # Eq. G2
    if mistake == "gates_swapped":
        g_r, g_z = g_z, g_r
    recurrent = {
        "reset_after": g_r * (T(p.W_s_u) @ s_prev),
        "no_reset": T(p.W_s_u) @ s_prev,
    }.get(mistake, T(p.W_s_u) @ (g_r * s_prev))
    a_u = p.W_x_u @ x + recurrent + b(p.b_u)
    u = {"candidate_sigmoid": G_c(a_u), "no_candidate_warp": a_u}.get(mistake, G_d(a_u))  # Eq. G3
    if mistake == "torch_update":
        return g_z * s_prev + (1.0 - g_z) * u
    return (1.0 - g_z) * s_prev + g_z * u  # Eq. G4


def _cases(rng):
    """(params, x, s_prev): d_x != d_s, gates between about 0.2 and 0.8, tanh in its bend."""
    for d_x, d_s in ((3, 4), (5, 2), (2, 3)):
        p = GRUParams.random(rng, d_x, d_s, scale=1.5)
        x, s_prev = rng.standard_normal(d_x), rng.uniform(-0.9, 0.9, d_s)
        yield p, x, s_prev


def check_gru_step(student_fn, *, seed: int = 0) -> str:
    """Check a student's step of the GRU in Chung's convention (Eqs. G1-G4).

    Parameters
    ----------
    student_fn : callable
        ``student_fn(p, x, s_prev) -> s`` with ``p`` a :class:`lrnn.GRUParams`, ``x`` of shape
        ``(d_x,)`` and ``s_prev = s[n-1]`` of shape ``(d_s,)``; returns ``s[n]`` of shape ``(d_s,)``,
        written as in the book (``W @ x``).
    seed : int, default 0
        Seed of the random cases.

    Returns
    -------
    str
        A success message.

    Raises
    ------
    AssertionError
        With a diagnosis when ``s[n]`` differs from :func:`lrnn.gru.gru_forward`.

    Examples
    --------
    >>> check_gru_step(lambda p, x, s: gru_forward(p, x[None], s).s[0])
    'check_gru_step: passed, s[n] matches Eqs. G1-G4 on 3 random cases.'
    """
    rng = np.random.default_rng(seed)
    n_cases = 0
    for p, x, s_prev in _cases(rng):
        ref = gru_forward(p, x[None], s_prev).s[0]
        try:
            got = student_fn(p, x.copy(), s_prev.copy())
        except Exception as exc:
            raise AssertionError(f"check_gru_step: your function raised {type(exc).__name__}: {exc}") from exc
        got = np.asarray(got, dtype=float)
        if got.shape != ref.shape:
            raise AssertionError(
                f"check_gru_step: your function returned shape {got.shape}, expected (d_s,) = {ref.shape}."
            )
        if relative_error(got, ref) > _TOL:
            for mistake, message in _MISTAKES.items():
                if relative_error(got, _step(p, x, s_prev, mistake)) < _TOL:
                    raise AssertionError(f"check_gru_step: {message}")
            raise AssertionError(
                f"check_gru_step: s[n] differs from Eqs. G1-G4 (relative error {relative_error(got, ref):.2e}) "
                f"with d_x = {p.d_x}, d_s = {p.d_s}; compare each line with Eqs. G1-G4 and lrnn.gru."
            )
        n_cases += 1
    return f"check_gru_step: passed, s[n] matches Eqs. G1-G4 on {n_cases} random cases."
