"""The linear recurrence h[n] = a[n] h[n-1] + b[n], computed by an associative (parallel) scan.

Not in Sherstinsky (2020): the tool that trains today's linear recurrent networks
(Orvieto et al. 2023, Sec. 2.1 and 3.2.2; Gu and Dao 2023, Sec. 3.3). A step of the recurrence
is the affine map ``h -> a h + b``, written as the pair ``(a, b)``. Doing ``(a1, b1)`` and
then ``(a2, b2)`` is again such a map::

    (a1, b1) then (a2, b2)  =  (a2 a1, a2 b1 + b2)                    (the combine operator)

and this composition of maps is associative, so the ``N`` prefix compositions that give
``h[0], ..., h[N-1]`` can be grouped in any order. :func:`linear_scan` pairs neighbouring steps
(``(a[0], b[0])`` with ``(a[1], b[1])``, then ``2`` with ``3``, ...), which halves the sequence; it
scans the half recursively, then fills in the even steps in one more elementwise pass. Each
level costs a constant number of elementwise operations on arrays of half the size of the
level above: ``O(N)`` work in all, like the loop, but in ``ceil(log2 N)`` levels instead of
``N`` dependent steps. (The odd-even reduction of Stone 1973; Blelloch 1990 casts it as a
scan; Hillis and Steele's 1986 doubling scan has the same depth and ``O(N log N)`` work.)

Everything is elementwise: ``a`` and ``b`` may be real or complex, of any trailing shape
(a batch, a state vector, a matrix memory), with time along axis 0. The recurrence of a
nonlinear RNN, ``s[n] = G(W s[n-1] + ...)``, has no such closed composition (two steps of it are
not a step of it), so it does not scan: its steps stay sequential.

The backward pass of the recurrence is the same recurrence run backwards in time with the
conjugated coefficients (:func:`linear_scan_backward`), so it scans too.

References
----------
1. H. S. Stone, "An efficient parallel algorithm for the solution of a tridiagonal linear
   system of equations", J. ACM 20(1), 1973.
2. G. E. Blelloch, "Prefix sums and their applications", Tech. Rep. CMU-CS-90-190, 1990.
3. E. Martin, C. Cundy, "Parallelizing linear recurrent neural nets over sequence length", ICLR 2018.
4. A. Orvieto et al., "Resurrecting recurrent neural networks for long sequences", ICML 2023.
5. A. Gu, T. Dao, "Mamba: linear-time sequence modeling with selective state spaces", arXiv:2312.00752.
"""

from __future__ import annotations

import numpy as np

from ._validation import fmt_shape

_TINY = np.finfo(np.float64).tiny  # products of coefficients below this are set to zero (see _scan)

__all__ = ["scan_combine", "linear_scan", "linear_scan_loop", "linear_scan_backward", "scan_method"]


def scan_method(method: str):
    """:func:`linear_scan` for ``"scan"``, :func:`linear_scan_loop` for ``"loop"`` (the models' ``method=``)."""
    if method == "scan":
        return linear_scan
    if method == "loop":
        return linear_scan_loop
    raise ValueError(f"method = {method!r}, expected 'scan' (associative scan) or 'loop' (step by step).")


def _as_array(name: str, value) -> np.ndarray:
    if value is None:
        raise TypeError(f"{name} is None; pass an array of real or complex numbers, time along axis 0.")
    a = np.asarray(value)
    if a.dtype == object or a.dtype.kind not in "biufc":
        raise TypeError(f"{name} has dtype {a.dtype}, expected real or complex numbers; convert it with np.asarray.")
    a = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64, copy=False)
    if not np.all(np.isfinite(a)):
        where = tuple(int(k) for k in np.argwhere(~np.isfinite(a))[0])
        raise ValueError(f"{name} contains {a[where]} at index {where}; every entry must be finite.")
    return a


