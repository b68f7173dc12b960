"""The six stages from the canonical RNN to the Vanilla LSTM, one step function each (Eqs. 94-117)."""

from __future__ import annotations

import functools

import numpy as np  # noqa: F401  (the Examples use it)

from ..activations import G_c, G_d
from ..lstm import LSTMParams  # noqa: F401  (the Examples use it)
from ..rnn import RNNParams  # noqa: F401  (the Examples use it)
from .params import check_step, split_lstm_params  # noqa: F401  (the Examples use split_lstm_params)

__all__ = [
    "step_split",
    "step_gated",
    "step_identity_state",
    "step_readout_gate",
    "step_bounded_update",
    "step_lstm",
    "STAGES",
]

# -- the stages ----------------------------------------------------------------------------------


def _stage(equations: str, gates: tuple, feedback: str, W_s: str):
    """Tag a step function with its equations and wrap it with argument checks.

    ``W_s`` is ``"required"`` (Eq. 96 uses it), ``"identity"`` (Eq. 100: None or I) or ``"none"``.
    """

    def wrap(impl):
        @functools.wraps(impl)
        def step(params, x, s_prev, y_prev, g=None):
            x, s_prev, y_prev, g = check_step(step, params, x, s_prev, y_prev, g)
            return impl(params, x, s_prev, y_prev, g)

        step.equations, step.gates, step.feedback, step.W_s, step.impl = equations, gates, feedback, W_s, impl
        return step

    return wrap


@_stage("94-97", gates=(), feedback="r", W_s="required")
def step_split(p, x, s_prev, r_prev, g=None):
    """Canonical RNN split into a state part and an update part (Eqs. 94-97).

    Parameters
    ----------
    p : RNNParams
        With ``W_s`` (canonical RNN); ``W_s = 0`` gives the standard RNN.
    x : array_like, shape (d_x,)
    s_prev, r_prev : array_like, shape (d_s,)
        ``s[n-1]`` and ``r[n-1]``.
    g : None
        No gates yet.

    Returns
    -------
    dict
        ``F_s``, ``F_u``, ``s``, ``r``, each of shape (d_s,).

    Raises
    ------
    TypeError, ValueError
        Wrong types or shapes, NaN/inf, ``p.W_s`` missing.

    Examples
    --------
    s = 0.5 * 2 + (1 * 0 + 3 * 1 + 0) = 4:

    >>> p = RNNParams(W_r=[[1.0]], W_x=[[3.0]], theta_s=[0.0], W_s=[[0.5]])
    >>> step_split(p, [1.0], [2.0], [0.0])["s"]
    array([4.])
    """
    F_s = p.W_s @ s_prev  # Eq. 96
    F_u = p.W_r @ r_prev + p.W_x @ x + p.theta_s  # Eq. 97
    s = F_s + F_u  # Eq. 94
    r = G_d(s)  # Eq. 95
    return dict(F_s=F_s, F_u=F_u, s=s, r=r)


@_stage("98-99", gates=("cs", "cu"), feedback="r", W_s="required")
def step_gated(p, x, s_prev, r_prev, g):
    """The two parts weighed by the control state and control update gates (Eqs. 98-99).

    Parameters as :func:`step_split`, and ``g``, a dict with ``"cs"`` and ``"cu"``,
    each a scalar or ``(d_s,)`` array in [0, 1] (Eq. 99).

    Examples
    --------
    s = 0.5 * (0.5 * 2) + 0 * 3 = 0.5:

    >>> p = RNNParams(W_r=[[1.0]], W_x=[[3.0]], theta_s=[0.0], W_s=[[0.5]])
    >>> step_gated(p, [1.0], [2.0], [0.0], {"cs": 0.5, "cu": 0.0})["s"]
    array([0.5])
    """
    F_s = p.W_s @ s_prev  # Eq. 96
    F_u = p.W_r @ r_prev + p.W_x @ x + p.theta_s  # Eq. 97
    s = g["cs"] * F_s + g["cu"] * F_u  # Eq. 98
    r = G_d(s)  # Eq. 95
    return dict(F_s=F_s, F_u=F_u, s=s, r=r)


@_stage("100-102", gates=("cs", "cu"), feedback="r", W_s="identity")
def step_identity_state(p, x, s_prev, r_prev, g):
    """``W_s = I``: the gate alone decides what fraction of ``s[n-1]`` survives (Eqs. 100-102, Fig. 4).

    Parameters as :func:`step_gated`; ``p.W_s`` must be None or the identity.

    Examples
    --------
    >>> p = RNNParams(W_r=[[1.0]], W_x=[[3.0]], theta_s=[0.0])
    >>> step_identity_state(p, [1.0], [2.0], [0.0], {"cs": 0.5, "cu": 1.0})["s"]
    array([4.])
    """
    F_u = p.W_r @ r_prev + p.W_x @ x + p.theta_s  # Eq. 97
    s = g["cs"] * s_prev + g["cu"] * F_u  # Eqs. 100-102: W_s = I
    r = G_d(s)  # Eq. 95
    return dict(F_u=F_u, s=s, r=r)


