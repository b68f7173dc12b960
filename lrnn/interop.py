"""Sherstinsky's parameters to and from PyTorch-style state dicts (numpy arrays, no torch).

PyTorch's ``nn.LSTM`` (docs, "torch.nn.LSTM") computes, per step,

    i = sigma(W_ii x + b_ii + W_hi h + b_hi)     f, o: the same with their own blocks
    g = tanh(W_ig x + b_ig + W_hg h + b_hg)
    c' = f * c + i * g,   h' = o * tanh(c')

Mapping to Sherstinsky Sec. VI (see the book's notation page), blocks of ``weight_ih_l0`` (4H, d_x),
``weight_hh_l0`` (4H, H), ``bias_ih_l0`` and ``bias_hh_l0`` (4H,) in the order i, f, g, o:

    i -> cu   (control update gate g_cu)      W_x_cu, W_v_cu, b_cu
    f -> cs   (control state gate g_cs)       W_x_cs, W_v_cs, b_cs
    g -> du   (update candidate u)            W_x_du, W_v_du, b_du
    o -> cr   (control readout gate g_cr)     W_x_cr, W_v_cr, b_cr
    h -> v (value), c -> s (state), H -> d_s

PyTorch has no state-to-gate ("pinhole", P4) weights: ``W_s_*`` are zero in both
directions. It has two biases per node where the paper has one; only their sum
matters, so ``*_from_torch`` adds them and ``*_to_torch`` writes the whole bias into
``bias_ih_l0`` and zeros into ``bias_hh_l0``. ``nn.RNN`` (tanh) maps to the standard
RNN of Eq. 32: ``weight_ih_l0 = W_x``, ``weight_hh_l0 = W_r``, bias sum ``= theta_s``.
:func:`lstm_grads_to_torch` lays out ``lstm_backward``'s gradients as the ``.grad``
fields PyTorch would fill (each bias receives the whole bias gradient).

The paper's ``W @ x`` has torch's orientation (out, in), so weights copy without
transposition (P9). To read a real model: ``sd = {k: t.detach().numpy() for k, t in
lstm.state_dict().items()}``.
"""

from __future__ import annotations

import numpy as np

from ._validation import (
    as_flag,
    as_float_array,
    as_initial,
    as_sequence,
    check_shape,
    check_type,
    fmt_shape,
    type_error,
)
from .activations import G_c
from .lstm import LSTMParams
from .rnn import RNNParams

__all__ = [
    "lstm_params_from_torch",
    "lstm_params_to_torch",
    "lstm_grads_to_torch",
    "rnn_params_from_torch",
    "rnn_params_to_torch",
    "torch_lstm_forward",
]

_KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
_GATES = ("cu", "cs", "du", "cr")  # PyTorch's i, f, g, o


def _blocks(a: np.ndarray) -> dict:
    """PyTorch's four gate blocks (rows) of ``a`` by the paper's node names."""
    return dict(zip(_GATES, np.split(a, 4), strict=True))


def _stack(params: LSTMParams, kind: str) -> np.ndarray:
    """``W_x_*``, ``W_v_*`` or ``b_*`` of the four nodes stacked in PyTorch's order i, f, g, o."""
    return np.concatenate([getattr(params, f"{kind}_{k}") for k in _GATES])


def _read_state_dict(sd, gates: int, what: str):
    """Validate a one-layer state dict; return ``(W_ih, W_hh, b_ih, b_hh)`` as float64 arrays."""
    if not hasattr(sd, "keys"):
        raise type_error("sd", sd, f"a dict with keys {list(_KEYS)}")
    missing, extra = [k for k in _KEYS if k not in sd], sorted(set(sd.keys()) - set(_KEYS))
    if missing or extra:
        raise ValueError(
            f"sd has keys {sorted(sd.keys())}; expected exactly {list(_KEYS)} for a one-layer, "
            f"unidirectional {what} without proj_size (missing {missing}, unexpected {extra})."
        )
    W_ih, W_hh = (as_float_array(f"sd['{k}']", sd[k], ndim=2) for k in _KEYS[:2])
    H = W_hh.shape[1]
    src = f"for {what} with hidden size H = {H} (from weight_hh_l0 of shape {fmt_shape(W_hh.shape)})"
    check_shape("sd['weight_hh_l0']", W_hh, (gates * H, H), (f"{gates}H" if gates > 1 else "H", "H"), source=src)
    check_shape("sd['weight_ih_l0']", W_ih, (gates * H, None), (f"{gates}H" if gates > 1 else "H", "d_x"), source=src)
    b = [as_float_array(f"sd['{k}']", sd[k]) for k in _KEYS[2:]]
    for k, a in zip(_KEYS[2:], b, strict=True):
        check_shape(f"sd['{k}']", a, (gates * H,), (f"{gates}H" if gates > 1 else "H",), source=src)
    return W_ih, W_hh, b[0], b[1]


def lstm_params_from_torch(sd) -> LSTMParams:
    """:class:`LSTMParams` from an ``nn.LSTM`` state dict of numpy arrays (W_s_* = 0).

    Parameters
    ----------
    sd : dict
        Keys ``weight_ih_l0`` (4H, d_x), ``weight_hh_l0`` (4H, H), ``bias_ih_l0``,
        ``bias_hh_l0`` (4H,), gate blocks in PyTorch's order i, f, g, o.

    Returns
    -------
    LSTMParams
        ``d_s = H``; ``b_* = bias_ih + bias_hh`` blockwise; the three ``W_s_*`` are zero.

    Raises
    ------
    TypeError, ValueError
        Not a dict, missing or unexpected keys, inconsistent shapes, NaN/inf.

    Examples
    --------
    >>> sd = {"weight_ih_l0": np.ones((8, 3)), "weight_hh_l0": np.zeros((8, 2)),
    ...       "bias_ih_l0": np.arange(8.0), "bias_hh_l0": np.ones(8)}
    >>> p = lstm_params_from_torch(sd)
    >>> p.d_s, p.d_x, p.b_cs  # f block: bias_ih[2:4] + bias_hh[2:4]
    (2, 3, array([3., 4.]))
    """
    W_ih, W_hh, b_ih, b_hh = _read_state_dict(sd, 4, "nn.LSTM")
    H = W_hh.shape[1]
    W_x, W_v, b = _blocks(W_ih.copy()), _blocks(W_hh.copy()), _blocks(b_ih + b_hh)
    pinholes = dict(W_s_cu=np.zeros((H, H)), W_s_cs=np.zeros((H, H)), W_s_cr=np.zeros((H, H)))  # none in nn.LSTM
    return LSTMParams(**{f"W_x_{k}": W_x[k] for k in _GATES}, **{f"W_v_{k}": W_v[k] for k in _GATES},
                      **{f"b_{k}": b[k] for k in _GATES}, **pinholes)  # fmt: skip


