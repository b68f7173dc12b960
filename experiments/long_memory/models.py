"""The models of the long-memory sweep: four cells of the book at matched sizes, and a linear readout.

The chapter "Back to the differential equation" plots the results.

=============  ==============================================================================
``gru``        ``GRUParams.init(rng, d_x, d_s)``: Chung's GRU (Eqs. G1-G4), orthogonal recurrent
               weights, zero biases (Chapter 7)
``lstm``       Sherstinsky's Vanilla LSTM (Eqs. 126-136) as in Chapter 7's sweep: forget-gate bias 1,
               the "pinhole" matrices starting at zero
``lru``        :class:`lrnn.lru.LRUParams`: input GLU, diagonal complex recurrence (Orvieto et al.
               Eq. 7) initialised on the ring ``0.9 <= |lambda| <= 0.999`` with phases in
               ``[0, pi/10]``, output GLU
``selective``  :class:`lrnn.selective.SelectiveSSMParams`: the selective layer (Gu and Dao 2023) with
               Mamba's initialisation (``A = -(1, ..., d_s)``, steps log-uniform in ``[0.001, 0.1]``)
               and an output GLU
=============  ==============================================================================

The sizes give each cell about a thousand parameters (:data:`SIZES`): on the adding problem
912 (GRU), 979 (LSTM), 1192 (LRU) and 744 (selective), before the readout; every record holds
its count. The readout is ``y = W_y v + b_y`` with ``W_y ~ N(0, 1/d_out)`` and ``b_y = 0``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import lrnn
from lrnn.experiments.sweep import load_module
from lrnn.losses import Readout
from lrnn.lru import LRUParams, lru_forward
from lrnn.selective import SelectiveSSMParams, selective_forward

CELLS = ("gru", "lstm", "lru", "selective")
SIZES = {"gru": dict(d_s=16), "lstm": dict(d_s=11), "lru": dict(d_s=8, d_h=16), "selective": dict(d_s=4, d_h=16)}
LINEAR = ("lru", "selective")  # the cells whose recurrence runs by the scan (method="scan" or "loop")
FORWARD = {"LRUParams": lru_forward, "SelectiveSSMParams": selective_forward}  # forward passes with method=


def _memory_models():
    """Chapter 7's model file (the Vanilla LSTM of its sweep), imported under its own name."""
    return load_module("memory_models", Path(__file__).resolve().parents[1] / "memory" / "models.py")


def build_model(cell: str, rng, d_x: int, d_y: int):
    """``(cell parameters, Readout)`` for one run of the sweep."""
    size = SIZES.get(cell)
    if cell == "gru":
        params = lrnn.GRUParams.init(rng, d_x, **size)
    elif cell == "lstm":
        params = _memory_models().lstm_params(rng, d_x, forget_bias=1.0, **size)
    elif cell == "lru":
        params = LRUParams.init(rng, d_x, r_min=0.9, r_max=0.999, max_phase=np.pi / 10, **size)
    elif cell == "selective":
        params = SelectiveSSMParams.init(rng, d_x, **size)
    else:
        raise ValueError(f"cell = {cell!r}, expected one of {CELLS}.")
    d = params.d_out
    readout = Readout(W_y=rng.standard_normal((d_y, d)) / np.sqrt(d), b_y=np.zeros(d_y))
    return params, readout
