"""Self-checks for the Augmented LSTM exercises, Sherstinsky (2020) Sec. VII.

:func:`check_context_window`: a student writes the external input context window of Eq. 188,

    xi[n] = sum_{l=0}^{L-1} W[l] x[n+l],    x[n+l] = 0 past the segment end (P10),

a non-causal, matrix-valued FIR filter. The check runs the student's function on small
random cases (``d_x != d_s`` so that a transposed tap fails loudly, ``N > L``) and names
the usual mistakes: a causal window ``x[n-l]`` (the textbook FIR filter, which looks
back instead of ahead), taps in reverse order (Eq. 187 read with ``W[l]`` for ``W[-l]``),
wrap-around instead of zero padding, repeating the last input, dropping the last
``L - 1`` steps ("valid" convolution), or using only the first tap.

:func:`check_augmented_backward`: a student extends a Vanilla LSTM backward pass to the
Augmented LSTM (Eqs. 216-250): the projection (``beta``, Eqs. 218 and 249), the control
input gate (``alpha_cx``, Eqs. 226-229 and the factor ``g_cx`` of erratum P7) and the
windows (one gradient per tap). The mistakes it names are
:func:`lrnn.augmented_bptt.augmented_bptt_signals` and
:func:`~lrnn.augmented_bptt.augmented_backward` with one thing changed
(:func:`lrnn.exercises.harness.mutant`).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..augmented import AugmentedLSTMParams, augmented_forward, context_window
from ..augmented_bptt import augmented_backward, augmented_bptt_signals
from ..gradcheck import relative_error
from .harness import call, compare, field, mutant, same, unpack

__all__ = ["check_context_window", "check_augmented_backward"]

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
        return context_window(W, x[::-1])[::-1]  # sum_l W[l] x[n-l], zeros before x[0]
    if mistake == "reversed":
        W = W[::-1]
    if mistake == "first_tap":
        W = W[:1]
    if mistake in ("wrap", "edge"):
        idx = np.arange(N)[:, None] + np.arange(L)[None, :]
        idx = idx % N if mistake == "wrap" else np.minimum(idx, N - 1)
        return np.einsum("lij,nlj->ni", W, x[idx])
    return context_window(W, x)


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
            got = call("check_context_window", student_fn, W.copy(), x.copy())
        except AssertionError as err:
            sizes = any(w in str(err) for w in ("shape", "mismatch", "align", "broadcast"))
            hint = " (is a tap applied transposed? xi[n] gets W[l] @ x[n+l])" if sizes else ""
            raise AssertionError(f"{err}{hint}") from err.__cause__
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
        if same(got, want):
            continue
        for mistake, why in _MISTAKES.items():
            if same(got, _reference(W, x, mistake)):
                raise AssertionError(f"check_context_window: {why} {case}")
        head = L - 1  # the steps whose window lies inside the segment
        where = (
            "the steps near the segment end are wrong: check the zero padding past x[N-1] (P10)"
            if same(got[: N - head], want[: N - head])
            else "xi differs from sum_l W[l] x[n+l] already where the window lies inside the segment"
        )
        raise AssertionError(f"check_context_window: {where} {case}; relative error {relative_error(got, want):.2g}.")
    return "check_context_window: passed, xi[n] = sum_l W[l] x[n+l] with zero padding on 3 random cases (L = 1, 3, 4)."


_TAPS = ("alpha_cu, x, L)", "alpha_cs, x, L)", "alpha_cr, x, L)", "alpha_cx, x, L)", "alpha_du_x, x, L)")

# Mistakes in the Augmented backward recursion: edits of :func:`lrnn.augmented_bptt.augmented_bptt_signals`.
AUGMENTED_PSI_MISTAKES = {
    "the projection is applied without its transpose: beta[n] = W_q_dr^T chi[n] (Eq. 218), because "
    "v = W_q_dr q (Eq. 214).": (("beta[n] = chi[n] @ W_q_dr", "beta[n] = chi[n] @ W_q_dr.T"),),
    "the projection is missing: the readout gate sees beta[n] = W_q_dr^T chi[n] (Eqs. 218-222), not chi[n].": (
        ("beta[n] = chi[n] @ W_q_dr", "beta[n] = chi[n]"),
    ),
    "the control input gate sends nothing back through v[n]: f_chi[n+1] (Eq. 228) has a fifth term, "
    "W_v_cx^T alpha_cx[n+1].": (("(alpha_cx, p.W_v_cx),", ""),),
    "the control input gate sends nothing back through s[n]: f_psi[n+1] (Eq. 229) has the term "
    "W_s_cx^T alpha_cx[n+1].": ((" + alpha_cx[n] @ W_s_cx", ""),),
    "alpha_cx[n] lacks the factor G_c'(a_cx[n]) = g_cx (1 - g_cx) of Eq. 227.": (
        ("bound(gamma_cx * dG_c_cx)", "bound(gamma_cx)"),
    ),
    "gamma_cx[n] = dE/dg_cx[n] is alpha_du[n] times the windowed input xi_x_du[n] that the gate "
    "multiplies (Eqs. 209, 226).": (("gamma_cx = alpha_du[n] * xi_du[n]", "gamma_cx = alpha_du[n]"),),
    "the carousel term is missing: f_psi[n+1] of Eq. 229 ends with g_cs[n+1] * psi[n+1].": (
        ("+ g_cs[n] * psi[n]", ""),
    ),
    "alpha_cs[n] uses s[n]; a_cs[n] sees the previous state, so Eq. 223 has s[n-1].": (
        ("psi[n] * s[n - 1] *", "psi[n] * s[n] *"),
    ),
}

# Mistakes in the Augmented parameter gradients: edits of :func:`lrnn.augmented_bptt.augmented_backward`.
AUGMENTED_GRADIENT_MISTAKES = {
    "the window gradient looks back, alpha[n] x^T[n-l]; tap l multiplied x[n+l] in the forward pass "
    "(Eq. 188), so its gradient is sum_n alpha[n] x^T[n+l], with x = 0 past the segment end (P10).": tuple(
        (t, t.replace(", x, L)", "[::-1], x[::-1], L)")) for t in _TAPS
    ),
    "the taps' gradients are in reverse order: tap l met x[n+l], so dE/dW[l] = sum_n alpha[n] x^T[n+l].": tuple(
        (t, t + "[::-1]") for t in _TAPS
    ),
    "dE/dW_q_dr uses r[n]; the projection multiplies the qualifier q[n] = g_cr[n] * r[n] (Eq. 214), so "
    "dE/dW_q_dr = chi[n] q^T[n] (Eq. 249).": (("chi.T @ q", "chi.T @ _rows(trace.r)"),),
    "dE/dW_s_cr uses s[n-1]; W_s_cr multiplies the current state s[n] (Eq. 203).": (
        ("_rows(alpha_cr).T @ s_now", "_rows(alpha_cr).T @ s_prev"),
    ),
    "dE/dW_v_* uses v[n]; every node sees the previous value v[n-1].": (("_rows(v[steps - 1])", "_rows(trace.v)"),),
}

_P7 = (
    "it matches the printed Eq. 246, alpha_du[n] x^T[n+l]: the windowed input reaches a_du through the control "
    "input gate, a_du = g_cx * xi_x_du + ... (Eq. 209), so the gradient is (alpha_du[n] * g_cx[n]) x^T[n+l] "
    "(erratum P7)."
)
_P3 = (
    "it matches the printed Eq. 222, W_s_cr alpha_cr[n]: the gradient needs W_s_cr^T alpha_cr[n] "
    "(erratum P3, as in Chapter 5)."
)


def _runnable(mistakes, *args) -> list:
    """``(result, why)`` of each mistaken function on ``args``; a mistake that cannot even run here is left out."""
    out = []
    for fn, why in mistakes:
        try:
            out.append((fn(*args), why))
        except ValueError:  # e.g. an untransposed projection with d_v != d_s: the shapes refuse it
            continue
    return out


def _augmented_cases(rng):
    """(params, trace, dE_dv): L = 3 with a square projection, N = 5; and d_v < d_s with N = 2 < L."""
    out = []
    for N, d_v in ((5, 3), (2, 2)):
        p = AugmentedLSTMParams.init(rng, 2, 3, d_v, L=3, scale=1.5)
        x, s0, v0 = rng.standard_normal((N, 2)), rng.standard_normal(3), 0.5 * rng.standard_normal(d_v)
        out.append((p, augmented_forward(p, x, s0=s0, v0=v0), rng.standard_normal((N, d_v))))
    return out


def check_augmented_backward(student_fn, *, seed: int = 0) -> str:
    """Check a student's Augmented LSTM backward pass (Eqs. 216-250) for one sequence.

    Parameters
    ----------
    student_fn : callable
        ``student_fn(params, trace, dE_dv) -> (grads, psi)`` with ``trace`` from
        :func:`lrnn.augmented.augmented_forward` on one ``(N, d_x)`` sequence, ``dE_dv`` of shape
        ``(N, d_v)`` (the first term of Eq. 217), ``grads`` an :class:`AugmentedLSTMParams` or a dict
        with its 20 field names (``W_x_*`` of shape ``(L, d_s, d_x)``), and ``psi`` of shape ``(N, d_s)``.
    seed : int, default 0
        Seed of the random cases.

    Returns
    -------
    str
        A success message.

    Raises
    ------
    AssertionError
        With a diagnosis: a projection without its transpose, a control input gate that sends nothing
        back, a window gradient that looks back, the printed Eq. 246 (erratum P7), ...

    Examples
    --------
    >>> check_augmented_backward(augmented_backward)
    'check_augmented_backward: passed, psi and all 20 gradients match lrnn.augmented_backward (Eqs. 216-250).'
    """
    label = "check_augmented_backward"
    for p, tr, dE in _augmented_cases(np.random.default_rng(seed)):
        case = f"{label} (case N = {len(tr.x)}, L = {p.L}, d_s = {p.d_s}, d_v = {p.d_v})"
        got = call(case, student_fn, p, tr, dE.copy())
        grads, psi = unpack(case, got, (None, tr.s.shape), "(grads, psi)")
        ref, ref_psi = augmented_backward(p, tr, dE)
        mutants = [(mutant(augmented_bptt_signals, *edits), why) for why, edits in AUGMENTED_PSI_MISTAKES.items()]
        mistakes = [(sig.psi, why) for sig, why in _runnable(mutants, p, tr, dE)]
        mistakes.insert(0, (augmented_backward(p, tr, dE, erratum_p3=True)[1], _P3))
        compare(case, "psi", psi, ref_psi, mistakes, axis0="steps n =", hint="check Eqs. 217-229")
        _check_augmented_grads(f"{case} (psi is right)", p, tr, dE, grads, ref)
    return f"{label}: passed, psi and all 20 gradients match lrnn.augmented_backward (Eqs. 216-250)."


def _check_augmented_grads(label, p, tr, dE, grads, ref) -> None:
    names = [f.name for f in dataclasses.fields(AugmentedLSTMParams)]
    missing = [k for k in names if field(grads, k) is None]
    if missing:
        raise AssertionError(f"{label}: grads lacks {missing}; return an AugmentedLSTMParams or a dict of all 20.")
    mutants = [(mutant(augmented_backward, *edits), why) for why, edits in AUGMENTED_GRADIENT_MISTAKES.items()]
    wrong = [(g, why) for (g, _), why in _runnable(mutants, p, tr, dE)]
    wrong.insert(0, (augmented_backward(p, tr, dE, erratum_p7=True)[0], _P7))
    hint = "check the outer products of Eqs. 230-249 and the sum over n (Eq. 172)"
    for k in names:
        mistakes = [(getattr(g, k), why) for g, why in wrong]
        compare(label, f"the gradient of {k}", field(grads, k), getattr(ref, k), mistakes, hint=hint)
