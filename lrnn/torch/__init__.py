"""The paper's cells as PyTorch modules: the practitioner's bridge (an optional extra, ``lrnn[torch]``).

``import lrnn`` loads numpy only; this subpackage is the one place that imports torch::

    pip install "lrnn[torch]"            # or: pip install torch==2.13.0

Three modules, each a stack of layers whose parameters carry the paper's names (the fields of
the numpy parameter classes), one line per equation, tagged as in the numpy cells:

- :class:`VanillaLSTM`: Sherstinsky's Vanilla LSTM with full-matrix pinholes, Eqs. 126-136
  (:mod:`lrnn.lstm`);
- :class:`AugmentedLSTM`: the Augmented LSTM, context windows of width ``L``, control input
  gate and recurrent projection, Eqs. 196-214 (:mod:`lrnn.augmented`);
- :class:`GRU`: the GRU in Chung et al.'s convention, Eqs. G1-G4 (:mod:`lrnn.gru`);
  PyTorch's own ``nn.GRU`` is the other convention, Eqs. G5-G8.

Every module takes time-major input ``(N, B, d_x)`` (``batch_first=True`` for ``(B, N, d_x)``,
and ``(N, d_x)`` for one unbatched sequence), returns ``(output, last_state)`` as
``nn.LSTM`` does, converts exactly to and from the numpy parameters
(``Module.from_lrnn(params)``, ``module.to_lrnn()``), and runs on any device and dtype.
``tests/test_torch.py`` checks, in float64, that outputs equal the numpy forward passes and
that autograd's gradients equal the book's hand-derived backward passes.

``backward="book"`` (any module, every layer) runs the numpy cell and the book's backward pass
as one autograd op (:class:`lrnn.torch.modules.BookCellFunction`), float64 on the CPU: the
gradients of the weights, the input and the initial state, and through the last state, so it
composes as any other op; on the CPU it is the faster path (``benchmarks/bench_torch_cells.py``).
``tests/test_torch_book.py`` checks it against autograd and ``torch.autograd.gradcheck``.
"""

from __future__ import annotations

try:
    import torch as _torch  # noqa: F401
except ImportError:  # pragma: no cover - exercised where torch is absent
    raise ImportError(
        "lrnn.torch needs PyTorch, which is not installed: install it with "
        "`pip install 'lrnn[torch]'` (or `pip install torch==2.13.0` for the CPU build), "
        "then import lrnn.torch again; the rest of lrnn works without it."
    ) from None

from .modules import GRU, AugmentedLSTM, AugmentedLSTMLayer, GRULayer, VanillaLSTM, VanillaLSTMLayer

__all__ = ["VanillaLSTM", "AugmentedLSTM", "GRU", "VanillaLSTMLayer", "AugmentedLSTMLayer", "GRULayer"]