def _check(a, b, h0):
    """Validate and broadcast: ``a`` to ``b``'s shape, ``h0`` to one step of it."""
    a, b = _as_array("a", a), _as_array("b", b)
    if b.ndim == 0 or b.shape[0] == 0:
        raise ValueError(f"b has shape {fmt_shape(b.shape)}, expected (N, ...) with N >= 1 steps along axis 0.")
    try:
        a = np.broadcast_to(a, b.shape)
    except ValueError:
        raise ValueError(
            f"a has shape {fmt_shape(a.shape)}, which does not broadcast to b's shape {fmt_shape(b.shape)}; "
            f"pass a with b's shape (N, ...), or one that broadcasts to it, such as one step's shape."
        ) from None
    if h0 is not None:
        h0 = _as_array("h0", h0)
        try:
            h0 = np.broadcast_to(h0, b.shape[1:])
        except ValueError:
            raise ValueError(
                f"h0 has shape {fmt_shape(h0.shape)}, expected one step of b, {fmt_shape(b.shape[1:])} "
                f"(or a shape that broadcasts to it); pass None for h[-1] = 0."
            ) from None
    return a, b, h0


def scan_combine(first, second):
    """Compose two steps of the recurrence: ``(a1, b1)`` then ``(a2, b2)`` is ``(a2 a1, a2 b1 + b2)``.

    Parameters
    ----------
    first, second : (array_like, array_like)
        Pairs ``(a, b)`` of broadcastable arrays.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)

    Examples
    --------
    Two steps from h = 1: ``2 * 1 + 3 = 5``, then ``4 * 5 + 1 = 21``; the composed step does both.

    >>> a, b = scan_combine((2.0, 3.0), (4.0, 1.0))
    >>> float(a), float(b), float(a * 1.0 + b)
    (8.0, 13.0, 21.0)
    """
    (a1, b1), (a2, b2) = first, second
    return np.multiply(a2, a1), np.multiply(a2, b1) + b2


def linear_scan_loop(a, b, h0=None) -> np.ndarray:
    """The reference: ``h[n] = a[n] h[n-1] + b[n]`` one step after another (``N`` dependent steps).

    Same arguments and result as :func:`linear_scan`.

    Examples
    --------
    >>> linear_scan_loop([0.5, 0.5, 0.5], [1.0, 0.0, 0.0])
    array([1.  , 0.5 , 0.25])
    """
    a, b, h0 = _check(a, b, h0)
    h = np.empty(b.shape, dtype=np.result_type(a, b, *(() if h0 is None else (h0,))))
    prev = np.zeros(b.shape[1:], dtype=h.dtype) if h0 is None else h0
    for n in range(b.shape[0]):
        h[n] = prev = a[n] * prev + b[n]
    return h


