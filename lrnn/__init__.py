"""lrnn: recurrent networks from first principles, after Sherstinsky (2020).

A small numpy package that implements, one module per concept, every equation of
A. Sherstinsky, "Fundamentals of Recurrent Neural Network (RNN) and Long Short-Term
Memory (LSTM) Network", Physica D 404 (2020) 132306, arXiv:1808.03314 (v9 numbering).

``import lrnn`` loads numpy only. The plotting (:mod:`lrnn.viz`), interactive
(:mod:`lrnn.widgets`) and symbolic (:mod:`lrnn.symbolic`) modules import
matplotlib, ipywidgets and SymPy when they are themselves imported.
"""

from . import activations, ode, rnn
from .activations import G_c, G_d, dG_c, dG_d
from .ode import AdditiveModel, discretize, integrate
from .rnn import RNNParams, RNNTrace, rnn_forward

__version__ = "0.1.0"

__all__ = [
    "activations",
    "ode",
    "rnn",
    "G_c",
    "G_d",
    "dG_c",
    "dG_d",
    "AdditiveModel",
    "discretize",
    "integrate",
    "RNNParams",
    "RNNTrace",
    "rnn_forward",
]
