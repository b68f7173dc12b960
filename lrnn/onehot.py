"""One-hot input sequences stored as their codes: ``W_x x[n]`` is a column lookup.

Not in the paper. When each input ``x[n]`` is a one-hot vector ``e_c`` of ``d_x`` entries (a
character, a word, a token), every product the cells compute with it collapses::

    W_x x[n]              = W_x e_{c[n]}  = column c[n] of W_x           (forward)
    sum_n alpha[n] x[n]^T : column c of the sum = sum_{n : c[n] = c} alpha[n]   (backward, Eqs. 88, 156, G13)

so a one-hot sequence never needs to exist as an array of zeros: :class:`OneHot` keeps the
codes ``c[n]`` and answers the two products, written in the code's row form ``x @ W.T``
(a gather of rows of ``W.T``) and ``alpha.T @ x`` (a scatter-add into the columns), by indexing.
Every cell of the package accepts a ``OneHot`` wherever it accepts ``x``, and trains on it
with :func:`lrnn.train.fit_sequences` unchanged; ``np.asarray(x)`` gives the dense one-hot
array, for checking and for PyTorch (``nn.GRU`` reads the dense form).

Symbols (code -> shape)::

    codes   c        (N,) or (N, B)          integers in 0 .. d - 1
    x       OneHot   (N, d) or (N, B, d)     x[n] = e_{c[n]} (as an array: np.asarray(x))
    W.T     W.T      (d, k)                  x @ W.T = W.T[c], shape c.shape + (k,)
    alpha   alpha    (m, k)                  alpha.T @ x, for x of shape (m, d): shape (k, d)

Examples
--------
>>> x = OneHot([2, 0, 2], d=3)
>>> W = np.arange(6.0).reshape(2, 3)      # d_s = 2, d_x = 3
>>> x @ W.T                               # the columns W[:, 2], W[:, 0], W[:, 2] as rows
array([[2., 5.],
       [0., 3.],
       [2., 5.]])
>>> bool(np.array_equal(x @ W.T, np.asarray(x) @ W.T))
True
>>> alpha = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])
>>> alpha.T @ x                           # steps 0 and 2 both saw code 2
array([[ 2.,  0.,  4.],
       [20.,  0., 40.]])
"""

from __future__ import annotations

import numpy as np

__all__ = ["OneHot"]


def _shape(shape) -> str:
    return "(" + ", ".join(str(k) for k in shape) + ("," if len(shape) == 1 else "") + ")"


