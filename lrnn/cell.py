"""The cell interface, stated once: what :mod:`lrnn.train` needs from a recurrent cell.

Not in the paper, which writes each network's equations on their own. Every cell of the
package (:class:`lrnn.rnn.RNNParams`, :class:`lrnn.lstm.LSTMParams`,
:class:`lrnn.augmented.AugmentedLSTMParams`, :class:`lrnn.gru.GRUParams`,
:class:`lrnn.gru.TorchGRUParams`, and Chapter 11's :class:`lrnn.lru.LRUParams` and
:class:`lrnn.selective.SelectiveSSMParams`) is a frozen dataclass of parameter arrays that follows
:class:`Cell`; xLSTM's forward-only cells (:mod:`lrnn.xlstm`) use its :class:`Parameters`. A new
cell plugs into the trainer, the optimisers and the gradient checks by following it too. Three
pieces do the work that would otherwise be written once per cell:

:class:`Parameters`
    A mixin for the parameter dataclass. One class-level table, ``SHAPES``, names the axes of
    every field (``{"W_x": ("d_s", "d_x"), ...}``); from it the mixin derives the validation of
    user-built parameters (types, finiteness, consistent sizes, one clear message), the sizes
    (``d_x``, ``d_s``, ...), :meth:`~Parameters.zeros`, :attr:`~Parameters.n_params` and the
    reading of a carried state (:meth:`~Parameters.parse_state`). :meth:`~Parameters.unchecked`
    builds an instance *without* validation, for results the package computes itself
    (gradients, optimiser updates): a gradient that overflows is a fact about training, to be
    reported by the trainer, not an input error.
:class:`TraceFields`
    A mixin for the trace dataclass a forward pass returns: ``batched``, ``output`` (what a
    readout sees) and ``last_state`` (what the next chunk starts from), from two class-level
    names; ``as_batch`` (a single sequence's signals with a batch axis of 1) for backward
    passes and its inverse ``from_batch`` for forward passes.
:func:`check_trace`
    The boundary check of every backward pass: the parameters and the trace have the expected
    types and sizes, and ``dE_dout`` is finite and shaped like ``trace.output``.

:func:`check_options` answers a backward-pass option that a cell does not have with the
package's own message (clipping, footnote 25, is an option of the LSTMs' backward pass).

Shapes are time-major throughout: one sequence ``(N, d)``, a batch ``(N, B, d)``.

A new cell, in outline::

    @dataclass(frozen=True)
    class MyParams(Parameters):
        SHAPES: ClassVar = {"W_x": ("d_s", "d_x"), "W_s": ("d_s", "d_s"), "b": ("d_s",)}
        STATE_SIZES: ClassVar = ("d_s",)  # the carried state (s[-1],) has d_s entries (the default)

        W_x: np.ndarray  # (d_s, d_x)
        W_s: np.ndarray  # (d_s, d_s)
        b: np.ndarray  # (d_s,)

        def forward(self, x, state=None) -> MyTrace:
            return my_forward(self, x, *self.parse_state(state))  # checks x and s0, runs the loop

        def backward(self, trace, dE_dout, return_inputs=False, **options):
            check_options(self, options)  # this cell has no options
            want = check_return_inputs(self, return_inputs)  # a bool, or a clear TypeError
            dE = check_trace(self, trace, dE_dout, cell=MyParams, trace_type=MyTrace, forward="my_forward")
            s, x, s0 = trace.as_batch("s", "x", "s0")  # (N, B, d_s), (N, B, d_x), (B, d_s)
            ...
            grads = MyParams.unchecked(W_x=..., W_s=..., b=...)  # a gradient: no validation
            return (grads, dE_dx, (dE_ds0,)) if want else grads  # dE_dx like trace.x, dE_ds0 like trace.s0

    @dataclass(frozen=True)
    class MyTrace(TraceFields):
        OUTPUT: ClassVar = "s"  # what a readout sees
        STATE: ClassVar = ("s",)  # last_state = (s[N-1],)

        s: np.ndarray  # (N, d_s) or (N, B, d_s)
        x: np.ndarray  # (N, d_x) or (N, B, d_x)
        s0: np.ndarray  # (d_s,) or (B, d_s)
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from ._validation import as_flag, as_float_array, check_shape, check_type, fmt_shape, positive_int, type_error

__all__ = [
    "BACKWARD_OPTIONS",
    "Cell",
    "Parameters",
    "Trace",
    "TraceFields",
    "check_last_gradient",
    "check_options",
    "check_return_inputs",
    "check_signals",
    "check_trace",
    "replace_unchecked",
]


@runtime_checkable
class Trace(Protocol):
    """What :mod:`lrnn.train` reads from a forward pass.

    Attributes
    ----------
    batched : bool
        True for a batch ``(N, B, d)``, False for one sequence ``(N, d)``.
    output : numpy.ndarray, shape (N, d_out) or (N, B, d_out)
        What a readout sees: ``r`` (RNN), ``v`` (LSTMs), ``s`` (GRU).
    last_state : tuple of numpy.ndarray, each of shape (d,) or (B, d)
        The state after the last step, to pass as ``state=`` of the next chunk's forward pass.
    """

    @property
    def batched(self) -> bool: ...

    @property
    def output(self) -> np.ndarray: ...

    @property
    def last_state(self) -> tuple: ...


@runtime_checkable
class Cell(Protocol):
    """A recurrent cell as :mod:`lrnn.train` uses it: sizes, a forward and a backward pass.

    Attributes
    ----------
    d_x, d_s, d_out : int
        Input size, state size, and the width of ``trace.output`` (what a readout sees).
    n_params : int
        Number of trainable numbers.

    Methods
    -------
    forward(x, state=None) -> Trace
        ``x`` of shape ``(N, d_x)`` or ``(N, B, d_x)``; ``state`` None (zeros) or a previous
        trace's ``last_state``.
    backward(trace, dE_dout, return_inputs=False, **options) -> Cell or (Cell, ndarray, tuple)
        The gradients (summed over time and batch) as parameters of the same class;
        ``dE_dout`` is ``dE/d(trace.output)``, shaped like it. The gradient stops at the
        initial state (truncated BPTT). An option the cell does not have is a ``TypeError``
        that says which cells have it (:func:`check_options`). With ``return_inputs=True``
        (a bool, checked by :func:`check_return_inputs`) it returns ``(grads, dE_dx, dE_dstate)``:
        ``dE_dx`` the total ``dE/dx[n]``, shaped like ``trace.x``, and ``dE_dstate`` the total
        derivative with respect to the initial state, a tuple with the structure of ``forward``'s
        ``state`` (``(dE/ds[-1],)`` or ``(dE/ds[-1], dE/dv[-1])``, each shaped like ``trace.s0``:
        one row per sequence of a batch). These are what a cell below (``dE_dx``) and a cell
        before (``dE_dstate``) need, so that cells compose (:mod:`lrnn.compose`).
    """

    @property
    def d_x(self) -> int: ...

    @property
    def d_s(self) -> int: ...

    @property
    def d_out(self) -> int: ...

    @property
    def n_params(self) -> int: ...

    def forward(self, x, state=None) -> Trace: ...

    def backward(self, trace, dE_dout, return_inputs: bool = False, **options): ...


def replace_unchecked(obj, **changes):
    """A copy of the dataclass ``obj`` with ``changes``, built *without* its ``__post_init__``.

    For results the package computes itself (an optimiser's update, a clipped gradient),
    which are not user input: they are float64 arrays of the right shapes already, and a
    NaN or inf among them is a training outcome that the trainer reports.

    Examples
    --------
    >>> from lrnn.losses import Readout
    >>> r = replace_unchecked(Readout([[1.0]], [0.0]), b_y=np.array([np.inf]))
    >>> r.b_y
    array([inf])
    """
    new = object.__new__(type(obj))
    for f in dataclasses.fields(obj):
        object.__setattr__(new, f.name, changes[f.name] if f.name in changes else getattr(obj, f.name))
    return new


class Parameters:
    """Mixin for a cell's frozen parameter dataclass: everything derived from one shape table.

    Attributes
    ----------
    SHAPES : dict of str to tuple of str
        One entry per dataclass field, in field order: the names of its axes, e.g.
        ``{"W_x_cu": ("d_s", "d_x"), ..., "b_cu": ("d_s",)}``. The first field that has an axis
        fixes that size; every other field must agree.
    OPTIONAL : tuple of str
        Fields that may be ``None`` (e.g. the standard RNN's ``W_s``); they are then not parameters.
    SHAPE_HINTS : dict of str to str
        What to say when a field has the wrong number of axes (e.g. how to add the Augmented
        LSTM's tap axis).
    STATE_SIZES : tuple of str
        The size names of the carried state's entries, e.g. ``("d_s", "d_s")`` for the LSTM's
        ``(s[-1], v[-1])``; :meth:`parse_state` reads a state of that many arrays.
    STATE_NAMES : tuple of str
        How the state's entries are written in messages, e.g. ``("s[-1]", "v[-1]")``.
    OUTPUT_SIZE : str
        The size name of ``trace.output``, e.g. ``"d_s"`` or ``"d_v"``.
    INIT : str
        The arguments of the class's ``init``, for messages that say how to build one, e.g.
        ``"rng, d_x, d_s, d_h"``.

    Every one is a class attribute (``typing.ClassVar``), not a dataclass field.

    Examples
    --------
    >>> from lrnn.lstm import LSTMParams
    >>> p = LSTMParams.zeros(d_x=3, d_s=2)
    >>> p.sizes, p.n_params
    ({'d_s': 2, 'd_x': 3}, 60)
    >>> LSTMParams(**{**p.arrays(), "b_du": np.zeros(3)})
    Traceback (most recent call last):
    ...
    ValueError: b_du has shape (3,), expected (d_s,) = (2,) from W_x_cu of shape (2, 3).
    """

    SHAPES: ClassVar[dict[str, tuple[str, ...]]] = {}
    OPTIONAL: ClassVar[tuple[str, ...]] = ()
    SHAPE_HINTS: ClassVar[dict[str, str]] = {}
    STATE_SIZES: ClassVar[tuple[str, ...]] = ("d_s",)
    STATE_NAMES: ClassVar[tuple[str, ...]] = ("s[-1]",)
    OUTPUT_SIZE: ClassVar[str] = "d_s"
    INIT: ClassVar[str] = "rng, d_x, d_s"

    def __post_init__(self):
        """Validate user-built parameters: real finite numbers, float64, sizes that agree."""
        sizes: dict[str, int] = {}
        source: dict[str, str] = {}
        for name, axes in self.SHAPES.items():
            value = getattr(self, name)
            if value is None and name in self.OPTIONAL:
                continue
            a = as_float_array(name, value)
            if not axes and a.ndim:
                raise ValueError(
                    f"{name} has shape {fmt_shape(a.shape)}, expected a scalar, shape (); pass one number."
                )
            if a.ndim != len(axes):
                known = sorted({source[axis] for axis in axes if axis in source})
                hint = " ".join(known + [self.SHAPE_HINTS.get(name, "")]).strip()
                check_shape(name, a, tuple(sizes.get(axis) for axis in axes), axes, source=hint)
            if 0 in a.shape:
                raise ValueError(
                    f"{name} has shape {fmt_shape(a.shape)}, expected {fmt_shape(axes)} with every size >= 1."
                )
            here = f"from {name} of shape {fmt_shape(a.shape)}"
            from_ = sorted({source[axis] for axis in axes if axis in source})
            fixed_here = set()
            for axis, k in zip(axes, a.shape):  # a size first seen here is set by this field's first such axis
                if axis not in sizes:
                    sizes[axis], source[axis] = k, here
                    fixed_here.add(axis)
            # "?" where this field alone sets the size (W_x of the RNN sets d_x); a repeated axis must agree
            expected = tuple(None if a_ in fixed_here and axes.count(a_) == 1 else sizes[a_] for a_ in axes)
            check_shape(name, a, expected, axes, source=" and ".join(from_) or f"({name} fixes these sizes)")
            object.__setattr__(self, name, a)

    @classmethod
    def unchecked(cls, **arrays):
        """An instance built from ``arrays`` *without* validation, for results the package computes.

        Gradients and optimiser updates are built this way: their arrays are float64 of the
        right shapes by construction, and a NaN or inf among them is a training outcome
        (:class:`lrnn.train.FitResult` reports it), not an input error. Fields left out are ``None``.

        Examples
        --------
        >>> from lrnn.rnn import RNNParams
        >>> g = RNNParams.unchecked(W_r=np.full((1, 1), np.inf), W_x=np.zeros((1, 1)), theta_s=np.zeros(1))
        >>> g.W_r, g.W_s
        (array([[inf]]), None)
        """
        obj = object.__new__(cls)
        for f in dataclasses.fields(cls):
            object.__setattr__(obj, f.name, arrays.get(f.name))
        return obj

    @classmethod
    def shapes(cls, **sizes: int) -> dict[str, tuple[int, ...]]:
        """The shape of every field for the given sizes (``d_x=3, d_s=2, ...``), from ``SHAPES``.

        Raises
        ------
        ValueError
            A size that is not a positive integer, or one that ``SHAPES`` needs and is not given.

        Examples
        --------
        >>> from lrnn.lstm import LSTMParams
        >>> LSTMParams.shapes(d_x=3, d_s=2)["W_x_cu"]
        (2, 3)
        """
        sizes = {k: positive_int(k, v) for k, v in sizes.items()}
        missing = sorted({axis for axes in cls.SHAPES.values() for axis in axes} - set(sizes))
        if missing:
            raise ValueError(f"{cls.__name__} needs the sizes {', '.join(missing)}; pass them as keywords.")
        return {name: tuple(sizes[axis] for axis in axes) for name, axes in cls.SHAPES.items()}

    @classmethod
    def zeros(cls, d_x: int, d_s: int, **sizes: int):
        """All-zero parameters: a template to fill in by hand, and the zero gradient.

        Parameters
        ----------
        d_x, d_s : int
            Input and state sizes.
        **sizes : int
            Any further sizes the cell has (e.g. ``d_v``, ``L`` of the Augmented LSTM).

        Examples
        --------
        >>> from lrnn.lstm import LSTMParams
        >>> LSTMParams.zeros(1, 1).b_du
        array([0.])
        """
        return cls.unchecked(**{k: np.zeros(shape) for k, shape in cls.shapes(d_x=d_x, d_s=d_s, **sizes).items()})

    def arrays(self) -> dict[str, np.ndarray]:
        """The parameter arrays by field name, in field order (``None`` fields left out)."""
        return {name: getattr(self, name) for name in self.SHAPES if getattr(self, name) is not None}

    @property
    def sizes(self) -> dict[str, int]:
        """Every size the shape table names, read from the arrays, e.g. ``{"d_s": 2, "d_x": 3}``."""
        out: dict[str, int] = {}
        for name, axes in self.SHAPES.items():
            a = getattr(self, name)
            if a is not None:
                for axis, k in zip(axes, np.shape(a)):
                    out.setdefault(axis, k)
        return out

    @property
    def d_x(self) -> int:
        """Input size."""
        return self.sizes["d_x"]

    @property
    def d_s(self) -> int:
        """State size."""
        return self.sizes["d_s"]

    @property
    def d_out(self) -> int:
        """Width of ``trace.output``, what a readout sees."""
        return self.sizes[self.OUTPUT_SIZE]

    @property
    def n_params(self) -> int:
        """Number of trainable numbers (``None`` fields are not parameters)."""
        return sum(a.size for a in self.arrays().values())

    def parse_state(self, state) -> tuple:
        """A carried state as a tuple of ``len(STATE_SIZES)`` entries; ``None`` gives ``None`` for each (zeros).

        The entries' shapes are checked by the forward pass, which knows the batch size.

        Raises
        ------
        TypeError
            If ``state`` is neither ``None`` nor a tuple (or list) of the right length.

        Examples
        --------
        >>> from lrnn.lstm import LSTMParams
        >>> LSTMParams.zeros(1, 2).parse_state(None)
        (None, None)
        >>> LSTMParams.zeros(1, 2).parse_state(np.zeros(2))
        Traceback (most recent call last):
        ...
        TypeError: state has type ndarray, expected None or a 2-tuple (s[-1], v[-1]); pass a trace's last_state.
        """
        if state is None:
            return (None,) * len(self.STATE_SIZES)
        if not isinstance(state, tuple | list) or len(state) != len(self.STATE_SIZES):
            k = len(self.STATE_SIZES)
            names = ", ".join(self.STATE_NAMES) + ("," if k == 1 else "")
            raise type_error("state", state, f"None or a {k}-tuple ({names})", "pass a trace's last_state")
        return tuple(state)


class TraceFields:
    """Mixin for a forward pass's trace dataclass: ``batched``, ``output`` and ``last_state``.

    Attributes
    ----------
    OUTPUT : str
        The field a readout sees (``"r"``, ``"v"`` or ``"s"``).
    STATE : tuple of str
        The fields whose last step is the carried state, e.g. ``("s", "v")``.
    INITIAL : tuple of str
        The fields that hold an initial condition (one step, no time axis), e.g. ``("s0", "v0")``;
        every other field is a signal with time along axis 0.

    Examples
    --------
    >>> from lrnn.lstm import LSTMParams
    >>> tr = LSTMParams.zeros(1, 2).forward(np.zeros((3, 4, 1)))
    >>> tr.batched, tr.output.shape, [a.shape for a in tr.last_state]
    (True, (3, 4, 2), [(4, 2), (4, 2)])
    """

    OUTPUT: ClassVar[str] = "s"
    STATE: ClassVar[tuple[str, ...]] = ("s",)
    INITIAL: ClassVar[tuple[str, ...]] = ("s0", "v0")

    @property
    def batched(self) -> bool:
        """True when the trace holds a batch, ``(N, B, d)``."""
        return getattr(self, self.OUTPUT).ndim == 3

    @property
    def output(self) -> np.ndarray:
        """The sequence a readout sees, shape ``(N, d_out)`` or ``(N, B, d_out)``."""
        return getattr(self, self.OUTPUT)

    @property
    def last_state(self) -> tuple:
        """The state after the last step: pass it as ``state=`` of the next chunk's forward pass."""
        return tuple(getattr(self, name)[-1] for name in self.STATE)

    @classmethod
    def from_batch(cls, batched: bool, **arrays):
        """The trace of ``arrays`` computed with a batch axis: as they are, or without it for one sequence.

        The inverse of :meth:`as_batch`: forward passes are written once, for ``(N, B, ...)``;
        when the input was a single sequence (``batched=False``, ``B = 1``) the signals lose
        axis 1 and the initial conditions named in ``INITIAL`` lose axis 0.

        Examples
        --------
        >>> from lrnn.rnn import RNNTrace
        >>> z = np.zeros((3, 1, 2))
        >>> tr = RNNTrace.from_batch(False, s=z, r=z, x=np.zeros((3, 1, 1)), s0=np.zeros((1, 2)))
        >>> tr.batched, tr.s.shape, tr.s0.shape
        (False, (3, 2), (2,))
        """
        if batched:
            return cls(**arrays)
        return cls(**{name: a[0] if name in cls.INITIAL else a[:, 0] for name, a in arrays.items()})

    def as_batch(self, *names: str) -> tuple:
        """The named fields with a batch axis: signals as ``(N, B, d)``, initial conditions as ``(B, d)``.

        A batched trace's arrays are returned as they are; a single sequence's get ``B = 1``
        (signals ``(N, ...) -> (N, 1, ...)``, the initial conditions named in ``INITIAL``
        ``(...) -> (1, ...)``), so that backward passes are written once, for batches. Views, not copies.

        Examples
        --------
        >>> from lrnn.rnn import RNNParams
        >>> tr = RNNParams.zeros(1, 2).forward(np.zeros((3, 1)))
        >>> [a.shape for a in tr.as_batch("s", "x", "s0")]
        [(3, 1, 2), (3, 1, 1), (1, 2)]
        """
        if self.batched:
            return tuple(getattr(self, name) for name in names)
        return tuple(
            getattr(self, name)[None] if name in self.INITIAL else getattr(self, name)[:, None] for name in names
        )


def check_last_gradient(trace, dE_dlast, name: str = "dE_dlast") -> tuple:
    """The gradient arriving on ``trace.last_state``, one float64 array per part; zeros for ``None``.

    A loss on the last state, or a later segment that starts from it, sends back
    ``dE/d(last_state)``; the backward recursion starts from it instead of from zero (P5 with a
    nonzero terminal condition).

    Parameters
    ----------
    trace : Trace
        A forward pass's trace (its ``last_state`` fixes the parts and their shapes).
    dE_dlast : None or tuple of array_like
        One array per part of ``trace.last_state``, each of that part's shape.
    name : str
        Argument name used in error messages.

    Returns
    -------
    tuple of numpy.ndarray

    Raises
    ------
    TypeError, ValueError
        Not a tuple of the right length, a part of the wrong shape, or NaN/inf.

    Examples
    --------
    >>> from lrnn.gru import GRUParams, gru_forward
    >>> tr = gru_forward(GRUParams.zeros(1, 2), np.zeros((3, 1)))
    >>> check_last_gradient(tr, None), check_last_gradient(tr, ([1.0, 2.0],))
    ((array([0., 0.]),), (array([1., 2.]),))
    """
    last = trace.last_state
    if dE_dlast is None:
        return tuple(np.zeros_like(a) for a in last)
    if not isinstance(dE_dlast, tuple | list) or len(dE_dlast) != len(last):
        raise type_error(
            name, dE_dlast, f"None or a {len(last)}-tuple shaped like trace.last_state",
            "pass one gradient per part of the last state, e.g. (dE/ds[N-1], dE/dv[N-1])",
        )  # fmt: skip
    parts = tuple(as_float_array(f"{name}[{i}]", a) for i, a in enumerate(dE_dlast))
    for i, (a, want) in enumerate(zip(parts, last, strict=True)):
        check_shape(f"{name}[{i}]", a, want.shape, source=f"(that of trace.last_state[{i}])")
    return parts


def check_trace(params, trace, dE_dout, *, cell: type | tuple, trace_type: type, forward: str, name: str = "dE_dout"):
    """The boundary check of a backward pass; returns ``dE_dout`` as a float64 array.

    Parameters
    ----------
    params : Parameters
        Must be an instance of ``cell``.
    trace : TraceFields
        Must be an instance of ``trace_type``, computed with parameters of ``params``' sizes:
        its ``x`` has ``d_x`` entries per step, its ``output`` ``d_out`` and its ``s`` (if it has
        one) ``d_s``.
    dE_dout : array_like, shape of ``trace.output``, or None
        The direct derivative of the loss with respect to each output; finite. None checks
        ``params`` and ``trace`` alone (for functions that read a trace without a loss).
    cell : type or tuple of type
        The expected parameter class (or classes).
    trace_type : type
        The expected trace class.
    forward : str
        The forward function's name, for the message (``"lstm_forward"``).
    name : str, default "dE_dout"
        The argument's name in the backward function (``"dE_dv"``, ``"dE_dr"``, ``"dE_ds"``).

    Returns
    -------
    numpy.ndarray of float64, shape of ``trace.output``, or None

    Raises
    ------
    TypeError
        Wrong classes.
    ValueError
        A trace of other sizes, or ``dE_dout`` of the wrong shape or with NaN/inf.

    Examples
    --------
    >>> from lrnn.lstm import LSTMParams, LSTMTrace
    >>> p = LSTMParams.zeros(d_x=1, d_s=2)
    >>> tr = p.forward(np.zeros((3, 1)))
    >>> check_trace(p, tr, np.zeros((3, 3)), cell=LSTMParams, trace_type=LSTMTrace, forward="lstm_forward",
    ...             name="dE_dv")
    Traceback (most recent call last):
    ...
    ValueError: dE_dv has shape (3, 3), expected the shape of trace.v, (3, 2); pass dE/dv[n] for every step n ...
    """
    first = cell[0] if isinstance(cell, tuple) else cell
    check_type("params", params, cell, f"build one with {first.__name__}.init({first.INIT})")
    check_type("trace", trace, trace_type, f"pass the result of {forward}(params, x)")
    seen = {"d_s": trace.s.shape[-1]} if hasattr(trace, "s") else {}  # a trace without s: checked by its output
    seen.update({"d_x": trace.x.shape[-1], params.OUTPUT_SIZE: trace.output.shape[-1]})
    want = {k: params.sizes[k] for k in seen}
    if seen != want:
        fmt = lambda d: ", ".join(f"{k} = {v}" for k, v in d.items())  # noqa: E731
        raise ValueError(f"trace has {fmt(seen)} but params has {fmt(want)}; run {forward} with these params first.")
    if dE_dout is None:
        return None
    dE = as_float_array(name, dE_dout)
    if dE.shape != trace.output.shape:
        out = trace_type.OUTPUT
        raise ValueError(
            f"{name} has shape {fmt_shape(dE.shape)}, expected the shape of trace.{out}, "
            f"{fmt_shape(trace.output.shape)}; pass dE/d{out}[n] for every step n (zeros where E does not "
            f"depend on {out}[n])."
        )
    return dE


def check_signals(params, trace, signals, *, cell: type | tuple, trace_type: type, forward: str, signals_type: type):
    """The boundary check of a function that reads a backward recursion's signals; returns ``signals``.

    ``params`` and ``trace`` as :func:`check_trace` checks them; ``signals`` must be an instance of
    ``signals_type`` whose ``psi`` has the shape of ``trace.s`` (the recursion run on this trace).

    Raises
    ------
    TypeError
        Wrong classes.
    ValueError
        Signals of another shape than ``trace.s``.

    Examples
    --------
    >>> from lrnn.lstm import LSTMParams, LSTMTrace
    >>> from lrnn.lstm_bptt import LSTMBPTTSignals, lstm_bptt_signals
    >>> p = LSTMParams.zeros(d_x=1, d_s=2)
    >>> sig = lstm_bptt_signals(p, p.forward(np.zeros((3, 1))), np.zeros((3, 2)))
    >>> check_signals(p, p.forward(np.zeros((4, 1))), sig, cell=LSTMParams, trace_type=LSTMTrace,
    ...               forward="lstm_forward", signals_type=LSTMBPTTSignals)
    Traceback (most recent call last):
    ...
    ValueError: signals.psi has shape (3, 2), expected the shape of trace.s, (4, 2); run the backward recursion ...
    """
    check_trace(params, trace, None, cell=cell, trace_type=trace_type, forward=forward)
    check_type("signals", signals, signals_type, "pass the backward recursion's signals on this trace")
    if signals.psi.shape != trace.s.shape:
        raise ValueError(
            f"signals.psi has shape {fmt_shape(signals.psi.shape)}, expected the shape of trace.s, "
            f"{fmt_shape(trace.s.shape)}; run the backward recursion on this trace and pass its signals."
        )
    return signals


BACKWARD_OPTIONS: dict[str, str] = {
    "clip": "clipping the accumulation derivatives to [-1, 1] (footnote 25) is an option of the LSTMs' backward "
    "pass (LSTMParams, AugmentedLSTMParams); for any cell, clip the gradients' global norm with "
    "fit_sequences(..., clip_norm=1.0)",
    "erratum_p1": "erratum_p1 (the printed W_r of Eq. 82) is an option of the RNN's backward pass (RNNParams)",
    "erratum_p3": "erratum_p3 (the printed W_s_cr of Eqs. 149-150, 222) is an option of the LSTMs' backward pass "
    "(LSTMParams, AugmentedLSTMParams)",
    "erratum_p7": "erratum_p7 (the printed Eq. 246) is an option of the Augmented LSTM's backward pass "
    "(AugmentedLSTMParams)",
    "method": "method ('scan' or 'loop': how the adjoint recurrence runs) is an option of the linear recurrences' "
    "backward pass (LRUParams, SelectiveSSMParams)",
}  #: what each backward-pass option of the package is, and which cells have it


def check_options(params, options: dict[str, Any], allowed: tuple[str, ...] = ()) -> None:
    """Raise ``TypeError`` for a backward-pass option that ``params``' cell does not have, saying which cells do.

    Parameters
    ----------
    params : Parameters
        The cell whose ``backward`` was called.
    options : dict
        The keyword arguments it received.
    allowed : tuple of str
        The options that cell has.

    Examples
    --------
    >>> from lrnn.rnn import RNNParams
    >>> check_options(RNNParams.zeros(1, 1), {"clip": True}, ("erratum_p1",))
    Traceback (most recent call last):
    ...
    TypeError: RNNParams.backward has no option clip: clipping the accumulation derivatives to [-1, 1] ...
    """
    for key in options:
        if key in allowed:
            continue
        why = BACKWARD_OPTIONS.get(key, "it is not an option of any cell's backward pass")
        has = f"; its options are {', '.join(allowed)}" if allowed else "; it has no options"
        raise TypeError(f"{type(params).__name__}.backward has no option {key}: {why}{has}.")


def check_return_inputs(params, return_inputs) -> bool:
    """The ``return_inputs`` flag of a backward pass as a bool, or a ``TypeError`` that says what it does.

    Examples
    --------
    >>> from lrnn.rnn import RNNParams
    >>> check_return_inputs(RNNParams.zeros(1, 1), "yes")
    Traceback (most recent call last):
    ...
    TypeError: return_inputs has type str, expected a bool (True or False); pass True for ...
    """
    return as_flag(
        "return_inputs",
        return_inputs,
        f"pass True for (grads, dE_dx, dE_dstate) from {type(params).__name__}.backward, "
        "False (the default) for the gradients alone",
    )
