"""Which gates matter? Five ablations of the gated cells, each a constraint on a cell's parameters.

Each variant removes or ties one part of a gated cell. Its step function below is written like
:func:`lrnn.lstm.lstm_step`, one line per equation, so that it reads beside its parent's step
(the way :mod:`lrnn.rnn_to_lstm` builds the LSTM a change at a time). To train a variant, the
book does not write a new backward pass: every variant is its parent cell with a linear
constraint on the parameters (:class:`Constraint`), so the parent's forward pass computes it
exactly, and its gradient is the parent's gradient projected onto the constraint (for a tied
pair, the chain rule adds the two gradients; for a held value, the gradient is zero):

=========================  ===============  =====================================================
variant                    parent           constraint (and what it removes)
=========================  ===============  =====================================================
``mgu``                    GRU (Chung)      reset gate = update gate: ``W_*_r = W_*_z``,
                                            ``b_r = b_z`` (the minimal gated unit, Zhou et al.
                                            2016: one forget gate does both jobs)
``lstm_coupled``           Vanilla LSTM     ``g_cu = 1 - g_cs``: ``a_cu = -a_cs``, so
                                            ``W_*_cu = -W_*_cs``, ``b_cu = -b_cs`` (what is
                                            written is what is forgotten; Greff et al. 2017)
``lstm_no_readout_gate``   Vanilla LSTM     ``g_cr = 1``: ``W_*_cr = 0``, ``b_cr = 40``
                                            (``G_c(40) = 1`` in float64): ``v = G_d(s)``
``lstm_diagonal``          Vanilla LSTM     pinholes ``W_s_*`` diagonal (Gers and Schmidhuber
                                            2000's peepholes, one weight per unit)
``augmented_open``         Augmented LSTM   control input gate held open: ``W_*_cx = 0``,
                                            ``b_cx = 40`` (``g_cx = 1``; Sec. VIII's gate
                                            that is to remove non-essential input, removed)
=========================  ===============  =====================================================

The memory sweep of Chapter 7 (``experiments/memory``, group ``gate_ablation``) trains each
beside its parent on the adding problem at lags 100 and 200.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from ._validation import check_type
from .activations import G_c, G_d
from .gru import GRUParams
from .lstm import LSTMParams

__all__ = [
    "Constraint",
    "ConstrainedOptimizer",
    "tied",
    "CONSTRAINTS",
    "HELD_OPEN",
    "step_mgu",
    "step_coupled",
    "step_no_readout_gate",
    "step_diagonal_pinholes",
]

#: A gate's bias that holds it open: ``G_c(40) = 1`` exactly in float64.
HELD_OPEN = 40.0


@dataclass(frozen=True)
class Constraint:
    """A linear constraint on a cell's parameter fields: held values, diagonal matrices, tied pairs.

    Parameters
    ----------
    held : dict of str to float
        Fields held at a constant (every entry): their gradient is zero.
    diagonal : tuple of str
        Square fields kept diagonal: their gradient keeps its diagonal only.
    tied : tuple of (str, str, float)
        ``(leader, follower, sign)``: ``follower = sign * leader``. The loss sees the shared
        value twice, so its gradient is ``g_leader + sign * g_follower`` (the chain rule); the
        leader takes it and the follower ``sign`` times it, which keeps the tie under SGD and
        Adam alike (Adam's update is odd in the gradient, entry by entry).

    Examples
    --------
    >>> c = Constraint(tied=(("b_z", "b_r", 1.0),))
    >>> p = c.impose(GRUParams.init(np.random.default_rng(0), d_x=1, d_s=2))
    >>> bool(np.array_equal(p.b_r, p.b_z))
    True
    """

    held: dict = field(default_factory=dict)
    diagonal: tuple = ()
    tied: tuple = ()

    def _fields(self, params) -> set:
        return {f.name for f in dataclasses.fields(params)}

    def _check(self, params) -> None:
        names = self._fields(params)
        used = set(self.held) | set(self.diagonal) | {n for pair in self.tied for n in pair[:2]}
        if not used <= names:
            raise ValueError(
                f"the constraint names {sorted(used - names)}, which {type(params).__name__} does not have; "
                f"its fields are {sorted(names)}."
            )

    def impose(self, params):
        """``params`` with the constraint made true: held fields set, diagonals kept, followers from leaders."""
        self._check(params)
        new = {k: np.full_like(getattr(params, k), v) for k, v in self.held.items()}
        new |= {k: np.diag(np.diag(getattr(params, k))) for k in self.diagonal}
        new |= {follower: sign * getattr(params, leader) for leader, follower, sign in self.tied}
        return dataclasses.replace(params, **new)

    def project(self, grads):
        """The gradient of the constrained cell, written on the parent's fields (see the class docstring)."""
        self._check(grads)
        new = {k: np.zeros_like(getattr(grads, k)) for k in self.held}
        new |= {k: np.diag(np.diag(getattr(grads, k))) for k in self.diagonal}
        for leader, follower, sign in self.tied:
            shared = getattr(grads, leader) + sign * getattr(grads, follower)
            new |= {leader: shared, follower: sign * shared}
        return type(grads).unchecked(
            **{f.name: new.get(f.name, getattr(grads, f.name)) for f in dataclasses.fields(grads)}
        )

    def n_free(self, params) -> int:
        """The number of parameters the constrained cell has: the parent's, less held, off-diagonal and followers."""
        self._check(params)
        total = params.n_params - sum(getattr(params, k).size for k in self.held)
        total -= sum(getattr(params, k).size - len(getattr(params, k)) for k in self.diagonal)
        return total - sum(getattr(params, follower).size for _, follower, _ in self.tied)


def tied(pairs, sign: float) -> tuple:
    """The ``tied`` argument of :class:`Constraint` for ``(leader, follower)`` pairs, each ``follower = sign * leader``.

    Examples
    --------
    >>> tied([("b_z", "b_r")], 1.0)
    (('b_z', 'b_r', 1.0),)
    """
    return tuple((leader, follower, sign) for leader, follower in pairs)


#: The five variants: name -> (parent cell, constraint).
CONSTRAINTS = {
    "mgu": ("gru", Constraint(tied=tied([("W_x_z", "W_x_r"), ("W_s_z", "W_s_r"), ("b_z", "b_r")], 1.0))),
    "lstm_coupled": (
        "lstm",
        Constraint(
            tied=tied([("W_x_cs", "W_x_cu"), ("W_s_cs", "W_s_cu"), ("W_v_cs", "W_v_cu"), ("b_cs", "b_cu")], -1.0)
        ),
    ),
    "lstm_no_readout_gate": ("lstm", Constraint(held={"W_x_cr": 0.0, "W_s_cr": 0.0, "W_v_cr": 0.0, "b_cr": HELD_OPEN})),
    "lstm_diagonal": ("lstm", Constraint(diagonal=("W_s_cu", "W_s_cs", "W_s_cr"))),
    "augmented_open": ("augmented", Constraint(held={"W_x_cx": 0.0, "W_s_cx": 0.0, "W_v_cx": 0.0, "b_cx": HELD_OPEN})),
}


class ConstrainedOptimizer:
    """An optimizer of a ``(cell, readout)`` model whose cell's gradient is projected by a constraint first.

    ``fit_sequences`` clips the gradient before the optimizer sees it, so a global-norm clip
    measures the parent's gradient; the projection then keeps the constraint exactly.

    Parameters
    ----------
    optimizer : lrnn.optim optimizer
    constraint : Constraint
    """

    def __init__(self, optimizer, constraint: Constraint):
        check_type("constraint", constraint, Constraint, "take one from lrnn.gate_ablations.CONSTRAINTS")
        self.optimizer, self.constraint = optimizer, constraint

    def init_state(self, params):
        """The wrapped optimizer's state for ``params``."""
        return self.optimizer.init_state(params)

    def step(self, params, grads, state):
        """One step of the wrapped optimizer with the cell's gradient projected."""
        g_cell, *rest = grads
        return self.optimizer.step(params, (self.constraint.project(g_cell), *rest), state)


# The variants' steps, for reading beside their parents' (lrnn.gru.gru_step, lrnn.lstm.lstm_step) ---------------


def step_mgu(p: GRUParams, x, s_prev) -> dict:
    """One step of the minimal gated unit (Zhou et al. 2016): the GRU's Eqs. G1-G4 with one gate, ``g_f``.

    The GRU's update gate ``g_z`` (Eq. G2) becomes the forget gate ``g_f`` and also does the
    reset gate's job (Eq. G1): read with ``p.W_x_z, p.W_s_z, p.b_z`` as ``f``'s weights.

    Parameters
    ----------
    p : GRUParams
        Chung's convention; only the ``z`` and ``u`` fields are read.
    x : numpy.ndarray, shape (d_x,) or (B, d_x)
    s_prev : numpy.ndarray, shape (d_s,) or (B, d_s)

    Returns
    -------
    dict
        ``a_f, g_f, a_u, u, s``.
    """
    a_f = x @ p.W_x_z.T + s_prev @ p.W_s_z.T + p.b_z  # Eq. G2: the one gate
    g_f = G_c(a_f, check=False)
    a_u = x @ p.W_x_u.T + (g_f * s_prev) @ p.W_s_u.T + p.b_u  # Eq. G3 with g_f as the reset (G1 is gone)
    u = G_d(a_u, check=False)
    s = (1.0 - g_f) * s_prev + g_f * u  # Eq. G4 with g_f as the update
    return dict(a_f=a_f, g_f=g_f, a_u=a_u, u=u, s=s)


def step_coupled(p: LSTMParams, x, s_prev, v_prev) -> dict:
    """One step of the coupled-gate LSTM: Eqs. 126-136 with ``g_cu = 1 - g_cs`` in place of Eqs. 126, 131.

    Parameters
    ----------
    p : LSTMParams
        Only the ``cs``, ``cr`` and ``du`` fields are read.
    x : numpy.ndarray, shape (d_x,) or (B, d_x)
    s_prev, v_prev : numpy.ndarray, shape (d_s,) or (B, d_s)

    Returns
    -------
    dict
        ``a_cs, a_cr, a_du, g_cu, g_cs, g_cr, u, s, r, v``.
    """
    a_cs = x @ p.W_x_cs.T + s_prev @ p.W_s_cs.T + v_prev @ p.W_v_cs.T + p.b_cs  # Eq. 127
    a_du = x @ p.W_x_du.T + v_prev @ p.W_v_du.T + p.b_du  # Eq. 129
    u = G_d(a_du, check=False)  # Eq. 130
    g_cs = G_c(a_cs, check=False)  # Eq. 132
    g_cu = 1.0 - g_cs  # replaces Eqs. 126 and 131: what is written is what is forgotten
    s = g_cs * s_prev + g_cu * u  # Eq. 134
    a_cr = x @ p.W_x_cr.T + s @ p.W_s_cr.T + v_prev @ p.W_v_cr.T + p.b_cr  # Eq. 128
    g_cr = G_c(a_cr, check=False)  # Eq. 133
    r = G_d(s, check=False)  # Eq. 135
    v = g_cr * r  # Eq. 136
    return dict(a_cs=a_cs, a_cr=a_cr, a_du=a_du, g_cu=g_cu, g_cs=g_cs, g_cr=g_cr, u=u, s=s, r=r, v=v)


def step_no_readout_gate(p: LSTMParams, x, s_prev, v_prev) -> dict:
    """One step of the LSTM without its readout (output) gate: Eqs. 126-135, and ``v = r`` for Eq. 136.

    Parameters
    ----------
    p : LSTMParams
        The ``cr`` fields are not read.
    x : numpy.ndarray, shape (d_x,) or (B, d_x)
    s_prev, v_prev : numpy.ndarray, shape (d_s,) or (B, d_s)

    Returns
    -------
    dict
        ``a_cu, a_cs, a_du, g_cu, g_cs, u, s, r, v``.
    """
    a_cu = x @ p.W_x_cu.T + s_prev @ p.W_s_cu.T + v_prev @ p.W_v_cu.T + p.b_cu  # Eq. 126
    a_cs = x @ p.W_x_cs.T + s_prev @ p.W_s_cs.T + v_prev @ p.W_v_cs.T + p.b_cs  # Eq. 127
    a_du = x @ p.W_x_du.T + v_prev @ p.W_v_du.T + p.b_du  # Eq. 129
    u = G_d(a_du, check=False)  # Eq. 130
    g_cu = G_c(a_cu, check=False)  # Eq. 131
    g_cs = G_c(a_cs, check=False)  # Eq. 132
    s = g_cs * s_prev + g_cu * u  # Eq. 134
    r = G_d(s, check=False)  # Eq. 135
    v = r  # replaces Eqs. 128, 133 and 136: the whole readout, always
    return dict(a_cu=a_cu, a_cs=a_cs, a_du=a_du, g_cu=g_cu, g_cs=g_cs, u=u, s=s, r=r, v=v)


def step_diagonal_pinholes(p: LSTMParams, x, s_prev, v_prev) -> dict:
    """One step of the LSTM with diagonal pinholes: each gate sees its own unit's state only.

    The products ``W_s_* s`` of Eqs. 126-128 become ``w_s_* * s`` with ``w_s_* = diag(W_s_*)``.

    Parameters
    ----------
    p : LSTMParams
        The diagonals of ``W_s_cu, W_s_cs, W_s_cr`` are read; their other entries are not.
    x : numpy.ndarray, shape (d_x,) or (B, d_x)
    s_prev, v_prev : numpy.ndarray, shape (d_s,) or (B, d_s)

    Returns
    -------
    dict
        As :func:`lrnn.lstm.lstm_step`.
    """
    w_cu, w_cs, w_cr = np.diag(p.W_s_cu), np.diag(p.W_s_cs), np.diag(p.W_s_cr)  # one pinhole weight per unit
    a_cu = x @ p.W_x_cu.T + w_cu * s_prev + v_prev @ p.W_v_cu.T + p.b_cu  # Eq. 126
    a_cs = x @ p.W_x_cs.T + w_cs * s_prev + v_prev @ p.W_v_cs.T + p.b_cs  # Eq. 127
    a_du = x @ p.W_x_du.T + v_prev @ p.W_v_du.T + p.b_du  # Eq. 129
    u = G_d(a_du, check=False)  # Eq. 130
    g_cu = G_c(a_cu, check=False)  # Eq. 131
    g_cs = G_c(a_cs, check=False)  # Eq. 132
    s = g_cs * s_prev + g_cu * u  # Eq. 134
    a_cr = x @ p.W_x_cr.T + w_cr * s + v_prev @ p.W_v_cr.T + p.b_cr  # Eq. 128
    g_cr = G_c(a_cr, check=False)  # Eq. 133
    r = G_d(s, check=False)  # Eq. 135
    v = g_cr * r  # Eq. 136
    return dict(a_cu=a_cu, a_cs=a_cs, a_cr=a_cr, a_du=a_du, g_cu=g_cu, g_cs=g_cs, g_cr=g_cr, u=u, s=s, r=r, v=v)
