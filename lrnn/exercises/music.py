"""Self-checks for Chapter 8: the published metric of polyphonic music modelling, and a training loop.

A student writes ``my_split_nll(model, rolls)``: the negative log-likelihood of a split in
nats per predicted frame, as Boulanger-Lewandowski et al. (2012) and Chung et al. (2014) report
it (Bernoulli NLL summed over the 88 keys, averaged over *all* predicted frames of the split,
frames ``0..T-2`` in and ``1..T-1`` predicted, each piece from the zero state).
:func:`check_split_nll` runs it on small random models and pieces of different lengths,
compares it with :func:`lrnn.music.split_nll` and names the most likely mistake: a mean over
keys instead of a sum, a mean per piece, padded frames counted, the wrong frame predicted, bits
instead of nats, the first frame scored.

A student also writes ``my_fit(model, train_rolls, valid_rolls, rng, epochs, patience, lr)``, the
training loop of the chapter's sweeps: shuffled mini-batches of whole pieces, padded and masked,
clipped gradients, Adam, the validation score after every epoch, early stopping, the best model
returned. :func:`check_fit_pieces` runs it on a small GRU and a few chorales and checks what the loop
must do, whatever its batch order: the curve starts at the untrained model's score, the model
returned is the best of the curve, training stops ``patience`` epochs after the best, and it learns
at least half as much as :func:`lrnn.music_models.fit_pieces` does in the same epochs.
"""

from __future__ import annotations

import numpy as np

from ..losses import Readout
from ..music import load_jsb_chorales, next_frame_batch, split_nll
from ..optim import tree_leaves, tree_map
from ..rnn import RNNParams
from .harness import as_array, call

__all__ = ["check_split_nll", "check_fit_pieces"]


def _per_frame(model, x, t):
    """Bernoulli NLL of each frame, summed over keys: ``(N, B)``."""
    y = model[1](model[0].forward(x).output)
    return np.sum(np.logaddexp(0.0, y) - t * y, axis=-1)


def _variants(model, rolls) -> dict:
    """What typical mistakes compute, by name."""
    x, t, m = next_frame_batch(rolls)
    l = _per_frame(model, x, t)
    lengths = m.sum(axis=0)
    same = _per_frame(model, x, x)  # frame n scored against itself
    return {
        "mean_keys": float(np.sum(l * m) / m.sum() / 88),
        "per_piece": float(np.mean(np.sum(l * m, axis=0) / lengths)),
        "padding": float(np.mean(l)),
        "same_frame": float(np.sum(same * m) / m.sum()),
        "bits": float(np.sum(l * m) / m.sum() / np.log(2)),
        "sum": float(np.sum(l * m)),
        "per_piece_sum": float(np.mean(np.sum(l * m, axis=0))),
    }


_MISTAKES = {
    "mean_keys": "your value is 1/88 of the right one: the NLL of a frame is the SUM of its 88 keys' Bernoulli NLLs, "
    "not their mean.",
    "per_piece": "you average per piece and then over pieces; the metric averages over all predicted frames of the "
    "split at once, so a long piece weighs more than a short one: sum every frame's NLL, divide by sum (T - 1).",
    "padding": "padded frames are counted: after a piece ends there is nothing to predict; weight each frame by the "
    "mask and divide by the number of real predicted frames.",
    "same_frame": "each output is scored against the frame it was computed from; the output after reading frame n "
    "predicts frame n + 1 (inputs rolls[:-1], targets rolls[1:]).",
    "bits": "your value is in bits (log base 2); the published numbers are in nats (natural log).",
    "sum": "you return the total over the split; divide by the number of predicted frames, sum (T - 1).",
    "per_piece_sum": "you return the mean total per piece; the metric is per predicted frame.",
}


def _cases(seed: int):
    rng = np.random.default_rng(seed)
    for d_s, lengths in ((3, (6, 2, 9)), (5, (4, 4)), (2, (12, 3, 7, 5))):
        cell = RNNParams.init(rng, 88, d_s)
        readout = Readout(rng.standard_normal((88, d_s)), rng.standard_normal(88) - 2.0)
        rolls = [(rng.random((T, 88)) < 0.05).astype(np.uint8) for T in lengths]
        yield (cell, readout), rolls


def check_split_nll(student_fn, *, seed: int = 0) -> str:
    """Check ``student_fn(model, rolls) -> float`` against :func:`lrnn.music.split_nll`.

    Parameters
    ----------
    student_fn : callable
        ``student_fn((cell, readout), rolls)``: ``cell`` has ``forward(x)`` with ``x`` of shape
        ``(T-1, 88)`` or ``(N, B, 88)`` and the trace's ``output``; ``readout(v)`` gives the logits.
    seed : int, default 0
        Seed of the random cases.

    Returns
    -------
    str
        A one-line confirmation.

    Raises
    ------
    AssertionError
        Naming the mistake when the value differs.

    Examples
    --------
    >>> print(check_split_nll(split_nll))
    check_split_nll: all 3 cases agree with lrnn.music.split_nll (pieces of different lengths, nats per frame).
    """
    cases = list(_cases(seed))
    for i, (model, rolls) in enumerate(cases):
        want = split_nll(model, rolls)
        rolls = [r.copy() for r in rolls]  # a function that changes its input cannot change the reference
        got = float(as_array("check_split_nll", "your result", call("check_split_nll", student_fn, model, rolls)))
        if np.isclose(got, want, rtol=1e-9, atol=0):
            continue
        for name, value in _variants(model, rolls).items():
            if np.isclose(got, value, rtol=1e-9, atol=0):
                raise AssertionError(f"check_split_nll: case {i}: {_MISTAKES[name]}")
        raise AssertionError(
            f"check_split_nll: case {i} (pieces of lengths {[len(r) for r in rolls]}): you return {got:.6g}, "
            f"expected {want:.6g} nats per predicted frame."
        )
    return f"check_split_nll: all {len(cases)} cases agree with lrnn.music.split_nll (pieces of different lengths, nats per frame)."  # noqa: E501


