"""Self-checks for the Augmented LSTM exercises, Sherstinsky (2020) Sec. VII-A.

A student writes the external input context window of Eq. 188,

    xi[n] = sum_{l=0}^{L-1} W[l] x[n+l],    x[n+l] = 0 past the segment end (P10),

a non-causal, matrix-valued FIR filter. The check runs the student's function on small
random cases (``d_x != d_s`` so that a transposed tap fails loudly, ``N > L``) and names
the usual mistakes: a causal window ``x[n-l]`` (the textbook FIR filter, which looks
back instead of ahead), taps in reverse order (Eq. 187 read with ``W[l]`` for ``W[-l]``),
wrap-around instead of zero padding, repeating the last input, dropping the last
``L - 1`` steps ("valid" convolution), or using only the first tap.
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import relative_error
from ..lstm import _windowed_inputs

__all__ = ["check_context_window"]

_TOL = 1e-8

_MISTAKES = {
    "causal": (
        "your window looks back, xi[n] = sum_l W[l] x[n-l] (a causal FIR filter); the context window looks "
        "AHEAD: tap l multiplies x[n+l] (Eq. 188, P10)."
    ),
    "reversed": (
        "your taps are in reverse order, W[L-1-l] x[n+l]; after the re-indexing of Eq. 188, tap W[l] "
        "multiplies x[n+l], so W[0] meets the current input x[n]."
    ),
    "wrap": (
        "past the segment end your window wraps around to x[0], x[1], ... (np.roll?); inputs past "
        "x[N-1] are zero (P10), so the last steps see fewer inputs."
    ),
    "edge": (
        "past the segment end your window repeats the last input x[N-1]; inputs past x[N-1] are zero "
        "(P10), not copies of the last one."
    ),
    "first_tap": "only the first tap W[0] is used; xi[n] sums all L taps, W[0] x[n] + ... + W[L-1] x[n+L-1].",
}


def _reference(W, x, mistake=None):
    """The window (Eq. 188) on one sequence ``x (N, d_x)``, optionally with a typical mistake."""
    L, N = len(W), len(x)
    if mistake == "causal":
        return _windowed_inputs(x[::-1, None], W)[::-1, 0]  # sum_l W[l] x[n-l], zeros before x[0]
    if mistake == "reversed":
        W = W[::-1]
    if mistake == "first_tap":
        W = W[:1]
    if mistake in ("wrap", "edge"):
        idx = np.arange(N)[:, None] + np.arange(L)[None, :]
        idx = idx % N if mistake == "wrap" else np.minimum(idx, N - 1)
        return np.einsum("lij,nlj->ni", W, x[idx])
    return _windowed_inputs(x[:, None], W)[:, 0]


def _same(a, b) -> bool:
    return a.shape == b.shape and relative_error(a, b) < _TOL


def check_context_window(student_fn, *, seed: int = 0) -> str:
    """Check a student's external input context window (Sherstinsky Eq. 188).

    Parameters
    ----------
    student_fn : callable
        ``student_fn(W, x) -> xi`` with taps ``W`` of shape ``(L, d_s, d_x)``, one sequence
        ``x`` of shape ``(N, d_x)``, and ``xi`` of shape ``(N, d_s)``, where
        ``xi[n] = sum_l W[l] @ x[n+l]`` and inputs past ``x[N-1]`` are zero.
    seed : int, default 0
        Seed of the random cases.

    Returns
    -------
    str
        A success message.

    Raises
    ------
    AssertionError
        With a diagnosis when the result differs from :mod:`lrnn`'s window.

    Examples
    --------
    >>> check_context_window(_reference)
    'check_context_window: passed, xi[n] = sum_l W[l] x[n+l] with zero padding on 3 random cases (L = 1, 3, 4).'
    """
    rng = np.random.default_rng(seed)
    for L, N, d_s, d_x in ((3, 7, 4, 2), (4, 6, 2, 3), (1, 5, 3, 2)):
        W, x = rng.standard_normal((L, d_s, d_x)), rng.standard_normal((N, d_x))
        want = _reference(W, x)
        try:
            got = student_fn(W.copy(), x.copy())
        except Exception as exc:
            sizes = any(w in str(exc) for w in ("shape", "mismatch", "align", "broadcast"))
            hint = " (is a tap applied transposed? xi[n] gets W[l] @ x[n+l])" if sizes else ""
            raise AssertionError(
                f"check_context_window: your function raised {type(exc).__name__}: {exc}{hint}"
            ) from exc
        got = np.asarray(got, dtype=float)
        case = f"(case L = {L}, N = {N}, d_s = {d_s}, d_x = {d_x})"
        if got.shape == (N - L + 1, d_s) and L > 1:
            raise AssertionError(
                f"check_context_window: you returned {N - L + 1} steps for N = {N} inputs, a 'valid' "
                f"convolution; return all N steps and treat inputs past x[N-1] as zero (P10) {case}."
            )
        if got.shape != (N, d_s):
            raise AssertionError(
                f"check_context_window: xi has shape {got.shape}, expected (N, d_s) = {(N, d_s)} {case}."
            )
        if _same(got, want):
            continue
        for mistake, why in _MISTAKES.items():
            if _same(got, _reference(W, x, mistake)):
                raise AssertionError(f"check_context_window: {why} {case}")
        head = L - 1  # the steps whose window lies inside the segment
        where = (
            "the steps near the segment end are wrong: check the zero padding past x[N-1] (P10)"
            if _same(got[: N - head], want[: N - head])
            else "xi differs from sum_l W[l] x[n+l] already where the window lies inside the segment"
        )
        raise AssertionError(f"check_context_window: {where} {case}; relative error {relative_error(got, want):.2g}.")
    return "check_context_window: passed, xi[n] = sum_l W[l] x[n+l] with zero padding on 3 random cases (L = 1, 3, 4)."