def lstm_params_to_torch(params: LSTMParams) -> dict:
    """An ``nn.LSTM`` state dict (numpy float64) from :class:`LSTMParams` without pinholes.

    Parameters
    ----------
    params : LSTMParams
        Its ``W_s_cu``, ``W_s_cs``, ``W_s_cr`` must be zero: ``nn.LSTM`` has no such weights.

    Returns
    -------
    dict
        ``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0`` (the bias ``b_*``) and
        ``bias_hh_l0`` (zeros), blocks in the order i, f, g, o = cu, cs, du, cr.

    Raises
    ------
    TypeError
        If ``params`` is not an :class:`LSTMParams`.
    ValueError
        If a ``W_s_*`` is non-zero.

    Examples
    --------
    >>> p = LSTMParams.init(np.random.default_rng(0), d_x=3, d_s=2, pinholes=False)
    >>> {k: v.shape for k, v in lstm_params_to_torch(p).items()}
    {'weight_ih_l0': (8, 3), 'weight_hh_l0': (8, 2), 'bias_ih_l0': (8,), 'bias_hh_l0': (8,)}
    """
    check_type("params", params, LSTMParams)
    for name in ("W_s_cu", "W_s_cs", "W_s_cr"):
        W = getattr(params, name)
        if np.any(W != 0):
            raise ValueError(
                f"params.{name} is non-zero (max |entry| = {np.abs(W).max():.3g}), but nn.LSTM has "
                "no state-to-gate ('pinhole', P4) weights; use LSTMParams.init(..., pinholes=False) "
                "or set W_s_cu, W_s_cs, W_s_cr to zero before exporting."
            )
    W_x, W_v, b = _stack(params, "W_x"), _stack(params, "W_v"), _stack(params, "b")
    return {"weight_ih_l0": W_x, "weight_hh_l0": W_v, "bias_ih_l0": b, "bias_hh_l0": np.zeros_like(b)}


def lstm_grads_to_torch(grads: LSTMParams) -> dict:
    """Gradients in PyTorch's layout: what ``nn.LSTM``'s ``.grad`` fields hold after ``backward()``.

    ``weight_ih_l0`` and ``weight_hh_l0`` stack ``dE/dW_x_*`` and ``dE/dW_v_*`` in the
    order i, f, g, o; *each* bias gets the whole ``dE/db_*``, because ``b_* = bias_ih + bias_hh``.
    The gradients of the pinhole weights ``W_s_*`` have no PyTorch counterpart and are dropped.

    Parameters
    ----------
    grads : LSTMParams
        The first output of :func:`lrnn.lstm_bptt.lstm_backward`.

    Returns
    -------
    dict
        Keys as in :func:`lstm_params_to_torch`.

    Examples
    --------
    >>> g = lstm_grads_to_torch(LSTMParams.zeros(d_x=3, d_s=2))
    >>> g["weight_ih_l0"].shape, g["bias_hh_l0"].shape
    ((8, 3), (8,))
    """
    check_type("grads", grads, LSTMParams)
    W_x, W_v, b = _stack(grads, "W_x"), _stack(grads, "W_v"), _stack(grads, "b")
    return {"weight_ih_l0": W_x, "weight_hh_l0": W_v, "bias_ih_l0": b, "bias_hh_l0": b.copy()}


def rnn_params_from_torch(sd) -> RNNParams:
    """The standard RNN (Eq. 32) from an ``nn.RNN`` (tanh) state dict of numpy arrays.

    ``W_x = weight_ih_l0`` (H, d_x), ``W_r = weight_hh_l0`` (H, H),
    ``theta_s = bias_ih_l0 + bias_hh_l0``; ``W_s`` is None. Only
    ``nonlinearity='tanh'`` matches ``G = tanh``; the state dict cannot tell.

    Raises
    ------
    TypeError, ValueError
        As :func:`lstm_params_from_torch`.

    Examples
    --------
    >>> sd = {"weight_ih_l0": np.ones((2, 3)), "weight_hh_l0": np.eye(2),
    ...       "bias_ih_l0": np.ones(2), "bias_hh_l0": np.ones(2)}
    >>> rnn_params_from_torch(sd).theta_s
    array([2., 2.])
    """
    W_ih, W_hh, b_ih, b_hh = _read_state_dict(sd, 1, "nn.RNN")
    return RNNParams(W_r=W_hh.copy(), W_x=W_ih.copy(), theta_s=b_ih + b_hh)


