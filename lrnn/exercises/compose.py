"""Self-checks for the exercises of Chapter 10, "Composing cells" (Sherstinsky Sec. I, modularity).

:func:`check_lstm_dE_dx`: a student derives the gradient at the Vanilla LSTM's input border,

    dE/dx[n] = W_x_cu^T alpha_cu[n] + W_x_cs^T alpha_cs[n] + W_x_cr^T alpha_cr[n] + W_x_du^T alpha_du[n],

because ``x[n]`` enters the four accumulation nodes of Eqs. 126-129 and nothing else. The check
runs the student's function on the accumulation derivatives of random cases (``d_x != d_s``,
so a missing transpose cannot hide) and names the usual mistakes: a node left out, the
recurrent weights ``W_v_*`` in place of ``W_x_*``, or ``psi`` (the state gradient) in place of
the ``alpha``.

:func:`check_stack`: a student composes two cells into a two-layer model by hand, forward and
backward, using only the cells' ``forward`` and ``backward(..., return_inputs=True)``, and the
check compares with :func:`lrnn.compose.stack`. The mistakes it names: the top layer's
``dE_dout`` handed to the bottom layer (instead of the top layer's ``dE_dx``), the bottom
layer's gradient missing (the lower layer not trained), and the layers in the wrong order.
"""

from __future__ import annotations

import numpy as np

from ..compose import stack
from ..gru import TorchGRUParams
from ..lstm import LSTMParams
from ..lstm_bptt import lstm_border_gradients, lstm_bptt_signals
from ..rnn import RNNParams
from .harness import call, compare, field, unpack

__all__ = ["check_lstm_dE_dx", "check_stack"]

_NODES = ("cu", "cs", "cr", "du")


def _dE_dx(p: LSTMParams, sig, *, nodes=_NODES, source="W_x", signal="alpha") -> np.ndarray:
    """``sum over nodes of W^T (signal)`` in rows: the right answer, or a mistake."""
    try:
        return sum((sig.psi if signal == "psi" else getattr(sig, f"alpha_{k}")) @ getattr(p, f"{source}_{k}")
                   for k in nodes)  # fmt: skip
    except ValueError:  # a mistake whose shapes do not fit this case
        return None


def check_lstm_dE_dx(student_fn, *, seed: int = 0) -> str:
    """Check a student's gradient at the LSTM's input border, ``dE/dx[n]`` (from Eqs. 126-129).

    Parameters
    ----------
    student_fn : callable
        ``student_fn(params, signals) -> dE_dx``: ``params`` an :class:`lrnn.lstm.LSTMParams`,
        ``signals`` the :class:`lrnn.lstm_bptt.LSTMBPTTSignals` of one backward pass (``alpha_cu``,
        ``alpha_cs``, ``alpha_cr``, ``alpha_du``, ``psi``, ``chi``, each of shape ``(N, d_s)``), and
        ``dE_dx`` of shape ``(N, d_x)``.
    seed : int, default 0

    Returns
    -------
    str
        A success message.

    Raises
    ------
    AssertionError
        With a diagnosis when the result differs from ``lstm_backward(..., return_inputs=True)``.

    Examples
    --------
    >>> check_lstm_dE_dx(_dE_dx)
    'check_lstm_dE_dx: passed, dE/dx[n] = sum over cu, cs, cr, du of W_x_*^T alpha_*[n] on 2 random cases.'
    """
    rng = np.random.default_rng(seed)
    for N, d_x, d_s in ((5, 3, 2), (4, 3, 3)):  # d_x != d_s, then a case where psi and W_v fit the shapes
        p = LSTMParams.init(rng, d_x, d_s, scale=1.0)
        tr = p.forward(rng.standard_normal((N, d_x)))
        sig = lstm_bptt_signals(p, tr, rng.standard_normal((N, d_s)))
        want, _ = lstm_border_gradients(p, tr, sig)
        label = f"check_lstm_dE_dx (case N = {N}, d_x = {d_x}, d_s = {d_s})"
        try:
            got = call(label, student_fn, p, sig)
        except AssertionError as err:
            sizes = any(w in str(err) for w in ("shape", "mismatch", "align"))
            hint = " (W^T alpha in rows is alpha @ W: (N, d_s) @ (d_s, d_x))" if sizes else ""
            raise AssertionError(f"{err}{hint}") from err.__cause__
        mistakes = [(_dE_dx(p, sig, nodes=tuple(k for k in _NODES if k != drop)),
                     f"the {drop} node is missing: x[n] enters all four accumulation nodes (Eqs. 126-129), "
                     "so dE/dx[n] has four terms.") for drop in _NODES]  # fmt: skip
        mistakes.append((_dE_dx(p, sig, source="W_v"), "you used the recurrent weights W_v_*; x[n] meets W_x_*."))
        mistakes.append((_dE_dx(p, sig, signal="psi"), "you used psi = dE/ds; the weights act on a_*, so use alpha_*."))
        compare(label, "dE_dx", got, want, [(m, why) for m, why in mistakes if m is not None], axis0="steps n =",
                hint="dE/dx[n] = sum_* W_x_*^T alpha_*[n], alpha_* from the signals as they are")  # fmt: skip
    return "check_lstm_dE_dx: passed, dE/dx[n] = sum over cu, cs, cr, du of W_x_*^T alpha_*[n] on 2 random cases."


