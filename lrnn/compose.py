"""Composed cells: layers stacked in depth, and two cells reading a sequence in both directions.

The paper asks its cell to be modular (Sec. I, requirement 5): cells stack horizontally (a
"deep sequence") and vertically (a "deep representation"), because the backward pass of each
cell takes the gradient that reaches its output and returns the gradient at its border. This
module makes that concrete with the package's one cell interface (:class:`lrnn.cell.Cell`):
every cell's ``backward(trace, dE_dout, return_inputs=True)`` returns ``(grads, dE_dx,
dE_dstate)``, and

:class:`Stack` (:func:`stack`)
    layers ``1 .. L``, each reading the previous layer's output as its input::

        out_0[n] = x[n],   out_k = layer_k(out_{k-1}),   output = out_L

    Backward, top to bottom: the ``dE_dx`` of layer ``k`` is the ``dE_dout`` of layer ``k - 1``.
    For the Vanilla LSTM that is the first term of Eq. 144, ``(dy/dv)^T dE/dy``, with the layer
    above in the role of the output ``y``.
:class:`Bidirectional` (:func:`bidirectional`)
    one cell reads ``x[0], ..., x[N-1]``, the other ``x[N-1], ..., x[0]``; step ``n`` of the output
    is ``[out_f[n], out_b[n]]``, the forward cell's after reading ``x[0..n]``, the backward cell's
    after reading ``x[n..N-1]`` (PyTorch's ``bidirectional=True`` layout). Every output sees the
    whole segment: a bidirectional model answers only after the segment's last input (the paper's
    Sec. VIII, footnote 31, names it the baseline its context windows must beat).

Both are cells themselves (``d_x``, ``d_s``, ``d_out``, ``n_params``, ``forward``, ``backward``), so
:func:`lrnn.train.fit` trains them unchanged, the optimisers update them (a parameter tree whose
``layers`` are cells, :mod:`lrnn.optim`), and they nest: ``stack([bidirectional(f1, b1),
bidirectional(f2, b2)])`` is PyTorch's ``nn.LSTM(..., num_layers=2, bidirectional=True)``
(:func:`lrnn.interop.from_torch`).

Shapes are time-major, as everywhere in the package: one sequence ``(N, d_x)``, a batch ``(N, B, d_x)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, fmt_shape, type_error
from .cell import check_return_inputs, replace_unchecked

__all__ = ["Bidirectional", "BidirectionalTrace", "Stack", "StackTrace", "bidirectional", "stack"]


def _check_cell(name: str, cell) -> None:
    """Raise ``TypeError`` unless ``cell`` follows the cell interface (sizes, forward, backward)."""
    missing = [m for m in ("forward", "backward") if not callable(getattr(cell, m, None))]
    missing += [a for a in ("d_x", "d_out") if not hasattr(cell, a)]
    if missing:
        raise type_error(
            name,
            cell,
            "a cell (lrnn.cell.Cell: d_x, d_out, forward, backward), e.g. LSTMParams.init(rng, d_x, d_s)",
            f"it has no {', '.join(missing)}",
        )


def _check_dE(dE_dout, trace) -> np.ndarray:
    """``dE_dout`` as float64, finite and shaped like ``trace.output`` (else a clear ``ValueError``)."""
    dE = as_float_array("dE_dout", dE_dout)
    if dE.shape != trace.output.shape:
        raise ValueError(
            f"dE_dout has shape {fmt_shape(dE.shape)}, expected the shape of trace.output, "
            f"{fmt_shape(trace.output.shape)}; pass dE/dout[n] for every step n (zeros where E does not depend on it)."
        )
    return dE


def _split_state(owner: str, state, k: int, names: str) -> tuple:
    """A composed model's state as ``k`` entries (``None`` for zeros everywhere)."""
    if state is None:
        return (None,) * k
    if not isinstance(state, tuple | list) or len(state) != k:
        raise type_error(
            "state", state, f"None or a {k}-tuple ({names}) for {owner}", "pass a trace's last_state or None"
        )
    return tuple(state)


