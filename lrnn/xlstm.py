"""xLSTM's two cells, forward passes: sLSTM (exponential gating, normaliser, stabiliser) and mLSTM (matrix memory).

Beck et al. (2024) return to the LSTM of Chapter 5 (in PyTorch's names: ``c`` is Sherstinsky's
state ``s``, ``i, f, o`` the gates ``g_cu, g_cs, g_cr``, ``z`` the update ``u``) and change two things.

**sLSTM** (Sec. 2.2): the input gate becomes exponential, ``i = exp(i~)``, and the forget gate
may be too; a *normaliser* state ``n`` sums the input-gate values the cell state summed, and
the output divides by it::

    c[t] = f[t] c[t-1] + i[t] z[t]        n[t] = f[t] n[t-1] + i[t]        h[t] = o[t] c[t] / n[t]
    z = tanh(z~),  i = exp(i~),  f = sigma(f~) or exp(f~),  o = sigma(o~),  each ~ = W x[t] + R h[t-1] + b

``exp`` overflows for pre-activations above about 709, so a *stabiliser* state rescales both::

    m[t] = max(log f[t] + m[t-1], log i[t]),   i'[t] = exp(log i[t] - m[t]),   f'[t] = exp(log f[t] + m[t-1] - m[t])

Run with ``i', f'`` instead of ``i, f``, the states become ``c'[t] = c[t] exp(-m[t])`` and
``n'[t] = n[t] exp(-m[t])`` (by induction from ``c[-1] = n[-1] = 0``), so ``h[t] = o c'/n' = o c/n``:
the stabiliser changes the floating-point range of ``c`` and ``n``, not the output.
:func:`slstm_forward` computes it either way (``stabilised=``).

**mLSTM** (Sec. 2.3): the state is a matrix, written like an associative memory, with gates that
depend on the input only::

    C[t] = f[t] C[t-1] + i[t] v[t] k[t]^T      n[t] = f[t] n[t-1] + i[t] k[t]
    h[t] = o[t] * (C[t] q[t]) / max(|n[t]^T q[t]|, 1)
    q = W_q x + b_q,  k = (W_k x + b_k) / sqrt(d),  v = W_v x + b_v,  i = exp(w_i x + b_i),  f = sigma(w_f x + b_f)

With no ``h[t-1]`` in the gates, ``C`` and ``n`` follow linear recurrences with scalar
coefficients ``f[t]``: :func:`lrnn.scan.linear_scan` runs them (:func:`mlstm_forward`,
``method="scan"``). The sLSTM, whose gates read ``h[t-1]``, has no such form and runs step by step.

References
----------
M. Beck, K. Poppel, M. Spanring, A. Auer, O. Prudnikova, M. Kopp, G. Klambauer, J. Brandstetter,
S. Hochreiter, "xLSTM: Extended Long Short-Term Memory", NeurIPS 2024, arXiv:2405.04517, Sec. 2.2-2.3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ._validation import as_sequence, check_rng, fmt_shape, positive_int
from .activations import G_c, G_d
from .cell import Parameters
from .scan import scan_method

__all__ = ["SLSTMParams", "SLSTMTrace", "slstm_step", "slstm_forward", "MLSTMParams", "MLSTMTrace", "mlstm_forward"]

_GATES = ("z", "i", "f", "o")


def _log_sigmoid(a):
    return -np.logaddexp(0.0, -a)


@dataclass(frozen=True)
class SLSTMParams(Parameters):
    """Parameters of an sLSTM cell: for each gate z, i, f, o an input matrix ``W_*``, a recurrent ``R_*``, a bias.

    Validation, sizes, :meth:`~lrnn.cell.Parameters.zeros` and ``n_params`` come from the shape
    table (:class:`lrnn.cell.Parameters`).

    Parameters
    ----------
    W_z, W_i, W_f, W_o : array_like, shape (d_s, d_x)
    R_z, R_i, R_f, R_o : array_like, shape (d_s, d_s)
    b_z, b_i, b_f, b_o : array_like, shape (d_s,)

    Examples
    --------
    >>> p = SLSTMParams.init(np.random.default_rng(0), d_x=3, d_s=2)
    >>> p.d_x, p.d_s, p.n_params  # 4 (d_s d_x + d_s^2 + d_s)
    (3, 2, 48)
    """

    SHAPES: ClassVar = {
        **{f"W_{g}": ("d_s", "d_x") for g in _GATES},
        **{f"R_{g}": ("d_s", "d_s") for g in _GATES},
        **{f"b_{g}": ("d_s",) for g in _GATES},
    }

    W_z: np.ndarray  # (d_s, d_x)
    W_i: np.ndarray
    W_f: np.ndarray
    W_o: np.ndarray
    R_z: np.ndarray  # (d_s, d_s)
    R_i: np.ndarray
    R_f: np.ndarray
    R_o: np.ndarray
    b_z: np.ndarray  # (d_s,)
    b_i: np.ndarray
    b_f: np.ndarray
    b_o: np.ndarray

    @classmethod
    def init(cls, rng, d_x: int, d_s: int, *, scale: float = 1.0):
        """Gaussian weights ``N(0, scale^2 / fan_in)``, biases ``N(0, 0.1^2)``."""
        check_rng(rng)
        d_x, d_s = positive_int("d_x", d_x), positive_int("d_s", d_s)
        draw = {}
        for g in _GATES:
            draw[f"W_{g}"] = scale * rng.standard_normal((d_s, d_x)) / np.sqrt(d_x)
            draw[f"R_{g}"] = scale * rng.standard_normal((d_s, d_s)) / np.sqrt(d_s)
            draw[f"b_{g}"] = 0.1 * rng.standard_normal(d_s)
        return cls(**draw)


@dataclass(frozen=True)
class SLSTMTrace:
    """Signals of :func:`slstm_forward`, time-major; ``c, n`` are the stabilised ones when ``m`` is not all zero."""

    c: np.ndarray
    n: np.ndarray
    m: np.ndarray
    h: np.ndarray

    @property
    def output(self) -> np.ndarray:
        """The hidden state ``h``."""
        return self.h


def slstm_step(params: SLSTMParams, x, state, *, stabilised: bool = True, forget: str = "exp"):
    """One sLSTM step (Beck et al. Sec. 2.2) on ``(B, .)`` arrays; ``state = (c, n, m, h)`` at ``t - 1``.

    Returns the state at ``t``. With ``stabilised=False``, ``m`` stays zero and the gates are used
    as they are (``exp`` may overflow); with ``stabilised=True``, ``c`` and ``n`` are those times
    ``exp(-m)``, and ``h`` is the same.
    """
    c, n, m, h = state
    a = {
        g: x @ getattr(params, f"W_{g}").T + h @ getattr(params, f"R_{g}").T + getattr(params, f"b_{g}") for g in _GATES
    }
    z, o = G_d(a["z"], check=False), G_c(a["o"], check=False)
    log_i = a["i"]  # i = exp(i~)
    log_f = a["f"] if forget == "exp" else _log_sigmoid(a["f"])
    if stabilised:
        m_new = np.maximum(log_f + m, log_i)  # the stabiliser state
        i, f = np.exp(log_i - m_new), np.exp(log_f + m - m_new)
    else:
        m_new = m
        i, f = np.exp(log_i), np.exp(log_f)
    c = f * c + i * z  # cell state
    n = f * n + i  # normaliser state
    return c, n, m_new, o * c / n


def slstm_forward(params: SLSTMParams, x, *, stabilised: bool = True, forget: str = "exp") -> SLSTMTrace:
    """Run the sLSTM over a sequence from zero states; step by step (its gates read ``h[t-1]``).

    Parameters
    ----------
    params : SLSTMParams
    x : array_like, shape (N, d_x) or (N, B, d_x)
    stabilised : bool, default True
        Carry the stabiliser state ``m`` (the output is the same; the range of ``c, n`` is not).
    forget : {"exp", "sigmoid"}, default "exp"
        The forget gate's activation.

    Returns
    -------
    SLSTMTrace

    Raises
    ------
    FloatingPointError
        Unstabilised, when ``exp`` overflows (the message says to stabilise).

    Examples
    --------
    >>> p = SLSTMParams.init(np.random.default_rng(0), 2, 3)
    >>> x = np.random.default_rng(1).standard_normal((5, 2))
    >>> h1 = slstm_forward(p, x).h
    >>> h0 = slstm_forward(p, x, stabilised=False).h
    >>> bool(np.allclose(h1, h0, rtol=1e-12))
    True
    """
    if forget not in ("exp", "sigmoid"):
        raise ValueError(f"forget = {forget!r}, expected 'exp' or 'sigmoid'.")
    X, batched = as_sequence("x", x, params.d_x, "d_x", source=f"from W_z of shape {fmt_shape(params.W_z.shape)}")
    N, B, _ = X.shape
    zeros = np.zeros((B, params.d_s))
    state = (zeros, zeros, zeros, zeros)
    out = {k: np.empty((N, B, params.d_s)) for k in ("c", "n", "m", "h")}
    with np.errstate(over="raise", invalid="raise"):
        try:
            for t in range(N):
                state = slstm_step(params, X[t], state, stabilised=stabilised, forget=forget)
                for k, v in zip(("c", "n", "m", "h"), state):
                    out[k][t] = v
        except FloatingPointError:
            raise FloatingPointError(
                f"exp overflowed at step {t} of the unstabilised sLSTM (a gate pre-activation above ~709); "
                f"run with stabilised=True."
            ) from None
    if not batched:
        out = {k: v[:, 0] for k, v in out.items()}
    return SLSTMTrace(**out)


@dataclass(frozen=True)
class MLSTMParams(Parameters):
    """Parameters of an mLSTM cell (one head): ``W_q, W_k, W_v, W_o`` of shape (d, d_x), gate rows ``w_i, w_f`` (d_x,).

    Validation, sizes and ``n_params`` come from the shape table (:class:`lrnn.cell.Parameters`).

    Parameters
    ----------
    W_q, W_k, W_v, W_o : array_like, shape (d, d_x)
        Query, key, value and output-gate weights.
    b_q, b_k, b_v, b_o : array_like, shape (d,)
    w_i, w_f : array_like, shape (d_x,)
        The scalar input and forget gates' weights.
    b_i, b_f : array_like, shape ()

    Examples
    --------
    >>> MLSTMParams.init(np.random.default_rng(0), d_x=3, d=4).n_params  # 4 (d d_x + d) + 2 (d_x + 1)
    72
    """

    SHAPES: ClassVar = {
        **{k: axes for g in "qkvo" for k, axes in ((f"W_{g}", ("d", "d_x")), (f"b_{g}", ("d",)))},
        **{k: axes for g in "if" for k, axes in ((f"w_{g}", ("d_x",)), (f"b_{g}", ()))},
    }
    OUTPUT_SIZE: ClassVar = "d"  # h has d entries

    W_q: np.ndarray  # (d, d_x)
    b_q: np.ndarray  # (d,)
    W_k: np.ndarray
    b_k: np.ndarray
    W_v: np.ndarray
    b_v: np.ndarray
    W_o: np.ndarray
    b_o: np.ndarray
    w_i: np.ndarray  # (d_x,)  scalar input gate
    b_i: np.ndarray  # ()
    w_f: np.ndarray  # (d_x,)  scalar forget gate
    b_f: np.ndarray  # ()

    @property
    def d(self) -> int:
        """Size of queries, keys and values (the memory is ``d x d``)."""
        return self.sizes["d"]

    @property
    def d_s(self) -> int:
        """Size of the hidden state ``h``: ``d``."""
        return self.d

    @classmethod
    def zeros(cls, d_x: int, d: int):
        """All-zero parameters: a template to fill in.

        Examples
        --------
        >>> MLSTMParams.zeros(3, 2).W_q.shape, MLSTMParams.zeros(3, 2).b_f.shape
        ((2, 3), ())
        """
        return cls.unchecked(**{k: np.zeros(shape) for k, shape in cls.shapes(d_x=d_x, d=d).items()})

    @classmethod
    def init(cls, rng, d_x: int, d: int):
        """Gaussian weights ``N(0, 1/d_x)``, zero biases, forget-gate bias 3 (a long memory to start)."""
        check_rng(rng)
        d_x, d = positive_int("d_x", d_x), positive_int("d", d)
        draw = {}
        for g in "qkvo":
            draw[f"W_{g}"] = rng.standard_normal((d, d_x)) / np.sqrt(d_x)
            draw[f"b_{g}"] = np.zeros(d)
        draw.update(w_i=rng.standard_normal(d_x) / np.sqrt(d_x), b_i=np.zeros(()))
        draw.update(w_f=rng.standard_normal(d_x) / np.sqrt(d_x), b_f=np.full((), 3.0))
        return cls(**draw)


@dataclass(frozen=True)
class MLSTMTrace:
    """Signals of :func:`mlstm_forward`: ``C`` (N, [B,] d, d), ``n`` and ``h`` (N, [B,] d), gates ``i, f`` (N, [B])."""

    C: np.ndarray
    n: np.ndarray
    h: np.ndarray
    i: np.ndarray
    f: np.ndarray

    @property
    def output(self) -> np.ndarray:
        """The hidden state ``h``."""
        return self.h


def mlstm_forward(params: MLSTMParams, x, *, method: str = "scan") -> MLSTMTrace:
    """Run the mLSTM from zero states; the matrix memory ``C`` and the normaliser ``n`` by the scan (or the loop).

    Parameters
    ----------
    params : MLSTMParams
    x : array_like, shape (N, d_x) or (N, B, d_x)
    method : {"scan", "loop"}, default "scan"

    Returns
    -------
    MLSTMTrace

    Examples
    --------
    >>> p = MLSTMParams.init(np.random.default_rng(0), 2, 3)
    >>> x = np.random.default_rng(1).standard_normal((6, 2))
    >>> bool(np.allclose(mlstm_forward(p, x).h, mlstm_forward(p, x, method="loop").h, rtol=1e-12))
    True
    """
    run = scan_method(method)
    X, batched = as_sequence("x", x, params.d_x, "d_x", source=f"from W_q of shape {fmt_shape(params.W_q.shape)}")
    q = X @ params.W_q.T + params.b_q
    k = (X @ params.W_k.T + params.b_k) / np.sqrt(params.d)
    v = X @ params.W_v.T + params.b_v
    o = G_c(X @ params.W_o.T + params.b_o, check=False)
    i = np.exp(X @ params.w_i + params.b_i)  # exponential input gate, a scalar per step
    f = G_c(X @ params.w_f + params.b_f, check=False)  # forget gate, a scalar per step
    C = run(f[..., None, None], i[..., None, None] * v[..., :, None] * k[..., None, :])  # C = f C + i v k^T
    n = run(f[..., None], i[..., None] * k)  # n = f n + i k
    Cq = (C @ q[..., None])[..., 0]
    h = o * Cq / np.maximum(np.abs(np.sum(n * q, axis=-1)), 1.0)[..., None]
    out = dict(C=C, n=n, h=h, i=i, f=f)
    if not batched:
        out = {key: val[:, 0] for key, val in out.items()}
    return MLSTMTrace(**out)
