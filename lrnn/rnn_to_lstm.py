"""From the RNN to the Vanilla LSTM, step by step, Sherstinsky (2020) Sec. V, Eqs. 94-117.

The paper turns the canonical RNN (Eq. 30) into the Vanilla LSTM by a sequence of
small changes. Each change is one step function here, written in the paper's
column-vector form (``W @ x``) with one line per equation, so that two consecutive
stages differ by a few lines (:func:`stage_diff` prints the difference):

=========================  ===========  ==========================================================
step function              Eqs.         change
=========================  ===========  ==========================================================
``step_split``             94-97        state part ``F_s`` plus update part ``F_u``
``step_gated``             98-99        gates ``g_cs``, ``g_cu`` in [0, 1] weigh the two parts
``step_identity_state``    100-102      ``W_s = I``: the gate ``g_cs`` alone scales ``s[n-1]`` (Fig. 4)
``step_readout_gate``      103-106      ``v = g_cr * r`` feeds back instead of ``r`` (Fig. 5);
                                        optional input gate ``g_cx`` (Eq. 106, 1 by default)
``step_bounded_update``    107-108      update candidate ``u = G_d(F_u)`` (Fig. 6)
``step_lstm``              109-117      gates computed from the signals: the Vanilla LSTM
=========================  ===========  ==========================================================

In stages 2-5 the gates are external signals (as in Figs. 4-6): a dict ``g`` with
keys ``"cs"``, ``"cu"``, ``"cr"`` (and optionally ``"cx"``), each a scalar or a
``(d_s,)`` array in [0, 1]. In the last stage they are computed from ``x[n]``,
``s[n-1]`` (``s[n]`` for ``cr``) and ``v[n-1]`` with the parameters of
:class:`GateParams` (Sec. V's ``z``/``theta`` notation). :func:`run_cell` runs any
step function over a sequence.

Symbols (paper -> code -> shape of one step)::

    x[n]            x           (d_x,)       input
    s[n]            s           (d_s,)       state
    r[n]            r           (d_s,)       readout G_d(s[n]) (fed back in stages 1-3)
    v[n]            v           (d_s,)       value g_cr * r (fed back from stage 4 on)
    F_s, F_u        F_s, F_u    (d_s,)       state and update parts of s[n] (Eqs. 94, 96-97)
    u[n]            u           (d_s,)       update candidate G_d(F_u) (Eq. 107; not the unit step)
    g_cs, g_cu      g["cs"], .  (d_s,)       control state / update / readout / input gates
    z_cs, z_cu,..   z_cs, ...   (d_s,)       gate inputs (Eqs. 112-114; Sec. VI calls them a_*)
    theta_cs, ...   theta_cs    (d_s,)       gate biases (Sec. VI: b_*)
    W_r, W_x,       params.*    (d_s, d_s), (d_s, d_x), (d_s,)   data path, an RNNParams
    theta_s                                  (Sec. VI: W_v_du, W_x_du, b_du)

A reason for the size of this module: the six stages are one derivation and are
meant to be read (and diffed) side by side.
"""

from __future__ import annotations

import ast
import difflib
import functools
import inspect
import textwrap
from dataclasses import dataclass, fields

import numpy as np

from ._validation import _fmt, as_float_array, check_shape
from .activations import _G_c as G_c
from .activations import _G_d as G_d
from .lstm import LSTMParams
from .rnn import RNNParams

__all__ = [
    "GateParams",
    "CellTrace",
    "STAGES",
    "step_split",
    "step_gated",
    "step_identity_state",
    "step_readout_gate",
    "step_bounded_update",
    "step_lstm",
    "run_cell",
    "stage_diff",
    "split_lstm_params",
    "to_lstm_params",
]

_GATE_NAMES = ("cs", "cu", "cr", "cx")


