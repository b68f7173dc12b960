"""The models of the memory sweep: one cell of the book and a linear readout, built from a seed.

Every cell is initialised as a practitioner would, through the package's own constructors:

=============  =============================================================================
``rnn``        ``RNNParams.init(rng, d_x, d_s, recurrent=..., scale=...)``: the standard RNN (Eq. 32)
               with ``G = tanh``; ``"gaussian"`` (default), ``"orthogonal"`` or ``"identity"``
``gru``        ``GRUParams.init(rng, d_x, d_s, carry_bias=..., chrono=...)``: Chung's GRU
               (Eqs. G1-G4), orthogonal recurrent weights
``lstm``       Sherstinsky's Vanilla LSTM (Eqs. 126-136) from :func:`lstm_params`: Gaussian weights,
               the three "pinhole" matrices starting at zero (they train), and the forget-gate
               (control state gate) bias ``b_cs`` set as asked
``augmented``  the Augmented LSTM (Sec. VII) with one tap (``L = 1``, no look-ahead) and ``d_v = d_s``,
               built from the same Vanilla LSTM by ``AugmentedLSTMParams.from_vanilla``: at
               initialisation it is that LSTM plus a control input gate ``g_cx = G_c(1)``
=============  =============================================================================

The gate ablations of :mod:`lrnn.gate_ablations` (``mgu``, ``lstm_coupled``, ``lstm_no_readout_gate``,
``lstm_diagonal``, ``augmented_open``) start from their parent, built as above from the same draws,
with the variant's constraint imposed (the Augmented LSTM's control input gate then held at 1).

The readout is ``y = W_y v + b_y`` with ``W_y ~ N(0, 1/d_s)`` and ``b_y = 0``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

import lrnn
from lrnn.gate_ablations import CONSTRAINTS
from lrnn.initializers import chrono_bias
from lrnn.losses import Readout

CELLS = ("rnn", "gru", "lstm", "augmented")
ABLATIONS = tuple(CONSTRAINTS)  # each trained as its parent cell under a constraint


def lstm_params(rng, d_x: int, d_s: int, *, forget_bias: float = 1.0, chrono: float | None = None):
    """The Vanilla LSTM of the sweep: Gaussian weights, zero pinholes, the forget-gate bias as asked.

    ``forget_bias`` sets every ``b_cs`` (Gers, Schmidhuber and Cummins 2000 used a positive bias
    so that the cell starts out remembering; 1 is the usual choice). ``chrono = T_max`` draws
    ``b_cs ~ log U(1, T_max - 1)`` and sets ``b_cu = -b_cs`` (Tallec and Ollivier 2018).
    The other biases are ``N(0, 0.1^2)``, the weights ``N(0, 1/fan_in)`` (``LSTMParams.init``).
    """
    p = lrnn.LSTMParams.init(rng, d_x, d_s, pinholes=False)
    if chrono is not None:
        b_cs = chrono_bias(rng, chrono, d_s)
        return dataclasses.replace(p, b_cs=b_cs, b_cu=-b_cs)
    return dataclasses.replace(p, b_cs=np.full(d_s, float(forget_bias)))


def build_model(cell: str, rng, d_x: int, d_s: int, d_y: int, **init):
    """``(cell parameters, Readout)`` for one run; ``init`` holds the cell's initialisation options."""
    if cell in CONSTRAINTS:  # a gate ablation: its parent, then its constraint
        parent, constraint = CONSTRAINTS[cell]
        params, readout = build_model(parent, rng, d_x, d_s, d_y, **init)
        return constraint.impose(params), readout
    if cell == "rnn":
        params = lrnn.RNNParams.init(rng, d_x, d_s, **init)
    elif cell == "gru":
        params = lrnn.GRUParams.init(rng, d_x, d_s, **init)
    elif cell == "lstm":
        params = lstm_params(rng, d_x, d_s, **init)
    elif cell == "augmented":
        params = lrnn.AugmentedLSTMParams.from_vanilla(lstm_params(rng, d_x, d_s, **init), open_gate_bias=1.0)
    else:
        raise ValueError(f"cell = {cell!r}, expected one of {CELLS}.")
    readout = Readout(W_y=rng.standard_normal((d_y, d_s)) / np.sqrt(d_s), b_y=np.zeros(d_y))
    return params, readout
