"""RNN unrolling and segment-wise processing, Sherstinsky (2020) Sec. III, Eqs. 34-46 and 73-77.

Unrolling evaluates the recursion of Eq. 32 for a finite number of steps from a
known initial state: a finite impulse response (FIR) approximation of a system
whose impulse response is infinite (IIR, Example 1, Eq. 36). Proposition 1 cuts a
sequence of length ``N`` into ``M`` segments of lengths ``K_m`` and runs every
segment from a zero state (Eq. 73), which lets one reusable cell process the
segments one at a time, in any order, or all at once as a batch. The stateful
alternative (the forward pass of truncated BPTT, Williams and Peng 1990) starts each
segment from the state the previous one ended in, and reproduces the full run exactly.

Symbols (paper -> code -> shape)::

    u[n]        unit_step(n)        same as n   unit step (Eq. 34)
    delta[n]    unit_sample(n)      same as n   unit sample, u[n] - u[n-1] (Eq. 35)
    K_m         lengths[m]          int         length of segment m
    j(m)        segment_offsets     (M,)        first step of segment m (Eq. 42)
    w_m[n]      segment_windows     (M, N)      rectangular window of segment m (Eqs. 38-44)
    v_m[n]      window_segments     (M, N, d)   w_m[n] * v[n] (Eqs. 45-46)
    x~_m[n]     stack_segments      (K, M, d)   x[n + j(m)], zero-padded to K = max K_m (Eq. 76)
    s~[n]       unrolled_forward    (N, d_s)    per-segment states, s~[-1] = 0 (Eqs. 73-75),
                                                or carried across segments (stateful=True)

In Sec. III, ``v[n]`` is the ground truth and ``u[n]`` the unit step; from Sec. V on the
same letters name the LSTM value and update signals (pitfall P6).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, as_initial, as_sequence, check_type
from .activations import G_d
from .rnn import RNNParams, RNNTrace, rnn_forward

__all__ = [
    "unit_step",
    "unit_sample",
    "segment_offsets",
    "segment_windows",
    "window_segments",
    "stack_segments",
    "impulse_response",
    "UnrolledTrace",
    "unrolled_forward",
    "segment_discrepancy",
]


def _steps(n) -> np.ndarray:
    a = as_float_array("n", n)
    if not np.all(a == np.round(a)):
        raise ValueError("n holds non-integer values; the step index is an integer: pass np.arange(...) or ints.")
    return a


def unit_step(n) -> np.ndarray:
    """Unit step ``u[n] = 1`` for ``n >= 0``, ``0`` otherwise (Eq. 34), element-wise.

    The paper's ``u[n]`` is the vector ``1`` (all ones); multiply by ``np.ones(d)`` for that.

    Examples
    --------
    >>> unit_step([-2, -1, 0, 1])
    array([0., 0., 1., 1.])
    """
    return (_steps(n) >= 0).astype(float)  # Eq. 34


def unit_sample(n) -> np.ndarray:
    """Unit sample (discrete impulse) ``delta[n] = u[n] - u[n-1]`` (Eq. 35).

    Examples
    --------
    >>> unit_sample([-1, 0, 1])
    array([0., 1., 0.])
    """
    n = _steps(n)
    return unit_step(n) - unit_step(n - 1)  # Eq. 35


def _lengths(lengths, N: int | None = None) -> np.ndarray:
    K = np.asarray(lengths)
    if K.ndim != 1 or K.size == 0 or K.dtype.kind not in "iu" or np.any(K < 1):
        raise ValueError(f"lengths = {lengths!r}, expected a non-empty list of positive ints K_m (segment lengths).")
    if N is not None and int(K.sum()) != N:
        raise ValueError(
            f"lengths sum to {int(K.sum())}, expected N = {N} (Eq. 40: the segments must tile the sequence)."
        )
    return K.astype(int)


def _time_major(name: str, value) -> np.ndarray:
    a = as_float_array(name, value)
    if a.ndim == 0:
        raise ValueError(f"{name} is a scalar; pass a time-major signal of shape (N, ...), time along axis 0.")
    return a


def segment_offsets(lengths) -> np.ndarray:
    """First step of each segment, ``j(0) = 0`` and ``j(m) = K_0 + ... + K_{m-1}`` (Eq. 42).

    Parameters
    ----------
    lengths : sequence of int, shape (M,)
        Segment lengths ``K_m >= 1``.

    Returns
    -------
    numpy.ndarray of int, shape (M,)

    Raises
    ------
    ValueError
        If ``lengths`` is empty or holds a non-positive or non-integer value.

    Examples
    --------
    >>> segment_offsets([3, 2, 4])
    array([0, 3, 5])
    """
    K = _lengths(lengths)
    return np.concatenate([[0], np.cumsum(K)[:-1]])  # Eq. 42


def segment_windows(lengths) -> np.ndarray:
    """Rectangular windows ``w_m[n] = u[n - j(m)] - u[n - j(m) - K_m]`` on ``0 <= n < N`` (Eqs. 38-44).

    Their sum is the full window ``w[n] = u[n] - u[n - N]`` (Eqs. 40-41), with ``N = sum K_m``.

    Returns
    -------
    numpy.ndarray, shape (M, N)
        One row per segment, ones on the segment's steps.

    Examples
    --------
    >>> segment_windows([2, 1])
    array([[1., 1., 0.],
           [0., 0., 1.]])
    """
    K = _lengths(lengths)
    j = segment_offsets(K)
    n = np.arange(K.sum())
    return unit_step(n - j[:, None]) - unit_step(n - j[:, None] - K[:, None])  # Eqs. 38, 43-44


def window_segments(v, lengths) -> np.ndarray:
    """Segment a signal with the windows, ``v_m[n] = w_m[n] * v[n]`` (Eqs. 45-46).

    Parameters
    ----------
    v : array_like, shape (N, ...)
        A time-major signal (ground truth, inputs, ...).
    lengths : sequence of int, summing to N

    Returns
    -------
    numpy.ndarray, shape (M, N, ...)
        ``v_m[n]``, zero outside segment ``m``; summing over axis 0 gives ``v`` back (Eq. 37).

    Examples
    --------
    >>> window_segments([1.0, 2.0, 3.0], [2, 1])
    array([[1., 2., 0.],
           [0., 0., 3.]])
    """
    v = _time_major("v", v)
    w = segment_windows(_lengths(lengths, N=v.shape[0]))
    return w.reshape(w.shape + (1,) * (v.ndim - 1)) * v  # Eq. 46


def stack_segments(x, lengths) -> tuple[np.ndarray, np.ndarray]:
    """Shift every segment to start at 0 and stack them as a batch, ``x~_m[n] = x[n + j(m)]`` (Eq. 76).

    Parameters
    ----------
    x : array_like, shape (N, d) or (N, B, d)
    lengths : sequence of int, summing to N

    Returns
    -------
    x_tilde : numpy.ndarray, shape (K, M, d) or (K, M, B, d)
        ``K = max K_m``; zero for ``n >= K_m`` (Eq. 76, "otherwise").
    mask : numpy.ndarray of bool, shape (K, M)
        True on the steps ``0 <= n < K_m`` that belong to segment ``m``.

    Examples
    --------
    >>> xt, mask = stack_segments([[1.0], [2.0], [3.0]], [2, 1])
    >>> xt[:, :, 0]  # column m: segment m, shifted to start at n = 0
    array([[1., 3.],
           [2., 0.]])
    """
    x = _time_major("x", x)
    K = _lengths(lengths, N=x.shape[0])
    mask = np.arange(K.max())[:, None] < K[None, :]  # (K, M)
    x_tilde = np.zeros((K.max(), K.size) + x.shape[1:])
    m_of_n = np.repeat(np.arange(K.size), K)  # segment of each step n
    x_tilde[np.arange(x.shape[0]) - segment_offsets(K)[m_of_n], m_of_n] = x  # Eq. 76
    return x_tilde, mask


def impulse_response(params: RNNParams, N: int, *, zero_bias: bool = True) -> RNNTrace:
    """Response of the RNN to ``x[n] = delta[n] 1`` from ``s[-1] = 0`` (Example 1, Eq. 36).

    ``s[0] = W_x 1``, ``s[1] = W_r G(W_x 1)``, ``s[2] = W_r G(W_r G(W_x 1))``, ...: non-zero
    for every ``n`` although the input stops after ``n = 0``, the IIR nature of the RNN.

    Parameters
    ----------
    params : RNNParams
    N : int
        Number of steps, >= 1.
    zero_bias : bool, default True
        Replace ``theta_s`` by 0, as Example 1 does; False keeps ``params.theta_s``.

    Returns
    -------
    RNNTrace
        ``s`` and ``r`` of shape ``(N, d_s)``.

    Raises
    ------
    ValueError
        If ``N < 1``.

    Examples
    --------
    >>> p = RNNParams(W_r=[[2.0]], W_x=[[0.5]], theta_s=[1.0])
    >>> impulse_response(p, 3).s[:, 0].round(4)  # 0.5, 2 tanh(0.5), 2 tanh(2 tanh(0.5))
    array([0.5   , 0.9242, 1.4558])
    """
    check_type("params", params, RNNParams)
    if int(N) != N or N < 1:
        raise ValueError(f"N = {N!r}, expected a positive integer number of steps.")
    if zero_bias:
        params = RNNParams(W_r=params.W_r, W_x=params.W_x, theta_s=np.zeros(params.d_s), W_s=params.W_s)
    x = unit_sample(np.arange(int(N)))[:, None] * np.ones(params.d_x)  # x[n] = delta[n] 1 (Example 1)
    return rnn_forward(params, x)  # s[-1] = 0


@dataclass(frozen=True)
class UnrolledTrace:
    """Per-segment states and readouts of :func:`unrolled_forward`, reassembled on ``0..N-1``.

    Attributes
    ----------
    s : numpy.ndarray, shape (N, d_s) or (N, B, d_s)
        ``s~[n - j(m)]`` of the segment ``m`` that contains step ``n`` (Eq. 74).
    r : numpy.ndarray, same shape as ``s``
        ``G(s)`` (Eq. 75).
    lengths : tuple of int
        The segment lengths ``K_m``.
    """

    s: np.ndarray
    r: np.ndarray
    lengths: tuple


def unrolled_forward(
    params: RNNParams, x, lengths, *, order=None, parallel: bool = False, stateful: bool = False, s0=None
) -> UnrolledTrace:
    """Run every segment from a zero state (Eqs. 73-77) and put the outputs back in time order.

    With ``stateful=True`` each segment instead starts from the state the previous segment
    ended in (the forward pass of stateful truncated BPTT), which reproduces the full run.

    Parameters
    ----------
    params : RNNParams
    x : array_like, shape (N, d_x) or (N, B, d_x)
    lengths : sequence of int
        Segment lengths ``K_m``, summing to ``N``.
    order : sequence of int, optional
        A permutation of ``range(M)``: the order in which segments are processed one
        at a time. Default: ``0, 1, ..., M-1``.
    parallel : bool, default False
        Process all segments at once as one batch, zero-padded to ``max K_m`` (Eq. 76)
        and masked (Eqs. 74-75). Cannot be combined with ``order``.
    stateful : bool, default False
        Start segment ``m`` from ``s[j(m) - 1]``, the last state of segment ``m - 1``, instead of
        from zero. Segments are then processed in their natural order; cannot be combined
        with ``order`` or ``parallel``.
    s0 : array_like, shape (d_s,) or (B, d_s), optional
        Initial state of segment 0 when ``stateful=True`` (zero by default). Without
        ``stateful`` every segment starts from zero (Eq. 73) and ``s0`` must be None.

    Returns
    -------
    UnrolledTrace
        Identical (to rounding) for every ``order`` and for ``parallel=True``: with a fixed
        initial state each segment is a function of its own inputs only. With ``stateful=True``
        identical to ``rnn_forward(params, x, s0)``.

    Raises
    ------
    ValueError
        Lengths that do not tile ``x``, an ``order`` that is not a permutation, ``order``
        together with ``parallel=True``, ``stateful=True`` together with ``order`` or
        ``parallel``, or ``s0`` without ``stateful=True``.

    Examples
    --------
    >>> p = RNNParams(W_r=[[0.5]], W_x=[[1.0]], theta_s=[0.0])
    >>> unrolled_forward(p, [[1.0], [1.0], [1.0]], [2, 1]).s[:, 0].round(4)  # s~ restarts at n = 2
    array([1.    , 1.3808, 1.    ])
    >>> unrolled_forward(p, [[1.0], [1.0], [1.0]], [2, 1], stateful=True).s[:, 0].round(4)  # carries s[1]
    array([1.    , 1.3808, 1.4406])
    """
    check_type("params", params, RNNParams)
    X, batched = as_sequence("x", x, params.d_x, "d_x", source=f"from W_x of shape {params.W_x.shape}")
    N, B, _ = X.shape
    K = _lengths(lengths, N=N)
    j = segment_offsets(K)
    if stateful:
        if order is not None or parallel:
            raise ValueError(
                "stateful=True processes the segments in their natural order, one after the other; "
                "pass order=None and parallel=False."
            )
        s = np.empty((N, B, params.d_s))
        s_prev = as_initial("s0", s0, B, params.d_s, "d_s", batched)  # s[-1], (B, d_s)
        for m in range(K.size):
            s[j[m] : j[m] + K[m]] = rnn_forward(params, X[j[m] : j[m] + K[m]], s_prev).s  # start where m-1 ended
            s_prev = s[j[m] + K[m] - 1]
        s = s if batched else s[:, 0]
        return UnrolledTrace(s=s, r=G_d(s, check=False), lengths=tuple(int(k) for k in K))
    if s0 is not None:
        raise ValueError("s0 is the initial state of a stateful run; every zero-start segment begins at 0 (Eq. 73).")
    if parallel:
        if order is not None:
            raise ValueError("order is for one-at-a-time processing; pass order=None with parallel=True.")
        X_tilde, mask = stack_segments(X, K)  # (K_max, M, B, d_x), Eq. 76
        tr = rnn_forward(params, X_tilde.reshape(K.max(), K.size * B, -1))  # Eq. 73: every s~[-1] = 0
        s_tilde = tr.s.reshape(K.max(), K.size, B, -1) * mask[:, :, None, None]  # Eq. 74: 0 outside 0..K_m-1
        m_of_n = np.repeat(np.arange(K.size), K)
        s = s_tilde[np.arange(N) - j[m_of_n], m_of_n]  # back to global time, n = n~ + j(m)
    else:
        order = range(K.size) if order is None else [int(m) for m in order]
        if sorted(order) != list(range(K.size)):
            raise ValueError(f"order = {list(order)} is not a permutation of range(M) = range({K.size}).")
        s = np.empty((N, B, params.d_s))
        for m in order:
            s[j[m] : j[m] + K[m]] = rnn_forward(params, X[j[m] : j[m] + K[m]]).s  # Eqs. 73-77, one segment
    s = s if batched else s[:, 0]
    return UnrolledTrace(s=s, r=G_d(s, check=False), lengths=tuple(int(k) for k in K))  # Eq. 75


def segment_discrepancy(
    params: RNNParams, x, lengths, s0=None, *, stateful: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """How far the unrolled outputs are from the full (stateful) run: the cost of Remark 4.

    When segments are dependent, resetting the state at each segment start (Eq. 73)
    discards what earlier segments left in it. This compares ``r`` of
    :func:`unrolled_forward` with ``r`` of ``rnn_forward(params, x, s0)`` over the whole sequence.

    Parameters
    ----------
    params : RNNParams
    x : array_like, shape (N, d_x) or (N, B, d_x)
    lengths : sequence of int, summing to N
    s0 : array_like, optional
        Initial state of the full run. Segment 0 of the zero-start run always starts from 0;
        with ``stateful=True`` it starts from ``s0`` too.
    stateful : bool, default False
        Compare the stateful segments of ``unrolled_forward(..., stateful=True)`` instead:
        they carry the state across boundaries, and the discrepancy is zero.

    Returns
    -------
    per_segment : numpy.ndarray, shape (M,)
        ``max |r_unrolled - r_full|`` over each segment's steps (and batch, features).
    per_step : numpy.ndarray, shape (N,)
        The same maximum at each step ``n``; it decays inside a segment when the RNN forgets.

    Examples
    --------
    >>> p = RNNParams(W_r=[[0.5]], W_x=[[1.0]], theta_s=[0.0])
    >>> per_segment, per_step = segment_discrepancy(p, np.ones((4, 1)), [2, 2])
    >>> per_segment.round(4)  # segment 0 starts from the same zero state in both runs
    array([0.    , 0.1322])
    >>> segment_discrepancy(p, np.ones((4, 1)), [2, 2], stateful=True)[0]  # carrying the state: no cost
    array([0., 0.])
    """
    full = rnn_forward(params, x, s0).r
    if stateful:
        unrolled = unrolled_forward(params, x, lengths, stateful=True, s0=s0)
    else:
        unrolled = unrolled_forward(params, x, lengths)
    per_step = np.abs(unrolled.r - full).reshape(full.shape[0], -1).max(axis=1)
    return np.maximum.reduceat(per_step, segment_offsets(unrolled.lengths)), per_step