@dataclass(frozen=True)
class GateParams:
    """Gate parameters of Sec. V (Eqs. 112-114), in the paper's ``z``/``theta`` notation.

    Section VI renames ``z_c*`` to ``a_c*`` and ``theta_c*`` to ``b_c*``; the weights keep
    their names. :func:`to_lstm_params` and :func:`split_lstm_params` convert.

    Parameters
    ----------
    W_x_cs, W_x_cu, W_x_cr : array_like, shape (d_s, d_x)
    W_s_cs, W_s_cu, W_s_cr : array_like, shape (d_s, d_s)
        From ``s[n-1]`` for cs and cu, from the current ``s[n]`` for cr.
    W_v_cs, W_v_cu, W_v_cr : array_like, shape (d_s, d_s)
    theta_cs, theta_cu, theta_cr : array_like, shape (d_s,)

    Raises
    ------
    TypeError, ValueError
        Non-numeric or non-finite entries, or a shape that disagrees with ``W_x_cs``.

    Examples
    --------
    >>> q = split_lstm_params(LSTMParams.zeros(d_x=3, d_s=2))[1]
    >>> q.W_x_cr.shape, q.theta_cs
    ((2, 3), array([0., 0.]))
    """

    W_x_cs: np.ndarray  # (d_s, d_x)  Eq. 112
    W_s_cs: np.ndarray  # (d_s, d_s)  Eq. 112, from s[n-1]
    W_v_cs: np.ndarray  # (d_s, d_s)  Eq. 112
    theta_cs: np.ndarray  # (d_s,)  Eq. 112
    W_x_cu: np.ndarray  # (d_s, d_x)  Eq. 113
    W_s_cu: np.ndarray  # (d_s, d_s)  Eq. 113, from s[n-1]
    W_v_cu: np.ndarray  # (d_s, d_s)  Eq. 113
    theta_cu: np.ndarray  # (d_s,)  Eq. 113
    W_x_cr: np.ndarray  # (d_s, d_x)  Eq. 114
    W_s_cr: np.ndarray  # (d_s, d_s)  Eq. 114, from the current s[n]
    W_v_cr: np.ndarray  # (d_s, d_s)  Eq. 114
    theta_cr: np.ndarray  # (d_s,)  Eq. 114

    def __post_init__(self):
        W = as_float_array("W_x_cs", self.W_x_cs, ndim=2)
        d_s, d_x = W.shape
        src = f"from W_x_cs of shape {_fmt(W.shape)}"
        for f in fields(self):
            a = as_float_array(f.name, getattr(self, f.name))
            want = {"W_x": ((d_s, d_x), ("d_s", "d_x")), "W_s": ((d_s, d_s), ("d_s", "d_s"))}
            want["W_v"] = want["W_s"]
            shape, symbols = want.get(f.name[:3], ((d_s,), ("d_s",)))
            check_shape(f.name, a, shape, symbols, source=src)
            object.__setattr__(self, f.name, a)

    @property
    def d_s(self) -> int:
        """State size."""
        return self.W_x_cs.shape[0]

    @property
    def d_x(self) -> int:
        """Input size."""
        return self.W_x_cs.shape[1]


def to_lstm_params(params: RNNParams, gates: GateParams) -> LSTMParams:
    """Sec. V's data path and gates in Sec. VI's names: the 15 entities of Eq. 123.

    The bridge: ``W_r -> W_v_du``, ``W_x -> W_x_du``, ``theta_s -> b_du``, ``theta_c* -> b_c*``.

    Raises
    ------
    TypeError, ValueError
        Wrong types, ``params.W_s`` set (the LSTM has ``W_s = I``, Eq. 100), or sizes that disagree.

    Examples
    --------
    >>> p = RNNParams(W_r=[[0.5]], W_x=[[2.0, 0.0]], theta_s=[0.1])
    >>> lp = to_lstm_params(p, split_lstm_params(LSTMParams.zeros(2, 1))[1])
    >>> lp.W_v_du, lp.b_du
    (array([[0.5]]), array([0.1]))
    """
    _check_pair(params, gates, "to_lstm_params")
    q = {f.name.replace("theta_", "b_"): getattr(gates, f.name) for f in fields(gates)}
    return LSTMParams(**q, W_x_du=params.W_x, W_v_du=params.W_r, b_du=params.theta_s)


