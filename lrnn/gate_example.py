"""The gates at work: a hand-set Vanilla LSTM that stores, overwrites and recalls a number.

The running example of Chapter 5 (Sherstinsky 2020, Sec. VI-H, Eqs. 126-136): one unit
(``d_s = 1``) reads eight steps of three input channels, ``x[n] = [data, write, read]``.
Its weights are set by hand so that each gate has one job:

- the control update gate opens on the write flag, ``a_cu = 12 write - 6`` (Eq. 126);
- the control state gate ("forget gate") stays open, ``a_cs = 6 - 24 write`` (Eq. 127),
  and shuts on the write flag, so that the old content is replaced rather than added to;
- the control readout gate opens on the read flag, ``a_cr = 12 read - 6`` (Eq. 128);
- the update candidate is the data value squashed, ``u = tanh(data)`` (Eqs. 129-130).

All recurrent and pinhole weights are zero, so the gates follow the flags alone and every
number in the picture can be checked by hand: a shut gate is ``sigma(-6) = 0.0025``, an open
one ``sigma(6) = 0.9975``. The sequence writes 0.8 at step 1, overwrites it with -0.6 at
step 4 while other data values pass by, and reads at step 6.

Symbols (paper -> code -> shape)::

    x[n]          x          (N, 3)   data, write flag, read flag
    g_cu, g_cs    g_cu, g_cs (N, 1)   control update and state gates (Eqs. 131-132)
    g_cr          g_cr       (N, 1)   control readout gate (Eq. 133)
    u, s, v       u, s, v    (N, 1)   update candidate, state, value (Eqs. 130, 134, 136)

Example
-------
>>> ex = gate_example()
>>> ex.step_of("read"), round(float(ex.trace.v[ex.step_of("read"), 0]), 3)
(6, -0.485)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .lstm import LSTMParams, LSTMTrace, lstm_forward

__all__ = ["GateExample", "gate_example_cell", "gate_example_inputs", "gate_example"]

OPEN = 6.0  # |a| of a gate that is open (sigma(6) = 0.9975) or shut (sigma(-6) = 0.0025)


def gate_example_cell() -> LSTMParams:
    """The hand-set one-unit cell of the running example (``d_x = 3``, ``d_s = 1``).

    Returns
    -------
    LSTMParams
        Input weights and biases as in the module docstring; every ``W_s_*`` and ``W_v_*`` zero.
    """
    z = np.zeros((1, 1))
    return LSTMParams(
        W_x_cu=[[0.0, 2 * OPEN, 0.0]], W_s_cu=z, W_v_cu=z, b_cu=[-OPEN],  # Eq. 126: opens on write
        W_x_cs=[[0.0, -4 * OPEN, 0.0]], W_s_cs=z, W_v_cs=z, b_cs=[OPEN],  # Eq. 127: shuts on write
        W_x_cr=[[0.0, 0.0, 2 * OPEN]], W_s_cr=z, W_v_cr=z, b_cr=[-OPEN],  # Eq. 128: opens on read
        W_x_du=[[1.0, 0.0, 0.0]], W_v_du=z, b_du=[0.0],  # Eq. 129: u = tanh(data)
    )  # fmt: skip


def gate_example_inputs() -> tuple[np.ndarray, tuple[str, ...]]:
    """The eight input steps and a short label for each.

    Returns
    -------
    x : numpy.ndarray, shape (8, 3)
        ``[data, write, read]`` at every step.
    labels : tuple of str
        ``"write"``, ``"read"`` or ``""`` for each step.
    """
    data = [0.9, 0.8, -0.5, 0.3, -0.6, 0.7, 0.0, -0.9]
    write = [0, 1, 0, 0, 1, 0, 0, 0]
    read = [0, 0, 0, 0, 0, 0, 1, 0]
    x = np.array([data, write, read], dtype=float).T
    labels = tuple("write" if w else "read" if r else "" for w, r in zip(write, read))
    return x, labels


@dataclass(frozen=True)
class GateExample:
    """The running example: its cell, inputs, step labels and the trace ``lstm_forward`` computed."""

    params: LSTMParams
    x: np.ndarray  # (N, 3)
    labels: tuple  # (N,) "write", "read" or ""
    trace: LSTMTrace  # every signal, (N, 1)

    def step_of(self, label: str) -> int:
        """The first step labelled ``label`` ("write" or "read").

        Raises
        ------
        ValueError
            If no step has that label.
        """
        if label not in self.labels:
            raise ValueError(f"label = {label!r}, expected one of {sorted(set(self.labels) - {''})}.")
        return self.labels.index(label)


def gate_example() -> GateExample:
    """Run :func:`gate_example_cell` over :func:`gate_example_inputs` with :func:`lrnn.lstm.lstm_forward`.

    Returns
    -------
    GateExample
    """
    params = gate_example_cell()
    x, labels = gate_example_inputs()
    return GateExample(params, x, labels, lstm_forward(params, x))