def _cells(rng, kind: int):
    if kind == 0:
        return LSTMParams.init(rng, 3, 4), LSTMParams.init(rng, 4, 2)
    return RNNParams.init(rng, 2, 5), TorchGRUParams.init(rng, 5, 3)


def check_stack(student_fn, *, seed: int = 0) -> str:
    """Check a student's two-layer stack, forward and backward, against :func:`lrnn.compose.stack`.

    Parameters
    ----------
    student_fn : callable
        ``student_fn(lower, upper, x, dE_dout) -> (output, grads_lower, grads_upper, dE_dx)``:
        ``lower`` and ``upper`` two cells (``upper.d_x == lower.d_out``), ``x`` of shape
        ``(N, B, d_x)``, ``dE_dout`` of the shape of the upper layer's output; ``grads_*`` each
        cell's parameter gradients (the result of its ``backward``), ``dE_dx`` of the shape of ``x``.
    seed : int, default 0

    Returns
    -------
    str
        A success message.

    Raises
    ------
    AssertionError
        With a diagnosis.

    Examples
    --------
    >>> def two(lower, upper, x, g):
    ...     m = stack([lower, upper]); tr = m.forward(x); grads, dx, _ = m.backward(tr, g, return_inputs=True)
    ...     return tr.output, grads.layers[0], grads.layers[1], dx
    >>> print(check_stack(two))
    check_stack: passed, output, both layers' gradients and dE/dx agree with lrnn.stack (LSTM on LSTM; GRU on RNN).
    """
    rng = np.random.default_rng(seed)
    for kind, name in enumerate(("LSTM on LSTM", "GRU on RNN")):
        lower, upper = _cells(rng, kind)
        model = stack([lower, upper])
        x = rng.standard_normal((5, 3, lower.d_x))
        tr = model.forward(x)
        g = rng.standard_normal(tr.output.shape)
        grads, dE_dx, _ = model.backward(tr, g, return_inputs=True)
        label = f"check_stack (case {name})"
        got = call(label, student_fn, lower, upper, x.copy(), g.copy())
        out, g_low, g_up, dx = unpack(label, got, (tr.output.shape, None, None, x.shape),
                                      "(output, grads_lower, grads_upper, dE_dx)")  # fmt: skip
        compare(label, "the output", out, tr.output, hint="the upper layer reads the lower layer's output")
        # the top layer's dE_dout handed to the bottom layer: only possible when the sizes agree
        wrong_dx = []
        if lower.d_out == upper.d_out:
            _, dx_wrong, _ = lower.backward(tr.traces[0], g, return_inputs=True)
            wrong_dx.append(
                (dx_wrong, "the lower layer got the upper layer's dE_dout; it must get the upper layer's dE_dx.")
            )
        for fname in _field_names(grads.layers[1]):
            compare(label, f"the upper layer's gradient of {fname}", field(g_up, fname), field(grads.layers[1], fname))
        if g_low is None:
            raise AssertionError(f"{label}: grads_lower is None: the lower layer has parameters too; backpropagate "
                                 "the upper layer's dE_dx through it.")  # fmt: skip
        for fname in _field_names(grads.layers[0]):
            compare(label, f"the lower layer's gradient of {fname}", field(g_low, fname), field(grads.layers[0], fname),
                    hint="the lower layer's dE_dout is the upper layer's dE_dx (return_inputs=True)")  # fmt: skip
        compare(label, "dE_dx", dx, dE_dx, wrong_dx, axis0="steps n =")
    return (
        "check_stack: passed, output, both layers' gradients and dE/dx agree with lrnn.stack "
        "(LSTM on LSTM; GRU on RNN)."
    )


def _field_names(grads) -> list:
    import dataclasses

    return [f.name for f in dataclasses.fields(grads) if getattr(grads, f.name) is not None]
