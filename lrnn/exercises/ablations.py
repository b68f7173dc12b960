"""Chapter 7, "Which gates matter?": a gate ablation written as a constraint on its parent cell.

:func:`check_constraint` takes the :class:`lrnn.gate_ablations.Constraint` a student derived for
a variant (the coupled-gate LSTM from ``G_c(-a) = 1 - G_c(a)``, the minimal gated unit from the
GRU, ...) and checks that the parent cell under it computes the variant's step function.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..gate_ablations import (
    Constraint,
    step_coupled,
    step_diagonal_pinholes,
    step_mgu,
    step_no_readout_gate,
    tied,
)
from ..gru import GRUParams
from ..lstm import LSTMParams
from .harness import call, same

__all__ = ["check_constraint"]

#: The variants with a step function: name -> (parent parameters class, step function).
VARIANTS = {
    "mgu": (GRUParams, step_mgu),
    "lstm_coupled": (LSTMParams, step_coupled),
    "lstm_no_readout_gate": (LSTMParams, step_no_readout_gate),
    "lstm_diagonal": (LSTMParams, step_diagonal_pinholes),
}


#: Known mistakes: variant -> {why: the mistaken constraint}.
MISTAKES = {
    "lstm_coupled": {
        "with sign +1 the tie makes g_cu = g_cs, a gate that writes as much as it keeps; "
        "1 - G_c(a) = G_c(-a), so a_cu must be -a_cs: sign -1.": Constraint(
            tied=tied([(f"{w}_cs", f"{w}_cu") for w in ("W_x", "W_s", "W_v", "b")], 1.0)
        ),
        "the weights are tied but the biases are not: a_cu = -a_cs needs b_cu = -b_cs too.": Constraint(
            tied=tied([(f"{w}_cs", f"{w}_cu") for w in ("W_x", "W_s", "W_v")], -1.0)
        ),
        "the pinholes W_s_cu and W_s_cs are not tied: the state enters a_cs (Eq. 127), so it must enter "
        "a_cu with the opposite sign.": Constraint(
            tied=tied([(f"{w}_cs", f"{w}_cu") for w in ("W_x", "W_v", "b")], -1.0)
        ),
    },
    "lstm_no_readout_gate": {
        "holding b_cr at 0 gives g_cr = G_c(0) = 1/2, which halves v instead of removing the gate: "
        "hold it where G_c is 1 in float64 (HELD_OPEN = 40).": Constraint(
            held={"W_x_cr": 0.0, "W_s_cr": 0.0, "W_v_cr": 0.0, "b_cr": 0.0}
        ),
    },
    "mgu": {
        "the reset gate's recurrent weights W_s_r are not tied to W_s_z: the two gates still differ "
        "once s[n-1] is not zero.": Constraint(tied=tied([("W_x_z", "W_x_r"), ("b_z", "b_r")], 1.0)),
        "the candidate's weights were tied instead of the reset gate's: tie the r fields to the z fields.": Constraint(
            tied=tied([("W_x_z", "W_x_u"), ("W_s_z", "W_s_u"), ("b_z", "b_u")], 1.0)
        ),
    },
    "lstm_diagonal": {},
}


def _run(variant: str, constraint: Constraint, seed: int):
    """The constrained parent's states and the variant's, over a few steps of random inputs."""
    params_cls, step = VARIANTS[variant]
    rng = np.random.default_rng(seed)
    d_x, d_s, N, B = 3, 4, 5, 2
    p = params_cls.init(rng, d_x, d_s)
    p = dataclasses.replace(p, **{f.name: rng.normal(size=getattr(p, f.name).shape) / 2 for f in dataclasses.fields(p)})
    q = constraint.impose(p)
    x = rng.normal(size=(N, B, d_x))
    got = q.forward(x).output
    want, s, v = [], np.zeros((B, d_s)), np.zeros((B, d_s))
    for n in range(N):
        out = step(q, x[n], s) if variant == "mgu" else step(q, x[n], s, v)
        s, v = out["s"], out.get("v", out["s"])
        want.append(v)
    return got, np.array(want), p


def check_constraint(variant: str, constraint, *, seed: int = 0) -> str:
    """Check a student's constraint that turns a parent cell into a gate ablation.

    Parameters
    ----------
    variant : str
        ``"lstm_coupled"``, ``"lstm_no_readout_gate"``, ``"lstm_diagonal"`` (parent: the Vanilla
        LSTM, :class:`lrnn.LSTMParams`) or ``"mgu"`` (parent: Chung's GRU, :class:`lrnn.GRUParams`).
    constraint : lrnn.gate_ablations.Constraint
        The student's constraint on the parent's fields.
    seed : int, default 0
        Seed of the random cases.

    Returns
    -------
    str
        A success message.

    Raises
    ------
    AssertionError
        With a diagnosis when the parent under ``constraint`` does not compute the variant's step
        (:mod:`lrnn.gate_ablations`).

    Examples
    --------
    >>> from lrnn.gate_ablations import CONSTRAINTS
    >>> check_constraint("lstm_coupled", CONSTRAINTS["lstm_coupled"][1])
    'check_constraint: passed, the Vanilla LSTM under your constraint is the coupled-gate LSTM on 3 random cases.'
    """
    if variant not in VARIANTS:
        raise AssertionError(f"check_constraint: variant = {variant!r}, expected one of {', '.join(VARIANTS)}.")
    if not isinstance(constraint, Constraint):
        raise AssertionError(
            f"check_constraint: constraint is {type(constraint).__name__}; build an "
            "lrnn.gate_ablations.Constraint(held=..., diagonal=..., tied=...)."
        )
    parent = VARIANTS[variant][0].zeros(2, 3)
    call("check_constraint", constraint.impose, parent)  # a constraint naming fields the parent lacks says so
    for seed_k in range(seed, seed + 3):
        got, want, _ = _run(variant, constraint, seed_k)
        if same(got, want):
            continue
        for why, mistake in MISTAKES[variant].items():
            bad, _, _ = _run(variant, mistake, seed_k)
            if same(got, bad):
                raise AssertionError(f"check_constraint: {why}")
        raise AssertionError(
            f"check_constraint: under your constraint the parent does not compute the {variant} step "
            "(compare your held, diagonal and tied fields with the lines of its step function)."
        )
    names = {
        "mgu": "the GRU under your constraint is the minimal gated unit",
        "lstm_coupled": "the Vanilla LSTM under your constraint is the coupled-gate LSTM",
        "lstm_no_readout_gate": "the Vanilla LSTM under your constraint has no readout gate",
        "lstm_diagonal": "the Vanilla LSTM under your constraint has diagonal pinholes",
    }
    return f"check_constraint: passed, {names[variant]} on 3 random cases."
