"""Self-check for the exercise on one step of the GRU in Chung's convention (Ch. 7, Eqs. G1-G4).

A student writes ``my_gru_step(p, x, s_prev)``: the reset gate (Eq. G1), the update gate
(Eq. G2), the candidate with the reset applied to ``s[n-1]`` *before* the recurrent product
(Eq. G3), and the new state as the leaky-integrator mix ``(1 - g_z) s[n-1] + g_z u`` (Eq. G4).
:func:`check_gru_step` compares it with :func:`lrnn.gru.gru_step` on random cases and names
the usual mistakes, above all the two places where PyTorch's convention differs (Eqs. G5-G8):
the roles of ``g_z`` and ``1 - g_z`` swapped, and the reset applied after the product. Each
mistake is :func:`lrnn.gru.gru_step` itself with one edit (:func:`lrnn.exercises.harness.mutant`),
so a diagnosis says "your result is lrnn's step with *this* change".

Every case has ``d_x != d_s``, gates well away from 0 and 1 and a non-diagonal ``W_s_u``, so
that a swapped gate or a reset moved across the product changes the result.

In an exercise cell::

    import lrnn.exercises
    lrnn.exercises.check_gru_step(my_gru_step)
"""

from __future__ import annotations

import numpy as np

from ..gru import GRUParams, gru_step
from .harness import call, compare, mutant

__all__ = ["check_gru_step"]

#: Typical mistakes, each an edit of lrnn's own gru_step (Chung's branch), with its explanation.
MISTAKES = (
    (
        [("s = (1.0 - g_z) * s_prev + g_z * u", "s = g_z * s_prev + (1.0 - g_z) * u")],
        "g_z and 1 - g_z are swapped: that is PyTorch's Eq. G8, where z keeps the old state. In Chung's convention "
        "g_z admits the new content: s[n] = (1 - g_z) * s[n-1] + g_z * u[n] (Eq. G4).",
    ),
    (
        [("(g_r * s_prev) @ p.W_s_u.T", "g_r * (s_prev @ p.W_s_u.T)")],
        "the reset is applied after the recurrent product, g_r * (W_s_u @ s[n-1]), as PyTorch does (Eq. G7); "
        "Chung's Eq. G3 resets the state first: W_s_u @ (g_r * s[n-1]).",
    ),
    (
        [("(g_r * s_prev) @ p.W_s_u.T", "s_prev @ p.W_s_u.T")],
        "the reset gate is missing from the candidate: Eq. G3 is u = G_d(W_x_u x + W_s_u (g_r * s[n-1]) + b_u).",
    ),
    (
        [('    if p.convention == "chung":', '    g_r, g_z = g_z, g_r\n    if p.convention == "chung":')],
        "the reset and update gates are swapped: g_r (weights W_*_r, b_r) acts inside the candidate (Eq. G3), "
        "g_z (weights W_*_z, b_z) mixes old state and candidate (Eq. G4).",
    ),
    (
        [("p.W_s_r.T", "p.W_s_r"), ("p.W_s_z.T", "p.W_s_z"), ("p.W_s_u.T", "p.W_s_u")],
        "a recurrent matrix is applied transposed: one step is W @ s[n-1] (column vectors, P9), not W.T @ s.",
    ),
    (
        [("u = G_d(a_u, check=False)  # Eq. G3", "u = G_c(a_u, check=False)  # Eq. G3")],
        "the candidate is squashed by G_c (the logistic); Eq. G3 uses G_d = tanh, so u lies in (-1, 1).",
    ),
    (
        [("u = G_d(a_u, check=False)  # Eq. G3", "u = a_u  # Eq. G3")],
        "the candidate is not warped: Eq. G3 passes its accumulation through G_d = tanh.",
    ),
    (
        [('xi["r"] + p.b_r', 'xi["r"]'), ('xi["z"] + p.b_z', 'xi["z"]'), ('xi["u"] + p.b_u + (g_r', 'xi["u"] + (g_r')],
        "a bias is missing: each of Eqs. G1-G3 adds its own b_r, b_z, b_u.",
    ),
)


def _cases(rng):
    """(params, x, s_prev): d_x != d_s, gates away from 0 and 1, a full W_s_u, tanh in its bend."""
    for d_x, d_s in ((3, 4), (5, 2), (2, 3)):
        p = GRUParams.init(rng, d_x, d_s, recurrent="gaussian", scale=1.5)
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
        With a diagnosis when ``s[n]`` differs from :func:`lrnn.gru.gru_step`.

    Examples
    --------
    >>> check_gru_step(lambda p, x, s: gru_step(p, x, s)["s"])
    'check_gru_step: passed, s[n] matches Eqs. G1-G4 on 3 random cases.'
    """
    rng = np.random.default_rng(seed)
    wrong = [(mutant(gru_step, *edits), why) for edits, why in MISTAKES]
    n_cases = 0
    for p, x, s_prev in _cases(rng):
        label = f"check_gru_step (d_x = {p.d_x}, d_s = {p.d_s})"
        got = call(label, student_fn, p, x.copy(), s_prev.copy())
        mistakes = [(step(p, x, s_prev)["s"], why) for step, why in wrong]
        compare(label, "s[n]", got, gru_step(p, x, s_prev)["s"], mistakes, axis0="units",
                hint="compare each line with Eqs. G1-G4 and lrnn.gru.gru_step")  # fmt: skip
        n_cases += 1
    return f"check_gru_step: passed, s[n] matches Eqs. G1-G4 on {n_cases} random cases."
