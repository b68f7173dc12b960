"""Self-check functions for the book's coding exercises.

Each ``check_*`` function runs a student's function on small random cases, compares
it with :mod:`lrnn`'s implementation, and raises ``AssertionError`` saying *what* is
wrong (a missing transpose, a wrong time index, a dropped term), not only *that* it
is wrong. On success it returns a one-line message.

One submodule per topic, all built on one harness; this package re-exports every check:

=============  =============================================================
submodule      checks
=============  =============================================================
``harness``    calling, comparing, diagnosing; mistakes as edits of lrnn's code
``rnn``        Ch. 1-3: discretisation, impulse response, segments, BPTT
``unrolling``  Ch. 2: stateful segments (the state carried across segments)
``lyapunov``   Ch. 3: the largest Lyapunov exponent of an RNN
``gates``      Ch. 4: the gated cell with a bounded update (Sec. V)
``gru``        Ch. 7: one step of the GRU in Chung's convention (Eqs. G1-G4)
``memory``     Ch. 7: a training loop written out (clipping, Adam); one cell of the memory sweep
``ablations``  Ch. 7: a gate ablation as a constraint on its parent cell (tied, held, diagonal)
``lstm``       Ch. 5: one LSTM step, the LSTM backward pass
``jacobian``   Ch. 5: the one-step error Jacobian of Eq. 179 (a derivation)
``augmented``  Ch. 6: the context window, the Augmented LSTM backward pass
``music``      Ch. 8: the published score of polyphonic music (NLL per frame); the training loop
``scan``       "Back to the differential equation": the linear recurrence h[n] = a[n] h[n-1] + b[n]
``charlm``     Ch. 9: the character model's loss (one-hot lookup), the TBPTT training loop
``compose``    Ch. 10: the LSTM's input-border gradient dE/dx, a two-layer stack by hand
=============  =============================================================
"""

from .ablations import check_constraint
from .augmented import check_augmented_backward, check_context_window
from .charlm import check_char_loss, check_fit
from .compose import check_lstm_dE_dx, check_stack
from .gates import check_gated_step
from .gru import check_gru_step
from .jacobian import check_step_jacobian
from .lstm import check_lstm_backward, check_lstm_step
from .lyapunov import check_lyapunov
from .memory import check_table_cell, check_train_loop
from .music import check_fit_pieces, check_split_nll
from .rnn import (
    check_discretize,
    check_impulse_response,
    check_rnn_backward,
    check_segment_offsets,
    check_unrolled_forward,
)
from .scan import check_linear_scan
from .unrolling import check_stateful_forward

__all__ = [
    "check_constraint",
    "check_discretize",
    "check_impulse_response",
    "check_rnn_backward",
    "check_segment_offsets",
    "check_unrolled_forward",
    "check_stateful_forward",
    "check_lyapunov",
    "check_lstm_backward",
    "check_lstm_step",
    "check_step_jacobian",
    "check_gated_step",
    "check_gru_step",
    "check_train_loop",
    "check_table_cell",
    "check_context_window",
    "check_augmented_backward",
    "check_split_nll",
    "check_fit_pieces",
    "check_linear_scan",
    "check_char_loss",
    "check_fit",
    "check_lstm_dE_dx",
    "check_stack",
]