def rnn_params_to_torch(params: RNNParams) -> dict:
    """An ``nn.RNN`` (tanh) state dict from a standard RNN (bias in ``bias_ih_l0``, zeros in ``bias_hh_l0``).

    Raises
    ------
    TypeError
        If ``params`` is not an :class:`RNNParams`.
    ValueError
        If ``params.W_s`` is set and non-zero: the canonical RNN (Eq. 30) has no ``nn.RNN`` equivalent.

    Examples
    --------
    >>> p = RNNParams(W_r=np.eye(2), W_x=np.ones((2, 3)), theta_s=np.ones(2))
    >>> rnn_params_to_torch(p)["bias_hh_l0"]
    array([0., 0.])
    """
    check_type("params", params, RNNParams)
    if params.W_s is not None and np.any(params.W_s != 0):
        raise ValueError(
            "params.W_s is set: the canonical RNN (Eq. 30) has no nn.RNN equivalent; "
            "export a standard RNN (Eq. 32), RNNParams(W_r, W_x, theta_s) with W_s=None."
        )
    b = params.theta_s.copy()
    return {"weight_ih_l0": params.W_x.copy(), "weight_hh_l0": params.W_r.copy(),
            "bias_ih_l0": b, "bias_hh_l0": np.zeros_like(b)}  # fmt: skip


def torch_lstm_forward(sd, x, h0=None, c0=None):
    """PyTorch's documented ``nn.LSTM`` equations, transcribed to numpy (a reference, not lrnn).

    Written in PyTorch's symbols on purpose, independently of :func:`lrnn.lstm.lstm_forward`,
    so that the two can be compared: with ``W_s_* = 0`` they agree to rounding.

    Parameters
    ----------
    sd : dict
        State dict as for :func:`lstm_params_from_torch`.
    x : array_like, shape (N, d_x) or (N, B, d_x)
        Inputs, time-major (PyTorch's default ``batch_first=False``).
    h0, c0 : array_like, shape (H,) or (B, H), optional
        Initial hidden and cell states; zero by default.

    Returns
    -------
    h, c : numpy.ndarray, shape (N, H) or (N, B, H)
        ``h`` is ``nn.LSTM``'s output; ``c`` the cell states. ``(h[-1], c[-1])`` is its ``(h_n, c_n)``.

    Raises
    ------
    TypeError, ValueError
        Bad state dict, or ``x``, ``h0``, ``c0`` of the wrong shape or with NaN/inf.

    References
    ----------
    PyTorch documentation, ``torch.nn.LSTM``.

    Examples
    --------
    >>> sd = lstm_params_to_torch(LSTMParams.zeros(d_x=1, d_s=1))
    >>> h, c = torch_lstm_forward(sd, [[0.0]], c0=[2.0])  # f = 1/2, g = 0: c halves
    >>> c, h.round(4)
    (array([[1.]]), array([[0.3808]]))
    """
    W_ih, W_hh, b_ih, b_hh = _read_state_dict(sd, 4, "nn.LSTM")
    H = W_hh.shape[1]
    X, batched = as_sequence("x", x, W_ih.shape[1], "d_x", source=f"from weight_ih_l0 of shape {fmt_shape(W_ih.shape)}")
    N, B, _ = X.shape
    h_t = as_initial("h0", h0, B, H, "H", batched)
    c_t = as_initial("c0", c0, B, H, "H", batched)
    h, c = np.empty((N, B, H)), np.empty((N, B, H))
    for t in range(N):
        z = X[t] @ W_ih.T + b_ih + h_t @ W_hh.T + b_hh  # (B, 4H): pre-activations of i, f, g, o
        i, f, g, o = G_c(z[:, :H]), G_c(z[:, H : 2 * H]), np.tanh(z[:, 2 * H : 3 * H]), G_c(z[:, 3 * H :])
        c_t = f * c_t + i * g
        h_t = o * np.tanh(c_t)
        h[t], c[t] = h_t, c_t
    return (h, c) if batched else (h[:, 0], c[:, 0])


# --- GRU: PyTorch's nn.GRU <-> TorchGRUParams (Eqs. G5-G8 of lrnn.gru) ---------------------------------------
#
# nn.GRU stacks its blocks in the order r, z, n: weight_ih_l0 (3H, d_x), weight_hh_l0 (3H, H), bias_ih_l0 and
# bias_hh_l0 (3H,). r -> g_r, z -> g_z (PyTorch's z keeps the old state, Eq. G8), n -> u. The r and z gates see
# only the sum of their two biases; the candidate's are separate, since bias_hh's n block sits inside the reset.

from .gru import GRUParams, TorchGRUParams  # noqa: E402  (this section's import)

__all__ += ["gru_params_from_torch", "gru_params_to_torch", "gru_grads_to_torch", "torch_gru_forward"]


def gru_params_from_torch(sd) -> TorchGRUParams:
    """:class:`lrnn.gru.TorchGRUParams` from an ``nn.GRU`` state dict of numpy arrays.

    Parameters
    ----------
    sd : dict
        Keys ``weight_ih_l0`` (3H, d_x), ``weight_hh_l0`` (3H, H), ``bias_ih_l0``,
        ``bias_hh_l0`` (3H,), blocks in PyTorch's order r, z, n.

    Returns
    -------
    TorchGRUParams
        ``d_s = H``; ``W_x_* = weight_ih`` blocks, ``W_s_* = weight_hh`` blocks;
        ``b_r``, ``b_z`` the sums of the two biases' blocks; ``b_u = bias_ih[n]``, ``b_s_u = bias_hh[n]``.
        :func:`lrnn.gru.gru_forward` on it computes what ``nn.GRU`` computes.

    Raises
    ------
    TypeError, ValueError
        Not a dict, missing or unexpected keys, inconsistent shapes, NaN/inf.

    Examples
    --------
    >>> sd = {"weight_ih_l0": np.ones((6, 3)), "weight_hh_l0": np.zeros((6, 2)),
    ...       "bias_ih_l0": np.arange(6.0), "bias_hh_l0": np.ones(6)}
    >>> p = gru_params_from_torch(sd)
    >>> p.d_s, p.d_x, p.b_z, p.b_u, p.b_s_u  # z block: bias_ih[2:4] + bias_hh[2:4]
    (2, 3, array([3., 4.]), array([4., 5.]), array([1., 1.]))
    """
    W_ih, W_hh, b_ih, b_hh = _read_state_dict(sd, 3, "nn.GRU")
    r, z, n = (slice(k * W_hh.shape[1], (k + 1) * W_hh.shape[1]) for k in range(3))
    return TorchGRUParams(
        W_x_r=W_ih[r].copy(), W_s_r=W_hh[r].copy(), b_r=b_ih[r] + b_hh[r],
        W_x_z=W_ih[z].copy(), W_s_z=W_hh[z].copy(), b_z=b_ih[z] + b_hh[z],
        W_x_u=W_ih[n].copy(), W_s_u=W_hh[n].copy(), b_u=b_ih[n].copy(), b_s_u=b_hh[n].copy(),
    )  # fmt: skip


