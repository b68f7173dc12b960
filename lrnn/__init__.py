"""lrnn: recurrent networks from first principles, after Sherstinsky (2020).

A small numpy package that implements, one module per concept, every equation of
A. Sherstinsky, "Fundamentals of Recurrent Neural Network (RNN) and Long Short-Term
Memory (LSTM) Network", Physica D 404 (2020) 132306, arXiv:1808.03314 (v9 numbering).

Where each part of the paper lives:

=====================  ===========================================  ===============
paper                  what                                         module
=====================  ===========================================  ===============
Sec. II, Eqs. 14-29    additive model, integrator, discretisation   ``ode``
-                      the cell interface every cell follows        ``cell``
-                      shared random draws (orthogonal, chrono)     ``initializers``
Sec. II, Eqs. 30-33    canonical and standard RNN forward           ``rnn``
Sec. III, Eqs. 34-77   unit step/sample, segments, unrolling        ``unrolling``
Sec. IV, Eqs. 78-90    BPTT (erratum P1)                            ``rnn_bptt``
Sec. IV, Eqs. 91-93    Jacobian products, gradient-norm profiles    ``rnn_gradients``
Sec. V, Eqs. 94-117    RNN -> Vanilla LSTM, stage by stage          ``rnn_to_lstm``
Eqs. 109-111, 121-138  warping functions and derivatives            ``activations``
Sec. VI-D, 118-120     data standardization                         ``standardize``
Sec. VI-H, 126-136     Vanilla LSTM forward                         ``lstm``
Sec. VI-I, 137-172     Vanilla LSTM backward (erratum P3)           ``lstm_bptt``
Sec. VI-J, 173-182     LSTM error-gradient sequences                ``lstm_gradients``
Sec. VII, 183-215      Augmented LSTM forward                       ``augmented``
Sec. VII-E, 216-250    Augmented LSTM backward (errata P3, P7)      ``augmented_bptt``
Cho, Chung (2014)      GRU forward and backward, two conventions    ``gru``, ``gru_bptt``
-                      memory benchmarks, look-ahead task, losses   ``tasks``, ``losses``, ``train``
-                      padding, masks, truncated-BPTT windows       ``batching``
-                      optimisers and clipping, progress bars       ``optim``, ``progress``
-                      the experiments' recipes and results         ``experiments``
-                      finite-difference gradient checks            ``gradcheck``
-                      PyTorch-style state dicts, ``from_torch``    ``interop``
Sec. I (modularity)    stacked and bidirectional cells              ``compose``
Cho, Bahdanau (2014)   encoder-decoder, additive attention          ``seq2seq``
-                      self-checks for the exercises                ``exercises``
Chung et al. (2014)    JSB Chorales: data, metric, baselines        ``music``
Chung et al. (2014)    the music models, their training and files   ``music_models``
-                      piano rolls to sound (additive synthesis)    ``synth``
-                      linear recurrences by an associative scan    ``scan``
Orvieto et al. (2023)  the linear recurrent unit (LRU)              ``lru``
-                      what the linear cells share (GLU, sizes)     ``linear_cell``
Gu and Dao (2023)      a selective state-space layer (Theorem 1)    ``selective``
Beck et al. (2024)     xLSTM: sLSTM and mLSTM forward passes        ``xlstm``
=====================  ===========================================  ===============

``import lrnn`` loads numpy only. The diagrams (:mod:`lrnn.viz`), the interactive
figures (:mod:`lrnn.widgets`) and the symbolic derivations (:mod:`lrnn.symbolic`)
import matplotlib, ipywidgets and SymPy when they are themselves imported.
"""