@dataclass(frozen=True)
class StackTrace:
    """The traces of a :class:`Stack`'s layers, bottom first.

    Attributes
    ----------
    traces : tuple
        ``traces[k]`` is layer ``k``'s trace; its ``x`` is ``traces[k - 1].output`` (``x`` for ``k = 0``).
    """

    traces: tuple

    @property
    def batched(self) -> bool:
        """True when the trace holds a batch, ``(N, B, d)``."""
        return self.traces[0].batched

    @property
    def output(self) -> np.ndarray:
        """The top layer's output, shape ``(N, d_out)`` or ``(N, B, d_out)``."""
        return self.traces[-1].output

    @property
    def last_state(self) -> tuple:
        """One entry per layer, that layer's ``last_state``: pass it as ``state=`` of the next chunk."""
        return tuple(t.last_state for t in self.traces)

    @property
    def x(self):
        """The input of the bottom layer."""
        return self.traces[0].x


@dataclass(frozen=True)
class Stack:
    """Layers of cells, each reading the previous layer's output (a "deep representation", Sec. I).

    Parameters
    ----------
    layers : sequence of Cell
        At least one; layer ``k + 1``'s ``d_x`` must equal layer ``k``'s ``d_out``. Any cell of the
        package (or a composed model: a :class:`Bidirectional` layer) in any mix.

    Raises
    ------
    TypeError
        ``layers`` not a non-empty sequence of cells.
    ValueError
        Sizes that do not chain.

    Examples
    --------
    >>> from lrnn.lstm import LSTMParams
    >>> rng = np.random.default_rng(0)
    >>> model = Stack((LSTMParams.init(rng, 3, 4), LSTMParams.init(rng, 4, 2)))
    >>> tr = model.forward(rng.standard_normal((5, 3)))
    >>> tr.output.shape, model.n_params == sum(layer.n_params for layer in model.layers)
    ((5, 2), True)
    >>> grads, dE_dx, (state_1, state_2) = model.backward(tr, np.ones((5, 2)), return_inputs=True)
    >>> dE_dx.shape, [a.shape for a in state_1]
    ((5, 3), [(4,), (4,)])
    """

    layers: tuple

    def __post_init__(self):
        layers = self.layers
        if not isinstance(layers, tuple | list):
            raise type_error("layers", layers, "a list of cells", "e.g. [LSTMParams.init(rng, d_x, d_s), ...]")
        if not layers:
            raise ValueError("layers is empty; pass at least one cell, e.g. [LSTMParams.init(rng, d_x, d_s)].")
        for k, layer in enumerate(layers):
            _check_cell(f"layers[{k}]", layer)
            if k and layer.d_x != layers[k - 1].d_out:
                raise ValueError(
                    f"layers[{k}] has d_x = {layer.d_x} but layers[{k - 1}] has d_out = {layers[k - 1].d_out}: "
                    f"each layer reads the previous layer's output; build layers[{k}] with d_x = {layers[k - 1].d_out}."
                )
        object.__setattr__(self, "layers", tuple(layers))

    @property
    def d_x(self) -> int:
        """Input size of the bottom layer."""
        return self.layers[0].d_x

    @property
    def d_s(self) -> int:
        """State sizes of all layers added up."""
        return sum(layer.d_s for layer in self.layers)

    @property
    def d_out(self) -> int:
        """Output size of the top layer."""
        return self.layers[-1].d_out

    @property
    def n_params(self) -> int:
        """Number of trainable numbers in all layers."""
        return sum(layer.n_params for layer in self.layers)

    def forward(self, x, state=None) -> StackTrace:
        """Run the layers bottom to top.

        Parameters
        ----------
        x : array_like, shape (N, d_x) or (N, B, d_x)
        state : tuple, optional
            One entry per layer, each what that layer's ``forward`` takes (``None`` for zeros); a
            trace's ``last_state``. None: every layer from zeros.

        Returns
        -------
        StackTrace
        """
        states = _split_state("a Stack", state, len(self.layers), "one state per layer")
        traces = []
        for layer, s in zip(self.layers, states):
            traces.append(layer.forward(x, s))
            x = traces[-1].output  # the next layer reads this layer's output
        return StackTrace(tuple(traces))

    def backward(self, trace: StackTrace, dE_dout, return_inputs: bool = False, **options):
        """Backpropagate top to bottom: each layer's ``dE_dx`` is the ``dE_dout`` of the layer below.

        Parameters
        ----------
        trace : StackTrace
            Result of :meth:`forward`.
        dE_dout : array_like, shape of ``trace.output``
            The direct derivative of the loss with respect to the top layer's output.
        return_inputs : bool, default False
            Also return ``dE_dx`` (shape of ``x``) and ``dE_dstate`` (one entry per layer, each with
            the structure of that layer's state).
        **options
            Passed to every layer's backward pass (e.g. ``clip=True`` for LSTM layers).

        Returns
        -------
        grads : Stack
            One gradient per layer, summed over time and batch (built unchecked: a gradient).
        dE_dx, dE_dstate
            Only with ``return_inputs=True``.
        """
        want = check_return_inputs(self, return_inputs)
        if not isinstance(trace, StackTrace) or len(trace.traces) != len(self.layers):
            raise type_error("trace", trace, f"a StackTrace of {len(self.layers)} layers", "pass self.forward(x)")
        dE = _check_dE(dE_dout, trace)
        grads, states = [None] * len(self.layers), [None] * len(self.layers)
        for k in reversed(range(len(self.layers))):
            if k == 0 and not want:  # the bottom layer's dE_dx is needed only by a caller that asks for it
                grads[0] = self.layers[0].backward(trace.traces[0], dE, **options)
                break
            grads[k], dE, states[k] = self.layers[k].backward(trace.traces[k], dE, return_inputs=True, **options)
        result = replace_unchecked(self, layers=tuple(grads))
        return (result, dE, tuple(states)) if want else result