def split_lstm_params(lstm: LSTMParams) -> tuple[RNNParams, GateParams]:
    """Inverse of :func:`to_lstm_params`: ``(data path as RNNParams, GateParams)``.

    Examples
    --------
    >>> p, q = split_lstm_params(LSTMParams.zeros(d_x=3, d_s=2))
    >>> p.W_r.shape, p.W_x.shape, p.canonical
    ((2, 2), (2, 3), False)
    """
    if not isinstance(lstm, LSTMParams):
        raise TypeError(f"lstm has type {type(lstm).__name__}, expected LSTMParams.")
    names = [f.name for f in fields(GateParams)]
    gates = GateParams(**{k: getattr(lstm, k.replace("theta_", "b_")) for k in names})
    return RNNParams(W_r=lstm.W_v_du, W_x=lstm.W_x_du, theta_s=lstm.b_du), gates


class CellTrace(dict):
    """Signals of :func:`run_cell`, name -> ``(N, d_s)`` array; also readable as attributes (``tr.s``)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"this stage has no signal {name!r}; it has {sorted(self)}.") from None


# -- the stages ----------------------------------------------------------------------------------


def _stage(equations: str, gates: tuple, feedback: str, W_s: str):
    """Tag a step function with its equations and wrap it with argument checks.

    ``W_s`` is ``"required"`` (Eq. 96 uses it), ``"identity"`` (Eq. 100: None or I) or ``"none"``.
    """

    def wrap(impl):
        @functools.wraps(impl)
        def step(params, x, s_prev, y_prev, g=None):
            x, s_prev, y_prev, g = _check_step(step, params, x, s_prev, y_prev, g)
            return impl(params, x, s_prev, y_prev, g)

        step.equations, step.gates, step.feedback, step.W_s, step._impl = equations, gates, feedback, W_s, impl
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


# -- checks and the driver ---------------------------------------------------------------------


def _check_pair(params, gates, who):
    if not isinstance(params, RNNParams):
        raise TypeError(f"{who}: params has type {type(params).__name__}, expected RNNParams (the data path).")
    if not isinstance(gates, GateParams):
        raise TypeError(f"{who}: gates has type {type(gates).__name__}, expected GateParams.")
    if params.W_s is not None:
        raise ValueError(f"{who}: params.W_s is set, but the LSTM has W_s = I (Eq. 100); pass W_s=None.")
    if (gates.d_s, gates.d_x) != (params.d_s, params.d_x):
        raise ValueError(
            f"{who}: gates have d_s = {gates.d_s}, d_x = {gates.d_x}, params have "
            f"d_s = {params.d_s}, d_x = {params.d_x}; both must describe the same cell."
        )


def _check_params(step, params):
    name = getattr(step, "__name__", "step")
    if not isinstance(params, RNNParams):
        raise TypeError(f"{name}: params has type {type(params).__name__}, expected RNNParams.")
    need = getattr(step, "W_s", "none")
    if need == "required" and params.W_s is None:
        raise ValueError(
            f"{name} uses W_s s[n-1] (Eq. 96): pass RNNParams(..., W_s=...), e.g. W_s=np.zeros((d_s, d_s)) "
            "for the standard RNN."
        )
    if need == "identity" and params.W_s is not None and not np.array_equal(params.W_s, np.eye(params.d_s)):
        raise ValueError(f"{name} has W_s = I built in (Eq. 100); params.W_s must be None or the identity.")


def _read_gates(step, g, d_s, lead=()):
    """Check a gate dict against the step's needs; values become arrays broadcast to ``lead + (d_s,)``."""
    name = getattr(step, "__name__", "step")
    need = getattr(step, "gates", ())
    if name == "step_lstm" or isinstance(g, GateParams):
        return g
    if not need and g is None:
        return None
    if not isinstance(g, dict):
        raise TypeError(f"{name}: g has type {type(g).__name__}, expected a dict with the gates {list(need)}.")
    missing, unknown = [k for k in need if k not in g], [k for k in g if k not in _GATE_NAMES]
    if missing or unknown:
        raise ValueError(f"{name}: gates {missing} missing, {unknown} unknown; expected keys {list(need)} (+ 'cx').")
    out = {}
    for k, value in g.items():
        a = as_float_array(f"g[{k!r}]", value)
        try:
            a = np.broadcast_to(a, (*lead, d_s)).copy() if lead else np.broadcast_to(a, (d_s,)).copy()
        except ValueError:
            want = f"a scalar, (d_s,) = ({d_s},)" + (f" or (N, d_s) = {_fmt((*lead, d_s))}" if lead else "")
            raise ValueError(f"g[{k!r}] has shape {_fmt(a.shape)}, expected {want}.") from None
        if a.min() < 0 or a.max() > 1:
            raise ValueError(f"g[{k!r}] has values in [{a.min():g}, {a.max():g}]; gates lie in [0, 1] (Eqs. 99, 104).")
        out[k] = a
    return out


