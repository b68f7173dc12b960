"""Counting baselines for next-character prediction: add-one n-grams and interpolated Kneser-Ney.

Not in Sherstinsky's paper. A network's nats per character mean little without the numbers a
model that only counts would reach on the same split. An order-``N`` model predicts ``c[n+1]``
from the ``N - 1`` characters before it (fewer at the start of a stream, where it backs off to
the orders it has context for). Both models below answer ``log_likelihoods(codes)`` as
:func:`lrnn.text.log_likelihoods` asks, so :func:`lrnn.text.nats_per_char` scores them exactly as
it scores a network.

Add-one (Laplace) smoothing, order ``N`` with counts ``c(.)`` on the training text::

    p(w | h) = (c(h w) + 1) / (c(h) + V)                      h: the N - 1 characters before w

Interpolated Kneser-Ney (Kneser and Ney 1995; Chen and Goodman 1999, Eq. 4 with one discount per
order): the highest order uses counts, every lower order ``k`` uses *continuation counts*
``N1+(. h w)``, the number of distinct characters seen before the k-gram ``h w``, so that a lower
order models how readily ``w`` follows ``h`` in new contexts, which is what it is consulted for::

    p_k(w | h) = max(a_k(h w) - D_k, 0) / a_k(h .)  +  D_k N1+(h .) / a_k(h .) * p_{k-1}(w | h')
    a_N = c,   a_k = N1+(. h w) for k < N,   a_k(h .) = sum_w a_k(h w),   N1+(h .) = #{w : a_k(h w) > 0}
    p_0(w) = 1 / V;   p_k(w | h) = p_{k-1}(w | h') when a_k(h .) = 0 (a context never seen)
    D_k = n_1 / (n_1 + 2 n_2)                                  (Ney, Essen and Kneser 1994)

(at least 0.1, so that an unseen character keeps a positive probability when no k-gram was seen
exactly once; on Tiny Shakespeare every order's estimate is above it)
with ``h'`` the context ``h`` without its first character and ``n_1, n_2`` the numbers of
k-grams whose (continuation) count is 1 and 2. Every distribution sums to one (tested).

Symbols (code -> shape)::

    codes     (M,)        a text as integers 0 .. V - 1 (:class:`lrnn.text.Vocabulary`)
    key       int64       a k-gram read as a base-V number, first character most significant

References
----------
1. R. Kneser, H. Ney, "Improved backing-off for M-gram language modeling", ICASSP 1995.
2. S. F. Chen, J. Goodman, "An empirical study of smoothing techniques for language modeling",
   Computer Speech and Language 13 (1999) 359-394.
3. H. Ney, U. Essen, R. Kneser, "On structuring probabilistic dependences in stochastic language
   modelling", Computer Speech and Language 8 (1994) 1-38.
"""

from __future__ import annotations

import numpy as np

from ._validation import positive_int

__all__ = ["AddOne", "KneserNey", "MAX_ORDER"]

MAX_ORDER = 10  # 65^10 < 2^63: a 10-gram over 65 characters fits one int64 key
MIN_DISCOUNT = 0.1  # with no k-gram seen once, n1 / (n1 + 2 n2) = 0 would leave unseen characters p = 0


def _codes(name, codes, V):
    c = np.asarray(codes)
    if c.ndim != 1 or c.dtype.kind not in "iu" or len(c) < 2:
        raise ValueError(f"{name} has dtype {c.dtype} and shape {c.shape}, expected at least 2 integer codes (M,).")
    if c.min() < 0 or c.max() >= V:
        raise ValueError(f"{name} holds codes from {c.min()} to {c.max()}, expected 0 .. V - 1 = {V - 1}.")
    return c.astype(np.int64)


def _keys(codes: np.ndarray, k: int, V: int) -> np.ndarray:
    """The key of every k-gram of ``codes``, ``key[i]`` for ``codes[i : i + k]``, shape (M - k + 1,)."""
    key = np.zeros(len(codes) - k + 1, dtype=np.int64)
    for j in range(k):
        key = key * V + codes[j : len(codes) - k + 1 + j]
    return key