def _gru_blocks(p: TorchGRUParams) -> dict:
    """The four tensors of ``nn.GRU`` laid out from ``p``: r and z biases in ``bias_ih_l0``."""
    zeros = np.zeros_like(p.b_r)
    return {
        "weight_ih_l0": np.concatenate([p.W_x_r, p.W_x_z, p.W_x_u]),
        "weight_hh_l0": np.concatenate([p.W_s_r, p.W_s_z, p.W_s_u]),
        "bias_ih_l0": np.concatenate([p.b_r, p.b_z, p.b_u]),
        "bias_hh_l0": np.concatenate([zeros, zeros, p.b_s_u]),
    }


def gru_params_to_torch(params: TorchGRUParams) -> dict:
    """An ``nn.GRU`` state dict (numpy float64) from :class:`lrnn.gru.TorchGRUParams`.

    Parameters
    ----------
    params : TorchGRUParams
        Chung's convention (:class:`lrnn.gru.GRUParams`) has no ``nn.GRU`` equivalent.

    Returns
    -------
    dict
        ``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0`` (``b_r, b_z, b_u``) and ``bias_hh_l0``
        (``0, 0, b_s_u``), blocks in the order r, z, n.

    Raises
    ------
    TypeError
        If ``params`` is not a :class:`lrnn.gru.TorchGRUParams`.

    Examples
    --------
    >>> p = TorchGRUParams.zeros(d_x=3, d_s=2)
    >>> {k: v.shape for k, v in gru_params_to_torch(p).items()}
    {'weight_ih_l0': (6, 3), 'weight_hh_l0': (6, 2), 'bias_ih_l0': (6,), 'bias_hh_l0': (6,)}
    """
    if not isinstance(params, TorchGRUParams):
        hint = ""
        if isinstance(params, GRUParams):
            hint = (
                " GRUParams follows Chung's convention (reset before the recurrent product, z the share of"
                " new content), which nn.GRU cannot express; train a TorchGRUParams to export"
            )
        raise TypeError(str(type_error("params", params, "TorchGRUParams")) + hint)
    return _gru_blocks(params)


def gru_grads_to_torch(grads: TorchGRUParams) -> dict:
    """Gradients in PyTorch's layout: what ``nn.GRU``'s ``.grad`` fields hold after ``backward()``.

    ``bias_ih_l0`` and ``bias_hh_l0`` *each* receive the whole ``dE/db_r`` and ``dE/db_z`` (their
    sum is the bias); the n blocks receive ``dE/db_u`` and ``dE/db_s_u``.

    Parameters
    ----------
    grads : TorchGRUParams
        The first output of :func:`lrnn.gru_bptt.gru_backward`.

    Returns
    -------
    dict
        Keys as in :func:`gru_params_to_torch`.

    Examples
    --------
    >>> g = gru_grads_to_torch(TorchGRUParams.zeros(d_x=3, d_s=2))
    >>> g["weight_hh_l0"].shape, g["bias_hh_l0"].shape
    ((6, 2), (6,))
    """
    check_type("grads", grads, TorchGRUParams)
    out = _gru_blocks(grads)
    out["bias_hh_l0"] = np.concatenate([grads.b_r, grads.b_z, grads.b_s_u])
    return out


def torch_gru_forward(sd, x, h0=None):
    """PyTorch's documented ``nn.GRU`` equations, transcribed to numpy (a reference, not lrnn).

    Written in PyTorch's symbols on purpose, independently of :func:`lrnn.gru.gru_forward`,
    so that the two can be compared through :func:`gru_params_from_torch`.

    Parameters
    ----------
    sd : dict
        State dict as for :func:`gru_params_from_torch`.
    x : array_like, shape (N, d_x) or (N, B, d_x)
        Inputs, time-major (PyTorch's default ``batch_first=False``).
    h0 : array_like, shape (H,) or (B, H), optional
        Initial hidden state; zero by default.

    Returns
    -------
    numpy.ndarray, shape (N, H) or (N, B, H)
        ``nn.GRU``'s output ``h``; ``h[-1]`` is its ``h_n``.

    Raises
    ------
    TypeError, ValueError
        Bad state dict, or ``x``, ``h0`` of the wrong shape or with NaN/inf.

    References
    ----------
    PyTorch documentation, ``torch.nn.GRU``.

    Examples
    --------
    >>> sd = gru_params_to_torch(TorchGRUParams.zeros(d_x=1, d_s=1))
    >>> torch_gru_forward(sd, [[0.0]], h0=[2.0])  # r = z = 1/2, n = 0: h = z h0
    array([[1.]])
    """
    W_ih, W_hh, b_ih, b_hh = _read_state_dict(sd, 3, "nn.GRU")
    H = W_hh.shape[1]
    X, batched = as_sequence("x", x, W_ih.shape[1], "d_x", source=f"from weight_ih_l0 of shape {W_ih.shape}")
    N, B, _ = X.shape
    h_t = as_initial("h0", h0, B, H, "H", batched)
    h = np.empty((N, B, H))
    sigma = lambda a: 0.5 + 0.5 * np.tanh(0.5 * a)  # the logistic sigmoid, never overflowing
    for t in range(N):
        gi = X[t] @ W_ih.T + b_ih  # (B, 3H): W_i* x_t + b_i*, blocks r, z, n
        gh = h_t @ W_hh.T + b_hh  # (B, 3H): W_h* h_{t-1} + b_h*
        r, z = sigma(gi[:, :H] + gh[:, :H]), sigma(gi[:, H : 2 * H] + gh[:, H : 2 * H])
        n = np.tanh(gi[:, 2 * H :] + r * gh[:, 2 * H :])
        h_t = (1.0 - z) * n + z * h_t
        h[t] = h_t
    return h if batched else h[:, 0]


