"""Figures for the book: the paper's cell diagrams redrawn.

Every function takes arrays (or nothing) and returns ``(fig, ax)``; matplotlib is
imported here, never by ``import lrnn``. Diagrams follow the paper's drawing
conventions (Sherstinsky 2020, Figs. 1-10): signals run as
horizontal rails, weight matrices are rounded boxes, sums are circled plus signs,
warping functions are labelled boxes, biases are omitted.

Functions::

    draw_canonical_cell        Fig. 1, the canonical RNN cell (Eqs. 30-31)
    draw_unrolled_rnn          Fig. 2, the unrolled RNN
    draw_unit_step_and_sample  Fig. 3, u(n) and delta(n) (Eqs. 34-35)
    draw_bptt_graph            the unrolled RNN as a computation graph with BPTT's paths (Eqs. 78-90)
    draw_gated_cell            Figs. 4-6, from the canonical RNN to the LSTM data path
    draw_vanilla_lstm_cell     Figs. 7 and 9, the Vanilla LSTM cell
    draw_unrolled_lstm         Fig. 8, the unrolled LSTM
    draw_gates_at_work         an LSTM unit step by step: what each gate lets in, keeps and releases
    draw_augmented_lstm_cell   Fig. 10a, the Augmented LSTM cell
    draw_context_windows       Fig. 10b, the context-window filters
    draw_coloured_text         text coloured by a unit's activation (Chapter 9; Karpathy et al. 2015)
    wrap_rows                  where a line of text breaks into rows, at spaces

Showing figures: ``show`` (``plt.show()``, and on the site a one-column layout of a figure's
panels for phones, drawn by ``one_column``).

Drawing primitives (``box``, ``node``, ``arrow``, ``new_diagram``) are shared by all diagrams.
"""

from .augmented import draw_augmented_lstm_cell, draw_context_windows
from .base import arrow, box, new_diagram, node
from .gates import draw_gates_at_work
from .lstm import draw_gated_cell, draw_unrolled_lstm, draw_vanilla_lstm_cell
from .panels import one_column, show
from .rnn import draw_bptt_graph, draw_canonical_cell, draw_unit_step_and_sample, draw_unrolled_rnn
from .text import draw_coloured_text, wrap_rows

__all__ = [
    "show",
    "one_column",
    "draw_coloured_text",
    "wrap_rows",
    "new_diagram",
    "box",
    "node",
    "arrow",
    "draw_canonical_cell",
    "draw_unit_step_and_sample",
    "draw_unrolled_rnn",
    "draw_bptt_graph",
    "draw_gated_cell",
    "draw_vanilla_lstm_cell",
    "draw_unrolled_lstm",
    "draw_gates_at_work",
    "draw_augmented_lstm_cell",
    "draw_context_windows",
]