def _check_step(step, params, x, s_prev, y_prev, g):
    _check_params(step, params)
    d_s, src = params.d_s, f"from W_x of shape {_fmt(params.W_x.shape)}"
    x = as_float_array("x", x)
    check_shape("x", x, (params.d_x,), ("d_x",), source=src + "; pass one step x[n]")
    s_prev, y_prev = as_float_array("s_prev", s_prev), as_float_array("y_prev", y_prev)
    check_shape("s_prev", s_prev, (d_s,), ("d_s",), source=src)
    check_shape("y_prev", y_prev, (d_s,), ("d_s",), source=src)
    if isinstance(g, GateParams) or getattr(step, "__name__", "") == "step_lstm":
        _check_pair(params, g, step.__name__)
    return x, s_prev, y_prev, _read_gates(step, g, d_s)


def run_cell(step_fn, params: RNNParams, x, gates=None, s0=None, y0=None) -> CellTrace:
    """Run one stage's step function over a sequence, ``n = 0, ..., N-1``.

    Parameters
    ----------
    step_fn : callable
        One of :data:`STAGES`, or your own ``step_fn(params, x, s_prev, y_prev, g) -> dict``
        returning at least ``"s"`` and the fed-back signal ``"r"`` or ``"v"``.
    params : RNNParams
    x : array_like, shape (N, d_x)
    gates : dict or GateParams, optional
        For stages 2-5, gate signals by name (``"cs"``, ``"cu"``, ``"cr"``, ``"cx"``), each
        a scalar, ``(d_s,)`` or ``(N, d_s)`` array in [0, 1]; for :func:`step_lstm`, a GateParams.
    s0 : array_like, shape (d_s,), optional
        ``s[-1]``, zero by default (Eq. 73).
    y0 : array_like, shape (d_s,), optional
        The fed-back signal at ``n = -1``: ``r[-1] = G_d(s[-1])`` for stages 1-3 (as
        :func:`lrnn.rnn_forward`), ``v[-1] = 0`` from stage 4 on (P5), unless given.

    Returns
    -------
    CellTrace
        Every signal the step returns, stacked to ``(N, d_s)``.

    Raises
    ------
    TypeError, ValueError
        Wrong types or shapes, NaN/inf, gates outside [0, 1] or missing, or a step
        function that does not return a dict with ``"s"`` and ``"r"``/``"v"``.

    Examples
    --------
    With both gates 1 and ``W_s = I`` the gated cell is the canonical RNN with ``W_s = I``:

    >>> from lrnn.rnn import rnn_forward
    >>> p = RNNParams(W_r=[[0.5]], W_x=[[1.0]], theta_s=[0.0])
    >>> x = [[1.0], [0.0], [-1.0]]
    >>> tr = run_cell(step_identity_state, p, x, {"cs": 1.0, "cu": 1.0})
    >>> bool(np.allclose(tr.s, rnn_forward(RNNParams(p.W_r, p.W_x, p.theta_s, W_s=[[1.0]]), x).s))
    True
    """
    if not callable(step_fn):
        raise TypeError(f"step_fn has type {type(step_fn).__name__}, expected a step function such as step_split.")
    _check_params(step_fn, params)
    X = as_float_array("x", x)
    if X.ndim != 2 or X.shape[1] != params.d_x or X.shape[0] == 0:
        raise ValueError(
            f"x has shape {_fmt(X.shape)}, expected (N, d_x) = (N, {params.d_x}) from W_x of shape "
            f"{_fmt(params.W_x.shape)}, N >= 1; pass one sequence, time along axis 0."
        )
    N, d_s = len(X), params.d_s
    if isinstance(gates, GateParams) or getattr(step_fn, "__name__", "") == "step_lstm":
        _check_pair(params, gates, "run_cell")
        G = None
    else:
        G = _read_gates(step_fn, gates, d_s, lead=(N,))
    feedback = getattr(step_fn, "feedback", "v")
    S0 = np.zeros(d_s) if s0 is None else as_float_array("s0", s0)
    check_shape("s0", S0, (d_s,), ("d_s",), source="; pass None for s[-1] = 0")
    if y0 is None:
        Y0 = G_d(S0) if feedback == "r" else np.zeros(d_s)
    else:
        Y0 = as_float_array("y0", y0)
        check_shape("y0", Y0, (d_s,), ("d_s",), source="; pass None for the default")
    impl = getattr(step_fn, "_impl", step_fn)  # arguments are checked once, here
    s_prev, y_prev, rows = S0, Y0, []
    for n in range(N):
        g_n = gates if G is None else {k: a[n] for k, a in G.items()}
        out = impl(params, X[n], s_prev, y_prev, g_n)
        if not isinstance(out, dict) or "s" not in out or not ({"r", "v"} & set(out)):
            raise TypeError(
                f"step_fn returned {type(out).__name__}{sorted(out) if isinstance(out, dict) else ''}; "
                "expected a dict with 's' and the fed-back signal 'r' or 'v' (arrays of shape (d_s,))."
            )
        out = {k: np.asarray(a, dtype=float) for k, a in out.items()}
        bad = {k: a.shape for k, a in out.items() if a.shape != (d_s,)}
        if bad:
            raise ValueError(
                f"step_fn returned signals of shapes {bad} at step n = {n}; each must be (d_s,) = ({d_s},)."
            )
        rows.append(out)
        s_prev, y_prev = out["s"], out["v" if "v" in out else "r"]
    return CellTrace({k: np.array([o[k] for o in rows]) for k in rows[0]})