#
# Model files: a model (cell, Readout) as an .npz state dict, in PyTorch's layout where PyTorch has the cell. The
# music models (lrnn.music_models) and the character models (lrnn.charlm) write and read their files here.

from .augmented import AugmentedLSTMParams  # noqa: E402  (this section's imports)
from .losses import Readout  # noqa: E402

__all__ += ["TORCH_LAYOUTS", "save_model_npz", "load_model_npz"]

#: The kinds of model saved in PyTorch's layout (``nn.RNN``, ``nn.GRU``, ``nn.LSTM``), with their converters
#: ``(to_torch, from_torch)``; every other kind is saved under its parameter dataclass's field names.
TORCH_LAYOUTS = {
    "tanh": (rnn_params_to_torch, rnn_params_from_torch),
    "gru": (gru_params_to_torch, gru_params_from_torch),
    "lstm": (lstm_params_to_torch, lstm_params_from_torch),
}


def save_model_npz(path, kind: str, model) -> None:
    """Write a model ``(cell, Readout)`` as an ``.npz`` state dict.

    Parameters
    ----------
    path : str or pathlib.Path
        The file to write (``numpy.savez`` adds ``.npz`` if it is missing).
    kind : str
        ``"tanh"``, ``"gru"`` or ``"lstm"`` (:data:`TORCH_LAYOUTS`): PyTorch's keys ``weight_ih_l0,
        weight_hh_l0, bias_ih_l0, bias_hh_l0``, so that ``torch.nn.RNN/GRU/LSTM(d_x, d_s)`` load
        them unchanged; any other kind (``"lstm_pinholes"``, ``"augmented"``): the cell's field names.
    model : tuple
        ``(cell, Readout)``; the readout is stored as ``readout.weight`` (d_y, d_out) and
        ``readout.bias`` (d_y,). A ``cell`` that is a :class:`lrnn.compose.Stack` of one of
        :data:`TORCH_LAYOUTS`' cells is stored with every layer's keys (``weight_ih_l0`` ...
        ``bias_hh_l{L-1}``, :func:`params_to_torch`), as ``num_layers = L`` modules load them.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> model = (RNNParams.zeros(d_x=2, d_s=3), Readout(np.zeros((2, 3)), np.zeros(2)))
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.npz"
    >>> save_model_npz(path, "tanh", model)
    >>> sorted(np.load(path).files)
    ['bias_hh_l0', 'bias_ih_l0', 'readout.bias', 'readout.weight', 'weight_hh_l0', 'weight_ih_l0']
    >>> load_model_npz(path)[0]
    'tanh'
    """
    cell, readout = model
    if isinstance(cell, Stack):  # stacked layers of one kind: the keys of every layer, _l0, _l1, ...
        if kind not in TORCH_LAYOUTS:
            raise ValueError(
                f"kind = {kind!r} with stacked layers: only {', '.join(map(repr, TORCH_LAYOUTS))} are saved as "
                "stacks (PyTorch's num_layers > 1); save each layer's cell by itself."
            )
        sd = params_to_torch(cell)
    else:
        sd = TORCH_LAYOUTS[kind][0](cell) if kind in TORCH_LAYOUTS else cell.arrays()
    np.savez(path, **sd, **{"readout.weight": readout.W_y, "readout.bias": readout.b_y})


def load_model_npz(path) -> tuple[str, tuple]:
    """Read a model written by :func:`save_model_npz`: ``(kind, (cell, Readout))``.

    The kind follows from the keys and shapes: ``weight_hh_l0`` of shape ``(g H, H)`` with
    ``g = 1, 3, 4`` is ``nn.RNN`` (``"tanh"``), ``nn.GRU`` (``"gru"``, a
    :class:`lrnn.gru.TorchGRUParams`), ``nn.LSTM`` (``"lstm"``); field names with ``W_q_dr`` are
    the Augmented LSTM (``"augmented"``), without it the Vanilla LSTM with pinholes (``"lstm_pinholes"``).
    Keys of further layers (``weight_hh_l1``, ...) make the cell a :class:`lrnn.compose.Stack` of
    that kind's cells, one per layer.

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    kind : str
    model : tuple
        ``(cell, Readout)``, validated as user-built parameters are.
    """
    with np.load(path) as f:
        sd = {k: f[k] for k in f.files}
    readout = Readout(W_y=sd.pop("readout.weight"), b_y=sd.pop("readout.bias"))
    if "weight_hh_l1" in sd:  # stacked layers (num_layers > 1): layer k's four tensors end in _l{k}
        gates = sd["weight_hh_l0"].shape[0] // sd["weight_hh_l0"].shape[1]
        kind = {1: "tanh", 3: "gru", 4: "lstm"}[gates]
        L = 1 + max(int(k.rsplit("_l", 1)[1]) for k in sd if k.rsplit("_l", 1)[-1].isdigit())
        missing = [f"{key[:-1]}{k}" for k in range(L) for key in _KEYS if f"{key[:-1]}{k}" not in sd]
        if missing:
            raise ValueError(f"{path} has layers up to _l{L - 1} but no {missing}: not a whole {L}-layer model.")
        cells = [TORCH_LAYOUTS[kind][1]({key: sd.pop(f"{key[:-1]}{k}") for key in _KEYS}) for k in range(L)]
        if sd:
            raise ValueError(f"{path} has keys {sorted(sd)} beyond the {L} layers' and the readout's.")
        return kind, (Stack(tuple(cells)), readout)
    if "weight_hh_l0" in sd:
        gates = sd["weight_hh_l0"].shape[0] // sd["weight_hh_l0"].shape[1]
        kind = {1: "tanh", 3: "gru", 4: "lstm"}[gates]
        cell = TORCH_LAYOUTS[kind][1](sd)
    elif "W_q_dr" in sd:
        kind, cell = "augmented", AugmentedLSTMParams(**sd)
    else:
        kind, cell = "lstm_pinholes", LSTMParams(**sd)
    return kind, (cell, readout)