def _lookup(table_keys: np.ndarray, table_values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``table_values`` at ``keys`` (0 where a key is absent); ``table_keys`` sorted."""
    i = np.minimum(np.searchsorted(table_keys, keys), len(table_keys) - 1)
    return np.where(table_keys[i] == keys, table_values[i], 0)


def _contexts(codes: np.ndarray, k: int, V: int) -> np.ndarray:
    """For each predicted position p = 1 .. M-1, the key of its k - 1 characters of context (-1 if too few)."""
    M = len(codes)
    ctx = np.full(M - 1, -1, dtype=np.int64)
    if k == 1:
        ctx[:] = 0
    elif M - 1 >= k - 1:
        ctx[k - 2 :] = _keys(codes[: M - 1], k - 1, V)  # position p = i + k - 1 has context codes[i : i + k - 1]
    return ctx


class _Table:
    """Counts ``a(h w)`` of one order, with the per-context sums and type counts."""

    def __init__(self, keys: np.ndarray, counts: np.ndarray, V: int):
        self.keys, self.counts = keys, counts.astype(np.float64)
        ctx, start = np.unique(keys // V, return_index=True)
        self.ctx = ctx
        self.total = np.add.reduceat(self.counts, start)  # a(h .)
        self.types = np.diff(np.append(start, len(keys))).astype(np.float64)  # N1+(h .)


class AddOne:
    """Order-``N`` character model with add-one smoothing; ``order=1`` unigram, ``order=2`` bigram.

    Parameters
    ----------
    train_codes : array_like of int, shape (M,)
    V : int
        Vocabulary size.
    order : int, default 2

    Examples
    --------
    >>> m = AddOne(np.array([0, 1, 0, 1, 0]), V=2, order=2)
    >>> np.exp(m.next_log_probs([1]))   # after 1: (c(1 0) + 1) / (c(1) + 2) = 3/4
    array([0.75, 0.25])
    """

    def __init__(self, train_codes, V: int, order: int = 2):
        self.V, self.order = positive_int("V", V), positive_int("order", order)
        if self.order > MAX_ORDER:
            raise ValueError(f"order = {order}, expected at most {MAX_ORDER} (one int64 key per n-gram).")
        c = _codes("train_codes", train_codes, self.V)
        self.tables = [None] + [
            _Table(*np.unique(_keys(c, k, self.V), return_counts=True), self.V) for k in range(1, self.order + 1)
        ]

    def _prob(self, ctx: np.ndarray, w: np.ndarray, k: int) -> np.ndarray:
        t = self.tables[k]
        c_hw = _lookup(t.keys, t.counts, ctx * self.V + w)
        c_h = _lookup(t.ctx, t.total, ctx)
        return (c_hw + 1.0) / (c_h + self.V)

    def log_likelihoods(self, codes) -> np.ndarray:
        """``ln p(c[n+1] | c[n-N+2 .. n])`` for ``n = 0 .. M-2`` (shorter contexts at the start)."""
        c = _codes("codes", codes, self.V)
        w, out = c[1:], None
        for k in range(1, self.order + 1):
            ctx = _contexts(c, k, self.V)
            p = self._prob(np.maximum(ctx, 0), w, k)
            out = p if out is None else np.where(ctx >= 0, p, out)
        return np.log(out)

    def _context_keys(self, context) -> list:
        """The key of ``context``'s last ``k - 1`` characters for each order ``k`` (-1 where it is too short)."""
        c = np.asarray(context, dtype=np.int64)
        keys = [None]
        for k in range(1, self.order + 1):
            h = -1
            if len(c) >= k - 1:
                h = 0
                for ch in c[len(c) - k + 1 :] if k > 1 else ():
                    h = h * self.V + int(ch)
            keys.append(np.full(self.V, h, dtype=np.int64))
        return keys

    def next_log_probs(self, context) -> np.ndarray:
        """``ln p(w | context)`` for every character ``w``, shape ``(V,)``: one step of a sample."""
        w, p = np.arange(self.V), None
        for k, ctx in enumerate(self._context_keys(context)[1:], start=1):
            if ctx[0] >= 0:
                p = self._prob(ctx, w, k)
        return np.log(p)


class KneserNey(AddOne):
    """Interpolated Kneser-Ney of order ``N`` (module docstring), one absolute discount per order.

    Parameters
    ----------
    train_codes : array_like of int, shape (M,)
    V : int
    order : int, default 5

    Attributes
    ----------
    discounts : numpy.ndarray, shape (order,)
        ``D_1 .. D_N``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> m = KneserNey(rng.integers(0, 4, 500), V=4, order=3)
    >>> p = np.exp(m.next_log_probs([2, 1]))
    >>> bool(np.isclose(p.sum(), 1.0)), bool((p > 0).all())
    (True, True)
    """

    def __init__(self, train_codes, V: int, order: int = 5):
        self.V, self.order = positive_int("V", V), positive_int("order", order)
        if self.order > MAX_ORDER:
            raise ValueError(f"order = {order}, expected at most {MAX_ORDER} (one int64 key per n-gram).")
        c = _codes("train_codes", train_codes, self.V)
        self.tables, discounts = [None], []
        for k in range(1, self.order + 1):
            keys, counts = np.unique(_keys(c, k, self.V), return_counts=True)
            if k < self.order:  # continuation counts: distinct characters before the k-gram
                longer = np.unique(_keys(c, k + 1, self.V))  # every distinct (k+1)-gram once
                keys, counts = np.unique(longer % self.V**k, return_counts=True)
            n1, n2 = np.sum(counts == 1), np.sum(counts == 2)
            discounts.append(max(n1 / (n1 + 2.0 * n2), MIN_DISCOUNT) if n1 + n2 else 0.5)
            self.tables.append(_Table(keys, counts, self.V))
        self.discounts = np.array(discounts)

    def _interpolate(self, ctxs: list, w: np.ndarray) -> np.ndarray:
        """``p_N(w | h)`` from the context keys of each order (``ctxs[k]``, -1 where too short)."""
        p = np.full(len(w), 1.0 / self.V)  # p_0
        for k in range(1, self.order + 1):
            t, D, ctx = self.tables[k], self.discounts[k - 1], ctxs[k]
            h = np.maximum(ctx, 0)
            a_hw = _lookup(t.keys, t.counts, h * self.V + w)
            total, types = _lookup(t.ctx, t.total, h), _lookup(t.ctx, t.types, h)
            seen = (ctx >= 0) & (total > 0)
            safe = np.where(seen, total, 1.0)
            p = np.where(seen, np.maximum(a_hw - D, 0.0) / safe + D * types / safe * p, p)
        return p

    def log_likelihoods(self, codes) -> np.ndarray:
        """``ln p_N(c[n+1] | c[n-N+2 .. n])`` for ``n = 0 .. M-2`` (fewer orders where the context is short)."""
        c = _codes("codes", codes, self.V)
        ctxs = [None] + [_contexts(c, k, self.V) for k in range(1, self.order + 1)]
        return np.log(self._interpolate(ctxs, c[1:]))

    def next_log_probs(self, context) -> np.ndarray:
        """``ln p_N(w | context)`` for every character ``w``, shape ``(V,)``: one step of a sample."""
        return np.log(self._interpolate(self._context_keys(context), np.arange(self.V)))
