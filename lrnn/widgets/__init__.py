"""The book's interactive figures, one function per explorer.

Each function returns an :class:`lrnn.widgets.explorer.Explorer`: display it in a notebook
for the live ipywidgets face; the book's site shows its precomputed static face;
``Explorer.corners()`` runs its compute at the extremes of every control (tests).

Explorers::

    discretization_explorer      Ch. 1: the continuous additive model vs its sampled canonical RNN
    vanishing_gradient_explorer  Ch. 3: gradient norm against lag; matrix family, gain, saturation, Lyapunov exponent
    gradient_flow_explorer       Ch. 4: gradient norm against lag, standard RNN vs gated cell (state gate, W_r family)
    gate_dynamics_explorer       Ch. 5: one LSTM unit writes, holds and reads a value under its gates
    memory_runs_explorer         Ch. 7: every stored run of the memory sweep, by setting and lag

And one smaller kind of interaction::

    predict                      predict, then reveal: the reader guesses a number before the page shows it
"""

from .discretization import discretization_explorer, discretization_view
from .gate_dynamics import gate_dynamics_explorer, gate_dynamics_view
from .gradient_flow import gradient_flow_explorer, gradient_flow_view
from .memory_runs import memory_runs_explorer, memory_runs_view
from .predict import Prediction, predict
from .vanishing import vanishing_gradient_explorer, vanishing_gradient_view

__all__ = [
    "discretization_view",
    "discretization_explorer",
    "vanishing_gradient_view",
    "vanishing_gradient_explorer",
    "gradient_flow_view",
    "gradient_flow_explorer",
    "gate_dynamics_view",
    "gate_dynamics_explorer",
    "memory_runs_view",
    "memory_runs_explorer",
    "Prediction",
    "predict",
]