# --- Whole PyTorch modules: nn.RNN, nn.LSTM, nn.GRU with num_layers >= 1, either direction -------------------
#
# A module's state dict holds, for layer k, the four tensors of a one-layer module with the suffix _l{k}, and for
# the reverse direction _l{k}_reverse. Layer k reads layer k - 1's output, [forward, reverse] per step when
# bidirectional; lrnn.compose says the same with Stack and Bidirectional.

from .compose import Bidirectional, Stack  # noqa: E402  (this section's import)

__all__ += ["from_torch", "grads_to_torch", "params_to_torch", "rnn_grads_to_torch", "state_from_torch"]

_MODULES = {"RNN": rnn_params_from_torch, "LSTM": lstm_params_from_torch, "GRU": gru_params_from_torch}  # per layer


def rnn_grads_to_torch(grads: RNNParams) -> dict:
    """Gradients of a standard RNN in ``nn.RNN``'s layout: *each* bias receives the whole ``dE/dtheta_s``.

    Parameters
    ----------
    grads : RNNParams
        The gradients of a standard RNN (``W_s`` None), e.g. ``params.backward(trace, dE_dr)``.

    Returns
    -------
    dict
        ``weight_ih_l0 = dE/dW_x``, ``weight_hh_l0 = dE/dW_r``, ``bias_ih_l0 = bias_hh_l0 = dE/dtheta_s``.

    Raises
    ------
    TypeError
        If ``grads`` is not an :class:`RNNParams`.
    ValueError
        If it has a ``W_s`` (the canonical RNN has no ``nn.RNN`` equivalent).

    Examples
    --------
    >>> g = rnn_grads_to_torch(RNNParams.unchecked(W_r=np.zeros((2, 2)), W_x=np.ones((2, 3)), theta_s=np.ones(2)))
    >>> g["bias_ih_l0"], g["bias_hh_l0"]
    (array([1., 1.]), array([1., 1.]))
    """
    check_type("grads", grads, RNNParams)
    if grads.W_s is not None:
        raise ValueError("grads has a W_s: the canonical RNN (Eq. 30) has no nn.RNN equivalent; pass a standard RNN's.")
    return {"weight_ih_l0": grads.W_x.copy(), "weight_hh_l0": grads.W_r.copy(),
            "bias_ih_l0": grads.theta_s.copy(), "bias_hh_l0": grads.theta_s.copy()}  # fmt: skip


def _torch_kind(module) -> str:
    """``"RNN"``, ``"LSTM"`` or ``"GRU"`` for a module lrnn can reproduce, else a clear error."""
    try:
        import torch.nn as nn  # only here: import lrnn never imports torch
    except ImportError:  # pragma: no cover - without torch there is no module to convert
        raise type_error(
            "module", module, "a torch.nn.RNN, torch.nn.LSTM or torch.nn.GRU (torch is not installed)"
        ) from None
    kind = next((k for k in _MODULES if type(module) is getattr(nn, k)), None)
    if kind is None:
        raise type_error(
            "module",
            module,
            "a torch.nn.RNN (tanh), torch.nn.LSTM or torch.nn.GRU",
            "other modules (and subclasses, whose forward may differ) have no lrnn counterpart",
        )
    if kind == "RNN" and module.nonlinearity != "tanh":
        raise ValueError(
            f"module.nonlinearity = {module.nonlinearity!r}, but the standard RNN (Eq. 32) warps with G = tanh; "
            "convert an nn.RNN built with nonlinearity='tanh'."
        )
    if kind == "LSTM" and module.proj_size:
        raise ValueError(
            f"module.proj_size = {module.proj_size}: nn.LSTM's projection has no Vanilla LSTM counterpart (the "
            "Augmented LSTM's W_q_dr, Eq. 214, also projects the recurrent input); convert an nn.LSTM with proj_size=0."
        )
    return kind


