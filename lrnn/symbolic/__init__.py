"""SymPy derivations shown in the book (imports SymPy; never imported by ``import lrnn``).

Modules::

    roots   Ch. 1, Sec. II, Eqs. 23-29: backward Euler on the additive model gives the canonical RNN
    bptt    Ch. 3, Sec. IV, Eqs. 78-90: BPTT against differentiating the unrolled network (erratum P1)
    lstm    Ch. 5, Sec. VI: warping identities (Eqs. 109-111, 121-122, 137-138) and erratum P3
    gru     Ch. 7, the GRU (Cho 2014, Chung 2014): its BPTT (Eqs. G9-G19) against differentiating the unrolled GRU
"""

from . import bptt, gru, lstm, roots

__all__ = ["roots", "bptt", "lstm", "gru"]
