"""Running a stage over a sequence (:func:`run_cell`) and showing what a stage changes (:func:`stage_diff`)."""

from __future__ import annotations

import ast
import difflib
import inspect
import textwrap

import numpy as np

from .._validation import as_float_array, check_shape, fmt_shape, type_error
from ..activations import G_d
from ..rnn import RNNParams
from .params import CellTrace, GateParams, check_pair, check_params, read_gates
from .stages import step_gated, step_identity_state, step_split  # noqa: F401  (the Examples use them)

__all__ = ["run_cell", "stage_diff", "show_code"]

# -- checks and the driver ---------------------------------------------------------------------


def run_cell(step_fn, params: RNNParams, x, gates=None, s0=None, y0=None) -> CellTrace:
    """Run one stage's step function over a sequence, ``n = 0, ..., N-1``.

    Parameters
    ----------
    step_fn : callable
        One of :data:`STAGES`, or your own ``step_fn(params, x, s_prev, y_prev, g) -> dict``
        returning at least ``"s"`` and the fed-back signal ``"r"`` or ``"v"``.
    params : RNNParams
    x : array_like, shape (N, d_x)
    gates : dict or GateParams, optional
        For stages 2-5, gate signals by name (``"cs"``, ``"cu"``, ``"cr"``, ``"cx"``), each
        a scalar, ``(d_s,)`` or ``(N, d_s)`` array in [0, 1]; for :func:`step_lstm`, a GateParams.
    s0 : array_like, shape (d_s,), optional
        ``s[-1]``, zero by default (Eq. 73).
    y0 : array_like, shape (d_s,), optional
        The fed-back signal at ``n = -1``: ``r[-1] = G_d(s[-1])`` for stages 1-3 (as
        :func:`lrnn.rnn_forward`), ``v[-1] = 0`` from stage 4 on (P5), unless given.

    Returns
    -------
    CellTrace
        Every signal the step returns, stacked to ``(N, d_s)``.

    Raises
    ------
    TypeError, ValueError
        Wrong types or shapes, NaN/inf, gates outside [0, 1] or missing, or a step
        function that does not return a dict with ``"s"`` and ``"r"``/``"v"``.

    Examples
    --------
    With both gates 1 and ``W_s = I`` the gated cell is the canonical RNN with ``W_s = I``:

    >>> from lrnn.rnn import rnn_forward
    >>> p = RNNParams(W_r=[[0.5]], W_x=[[1.0]], theta_s=[0.0])
    >>> x = [[1.0], [0.0], [-1.0]]
    >>> tr = run_cell(step_identity_state, p, x, {"cs": 1.0, "cu": 1.0})
    >>> bool(np.allclose(tr.s, rnn_forward(RNNParams(p.W_r, p.W_x, p.theta_s, W_s=[[1.0]]), x).s))
    True
    """
    if not callable(step_fn):
        raise type_error("step_fn", step_fn, "a step function such as step_split")
    check_params(step_fn, params)
    X = as_float_array("x", x)
    if X.ndim != 2 or X.shape[1] != params.d_x or X.shape[0] == 0:
        raise ValueError(
            f"x has shape {fmt_shape(X.shape)}, expected (N, d_x) = (N, {params.d_x}) from W_x of shape "
            f"{fmt_shape(params.W_x.shape)}, N >= 1; pass one sequence, time along axis 0."
        )
    N, d_s = len(X), params.d_s
    if isinstance(gates, GateParams) or getattr(step_fn, "__name__", "") == "step_lstm":
        check_pair(params, gates, "run_cell")
        G = None
    else:
        G = read_gates(step_fn, gates, d_s, lead=(N,))
    feedback = getattr(step_fn, "feedback", "v")
    S0 = np.zeros(d_s) if s0 is None else as_float_array("s0", s0)
    check_shape("s0", S0, (d_s,), ("d_s",), source="; pass None for s[-1] = 0")
    if y0 is None:
        Y0 = G_d(S0) if feedback == "r" else np.zeros(d_s)
    else:
        Y0 = as_float_array("y0", y0)
        check_shape("y0", Y0, (d_s,), ("d_s",), source="; pass None for the default")
    impl = getattr(step_fn, "impl", step_fn)  # arguments are checked once, here
    s_prev, y_prev, rows = S0, Y0, []
    for n in range(N):
        g_n = gates if G is None else {k: a[n] for k, a in G.items()}
        out = impl(params, X[n], s_prev, y_prev, g_n)
        if not isinstance(out, dict) or "s" not in out or not ({"r", "v"} & set(out)):
            raise TypeError(
                f"step_fn returned {type(out).__name__}{sorted(out) if isinstance(out, dict) else ''}; "
                "expected a dict with 's' and the fed-back signal 'r' or 'v' (arrays of shape (d_s,))."
            )
        out = {k: np.asarray(a, dtype=float) for k, a in out.items()}
        bad = {k: a.shape for k, a in out.items() if a.shape != (d_s,)}
        if bad:
            raise ValueError(
                f"step_fn returned signals of shapes {bad} at step n = {n}; each must be (d_s,) = ({d_s},)."
            )
        rows.append(out)
        s_prev, y_prev = out["s"], out["v" if "v" in out else "r"]
    return CellTrace({k: np.array([o[k] for o in rows]) for k in rows[0]})