def from_torch(module) -> Stack:
    """The lrnn model that computes what a ``torch.nn.RNN`` (tanh), ``nn.LSTM`` or ``nn.GRU`` computes.

    Every layer and direction becomes a cell of the package, with the one-layer converters of this
    module: ``nn.RNN`` the standard RNN (:class:`lrnn.rnn.RNNParams`, Eq. 32), ``nn.LSTM`` the Vanilla
    LSTM without pinholes (:class:`lrnn.lstm.LSTMParams`, ``W_s_* = 0``), ``nn.GRU`` PyTorch's GRU
    (:class:`lrnn.gru.TorchGRUParams`, Eqs. G5-G8). A bidirectional layer is a
    :class:`lrnn.compose.Bidirectional` of the ``_l{k}`` and ``_l{k}_reverse`` cells, and the layers are a
    :class:`lrnn.compose.Stack`, whatever ``num_layers`` (one layer too, so that every result has the
    same structure for :func:`grads_to_torch`).

    Parameters
    ----------
    module : torch.nn.RNN, torch.nn.LSTM or torch.nn.GRU
        Any ``num_layers >= 1``, ``bidirectional`` either way, with or without ``bias``; any dtype and
        device (the weights are copied to float64 numpy arrays).

    Returns
    -------
    Stack
        ``model.forward(x).output`` is the module's ``output`` for the same ``x``, time-major
        (``(N, d_x)`` or ``(N, B, d_x)``; transpose a ``batch_first`` batch to ``(N, B, d_x)``), both from
        zero initial states. ``model.backward(trace, dE_dout, return_inputs=True)`` gives the
        gradients, in PyTorch's layout through :func:`grads_to_torch`, and ``dE/dx``. A module's initial
        state ``hx`` becomes the model's ``state=`` through :func:`state_from_torch`.

    Raises
    ------
    TypeError
        ``module`` is not one of the three classes (a subclass is refused: its ``forward`` may differ).
    ValueError
        ``nn.RNN`` with ``nonlinearity='relu'``; ``nn.LSTM`` with ``proj_size > 0``; weights with NaN/inf.

    Notes
    -----
    Dropout between layers (``dropout > 0``) acts only in PyTorch's training mode; the lrnn model
    computes the module in evaluation mode. Trained in lrnn (:mod:`lrnn.train`), the LSTM's pinholes
    and a ``bias=False`` module's biases receive gradients too and leave zero: export only what
    ``nn.LSTM`` has.

    Examples
    --------
    >>> import torch  # doctest: +SKIP
    >>> lstm = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True, dtype=torch.float64)  # doctest: +SKIP
    >>> model = from_torch(lstm)  # doctest: +SKIP
    >>> x = np.random.default_rng(0).standard_normal((5, 2, 3))  # doctest: +SKIP
    >>> np.allclose(model.forward(x).output, lstm(torch.from_numpy(x))[0].detach().numpy())  # doctest: +SKIP
    True
    """
    kind = _torch_kind(module)
    convert = _MODULES[kind]
    sd = {k: t.detach().cpu().double().numpy() for k, t in module.state_dict().items()}

    def cell(layer: int, suffix: str):
        one = {key: sd.get(f"{key[:-1]}{layer}{suffix}") for key in _KEYS}  # weight_ih_l0 <- weight_ih_l{layer}
        if not module.bias:  # no bias tensors: the sums of Eq. 32 and of each node have a zero bias
            rows = one["weight_ih_l0"].shape[0]
            one.update(bias_ih_l0=np.zeros(rows), bias_hh_l0=np.zeros(rows))
        return convert(one)

    layers = [
        Bidirectional(cell(k, ""), cell(k, "_reverse")) if module.bidirectional else cell(k, "")
        for k in range(module.num_layers)
    ]
    return Stack(tuple(layers))


def grads_to_torch(model: Stack, grads: Stack, *, bias: bool = True) -> dict:
    """Gradients of a :func:`from_torch` model, keyed like the module's ``state_dict()``: its ``.grad`` fields.

    Parameters
    ----------
    model : Stack
        The result of :func:`from_torch`.
    grads : Stack
        ``model.backward(trace, dE_dout)`` (or its first result with ``return_inputs=True``).
    bias : bool, default True
        False for a module built with ``bias=False``: its state dict has no bias tensors, so their
        gradients are left out.

    Returns
    -------
    dict of str to numpy.ndarray
        ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}`` and their ``_reverse``
        counterparts, each what PyTorch's autograd puts in that parameter's ``.grad`` (a bias pair
        receives the gradient of their sum twice; the LSTM's pinhole gradients have no counterpart).

    Raises
    ------
    TypeError
        ``model`` or ``grads`` not of :func:`from_torch`'s structure.

    Examples
    --------
    >>> from lrnn.compose import stack
    >>> model = stack([LSTMParams.zeros(2, 3)])
    >>> sorted(grads_to_torch(model, model))
    ['bias_hh_l0', 'bias_ih_l0', 'weight_hh_l0', 'weight_ih_l0']
    """
    hint = "pass from_torch(module) and its backward pass's gradients"
    check_type("model", model, Stack, hint)
    by_class = {RNNParams: rnn_grads_to_torch, LSTMParams: lstm_grads_to_torch, TorchGRUParams: gru_grads_to_torch}
    out = _torch_layout(model, grads, by_class, "grads", hint)
    return out if as_flag("bias", bias, "pass module.bias") else {k: a for k, a in out.items() if "bias" not in k}


def params_to_torch(model: Stack) -> dict:
    """A state dict for ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` (numpy float64) from a model of :func:`from_torch`'s form.

    The way back: train the model in lrnn (:mod:`lrnn.train`), then load the result into a PyTorch
    module of the same sizes with ``module.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()})``.

    Parameters
    ----------
    model : Stack
        Layers of standard RNNs, pinhole-free Vanilla LSTMs or PyTorch-convention GRUs
        (:class:`lrnn.gru.TorchGRUParams`), each alone or in a :class:`lrnn.compose.Bidirectional`,
        all of one kind.

    Returns
    -------
    dict of str to numpy.ndarray
        Keys as the module's ``state_dict()`` (``weight_ih_l{k}``, ... and ``_reverse``); each bias pair
        holds the whole bias in ``bias_ih`` (and the GRU's ``b_s_u`` in ``bias_hh``'s n block).

    Raises
    ------
    TypeError
        Cells of another kind, or of two kinds.
    ValueError
        An LSTM with non-zero pinholes or a canonical RNN (``W_s``): PyTorch has neither.

    Examples
    --------
    >>> from lrnn.compose import bidirectional, stack
    >>> rng = np.random.default_rng(0)
    >>> cells = [LSTMParams.init(rng, 3, 4, pinholes=False) for _ in range(2)]
    >>> sorted(params_to_torch(stack([bidirectional(*cells)])))[:2]
    ['bias_hh_l0', 'bias_hh_l0_reverse']
    """
    check_type("model", model, Stack, "pass a Stack of cells, e.g. from_torch(module)")
    by_class = {RNNParams: rnn_params_to_torch, LSTMParams: lstm_params_to_torch, TorchGRUParams: gru_params_to_torch}
    kinds = {type(c) for layer in model.layers for c in _cells_of(layer)}
    if len(kinds) > 1:
        names = ", ".join(sorted(k.__name__ for k in kinds))
        raise TypeError(f"model mixes {names}; one PyTorch module holds layers of one kind.")
    return _torch_layout(model, model, by_class, "model", "pass a Stack of one kind of cell")


