"""Self-checks for Chapter 9: the character model's forward pass and loss, and its training loop.

:func:`check_char_loss`
    A student writes ``my_char_loss(W_x, W_r, theta_s, W_y, b_y, codes)``: a standard RNN
    (Eqs. 32-33) reading one-hot characters, ``W_x x[n]`` taken as the column ``W_x[:, c[n]]``,
    a softmax readout, and the mean cross-entropy in nats of each next character, the stream
    read from the zero state. Compared with :func:`lrnn.text.nats_per_char`; the usual mistakes
    are named (a row instead of a column, the current character scored instead of the next,
    bits, a sum, a softmax that overflows).
:func:`check_fit`
    A student writes ``my_fit(model, x, target, k, steps, lr, clip_norm)``: stateful TBPTT(k, k)
    over one batch of streams, one update per window of ``k`` steps with the mean cross-entropy's
    gradient (:func:`lrnn.train.sequence_loss_and_grads`), clipped to global norm ``clip_norm``
    (:func:`lrnn.optim.clip_by_global_norm`), and an Adam step (:class:`lrnn.optim.Adam`); it
    returns the trained model and each update's loss. Compared with :func:`lrnn.train.fit_sequences`.
"""

from __future__ import annotations

import numpy as np

from ..gru import TorchGRUParams
from ..losses import Readout, softmax_cross_entropy
from ..onehot import OneHot
from ..optim import Adam, clip_by_global_norm
from ..rnn import RNNParams
from ..text import nats_per_char
from ..train import fit_sequences, sequence_loss_and_grads
from .harness import as_array, call

__all__ = ["check_char_loss", "check_fit"]


def _rnn_loss(W_x, W_r, theta_s, W_y, b_y, codes, *, same=False, bits=False, total=False):
    """The loss with one of the usual mistakes switched on (all off: the right one)."""
    r, losses = np.zeros(len(W_r)), []
    for n in range(len(codes) - 1):
        r = np.tanh(W_r @ r + W_x[:, codes[n]] + theta_s)  # Eqs. 32-33, W_x x[n] = column c[n] of W_x
        y = W_y @ r + b_y
        log_p = y - y.max() - np.log(np.exp(y - y.max()).sum())
        losses.append(-log_p[codes[n] if same else codes[n + 1]])
    E = np.sum(losses) if total else np.mean(losses)
    return E / np.log(2) if bits else E


_MISTAKES = {
    "same": "each output is scored against the character it just read; the output after reading c[n] predicts "
    "c[n + 1].",
    "bits": "your value is in bits (log base 2); the score here is in nats (natural log).",
    "total": "you return the sum over the characters; the score is the mean per predicted character.",
}


def check_char_loss(student_fn, *, seed: int = 0) -> str:
    """Check ``student_fn(W_x, W_r, theta_s, W_y, b_y, codes) -> float`` against :func:`lrnn.text.nats_per_char`.

    Examples
    --------
    >>> def mine(W_x, W_r, theta_s, W_y, b_y, codes):
    ...     r, total = np.zeros(len(W_r)), 0.0
    ...     for n in range(len(codes) - 1):
    ...         r = np.tanh(W_r @ r + W_x[:, codes[n]] + theta_s)
    ...         y = W_y @ r + b_y
    ...         total += np.logaddexp.reduce(y) - y[codes[n + 1]]
    ...     return total / (len(codes) - 1)
    >>> print(check_char_loss(mine))
    check_char_loss: all 3 cases agree with lrnn.text.nats_per_char (one-hot lookup, next character, nats, mean).
    """
    rng = np.random.default_rng(seed)
    label = "check_char_loss"
    for i, (V, d_s, M, scale) in enumerate(((5, 3, 12, 1.0), (7, 4, 30, 1.0), (4, 2, 9, 3000.0))):
        cell = RNNParams.init(rng, V, d_s)
        W_y, b_y = scale * rng.standard_normal((V, d_s)), rng.standard_normal(V)
        codes = rng.integers(0, V, M)
        args = (cell.W_x, cell.W_r, cell.theta_s, W_y, b_y, codes)
        want = nats_per_char((cell, Readout(W_y, b_y)), codes)
        copies = [a.copy() for a in args]  # the student's function cannot change the reference
        try:
            value = student_fn(*copies)
        except (ValueError, IndexError) as exc:
            raise AssertionError(
                f"{label}: case {i}: your function raised {type(exc).__name__}: {exc}. W_x has shape (d_s, V) = "
                f"{cell.W_x.shape}; W_x x[n] for a one-hot x[n] = e_c is the COLUMN W_x[:, c], of shape (d_s,)."
            ) from exc
        got = float(as_array(label, "your result", value))
        if np.isclose(got, want, rtol=1e-9, atol=0):
            continue
        if not np.isfinite(got):
            raise AssertionError(
                f"{label}: case {i} (logits up to {scale:g} times larger) gives {got}: subtract the largest logit "
                "before exponentiating (log softmax(y) = y - max y - log sum exp(y - max y))."
            )
        for name in _MISTAKES:
            if np.isclose(got, _rnn_loss(*args, **{name: True}), rtol=1e-9, atol=0):
                raise AssertionError(f"{label}: case {i}: {_MISTAKES[name]}")
        raise AssertionError(f"{label}: case {i} (V = {V}, d_s = {d_s}, {M} characters): you return {got:.6g}, "
                             f"expected {want:.6g} nats per character.")  # fmt: skip
    return f"{label}: all 3 cases agree with lrnn.text.nats_per_char (one-hot lookup, next character, nats, mean)."


