"""Gate parameters of Sec. V and conversions to and from the Vanilla LSTM's (Eqs. 112-117, 123)."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .._validation import as_float_array, check_shape, check_type, fmt_shape, type_error
from ..lstm import LSTMParams
from ..rnn import RNNParams

__all__ = ["GateParams", "to_lstm_params", "split_lstm_params", "CellTrace"]

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
        src = f"from W_x_cs of shape {fmt_shape(W.shape)}"
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
    check_pair(params, gates, "to_lstm_params")
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
    check_type("lstm", lstm, LSTMParams)
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


# -- input checks shared by the stages and the driver ------------------------------------------


def check_pair(params, gates, who):
    """Raise unless ``params`` (the data path, ``W_s`` None) and ``gates`` describe the same cell."""
    if not isinstance(params, RNNParams):
        raise type_error(f"{who}: params", params, "RNNParams (the data path)")
    check_type(f"{who}: gates", gates, GateParams)
    if params.W_s is not None:
        raise ValueError(f"{who}: params.W_s is set, but the LSTM has W_s = I (Eq. 100); pass W_s=None.")
    if (gates.d_s, gates.d_x) != (params.d_s, params.d_x):
        raise ValueError(
            f"{who}: gates have d_s = {gates.d_s}, d_x = {gates.d_x}, params have "
            f"d_s = {params.d_s}, d_x = {params.d_x}; both must describe the same cell."
        )


def check_params(step, params):
    """Raise unless ``params`` is an :class:`RNNParams` with the ``W_s`` that ``step`` needs."""
    name = getattr(step, "__name__", "step")
    check_type(f"{name}: params", params, RNNParams)
    need = getattr(step, "W_s", "none")
    if need == "required" and params.W_s is None:
        raise ValueError(
            f"{name} uses W_s s[n-1] (Eq. 96): pass RNNParams(..., W_s=...), e.g. W_s=np.zeros((d_s, d_s)) "
            "for the standard RNN."
        )
    if need == "identity" and params.W_s is not None and not np.array_equal(params.W_s, np.eye(params.d_s)):
        raise ValueError(f"{name} has W_s = I built in (Eq. 100); params.W_s must be None or the identity.")


def read_gates(step, g, d_s, lead=()):
    """Check a gate dict against the step's needs; values become arrays broadcast to ``lead + (d_s,)``."""
    name = getattr(step, "__name__", "step")
    need = getattr(step, "gates", ())
    if name == "step_lstm" or isinstance(g, GateParams):
        return g
    if not need and g is None:
        return None
    if not isinstance(g, dict):
        raise type_error(f"{name}: g", g, f"a dict with the gates {list(need)}")
    missing, unknown = [k for k in need if k not in g], [k for k in g if k not in _GATE_NAMES]
    if missing or unknown:
        raise ValueError(f"{name}: gates {missing} missing, {unknown} unknown; expected keys {list(need)} (+ 'cx').")
    out = {}
    for k, value in g.items():
        a = as_float_array(f"g[{k!r}]", value)
        try:
            a = np.broadcast_to(a, (*lead, d_s)).copy() if lead else np.broadcast_to(a, (d_s,)).copy()
        except ValueError:
            want = f"a scalar, (d_s,) = ({d_s},)" + (f" or (N, d_s) = {fmt_shape((*lead, d_s))}" if lead else "")
            raise ValueError(f"g[{k!r}] has shape {fmt_shape(a.shape)}, expected {want}.") from None
        if a.min() < 0 or a.max() > 1:
            raise ValueError(f"g[{k!r}] has values in [{a.min():g}, {a.max():g}]; gates lie in [0, 1] (Eqs. 99, 104).")
        out[k] = a
    return out


def check_step(step, params, x, s_prev, y_prev, g):
    """Check the arguments of one call of a stage; return them as float arrays (gates read by :func:`read_gates`)."""
    check_params(step, params)
    d_s, src = params.d_s, f"from W_x of shape {fmt_shape(params.W_x.shape)}"
    x = as_float_array("x", x)
    check_shape("x", x, (params.d_x,), ("d_x",), source=src + "; pass one step x[n]")
    s_prev, y_prev = as_float_array("s_prev", s_prev), as_float_array("y_prev", y_prev)
    check_shape("s_prev", s_prev, (d_s,), ("d_s",), source=src)
    check_shape("y_prev", y_prev, (d_s,), ("d_s",), source=src)
    if isinstance(g, GateParams) or getattr(step, "__name__", "") == "step_lstm":
        check_pair(params, g, step.__name__)
    return x, s_prev, y_prev, read_gates(step, g, d_s)
