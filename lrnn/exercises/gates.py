"""Self-checks for the gated cell of Sherstinsky (2020) Sec. V, Eqs. 102-108.

A student writes the step of the gated cell with a bounded update (Fig. 6): the
update part ``F_u`` (Eqs. 105-106), the candidate ``u = G_d(F_u)`` (Eq. 107), the new
state (Eq. 108) and the value (Eqs. 95, 103). :func:`check_gated_step` runs it on
small random cases, compares it with :func:`lrnn.rnn_to_lstm.step_bounded_update`
and names the most likely mistake: the state gate applied to the update, the tanh
bound forgotten, the update gate inside the bound, the readout gate missing, ...

Symbols as in :mod:`lrnn.rnn_to_lstm`. Every case has ``d_x != d_s`` and gates
that differ per component, so that swapped or transposed factors fail loudly.
"""

from __future__ import annotations

import numpy as np

from ..activations import G_d
from ..gradcheck import relative_error
from ..rnn import RNNParams
from ..rnn_to_lstm import step_bounded_update

__all__ = ["check_gated_step"]

_TOL = 1e-8  # relative error accepted as "the same"

_MISTAKES = {
    "swap": "g_cs and g_cu are swapped: g_cs keeps the previous state, g_cu admits the update, "
    "s[n] = g_cs * s[n-1] + g_cu * u[n] (Eq. 108).",
    "cs_on_update": "g_cs multiplies the update too; it scales s[n-1] only: s[n] = g_cs * s[n-1] + g_cu * u[n] "
    "(Eq. 108).",
    "no_bound": "the update is not bounded: Eq. 107 passes F_u through G_d = tanh, u[n] = G_d(F_u), before "
    "the gate g_cu multiplies it (you have the unbounded cell of Eq. 102).",
    "gate_inside": "g_cu is applied inside the bound, G_d(g_cu * F_u); Eq. 108 gates the candidate: g_cu * G_d(F_u).",
    "no_readout_warp": "v[n] = g_cr * s[n]; the readout is warped first: v[n] = g_cr * G_d(s[n]) (Eqs. 95, 103).",
    "no_readout_gate": "v[n] = G_d(s[n]): the control readout gate is missing, v[n] = g_cr * G_d(s[n]) (Eq. 103).",
    "transpose": "W_r is applied transposed: one step is W_r @ v[n-1] (column vectors, P9), not W_r.T @ v[n-1].",
    "no_bias": "the bias theta_s is missing from F_u (Eq. 105).",
    "no_cx": "the input gate is ignored: Eq. 106 multiplies the input term, g_cx * (W_x @ x[n]), when g has 'cx'.",
    "cx_everywhere": "g_cx multiplies all of F_u; Eq. 106 gates only the input term W_x @ x[n].",
}


def _step(p: RNNParams, x, s_prev, v_prev, g, mistake=None):
    """Eqs. 105-108 in column-vector form, optionally with one typical mistake."""
    cx = 1.0 if mistake == "no_cx" else g.get("cx", 1.0)
    W_r = p.W_r.T if mistake == "transpose" else p.W_r
    theta = 0.0 if mistake == "no_bias" else p.theta_s
    F_u = W_r @ v_prev + cx * (p.W_x @ x) + theta  # Eqs. 105-106
    if mistake == "cx_everywhere":
        F_u = g.get("cx", 1.0) * (W_r @ v_prev + p.W_x @ x + theta)
    u = {"no_bound": F_u, "gate_inside": G_d(g["cu"] * F_u)}.get(mistake, G_d(F_u))  # Eq. 107
    g_cs, g_cu = (g["cu"], g["cs"]) if mistake == "swap" else (g["cs"], g["cu"])
    s = g_cs * s_prev + (1.0 if mistake == "gate_inside" else g_cu) * u  # Eq. 108
    if mistake == "cs_on_update":
        s = g_cs * (s_prev + g_cu * u)
    r = s if mistake == "no_readout_warp" else G_d(s)  # Eq. 95
    return s, (r if mistake == "no_readout_gate" else g["cr"] * r)  # Eq. 103


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
        p = RNNParams.init(rng, d_x, d_s, gain=1.5)
        p = RNNParams(p.W_r, 2.0 * p.W_x, p.theta_s + 0.5)  # large enough for tanh to bend
        x, s_prev, v_prev = rng.standard_normal(d_x), rng.standard_normal(d_s), 0.8 * rng.uniform(-1, 1, d_s)
        g = {k: rng.uniform(0.1, 0.9, d_s) for k in ("cs", "cu", "cr", "cx")[: 4 if with_cx else 3]}
        ref = step_bounded_update(p, x, s_prev, v_prev, g)
        try:
            got = student_fn(p, x.copy(), s_prev.copy(), v_prev.copy(), {k: a.copy() for k, a in g.items()})
        except Exception as exc:
            raise AssertionError(f"check_gated_step: your function raised {type(exc).__name__}: {exc}") from exc
        s, v = _unpack(got, d_s)
        same_s, same_v = relative_error(s, ref["s"]) < _TOL, relative_error(v, ref["v"]) < _TOL
        if same_s and same_v:
            continue
        for mistake, why in _MISTAKES.items():
            s_bad, v_bad = _step(p, x, s_prev, v_prev, g, mistake)
            if relative_error(s, s_bad) < _TOL and relative_error(v, v_bad) < _TOL:
                raise AssertionError(f"check_gated_step: {why}")
        which = "s[n] matches but v[n] does not: check Eqs. 95 and 103" if same_s else "s[n] is wrong: check 105-108"
        raise AssertionError(
            f"check_gated_step: {which} (case d_x = {d_x}, d_s = {d_s}; relative errors "
            f"{relative_error(s, ref['s']):.2g} for s, {relative_error(v, ref['v']):.2g} for v)."
        )
    return "check_gated_step: passed, s[n] and v[n] match Eqs. 105-108 on 3 random cases (one with g_cx)."