class OneHot:
    """A sequence of one-hot vectors ``x[n] = e_{c[n]}``, stored as its codes ``c[n]``.

    Parameters
    ----------
    codes : array_like of int, shape (N,) or (N, B)
        One code per step (and sequence), each in ``0 .. d - 1``.
    d : int
        Length of each one-hot vector: the vocabulary size, the cells' ``d_x``.

    Attributes
    ----------
    codes : numpy.ndarray of int64
    d : int

    Raises
    ------
    TypeError
        Codes that are not integers (floats, bools, strings).
    ValueError
        ``d < 1``, codes of another rank, or a code outside ``0 .. d - 1``.

    Examples
    --------
    >>> x = OneHot([[0, 1], [2, 0]], d=3)   # N = 2 steps, B = 2 sequences
    >>> x.shape, x[1].codes, np.asarray(x)[1]
    ((2, 2, 3), array([2, 0]), array([[0., 0., 1.],
           [1., 0., 0.]]))
    >>> OneHot([3], d=3)
    Traceback (most recent call last):
    ...
    ValueError: codes[0] = 3 is outside 0 .. d - 1 = 0 .. 2; every code must index one of the d = 3 one-hot positions.
    """

    __array_ufunc__ = None  # numpy defers ``alpha @ x`` to __rmatmul__ instead of densifying x
    __slots__ = ("codes", "d")

    def __init__(self, codes, d: int):
        if isinstance(d, bool) or not isinstance(d, int | np.integer) or d < 1:
            raise ValueError(f"d = {d!r}, expected a positive integer: the length of each one-hot vector.")
        c = np.asarray(codes)
        if c.dtype.kind not in "iu":
            raise TypeError(
                f"codes has dtype {c.dtype}, expected integers; pass the codes as ints (e.g. codes.astype(int)), "
                f"not one-hot rows or floats."
            )
        if c.ndim not in (1, 2) or c.size == 0:
            raise ValueError(
                f"codes has shape {_shape(c.shape)}, expected (N,) or (N, B) with N >= 1: one code per step "
                f"(and sequence), time along axis 0."
            )
        bad = (c < 0) | (c >= d)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            at = where[0] if len(where) == 1 else where
            raise ValueError(
                f"codes[{at}] = {c[where]} is outside 0 .. d - 1 = 0 .. {d - 1}; every code must index one of the "
                f"d = {d} one-hot positions."
            )
        self.codes, self.d = c.astype(np.int64), int(d)

    @classmethod
    def _wrap(cls, codes: np.ndarray, d: int) -> OneHot:
        """Codes the class produced itself (a slice, a reshape): no checks."""
        obj = object.__new__(cls)
        obj.codes, obj.d = codes, d
        return obj

    @property
    def shape(self) -> tuple:
        """``codes.shape + (d,)``, the shape of the dense one-hot array."""
        return (*self.codes.shape, self.d)

    @property
    def ndim(self) -> int:
        return self.codes.ndim + 1

    @property
    def dtype(self):
        return np.dtype(np.float64)

    def __len__(self) -> int:
        return len(self.codes)

    def __repr__(self) -> str:
        return f"OneHot(codes of shape {_shape(self.codes.shape)}, d={self.d})"

    def __getitem__(self, index) -> OneHot:
        """Index the leading (time, batch) axes; the one-hot axis stays whole."""
        parts = index if isinstance(index, tuple) else (index,)
        used = sum(p is not None and p is not Ellipsis for p in parts)
        if used == self.codes.ndim + 1 and parts[-1] == slice(None):  # x[:, None, :]: the one-hot axis whole
            parts, used = parts[:-1], used - 1
            index = parts
        if Ellipsis in parts or used > self.codes.ndim:
            raise IndexError(
                f"OneHot of shape {_shape(self.shape)} can be indexed on its {self.codes.ndim} leading axes only "
                f"(time, batch); the one-hot axis stays whole. Use np.asarray(x) for the dense array."
            )
        c = self.codes[index]
        if c.ndim == 0:
            raise IndexError(
                f"x[{index!r}] would be one one-hot vector; index a step of a batch, x[n] of shape (B, d), or "
                f"slice a sequence, x[n : n + 1], so that x @ W.T keeps its row."
            )
        return OneHot._wrap(c, self.d)

    def reshape(self, *shape) -> OneHot:
        """Reshape the leading axes; the last entry must be ``d`` or -1 (the one-hot axis stays last)."""
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], tuple | list) else shape
        if not shape or shape[-1] not in (-1, self.d):
            raise ValueError(
                f"cannot reshape a OneHot of shape {_shape(self.shape)} to {_shape(shape)}: the last axis must stay "
                f"d = {self.d} (or -1)."
            )
        return OneHot._wrap(self.codes.reshape(shape[:-1]), self.d)

    def __matmul__(self, M) -> np.ndarray:
        """``x @ M`` for ``M`` of shape ``(d, k)``: the rows ``M[c[n]]`` (``x @ W.T`` = columns of ``W``)."""
        M = np.asarray(M)
        if M.ndim != 2 or M.shape[0] != self.d:
            raise ValueError(
                f"OneHot of shape {_shape(self.shape)} @ array of shape {_shape(M.shape)}: expected ({self.d}, k)."
            )
        return M[self.codes]

    def __rmatmul__(self, A) -> np.ndarray:
        """``A @ x`` for ``A`` ``(k, m)`` and ``x`` ``(m, d)``: column ``c`` sums ``A[:, n]`` over ``c[n] = c``."""
        A = np.asarray(A)
        if self.codes.ndim != 1 or A.ndim != 2 or A.shape[1] != len(self.codes):
            raise ValueError(
                f"array of shape {_shape(A.shape)} @ OneHot of shape {_shape(self.shape)}: expected (k, "
                f"{len(self.codes)}) @ ({len(self.codes)}, {self.d}); reshape x to (m, d) first."
            )
        out = np.zeros((self.d, A.shape[0]))
        rows = A.T  # (m, k): row n is alpha[n]
        for c in np.unique(self.codes):  # a gather per symbol: faster than np.add.at and than the dense product
            out[c] = rows[self.codes == c].sum(axis=0)  # sum of alpha[n] over the steps n with c[n] = c
        return out.T

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        dense = np.zeros(self.shape, dtype=dtype or np.float64)
        np.put_along_axis(dense, self.codes[..., None], 1, axis=-1)
        return dense