def _reference(model, x, target, k, steps, lr, clip_norm, *, carry=True, clip=True, fresh_adam=False):
    """The training loop, with one mistake switched off (all on: fit_sequences' loop)."""
    opt, state, h, losses = Adam(lr=lr), None, None, []
    for j in range(steps):
        w = slice(j * k, (j + 1) * k)
        if fresh_adam or state is None:
            state = opt.init(model) if hasattr(opt, "init") else opt.init_state(model)
        E, grads = sequence_loss_and_grads(model, (x[w], target[w]), loss=softmax_cross_entropy,
                                           state=h if carry else None)  # fmt: skip
        if clip:
            grads, _ = clip_by_global_norm(grads, clip_norm)
        h = model[0].forward(x[w], h if carry else None).last_state
        model, state = opt.step(model, grads, state)
        losses.append(E)
    return np.array(losses)


_LOOP_MISTAKES = {
    "carry": "the state is reset at every window; stateful TBPTT starts each window from the state the previous "
    "window ended in (trace.last_state), with the gradient stopped there.",
    "clip": "the gradients are not clipped (or not by their global norm over every array); scale them all by "
    "min(1, clip_norm / ||g||) with lrnn.optim.clip_by_global_norm.",
    "fresh_adam": "Adam's moments restart at every update; initialise the optimiser's state once and pass the "
    "state each step returns to the next.",
}


def check_fit(student_fn, *, seed: int = 0) -> str:
    """Check ``student_fn(model, x, target, k, steps, lr, clip_norm) -> (model, losses)`` against lrnn.train.

    ``x`` is a :class:`lrnn.onehot.OneHot` of shape ``(N, B, V)``, ``target`` the next codes
    ``(N, B)``; window ``j`` covers steps ``j k .. (j + 1) k - 1``.
    """
    rng = np.random.default_rng(seed)
    label = "check_fit"
    V, d_s, B, k, steps, lr, clip_norm = 6, 5, 3, 4, 5, 0.05, 0.5
    model = (TorchGRUParams.init(rng, V, d_s), Readout(rng.standard_normal((V, d_s)), np.zeros(V)))
    codes = rng.integers(0, V, (k * steps + 1, B))
    x, target = OneHot(codes[:-1], V), codes[1:]
    res = fit_sequences(model, lambda rng: (x, target), rng, steps=steps, loss=softmax_cross_entropy, tbptt=k,
                        optimizer=Adam(lr=lr), clip_norm=clip_norm, progress=False)  # fmt: skip
    out = call(label, student_fn, model, x, target, k, steps, lr, clip_norm)
    if not isinstance(out, tuple | list) or len(out) != 2:
        raise AssertionError(f"{label}: your function returned {type(out).__name__}; expected (model, losses).")
    got = as_array(label, "losses", out[1])
    if got.shape != (steps,):
        raise AssertionError(f"{label}: losses has shape {got.shape}, expected ({steps},): one loss per window.")
    if not np.allclose(got, res.losses, rtol=1e-9, atol=0):
        for name, why in _LOOP_MISTAKES.items():
            if np.allclose(got, _reference(model, x, target, k, steps, lr, clip_norm, **{name: name == "fresh_adam"}),
                           rtol=1e-9, atol=0):  # fmt: skip
                raise AssertionError(f"{label}: {why}")
        raise AssertionError(f"{label}: your losses {np.round(got, 6).tolist()} differ from lrnn's "
                             f"{np.round(res.losses, 6).tolist()}.")  # fmt: skip
    trained = out[0]
    if not np.allclose(trained[0].W_s_u, res.params[0].W_s_u, rtol=1e-9, atol=1e-12):
        raise AssertionError(f"{label}: the losses agree but the returned model does not: return the model after "
                             "the last update.")  # fmt: skip
    what = "state carried, clipped, Adam"
    return f"{label}: {steps} windows of TBPTT({k}, {k}) agree with lrnn.train.fit_sequences ({what})."
