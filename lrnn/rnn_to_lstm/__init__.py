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

Submodules: ``params`` (the gate parameters and conversions to and from
:class:`lrnn.lstm.LSTMParams`), ``stages`` (the six step functions, one derivation
read side by side), ``driver`` (:func:`run_cell`, :func:`stage_diff`, :func:`show_code`).
"""

from .driver import run_cell, show_code, stage_diff
from .params import CellTrace, GateParams, split_lstm_params, to_lstm_params
from .stages import (
    STAGES,
    step_bounded_update,
    step_gated,
    step_identity_state,
    step_lstm,
    step_readout_gate,
    step_split,
)

__all__ = [
    "GateParams",
    "to_lstm_params",
    "split_lstm_params",
    "CellTrace",
    "step_split",
    "step_gated",
    "step_identity_state",
    "step_readout_gate",
    "step_bounded_update",
    "step_lstm",
    "STAGES",
    "run_cell",
    "stage_diff",
    "show_code",
]