from . import (
    activations,
    augmented,
    augmented_bptt,
    batching,
    cell,
    exercises,
    gradcheck,
    gru,
    gru_bptt,
    initializers,
    interop,
    losses,
    lstm,
    lstm_bptt,
    lstm_gradients,
    ode,
    optim,
    progress,
    rnn,
    rnn_bptt,
    rnn_gradients,
    rnn_to_lstm,
    standardize,
    tasks,
    train,
    unrolling,
)
from .activations import G_c, G_d, dG_c, dG_d
from .augmented import (
    OPEN_GATE_BIAS,
    AugmentedLSTMParams,
    AugmentedTrace,
    augmented_forward,
    augmented_n_params,
    augmented_step,
    context_window,
)
from .augmented_bptt import AugmentedBPTTSignals, augmented_backward, augmented_bptt_signals
from .cell import Cell, Parameters, TraceFields, check_trace
from .gradcheck import check_gradients, numerical_gradient
from .gru import GRUParams, GRUTrace, TorchGRUParams, gru_forward, gru_inputs, gru_step
from .gru_bptt import GRUBPTTSignals, gru_backward, gru_bptt_signals
from .interop import (
    gru_grads_to_torch,
    gru_params_from_torch,
    gru_params_to_torch,
    lstm_grads_to_torch,
    lstm_params_from_torch,
    lstm_params_to_torch,
    rnn_params_from_torch,
    rnn_params_to_torch,
    torch_gru_forward,
    torch_lstm_forward,
)
from .losses import (
    Readout,
    mean_squared_error,
    readout_loss,
    readout_mse,
    sigmoid_bernoulli_nll,
    softmax,
    softmax_cross_entropy,
)
from .lstm import LSTMParams, LSTMTrace, chrono_bias, lstm_forward, lstm_step
from .lstm_bptt import LSTMBPTTSignals, lstm_backward, lstm_bptt_signals
from .lstm_gradients import (
    GradientProfile,
    StepJacobian,
    lstm_gradient_profile,
    lstm_psi_jacobian,
    lstm_step_jacobian,
)
from .ode import AdditiveModel, discretize, integrate
from .rnn import RNNParams, RNNTrace, rnn_forward
from .rnn_bptt import rnn_backward
from .rnn_gradients import gradient_norm_profile, make_recurrent_matrix, psi_jacobian, schematic_bound, theoretical_rate
from .rnn_to_lstm import GateParams, run_cell, split_lstm_params, to_lstm_params
from .standardize import Standardizer, fit_standardizer
from .tasks import (
    MEMORY_TASKS,
    adding_problem,
    copy_memory,
    lookahead_mse_floor,
    lookahead_task,
    temporal_order,
)
from .train import Adam, fit, sequence_loss_and_grads
from .unrolling import (
    UnrolledTrace,
    impulse_response,
    segment_discrepancy,
    segment_offsets,
    segment_windows,
    stack_segments,
    unit_sample,
    unit_step,
    unrolled_forward,
    window_segments,
)

__version__ = "0.1.0"

