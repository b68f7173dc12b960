"""Self-checks for the gated cell of Sherstinsky (2020) Sec. V, Eqs. 102-108.

A student writes the step of the gated cell with a bounded update (Fig. 6): the
update part ``F_u`` (Eqs. 105-106), the candidate ``u = G_d(F_u)`` (Eq. 107), the new
state (Eq. 108) and the value (Eqs. 95, 103). :func:`check_gated_step` runs it on
small random cases, compares it with :func:`lrnn.rnn_to_lstm.step_bounded_update`
and names the most likely mistake: the state gate applied to the update, the tanh
bound forgotten, the update gate inside the bound, the readout gate missing, ...
Each mistake is that stage's own code with one edit (:func:`lrnn.exercises.harness.mutant`).

Symbols as in :mod:`lrnn.rnn_to_lstm`. Every case has ``d_x != d_s`` and gates
that differ per component, so that swapped or transposed factors fail loudly.
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import relative_error
from ..rnn import RNNParams
from ..rnn_to_lstm import step_bounded_update
from .harness import call, mutant, same

__all__ = ["check_gated_step"]

# Mistakes in the gated step: edits of :func:`lrnn.rnn_to_lstm.step_bounded_update`, each with its explanation.
GATED_STEP_MISTAKES = {
    "g_cs and g_cu are swapped: g_cs keeps the previous state, g_cu admits the update, "
    "s[n] = g_cs * s[n-1] + g_cu * u[n] (Eq. 108).": (
        ('s = g["cs"] * s_prev + g["cu"] * u', 's = g["cu"] * s_prev + g["cs"] * u'),
    ),
    "g_cs multiplies the update too; it scales s[n-1] only: s[n] = g_cs * s[n-1] + g_cu * u[n] (Eq. 108).": (
        ('s = g["cs"] * s_prev + g["cu"] * u', 's = g["cs"] * (s_prev + g["cu"] * u)'),
    ),
    "the update is not bounded: Eq. 107 passes F_u through G_d = tanh, u[n] = G_d(F_u), before the gate "
    "g_cu multiplies it (you have the unbounded cell of Eq. 102).": (("u = G_d(F_u)", "u = F_u"),),
    "g_cu is applied inside the bound, G_d(g_cu * F_u); Eq. 108 gates the candidate: g_cu * G_d(F_u).": (
        ("u = G_d(F_u)", 'u = G_d(g["cu"] * F_u)'),
        ('+ g["cu"] * u', "+ u"),
    ),
    "v[n] = g_cr * s[n]; the readout is warped first: v[n] = g_cr * G_d(s[n]) (Eqs. 95, 103).": (
        ("r = G_d(s)", "r = s"),
    ),
    "v[n] = G_d(s[n]): the control readout gate is missing, v[n] = g_cr * G_d(s[n]) (Eq. 103).": (
        ('v = g["cr"] * r', "v = r"),
    ),
    "W_r is applied transposed: one step is W_r @ v[n-1] (column vectors, P9), not W_r.T @ v[n-1].": (
        ("p.W_r @ v_prev", "p.W_r.T @ v_prev"),
    ),
    "the bias theta_s is missing from F_u (Eq. 105).": ((" + p.theta_s  # Eqs. 105-106", "  # Eqs. 105-106"),),
    "the input gate is ignored: Eq. 106 multiplies the input term, g_cx * (W_x @ x[n]), when g has 'cx'.": (
        ('g.get("cx", 1.0) * (p.W_x @ x)', "(p.W_x @ x)"),
    ),
    "g_cx multiplies all of F_u; Eq. 106 gates only the input term W_x @ x[n].": (
        (
            'F_u = p.W_r @ v_prev + g.get("cx", 1.0) * (p.W_x @ x) + p.theta_s',
            'F_u = g.get("cx", 1.0) * (p.W_r @ v_prev + p.W_x @ x + p.theta_s)',
        ),
    ),
}


def _unpack(got, d_s):
    if isinstance(got, dict):
        if "s" not in got or "v" not in got:
            raise AssertionError(
                f"check_gated_step: your function returned a dict with {sorted(got)}; it needs 's', 'v'."
            )
        got = (got["s"], got["v"])
    if not isinstance(got, tuple | list) or len(got) != 2:
        raise AssertionError(
            f"check_gated_step: your function returned {type(got).__name__}; expected a dict with 's' and 'v' "
            "(as lrnn.rnn_to_lstm.step_bounded_update) or a tuple (s, v)."
        )
    out = [np.asarray(a, dtype=float) for a in got]
    for name, a in zip(("s", "v"), out, strict=True):
        if a.shape != (d_s,):
            raise AssertionError(f"check_gated_step: {name} has shape {a.shape}, expected (d_s,) = ({d_s},).")
    return out


def check_gated_step(student_fn, *, seed: int = 0) -> str:
    """Check a student's step of the gated cell with a bounded update (Eqs. 102-108, Fig. 6).

    Parameters
    ----------
    student_fn : callable
        ``student_fn(params, x, s_prev, v_prev, g)`` with ``params`` an :class:`lrnn.RNNParams`
        (``W_r``, ``W_x``, ``theta_s``), ``x`` of shape ``(d_x,)``, ``s_prev = s[n-1]`` and
        ``v_prev = v[n-1]`` of shape ``(d_s,)``, and ``g`` a dict of gate arrays ``"cs"``,
        ``"cu"``, ``"cr"`` (and, in one case, ``"cx"``). Returns a dict with ``"s"`` and
        ``"v"`` (or a tuple ``(s, v)``), written as in the paper (``W @ x``).
    seed : int, default 0
        Seed of the random cases.

    Returns
    -------
    str
        A success message.

    Raises
    ------
    AssertionError
        With a diagnosis when ``s[n]`` or ``v[n]`` differs from
        :func:`lrnn.rnn_to_lstm.step_bounded_update`.

    Examples
    --------
    >>> check_gated_step(step_bounded_update)
    'check_gated_step: passed, s[n] and v[n] match Eqs. 105-108 on 3 random cases (one with g_cx).'
    """
    rng = np.random.default_rng(seed)
    for d_x, d_s, with_cx in ((3, 2, False), (2, 4, False), (3, 2, True)):
        p = RNNParams.init(rng, d_x, d_s, scale=1.5)
        p = RNNParams(p.W_r, 2.0 * p.W_x, p.theta_s + 0.5)  # large enough for tanh to bend
        x, s_prev, v_prev = rng.standard_normal(d_x), rng.standard_normal(d_s), 0.8 * rng.uniform(-1, 1, d_s)
        g = {k: rng.uniform(0.1, 0.9, d_s) for k in ("cs", "cu", "cr", "cx")[: 4 if with_cx else 3]}
        ref = step_bounded_update(p, x, s_prev, v_prev, g)
        got = call(
            "check_gated_step",
            student_fn,
            p,
            x.copy(),
            s_prev.copy(),
            v_prev.copy(),
            {k: a.copy() for k, a in g.items()},
        )
        s, v = _unpack(got, d_s)
        same_s, same_v = same(s, ref["s"]), same(v, ref["v"])
        if same_s and same_v:
            continue
        for why, edits in GATED_STEP_MISTAKES.items():
            bad = mutant(step_bounded_update.impl, *edits)(p, x, s_prev, v_prev, g)
            if same(s, bad["s"]) and same(v, bad["v"]):
                raise AssertionError(f"check_gated_step: {why}")
        which = "s[n] matches but v[n] does not: check Eqs. 95 and 103" if same_s else "s[n] is wrong: check 105-108"
        raise AssertionError(
            f"check_gated_step: {which} (case d_x = {d_x}, d_s = {d_s}; relative errors "
            f"{relative_error(s, ref['s']):.2g} for s, {relative_error(v, ref['v']):.2g} for v)."
        )
    return "check_gated_step: passed, s[n] and v[n] match Eqs. 105-108 on 3 random cases (one with g_cx)."