def _cells_of(layer) -> list:
    """The cells of one layer: ``[cell]``, or ``[forward_cell, backward_cell]`` of a bidirectional layer."""
    return [layer.forward_cell, layer.backward_cell] if isinstance(layer, Bidirectional) else [layer]


def _torch_layout(model: Stack, tree: Stack, by_class: dict, name: str, hint: str) -> dict:
    """``tree`` (the model or its gradients), cell by cell through ``by_class``, keyed ``_l{k}`` and ``_reverse``."""
    check_type(name, tree, Stack, hint)
    if len(tree.layers) != len(model.layers):
        raise TypeError(f"{name} has {len(tree.layers)} layers but model has {len(model.layers)}; {hint}.")
    out = {}
    for k, (layer, t) in enumerate(zip(model.layers, tree.layers)):
        if isinstance(layer, Bidirectional):
            check_type(f"{name}.layers[{k}]", t, Bidirectional, hint)
        for cell, t_cell, suffix in zip(_cells_of(layer), _cells_of(t), ("", "_reverse")):
            convert = by_class.get(type(cell))
            if convert is None or type(t_cell) is not type(cell):
                want = f"a {type(cell).__name__} (of {', '.join(c.__name__ for c in by_class)})"
                raise type_error(f"{name}.layers[{k}]", t_cell, want, hint)
            out.update({f"{key[:-1]}{k}{suffix}": a for key, a in convert(t_cell).items()})  # weight_ih_l0 -> _l{k}
    return out


def state_from_torch(model: Stack, hx) -> tuple:
    """A PyTorch module's initial state as the ``state=`` of its :func:`from_torch` model.

    Parameters
    ----------
    model : Stack
        The result of :func:`from_torch`.
    hx : array_like or tensor, or a pair of them for an LSTM
        What the module's ``forward(x, hx)`` takes: ``h_0`` for ``nn.RNN`` and ``nn.GRU``,
        ``(h_0, c_0)`` for ``nn.LSTM``, each of shape ``(num_layers * num_directions, B, H)`` (or
        ``(num_layers * num_directions, H)`` for one sequence); entry ``k * num_directions + d`` is
        layer ``k``, direction ``d`` (0 forward, 1 reverse).

    Returns
    -------
    tuple
        One entry per layer, each the state its cell takes: ``(s[-1], v[-1]) = (c_0, h_0)`` for the
        LSTM, ``(s[-1],) = (h_0,)`` for the GRU, and ``(s[-1],) = (artanh(h_0),)`` for the standard RNN,
        whose carried state is the pre-activation ``s`` (``h = r = tanh(s)``, Eq. 33); a pair of them
        for a bidirectional layer.

    Raises
    ------
    TypeError, ValueError
        A model not of :func:`from_torch`'s structure, ``hx`` of the wrong form or shape, or an
        ``nn.RNN`` state with an entry outside ``(-1, 1)``, which no ``tanh(s)`` reaches.

    Examples
    --------
    >>> from lrnn.compose import stack
    >>> model = stack([LSTMParams.zeros(2, 3), LSTMParams.zeros(3, 3)])
    >>> h0, c0 = np.zeros((2, 5, 3)), np.ones((2, 5, 3))
    >>> [[a.shape for a in layer] for layer in state_from_torch(model, (h0, c0))]
    [[(5, 3), (5, 3)], [(5, 3), (5, 3)]]
    """
    check_type("model", model, Stack, "pass from_torch(module)")
    cells = [_cells_of(layer) for layer in model.layers]
    kinds = {type(c) for layer in cells for c in layer}
    if not kinds <= {RNNParams, LSTMParams, TorchGRUParams}:
        raise type_error("model", model, "a Stack of from_torch's cells (RNNParams, LSTMParams, TorchGRUParams)")
    lstm = LSTMParams in kinds

    def read(name, a):
        a = a.detach().cpu().double().numpy() if hasattr(a, "detach") else a
        a = as_float_array(name, a)
        want = (sum(map(len, cells)), cells[0][0].d_s)
        if a.ndim not in (2, 3) or (a.shape[0], a.shape[-1]) != want:
            raise ValueError(
                f"{name} has shape {fmt_shape(a.shape)}, expected (num_layers * num_directions, [B,] H) with "
                f"num_layers * num_directions = {want[0]} and H = {want[1]}."
            )
        return a

    if lstm:
        if not isinstance(hx, tuple | list) or len(hx) != 2:
            raise type_error("hx", hx, "a pair (h_0, c_0), as nn.LSTM takes it")
        h0, c0 = read("hx[0]", hx[0]), read("hx[1]", hx[1])
    else:
        h0 = read("hx", hx)
    if RNNParams in kinds:  # the standard RNN carries s with r = tanh(s): s[-1] = artanh(h_0)
        if np.any(np.abs(h0) >= 1.0):
            raise ValueError(
                f"hx has an entry {h0.flat[np.argmax(np.abs(h0))]:.6g} outside (-1, 1): the standard RNN carries the "
                "pre-activation s, and h = tanh(s) never reaches it; pass the h_n of a tanh nn.RNN, or zeros."
            )
        h0 = np.arctanh(h0)
    state, i = [], 0
    for layer in cells:
        per_cell = []
        for _ in layer:
            per_cell.append((c0[i], h0[i]) if lstm else (h0[i],))  # (s[-1], v[-1]) = (c_0, h_0) for the LSTM
            i += 1
        state.append(tuple(per_cell) if len(layer) == 2 else per_cell[0])
    return tuple(state)