def _body(fn) -> list[str]:
    """The code lines of a function, without its signature and docstring."""
    src = textwrap.dedent(inspect.getsource(getattr(fn, "impl", fn)))
    tree = ast.parse(src).body[0]
    first = tree.body[1] if ast.get_docstring(tree) is not None else tree.body[0]
    lines = src.splitlines()
    return [ln[4:] for ln in lines[first.lineno - 1 : tree.end_lineno] if ln.strip()]


class _Diff(str):
    """A diff that Jupyter (and the book) show as a highlighted ``diff`` block."""

    def _repr_markdown_(self):
        return f"```diff\n{self}\n```"


class _Code(str):
    """Code that Jupyter (and the book) show as a highlighted ``python`` block."""

    def _repr_markdown_(self):
        return f"```python\n{self}\n```"


def show_code(fn) -> str:
    """The body of a function (no signature, no docstring), shown as highlighted code in Jupyter.

    The chapters use it to read :mod:`lrnn`'s loops next to the equations they implement.

    Parameters
    ----------
    fn : callable
        A function defined in a source file, e.g. :func:`lrnn.lstm.lstm_step`.

    Returns
    -------
    str

    Examples
    --------
    >>> print(show_code(step_split).splitlines()[0])
    F_s = p.W_s @ s_prev  # Eq. 96
    """
    return _Code("\n".join(_body(fn)))


def _code(line: str) -> str:
    """A line without its trailing comment: what the diff compares."""
    return line.split("  # ")[0].rstrip()


def stage_diff(old, new) -> str:
    """What changes from one step function to the next, as ``-``/``+`` lines.

    Lines are compared by their code; a line whose code is unchanged is shown once, with
    ``new``'s comment (so equation tags may be renumbered without marking the line).

    Parameters
    ----------
    old, new : callable
        Step functions (for example consecutive entries of :data:`STAGES`, or
        :func:`lrnn.lstm.lstm_step` and :func:`lrnn.augmented.augmented_step`);
        ``old = None`` shows the body of ``new`` unmarked.

    Returns
    -------
    str
        The body of ``new``, with removed lines of ``old`` marked ``-`` and added ones ``+``
        (shown as a highlighted diff in Jupyter).

    Examples
    --------
    >>> print(stage_diff(step_split, step_gated).splitlines()[2])
    - s = F_s + F_u  # Eq. 94
    """
    before, after = _body(new) if old is None else _body(old), _body(new)
    i = j = 0
    out = []
    for ln in difflib.ndiff([_code(b) for b in before], [_code(a) for a in after]):
        if ln.startswith("  "):
            out.append("  " + after[j])
            i, j = i + 1, j + 1
        elif ln.startswith("- "):
            out.append("- " + before[i])
            i += 1
        elif ln.startswith("+ "):
            out.append("+ " + after[j])
            j += 1
    return _Diff("\n".join(out))