def _fit_case(seed: int):
    """A GRU of 8 units and its readout, 40 training and 16 validation chorales."""
    from ..music_models import init_model

    data = load_jsb_chorales()
    train, valid = data["train"][:40], data["valid"][:16]
    return init_model("gru", np.random.default_rng(seed), train, size=8), train, valid


def check_fit_pieces(student_fn, *, seed: int = 0, epochs: int = 15, patience: int = 3, lr: float = 0.1) -> str:
    """Check ``student_fn(model, train_rolls, valid_rolls, rng, epochs, patience, lr) -> (best_model, valid_curve)``.

    ``valid_curve[0]`` is the validation NLL before training and ``valid_curve[e]`` after epoch ``e``;
    ``best_model`` is the model of the lowest entry. The check trains a GRU of 8 units on 40
    chorales with a learning rate high enough (0.1) that validation turns up within a few epochs,
    scores the model returned, and trains the same start with :func:`lrnn.music_models.fit_pieces`
    for comparison.

    Parameters
    ----------
    student_fn : callable
    seed : int, default 0
        Seed of the initial model and of the generator passed to ``student_fn``.
    epochs, patience : int, default 15 and 3
    lr : float, default 0.1
        Adam's learning rate.

    Returns
    -------
    str
        A one-line confirmation with the two runs' best validation scores.

    Raises
    ------
    AssertionError
        Naming what the loop did wrong.

    Examples
    --------
    >>> from lrnn.music_models import fit_pieces
    >>> def my_fit(model, train, valid, rng, epochs, patience, lr):
    ...     fit = fit_pieces("gru", model, train, valid, rng, epochs=epochs, patience=patience, lr=lr, progress=False)
    ...     return fit.model, fit.valid_curve
    >>> print(check_fit_pieces(my_fit))  # doctest: +ELLIPSIS
    check_fit_pieces: the loop learns (best validation NLL ... for lrnn), returns its best model and stops ...
    """
    from ..music_models import fit_pieces

    label = "check_fit_pieces"
    model, train, valid = _fit_case(seed)
    start = split_nll(model, valid)
    snapshot = tree_map(np.copy, model)
    got = call(label, student_fn, model, list(train), list(valid), np.random.default_rng(seed), epochs, patience, lr)
    if not isinstance(got, tuple | list) or len(got) != 2:
        raise AssertionError(
            f"{label}: your function returned {type(got).__name__}; expected (best_model, valid_curve)."
        )
    best, curve = got[0], as_array(label, "valid_curve", got[1])
    if any(not np.array_equal(a, b) for a, b in zip(tree_leaves(model), tree_leaves(snapshot), strict=True)):
        raise AssertionError(
            f"{label}: your function changed the model it was given in place; train a copy (the optimiser's step "
            "returns new arrays), so that the caller's model stays the starting point."
        )
    if curve.ndim != 1 or not 2 <= len(curve) <= epochs + 1 or not np.all(np.isfinite(curve)):
        raise AssertionError(
            f"{label}: valid_curve has shape {curve.shape}, expected 2 to {epochs + 1} finite scores: the untrained "
            "model's, then one after each epoch."
        )
    if not np.isclose(curve[0], start, rtol=1e-9, atol=0):
        raise AssertionError(
            f"{label}: valid_curve[0] = {curve[0]:.6g}, expected {start:.6g}, the validation NLL of the model before "
            "any update (score it before the first epoch)."
        )
    score = split_nll(best, valid)
    lowest, k = float(curve.min()), int(np.argmin(curve))
    if not np.isclose(score, lowest, rtol=1e-9, atol=0):
        last = (
            " It scores what your last epoch scored: return the best model, not the last."
            if np.isclose(score, curve[-1], rtol=1e-9, atol=0)
            else ""
        )
        raise AssertionError(
            f"{label}: the model you return scores {score:.6g} on the validation split, but your curve's lowest "
            f"entry is {lowest:.6g} (epoch {k}).{last}"
        )
    waited = len(curve) - 1 - k  # epochs after the best
    if len(curve) < epochs + 1 and waited != patience:
        raise AssertionError(
            f"{label}: you stopped {waited} epochs after the best (epoch {k}); with patience = {patience}, stop "
            f"once {patience} epochs in a row bring no new best, and not before."
        )
    if len(curve) == epochs + 1 and waited > patience:
        raise AssertionError(
            f"{label}: {waited} epochs passed without a new best after epoch {k} and you did not stop: with "
            f"patience = {patience}, stop after {patience}."
        )
    ref = fit_pieces("gru", snapshot, train, valid, np.random.default_rng(seed), epochs=epochs, patience=patience,
                     lr=lr, progress=False)  # fmt: skip
    ref_best = float(ref.valid_curve.min())
    if start - lowest < 0.5 * (start - ref_best):
        raise AssertionError(
            f"{label}: your loop takes the validation NLL from {start:.4f} to {lowest:.4f}; lrnn's gets to "
            f"{ref_best:.4f} in the same epochs. Check the updates: the gradient of the MEAN loss per predicted "
            "frame (padding masked out), clipped to global norm 1, then one Adam step (with lr) per mini-batch."
        )
    stop = f"stops {patience} epochs after it" if len(curve) < epochs + 1 else f"runs its {epochs} epochs"
    return (
        f"{label}: the loop learns (best validation NLL {lowest:.3f} against {ref_best:.3f} for lrnn), returns its "
        f"best model and {stop}."
    )