@_stage("103-106", gates=("cs", "cu", "cr"), feedback="v", W_s="identity")
def step_readout_gate(p, x, s_prev, v_prev, g):
    """The control readout gate throttles what is fed back: ``v = g_cr * r`` (Eqs. 103-106, Fig. 5).

    Parameters as :func:`step_identity_state`, with ``v_prev = v[n-1]`` instead of
    ``r[n-1]`` and the gates ``"cs"``, ``"cu"``, ``"cr"``; an optional ``"cx"`` gates
    the input (Eq. 106; 1 when absent).

    Examples
    --------
    >>> p = RNNParams(W_r=[[1.0]], W_x=[[3.0]], theta_s=[0.0])
    >>> out = step_readout_gate(p, [1.0], [2.0], [0.0], {"cs": 0.5, "cu": 1.0, "cr": 0.0})
    >>> out["s"], out["v"]
    (array([4.]), array([0.]))
    """
    F_u = p.W_r @ v_prev + g.get("cx", 1.0) * (p.W_x @ x) + p.theta_s  # Eqs. 105-106
    s = g["cs"] * s_prev + g["cu"] * F_u  # Eqs. 100-102: W_s = I
    r = G_d(s)  # Eq. 95
    v = g["cr"] * r  # Eq. 103
    return dict(F_u=F_u, s=s, r=r, v=v)


@_stage("107-108", gates=("cs", "cu", "cr"), feedback="v", W_s="identity")
def step_bounded_update(p, x, s_prev, v_prev, g):
    """The update is bounded by ``G_d`` before it enters the state (Eqs. 107-108, Fig. 6).

    Parameters as :func:`step_readout_gate`. ``u = G_d(F_u)`` is the update
    candidate (footnote 19: no longer the unit step of Sec. III).

    Examples
    --------
    s = 0.5 * 2 + 1 * tanh(3) = 1.995:

    >>> p = RNNParams(W_r=[[1.0]], W_x=[[3.0]], theta_s=[0.0])
    >>> step_bounded_update(p, [1.0], [2.0], [0.0], {"cs": 0.5, "cu": 1.0, "cr": 1.0})["s"].round(3)
    array([1.995])
    """
    F_u = p.W_r @ v_prev + g.get("cx", 1.0) * (p.W_x @ x) + p.theta_s  # Eqs. 105-106
    u = G_d(F_u)  # Eq. 107
    s = g["cs"] * s_prev + g["cu"] * u  # Eq. 108
    r = G_d(s)  # Eq. 95
    v = g["cr"] * r  # Eq. 103
    return dict(F_u=F_u, u=u, s=s, r=r, v=v)


@_stage("109-117", gates=(), feedback="v", W_s="identity")
def step_lstm(p, x, s_prev, v_prev, q):
    """The gates computed from the signals at their nodes: the Vanilla LSTM (Eqs. 109-117).

    Parameters
    ----------
    p : RNNParams
        The data path (Sec. VI: ``W_v_du``, ``W_x_du``, ``b_du``); ``p.W_s`` None.
    x, s_prev, v_prev : array_like
        ``x[n]`` (d_x,), ``s[n-1]`` and ``v[n-1]`` (d_s,).
    q : GateParams
        The gates' weights and biases (Eqs. 112-114).

    Returns
    -------
    dict
        ``z_cs, z_cu, z_cr, g_cs, g_cu, g_cr, F_u, u, s, r, v``, each of shape (d_s,).

    Examples
    --------
    All weights zero: every gate is G_c(0) = 1/2 and u = 0, so the state halves.

    >>> p, q = split_lstm_params(LSTMParams.zeros(1, 1))
    >>> step_lstm(p, [0.0], [2.0], [0.0], q)["s"]
    array([1.])
    """
    z_cs = q.W_x_cs @ x + q.W_s_cs @ s_prev + q.W_v_cs @ v_prev + q.theta_cs  # Eq. 112
    z_cu = q.W_x_cu @ x + q.W_s_cu @ s_prev + q.W_v_cu @ v_prev + q.theta_cu  # Eq. 113
    g = dict(cs=G_c(z_cs), cu=G_c(z_cu))  # Eqs. 109, 115-116
    F_u = p.W_r @ v_prev + g.get("cx", 1.0) * (p.W_x @ x) + p.theta_s  # Eqs. 105-106
    u = G_d(F_u)  # Eq. 107
    s = g["cs"] * s_prev + g["cu"] * u  # Eq. 108
    z_cr = q.W_x_cr @ x + q.W_s_cr @ s + q.W_v_cr @ v_prev + q.theta_cr  # Eq. 114, new s
    g["cr"] = G_c(z_cr)  # Eq. 117
    r = G_d(s)  # Eq. 95
    v = g["cr"] * r  # Eq. 103
    out = dict(F_u=F_u, u=u, s=s, r=r, v=v, z_cs=z_cs, z_cu=z_cu, z_cr=z_cr)
    return out | {f"g_{k}": a for k, a in g.items()}


#: The six stages in the paper's order.
STAGES = (step_split, step_gated, step_identity_state, step_readout_gate, step_bounded_update, step_lstm)