def _body(fn) -> list[str]:
    """The code lines of a function, without its signature and docstring."""
    src = textwrap.dedent(inspect.getsource(getattr(fn, "_impl", fn)))
    tree = ast.parse(src).body[0]
    first = tree.body[1] if ast.get_docstring(tree) is not None else tree.body[0]
    lines = src.splitlines()
    return [ln[4:] for ln in lines[first.lineno - 1 : tree.end_lineno] if ln.strip()]


class _Diff(str):
    """A diff that Jupyter (and the book) show as a highlighted ``diff`` block."""

    def _repr_markdown_(self):
        return f"```diff\n{self}\n```"


def stage_diff(old, new) -> str:
    """What changes from one stage's step function to the next, as ``-``/``+`` lines.

    Parameters
    ----------
    old, new : callable
        Step functions (for example consecutive entries of :data:`STAGES`); ``old = None``
        shows the body of ``new`` unmarked.

    Returns
    -------
    str
        The body of ``new``, with removed lines of ``old`` marked ``-`` and added ones ``+``
        (shown as a highlighted diff in Jupyter).

    Examples
    --------
    >>> print(stage_diff(step_split, step_gated).splitlines()[2])
    - s = F_s + F_u  # Eq. 94
    """
    lines = difflib.ndiff(_body(new) if old is None else _body(old), _body(new))
    return _Diff("\n".join(ln for ln in lines if not ln.startswith("? ")))