def stack(layers) -> Stack:
    """Layers of cells, each reading the previous layer's output: :class:`Stack`.

    Examples
    --------
    >>> from lrnn.gru import TorchGRUParams
    >>> rng = np.random.default_rng(0)
    >>> model = stack([TorchGRUParams.init(rng, 2, 5), TorchGRUParams.init(rng, 5, 5), TorchGRUParams.init(rng, 5, 3)])
    >>> model.d_x, model.d_out, len(model.forward(np.zeros((4, 2))).last_state)
    (2, 3, 3)
    """
    return Stack(layers)


@dataclass(frozen=True)
class BidirectionalTrace:
    """The traces of a :class:`Bidirectional` model's two cells.

    Attributes
    ----------
    forward : trace
        The forward cell's trace over ``x[0], ..., x[N-1]``.
    backward : trace
        The backward cell's trace over the reversed sequence ``x[N-1], ..., x[0]``: its step ``m``
        is the model's step ``N - 1 - m``.
    """

    forward: object
    backward: object

    @property
    def batched(self) -> bool:
        """True when the trace holds a batch, ``(N, B, d)``."""
        return self.forward.batched

    @property
    def output(self) -> np.ndarray:
        """``[out_f[n], out_b[n]]`` per step, shape ``(N, d_f + d_b)`` or ``(N, B, d_f + d_b)``."""
        return np.concatenate([self.forward.output, self.backward.output[::-1]], axis=-1)

    @property
    def last_state(self) -> tuple:
        """``(forward cell's last_state, backward cell's last_state)``; the latter is its state after ``x[0]``."""
        return (self.forward.last_state, self.backward.last_state)

    @property
    def x(self):
        """The input."""
        return self.forward.x