def _scan(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Odd-even reduction of ``h[n] = a[n] h[n-1] + b[n]`` from ``h[-1] = 0`` (arrays already checked)."""
    N = b.shape[0]
    if N == 1:
        return b.copy()
    m = N // 2
    a_even, b_even = a[0 : 2 * m : 2], b[0 : 2 * m : 2]  # steps 0, 2, 4, ...
    a_odd, b_odd = a[1 : 2 * m : 2], b[1 : 2 * m : 2]  # steps 1, 3, 5, ...
    a_pair, b_pair = scan_combine((a_even, b_even), (a_odd, b_odd))  # step 2k, then step 2k + 1
    np.copyto(a_pair, 0.0, where=np.abs(a_pair) < _TINY)  # no subnormal products: they are slow and negligible
    h = np.empty(b.shape, dtype=np.result_type(a, b))
    h[1 : 2 * m : 2] = _scan(a_pair, b_pair)  # h[2k + 1]: the half-length recurrence over pairs
    h[0] = b[0]
    h[2::2] = a[2::2] * h[1 : N - 1 : 2] + b[2::2]  # h[2k] = a[2k] h[2k - 1] + b[2k]
    return h


def linear_scan(a, b, h0=None) -> np.ndarray:
    """Solve ``h[n] = a[n] * h[n-1] + b[n]`` for every ``n`` with an associative scan.

    Parameters
    ----------
    a : array_like, shape (N, ...) or broadcastable to ``b``'s shape
        Coefficients, real or complex (e.g. a diagonal ``lambda`` of shape ``(d_s,)``, the same
        at every step, or input-dependent ones of shape ``(N, B, d_s)``).
    b : array_like, shape (N, ...)
        Inputs of the recurrence, time along axis 0, real or complex.
    h0 : array_like, shape ``b.shape[1:]`` (or broadcastable), optional
        ``h[-1]``; zero by default.

    Returns
    -------
    h : numpy.ndarray, shape of ``b``
        Complex if any argument is complex.

    Raises
    ------
    TypeError, ValueError
        Non-numeric or non-finite input, ``N = 0``, or shapes that do not broadcast.

    Notes
    -----
    ``h[-1]`` enters as ``b[0] + a[0] h[-1]``; then ``ceil(log2 N)`` levels of elementwise work,
    ``O(N)`` in total. It agrees with :func:`linear_scan_loop` up to rounding: the two sum the
    same products in a different order.

    Examples
    --------
    >>> linear_scan([0.5, 0.5, 0.5], [1.0, 0.0, 0.0])
    array([1.  , 0.5 , 0.25])
    >>> h = linear_scan(np.exp(1j * np.pi / 2), np.ones(4), h0=0.0)  # a quarter turn per step
    >>> np.round(h, 12) + 0.0  # + 0.0 turns -0 into 0
    array([1.+0.j, 1.+1.j, 0.+1.j, 0.+0.j])
    """
    a, b, h0 = _check(a, b, h0)
    if h0 is not None:
        b = b.astype(np.result_type(a, b, h0), copy=True)
        b[0] += a[0] * h0
    return _scan(a, b)


def linear_scan_backward(a, h, dE_dh, h0=None, *, method: str = "scan"):
    """Gradients through ``h = linear_scan(a, b, h0)`` given ``dE/dh``: the same recurrence, backwards.

    For complex signals a gradient is ``dE/dRe z + i dE/dIm z`` (the loss ``E`` is real). With
    ``g[n] = dE/dh[n]`` in total (through every later step),

    ``g[n] = dE_dh[n] + conj(a[n+1]) g[n+1]``,   ``dE/db[n] = g[n]``,
    ``dE/da[n] = g[n] conj(h[n-1])``,            ``dE/dh[-1] = conj(a[0]) g[0]``.

    Parameters
    ----------
    a : array_like
        The coefficients of the forward scan (broadcastable to ``h``).
    h : numpy.ndarray, shape (N, ...)
        Its result.
    dE_dh : array_like, shape of ``h``
        The loss's direct derivative with respect to each ``h[n]``.
    h0 : array_like, optional
        The ``h[-1]`` of the forward scan.
    method : {"scan", "loop"}, default "scan"
        Run the backward recurrence with :func:`linear_scan` or :func:`linear_scan_loop`.

    Returns
    -------
    dE_da : numpy.ndarray, shape of ``h`` (sum it over the axes ``a`` was broadcast along)
    dE_db : numpy.ndarray, shape of ``h``
    dE_dh0 : numpy.ndarray, shape ``h.shape[1:]``

    Examples
    --------
    E = h[1] with h[1] = a h[0] + b[1], h[0] = b[0]: dE/db = (a, 1), dE/da[1] = h[0].

    >>> a, b = np.array([3.0, 2.0]), np.array([5.0, 7.0])
    >>> h = linear_scan(a, b)
    >>> dE_da, dE_db, _ = linear_scan_backward(a, h, [0.0, 1.0])
    >>> dE_db, dE_da
    (array([2., 1.]), array([0., 5.]))
    """
    a, dE_dh, _ = _check(a, dE_dh, None)
    run = scan_method(method)
    h = np.asarray(h)
    conj_next = np.conj(a[1:])[::-1]  # conj(a[n+1]), in reversed time
    g = run(np.concatenate([np.ones_like(a[:1]), conj_next]), dE_dh[::-1])[::-1]
    prev = np.zeros_like(h[:1]) if h0 is None else np.broadcast_to(h0, h.shape[1:])[None]
    h_prev = np.concatenate([prev, h[:-1]])
    return g * np.conj(h_prev), g, np.conj(a[0]) * g[0]