__all__ = [
    "activations",
    "rnn_gradients",
    "rnn_bptt",
    "unrolling",
    "lstm_gradients",
    "rnn_to_lstm",
    "standardize",
    "augmented",
    "augmented_bptt",
    "losses",
    "tasks",
    "train",
    "exercises",
    "gradcheck",
    "interop",
    "lstm",
    "lstm_bptt",
    "ode",
    "optim",
    "progress",
    "rnn",
    "G_c",
    "G_d",
    "dG_c",
    "dG_d",
    "check_gradients",
    "numerical_gradient",
    "lstm_grads_to_torch",
    "lstm_params_from_torch",
    "lstm_params_to_torch",
    "rnn_params_from_torch",
    "rnn_params_to_torch",
    "torch_lstm_forward",
    "LSTMParams",
    "LSTMTrace",
    "LSTMBPTTSignals",
    "chrono_bias",
    "lstm_step",
    "lstm_forward",
    "lstm_bptt_signals",
    "lstm_backward",
    "AdditiveModel",
    "discretize",
    "integrate",
    "RNNParams",
    "RNNTrace",
    "rnn_backward",
    "rnn_forward",
    "gradient_norm_profile",
    "make_recurrent_matrix",
    "psi_jacobian",
    "schematic_bound",
    "theoretical_rate",
    "UnrolledTrace",
    "impulse_response",
    "segment_discrepancy",
    "segment_offsets",
    "segment_windows",
    "stack_segments",
    "unit_sample",
    "unit_step",
    "unrolled_forward",
    "window_segments",
    "GradientProfile",
    "StepJacobian",
    "lstm_gradient_profile",
    "lstm_psi_jacobian",
    "lstm_step_jacobian",
    "GateParams",
    "run_cell",
    "split_lstm_params",
    "to_lstm_params",
    "Standardizer",
    "fit_standardizer",
    "OPEN_GATE_BIAS",
    "AugmentedLSTMParams",
    "AugmentedTrace",
    "augmented_forward",
    "augmented_n_params",
    "augmented_step",
    "context_window",
    "AugmentedBPTTSignals",
    "augmented_bptt_signals",
    "augmented_backward",
    "Readout",
    "mean_squared_error",
    "readout_mse",
    "lookahead_mse_floor",
    "lookahead_task",
    "Adam",
    "fit",
    "sequence_loss_and_grads",
    "gru",
    "gru_bptt",
    "GRUParams",
    "GRUTrace",
    "TorchGRUParams",
    "gru_forward",
    "gru_inputs",
    "gru_step",
    "GRUBPTTSignals",
    "gru_bptt_signals",
    "gru_backward",
    "batching",
    "cell",
    "initializers",
    "Cell",
    "Parameters",
    "TraceFields",
    "check_trace",
    "gru_grads_to_torch",
    "gru_params_from_torch",
    "gru_params_to_torch",
    "torch_gru_forward",
    "readout_loss",
    "sigmoid_bernoulli_nll",
    "softmax",
    "softmax_cross_entropy",
    "MEMORY_TASKS",
    "adding_problem",
    "copy_memory",
    "temporal_order",
]

# Chapter 8: polyphonic music (the JSB Chorales), Chung et al. (2014)
from . import music, music_models, synth  # noqa: E402
from .music import load_jsb_chorales, split_nll  # noqa: E402

__all__ += ["music", "music_models", "synth", "load_jsb_chorales", "split_nll"]

# "Back to the differential equation": linear recurrences, state spaces, selection, xLSTM
from . import lru, scan, selective, xlstm  # noqa: E402
from .lru import LRUParams, lru_backward, lru_forward  # noqa: E402
from .scan import linear_scan, linear_scan_loop  # noqa: E402
from .selective import SelectiveSSMParams, selective_backward, selective_forward  # noqa: E402
from .xlstm import MLSTMParams, SLSTMParams, mlstm_forward, slstm_forward  # noqa: E402

__all__ += [
    "lru",
    "scan",
    "selective",
    "xlstm",
    "LRUParams",
    "lru_forward",
    "lru_backward",
    "linear_scan",
    "linear_scan_loop",
    "SelectiveSSMParams",
    "selective_forward",
    "selective_backward",
    "SLSTMParams",
    "slstm_forward",
    "MLSTMParams",
    "mlstm_forward",
]

# Chapter 9: character-level language models (Tiny Shakespeare)
from . import charlm, ngram, onehot, text, text_units  # noqa: E402
from .onehot import OneHot  # noqa: E402
from .text import load_tiny_shakespeare, nats_per_char  # noqa: E402

__all__ += ["charlm", "ngram", "onehot", "text", "text_units", "OneHot", "load_tiny_shakespeare", "nats_per_char"]

# Chapter 10: composing cells (stacked, bidirectional), on every cell's border gradients
from . import compose, seq2seq  # noqa: E402
from .compose import Bidirectional, Stack, bidirectional, stack  # noqa: E402
from .seq2seq import AdditiveAttention, Seq2Seq, greedy_decode  # noqa: E402

__all__ += ["compose", "seq2seq", "Bidirectional", "Stack", "bidirectional", "stack"]
__all__ += ["AdditiveAttention", "Seq2Seq", "greedy_decode"]