@dataclass(frozen=True)
class Bidirectional:
    """Two cells over one sequence, one forward in time and one backward; outputs concatenated per step.

    Parameters
    ----------
    forward_cell : Cell
        Reads ``x[0], ..., x[N-1]``.
    backward_cell : Cell
        Reads ``x[N-1], ..., x[0]``; same ``d_x``.

    Notes
    -----
    Every output step depends on the whole segment, so the model cannot answer before the segment
    ends (its latency is the segment, where a causal cell answers at once and the Augmented LSTM's
    window waits ``L - 1`` steps). A carried state (``state=`` a trace's ``last_state``) continues
    the forward cell in time; the backward cell's ``last_state`` is its state after ``x[0]``, the
    start of the segment, which is what PyTorch's ``h_n`` holds for the reverse direction. Padding
    at the end of a batch's shorter sequences is read *first* by the backward cell (PyTorch avoids
    that with packed sequences); give a bidirectional model sequences of equal length.

    Raises
    ------
    TypeError
        Either argument not a cell.
    ValueError
        The two cells' ``d_x`` differ.

    Examples
    --------
    >>> from lrnn.lstm import LSTMParams
    >>> rng = np.random.default_rng(0)
    >>> model = Bidirectional(LSTMParams.init(rng, 2, 3), LSTMParams.init(rng, 2, 4))
    >>> x = rng.standard_normal((5, 2))
    >>> tr = model.forward(x)
    >>> tr.output.shape, bool(np.allclose(tr.output[0, 3:], model.backward_cell.forward(x[::-1]).v[-1]))
    ((5, 7), True)
    """

    forward_cell: object
    backward_cell: object

    def __post_init__(self):
        _check_cell("forward_cell", self.forward_cell)
        _check_cell("backward_cell", self.backward_cell)
        if self.forward_cell.d_x != self.backward_cell.d_x:
            raise ValueError(
                f"forward_cell has d_x = {self.forward_cell.d_x} but backward_cell has d_x = "
                f"{self.backward_cell.d_x}; both read the same x: build them with the same d_x."
            )

    @property
    def d_x(self) -> int:
        """Input size."""
        return self.forward_cell.d_x

    @property
    def d_s(self) -> int:
        """The two cells' state sizes added up."""
        return self.forward_cell.d_s + self.backward_cell.d_s

    @property
    def d_out(self) -> int:
        """``forward_cell.d_out + backward_cell.d_out``: the output is ``[forward, backward]`` per step."""
        return self.forward_cell.d_out + self.backward_cell.d_out

    @property
    def n_params(self) -> int:
        """Number of trainable numbers of both cells."""
        return self.forward_cell.n_params + self.backward_cell.n_params

    def forward(self, x, state=None) -> BidirectionalTrace:
        """Run the forward cell over ``x`` and the backward cell over ``x`` reversed in time.

        Parameters
        ----------
        x : array_like, shape (N, d_x) or (N, B, d_x)
        state : tuple, optional
            ``(forward cell's state, backward cell's state)``, each as that cell's ``forward`` takes it;
            None: both from zeros.

        Returns
        -------
        BidirectionalTrace
        """
        s_f, s_b = _split_state("a Bidirectional model", state, 2, "forward cell's state, backward cell's state")
        x = x if hasattr(x, "shape") else as_float_array("x", x)  # an array (or OneHot), to be reversed in time
        return BidirectionalTrace(self.forward_cell.forward(x, s_f), self.backward_cell.forward(x[::-1], s_b))

    def backward(self, trace: BidirectionalTrace, dE_dout, return_inputs: bool = False, **options):
        """Split ``dE_dout`` into the two cells' halves, backpropagate each, and add their ``dE_dx``.

        Parameters
        ----------
        trace : BidirectionalTrace
            Result of :meth:`forward`.
        dE_dout : array_like, shape of ``trace.output``
        return_inputs : bool, default False
            Also return ``dE_dx`` (shape of ``x``: both cells' contributions added, the backward cell's
            reversed back in time) and ``dE_dstate = (forward cell's, backward cell's)``.
        **options
            Passed to both cells' backward passes.

        Returns
        -------
        grads : Bidirectional
            Built unchecked (a gradient).
        dE_dx, dE_dstate
            Only with ``return_inputs=True``.
        """
        want = check_return_inputs(self, return_inputs)
        if not isinstance(trace, BidirectionalTrace):
            raise type_error("trace", trace, "a BidirectionalTrace", "pass self.forward(x)")
        dE = _check_dE(dE_dout, trace)
        d_f = self.forward_cell.d_out
        g_f, dx_f, ds_f = self.forward_cell.backward(trace.forward, dE[..., :d_f], return_inputs=True, **options)
        g_b, dx_b, ds_b = self.backward_cell.backward(trace.backward, dE[::-1, ..., d_f:], return_inputs=True,
                                                      **options)  # fmt: skip  # its step m is the model's N - 1 - m
        grads = replace_unchecked(self, forward_cell=g_f, backward_cell=g_b)
        return (grads, dx_f + dx_b[::-1], (ds_f, ds_b)) if want else grads


def bidirectional(forward_cell, backward_cell) -> Bidirectional:
    """Two cells over one sequence in opposite directions, ``[forward, backward]`` per step: :class:`Bidirectional`.

    Examples
    --------
    >>> from lrnn.rnn import RNNParams
    >>> rng = np.random.default_rng(0)
    >>> model = bidirectional(RNNParams.init(rng, 1, 2), RNNParams.init(rng, 1, 2))
    >>> model.d_out, model.forward(np.zeros((3, 4, 1))).output.shape
    (4, (3, 4, 4))
    """
    return Bidirectional(forward_cell, backward_cell)
