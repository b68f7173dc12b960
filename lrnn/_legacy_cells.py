"""Interim: the cell interface for the Vanilla and Augmented LSTM, until their own modules provide it.

:mod:`lrnn.train` trains any cell through ``params.forward(x, state)``,
``params.backward(trace, dE_dout)``, ``trace.output`` and ``trace.last_state``. Where
``LSTMParams`` / ``AugmentedLSTMParams`` (and their traces) do not define these yet, this
module adds thin wrappers over ``lstm_forward``/``lstm_backward`` and
``augmented_forward``/``augmented_backward``; where they do, it changes nothing. Delete this
file and its import in :mod:`lrnn.train` once both classes implement the interface.
"""

from __future__ import annotations

from .augmented import AugmentedLSTMParams, AugmentedTrace, augmented_forward
from .augmented_bptt import augmented_backward
from .lstm import LSTMParams, LSTMTrace, lstm_forward
from .lstm_bptt import lstm_backward

__all__: list[str] = []


def _provide(params_cls, trace_cls, forward, backward) -> None:
    if not hasattr(params_cls, "forward"):
        params_cls.forward = lambda self, x, state=None: forward(self, x, *(state or ()))
    if not hasattr(params_cls, "backward"):
        params_cls.backward = lambda self, trace, dE_dout, **options: backward(self, trace, dE_dout, **options)[0]
    if not hasattr(params_cls, "d_out"):
        params_cls.d_out = property(lambda self: getattr(self, "d_v", self.d_s))
    if not hasattr(trace_cls, "output"):
        trace_cls.output = property(lambda trace: trace.v)
    if not hasattr(trace_cls, "last_state"):
        trace_cls.last_state = property(lambda trace: (trace.s[-1], trace.v[-1]))


_provide(LSTMParams, LSTMTrace, lstm_forward, lstm_backward)
_provide(AugmentedLSTMParams, AugmentedTrace, augmented_forward, augmented_backward)
