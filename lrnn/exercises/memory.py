"""Self-checks for Chapter 7: a training loop written out, and one cell of the memory sweep reproduced.

:func:`check_train_loop` runs the student's loop (global-norm clipping, then Adam) on a small
GRU and compares every training loss, every gradient norm and the final parameters with
:func:`lrnn.train.fit_sequences` on the same batches; when they differ it tries the usual
mistakes (clipping each array on its own, no bias correction, ``eps`` under the square root,
the norm taken after clipping, rescaling even small gradients) and names the one that matches.

:func:`check_table_cell` reads the student's final validation losses for one setting of the
memory sweep (``experiments/memory``) and says whether they fall inside the spread of the
stored seeds, whether the runs with the sweep's own seeds reproduced the stored numbers, and
whether the successes agree.
"""

from __future__ import annotations

import json

import numpy as np

from ..gru import GRUParams
from ..losses import Readout
from ..optim import Adam, clip_by_global_norm, global_norm, tree_leaves, tree_map
from ..tasks import adding_problem
from ..train import fit_sequences, sequence_loss_and_grads
from .harness import as_array, call

__all__ = ["check_train_loop", "check_table_cell"]


# -- the training loop --------------------------------------------------------------------------


def _loop_case(seed: int):
    """A GRU of 6 units and its readout, and batches of 16 adding problems at lag 10."""
    rng = np.random.default_rng(seed)
    cell = GRUParams.init(rng, 2, 6)
    readout = Readout(W_y=rng.standard_normal((1, 6)) / np.sqrt(6), b_y=np.zeros(1))
    return (cell, readout), (lambda r: adding_problem(r, 16, 10))


def _variant(model, make_batch, rng, steps, lr, clip_norm, mistake):
    """The loop with one known mistake: ``(losses, norms, model)``."""
    b1, b2, eps = 0.9, 0.999, 1e-8
    m = tree_map(np.zeros_like, model)
    v = tree_map(np.zeros_like, model)
    losses, norms = [], []
    for t in range(1, steps + 1):
        E, g = sequence_loss_and_grads(model, make_batch(rng))
        norm = global_norm(g)
        if mistake == "per-array":
            g = tree_map(lambda a: a * min(1.0, clip_norm / max(np.linalg.norm(a), 1e-300)), g)
        elif mistake == "always-rescale":
            g = tree_map(lambda a, scale=clip_norm / norm: a * scale, g)
        elif mistake != "no-clip":
            g, _ = clip_by_global_norm(g, clip_norm)
        if mistake == "norm-after":
            norm = global_norm(g)
        m = tree_map(lambda a, b: b1 * a + (1 - b1) * b, m, g)
        v = tree_map(lambda a, b: b2 * a + (1 - b2) * b * b, v, g)
        c1, c2 = (1.0, 1.0) if mistake == "no-bias-correction" else (1 - b1**t, 1 - b2**t)
        if mistake == "eps-inside":
            model = tree_map(lambda p, a, b, c1=c1, c2=c2: p - lr * (a / c1) / np.sqrt(b / c2 + eps), model, m, v)
        else:
            model = tree_map(lambda p, a, b, c1=c1, c2=c2: p - lr * (a / c1) / (np.sqrt(b / c2) + eps), model, m, v)
        losses.append(E)
        norms.append(norm)
    return np.array(losses), np.array(norms), model


_MISTAKES = {
    "no-clip": "you do not clip: rescale the gradients whenever their global norm exceeds clip_norm",
    "per-array": "you clip each array by its own norm; clipping by the GLOBAL norm rescales all arrays by "
    "one factor, clip_norm / ||g||, where ||g|| is the norm of all gradients together",
    "always-rescale": "you rescale every gradient to norm clip_norm, also the small ones; clip only when "
    "||g|| > clip_norm (a smaller gradient passes unchanged)",
    "norm-after": "your recorded norms are taken after clipping; record ||g|| before it, as lrnn.train does "
    "(the norm after clipping is never above clip_norm, so it hides the explosions)",
    "no-bias-correction": "your Adam step has no bias correction: divide m by 1 - beta1^t and v by 1 - beta2^t, "
    "with t the number of the update (1 for the first)",
    "eps-inside": "your eps sits under the square root; Adam adds it to sqrt(v_hat): lr * m_hat / (sqrt(v_hat) + eps)",
}


def check_train_loop(student_fn, *, seed: int = 0, steps: int = 40, lr: float = 0.02, clip_norm: float = 0.3) -> str:
    """Check ``student_fn(model, make_batch, rng, steps, lr, clip_norm) -> (model, losses, norms)``.

    The student's loop draws one batch per update with ``make_batch(rng)``, computes the loss
    and gradients with :func:`lrnn.train.sequence_loss_and_grads`, records the loss and the
    global gradient norm, clips the gradients to global norm ``clip_norm`` and takes one Adam
    step (``beta1 = 0.9``, ``beta2 = 0.999``, ``eps = 1e-8``), written out by the student. It
    returns the trained model, and the loss and the norm (before clipping) of every update.

    The check trains a GRU of 6 units on the adding problem at lag 10 (batches of 16) and
    compares with :func:`lrnn.train.fit_sequences` (``optimizer=Adam(lr)``, ``clip_norm``) on
    the same batches. ``clip_norm = 0.3`` makes clipping act on some updates and not on others.

    Parameters
    ----------
    student_fn : callable
    seed : int, default 0
        Seed of the model and of the batches.
    steps : int, default 40
    lr : float, default 0.02
    clip_norm : float, default 0.3

    Returns
    -------
    str
        A one-line confirmation.

    Raises
    ------
    AssertionError
        Naming what differs, and the known mistake that reproduces the student's numbers if one does.

    Examples
    --------
    >>> from lrnn.optim import Adam
    >>> from lrnn.train import fit_sequences
    >>> def my_loop(model, make_batch, rng, steps, lr, clip_norm):
    ...     fit = fit_sequences(model, make_batch, rng, steps=steps, optimizer=Adam(lr=lr), clip_norm=clip_norm,
    ...                         progress=False)
    ...     return fit.params, fit.losses, fit.grad_norms
    >>> print(check_train_loop(my_loop))  # doctest: +ELLIPSIS
    check_train_loop: every loss, every gradient norm and the final parameters agree with lrnn.train ...
    """
    label = "check_train_loop"
    model, make_batch = _loop_case(seed)
    ref = fit_sequences(model, make_batch, np.random.default_rng(seed), steps=steps, optimizer=Adam(lr=lr),
                        clip_norm=clip_norm, progress=False)  # fmt: skip
    clipped = int(np.sum(ref.grad_norms > clip_norm))
    got = call(label, student_fn, model, make_batch, np.random.default_rng(seed), steps, lr, clip_norm)
    if not isinstance(got, tuple | list) or len(got) != 3:
        raise AssertionError(f"{label}: your function returned {type(got).__name__}; expected (model, losses, norms).")
    trained, losses, norms = got[0], as_array(label, "losses", got[1]), as_array(label, "norms", got[2])
    for name, arr in (("losses", losses), ("norms", norms)):
        if arr.shape != (steps,):
            raise AssertionError(f"{label}: {name} has shape {arr.shape}, expected ({steps},): one entry per update.")

    def close(a, b):
        return np.allclose(a, b, rtol=1e-8, atol=1e-12)

    ok = {"losses": close(losses, ref.losses), "norms": close(norms, ref.grad_norms)}
    try:
        ok["parameters"] = all(close(a, b) for a, b in zip(tree_leaves(trained), tree_leaves(ref.params), strict=True))
    except (TypeError, ValueError):
        raise AssertionError(
            f"{label}: the model you return is not a (cell, Readout) pair like the one you were given."
        ) from None
    if all(ok.values()):
        return (
            f"{label}: every loss, every gradient norm and the final parameters agree with lrnn.train "
            f"({steps} updates, {clipped} of them clipped)."
        )
    if not close(losses[:1], ref.losses[:1]):
        raise AssertionError(
            f"{label}: your first loss is {losses[0]:.6g}, lrnn's {ref.losses[0]:.6g}: before any update they "
            "must agree. Draw one batch per update with make_batch(rng) and score the model you were given."
        )
    for mistake, why in _MISTAKES.items():
        v_losses, v_norms, _ = _variant(model, make_batch, np.random.default_rng(seed), steps, lr, clip_norm, mistake)
        if close(losses, v_losses) and close(norms, v_norms):
            raise AssertionError(f"{label}: {why}.")
    first = int(np.argmax(~np.isclose(losses, ref.losses, rtol=1e-8, atol=1e-12))) if not ok["losses"] else None
    where = f" (losses first differ at update {first})" if first is not None else ""
    wrong = ", ".join(k for k, good in ok.items() if not good)
    raise AssertionError(
        f"{label}: your {wrong} differ from lrnn.train's{where}; none of the usual mistakes explains it. "
        "Per update: loss and gradients, the global norm of all gradients, clip if it exceeds clip_norm, "
        "then m, v, their bias corrections and the Adam step."
    )


# -- one cell of the sweep's table ----------------------------------------------------------------


def _stored(task: str, lag: int, cells) -> dict:
    from ..experiments import result

    runs = json.loads(result("memory", "results/runs.json").read_text(encoding="utf-8"))["runs"]
    out = {}
    for cell in cells:
        group = [
            r for r in runs if r["group"] == "main" and r["task"] == task and r["lag"] == lag and r["cell"] == cell
        ]
        if not group:
            raise ValueError(
                f"cell = {cell!r} at task = {task!r}, lag = {lag}: the sweep's main comparison has no such runs; "
                f"it has the cells {sorted({r['cell'] for r in runs if r['group'] == 'main' and r['task'] == task})} "
                f"and the lags {sorted({r['lag'] for r in runs if r['group'] == 'main' and r['task'] == task})}."
            )
        out[cell] = group
    return out


def check_table_cell(results: dict, *, task: str = "adding", lag: int = 50) -> str:
    """Compare the student's runs of one setting with the memory sweep's stored seeds.

    Parameters
    ----------
    results : dict
        ``{cell: {seed: final validation loss}}``, e.g. ``{"rnn": {0: 0.046, 1: ...}, "gru": {...}}``:
        each run trained as the sweep trains (``d_s = 32``, batches of 32, 2000 Adam updates at
        learning rate 0.003, gradients clipped to global norm 1) and scored on 256 fresh sequences.
    task : str, default "adding"
    lag : int, default 50

    Returns
    -------
    str
        A report, a line a cell: successes against the stored count, each loss against the stored
        range, and which runs reproduced the stored run of the same seed (relative difference
        below 1e-6).

    Raises
    ------
    ValueError
        ``results`` is not a dict of cells to ``{seed: loss}`` with finite positive losses, or names a
        cell the sweep did not run at this task and lag.
    AssertionError
        The runs contradict the table: a cell succeeds on every seed where every stored seed
        failed, or the other way round (check the budget, the learning rate, the clipping and the lag).

    Examples
    --------
    >>> print(check_table_cell({"rnn": {5: 0.05, 6: 0.07}, "gru": {5: 0.001, 6: 0.002}}))  # doctest: +ELLIPSIS
    RNN at lag 50: 0 of 2 succeed (stored: 0 of 3); 2 of 2 final losses inside the stored range ...
    GRU at lag 50: 2 of 2 succeed (stored: 3 of 3); 2 of 2 final losses inside the stored range ...
    """
    if not isinstance(results, dict) or not results:
        raise ValueError(f"results = {results!r}: expected {{cell: {{seed: final validation loss}}}}, e.g. "
                         "{'rnn': {0: 0.046}, 'gru': {0: 0.0005}}.")  # fmt: skip
    clean = {}
    for cell, runs in results.items():
        if not isinstance(runs, dict) or not runs:
            raise ValueError(
                f"results[{cell!r}] = {runs!r}: expected a non-empty dict {{seed: final validation loss}}."
            )
        losses = {int(s): float(v) for s, v in runs.items()}
        bad = {s: v for s, v in losses.items() if not (np.isfinite(v) and v > 0)}
        if bad:
            raise ValueError(f"results[{cell!r}] has losses {bad}: expected finite positive validation losses.")
        clean[cell] = losses
    stored = _stored(task, lag, clean)
    names = {"rnn": "RNN", "gru": "GRU", "lstm": "Vanilla LSTM", "augmented": "Augmented LSTM"}
    lines, contradictions = [], []
    for cell, losses in clean.items():
        group = stored[cell]
        threshold = group[0]["threshold"]
        finals = np.array([r["final_loss"] for r in group])
        lo, hi = finals.min(), finals.max()
        wins, stored_wins = sum(v < threshold for v in losses.values()), sum(r["success"] for r in group)
        inside = [s for s, v in losses.items() if lo * (1 - 1e-3) <= v <= hi * (1 + 1e-3)]  # to rounding
        same = [s for s, v in losses.items() for r in group if r["seed"] == s and abs(v - r["final_loss"]) <= 1e-6 * v]
        line = (
            f"{names.get(cell, cell)} at lag {lag}: {wins} of {len(losses)} succeed (stored: {stored_wins} of "
            f"{len(group)}); {len(inside)} of {len(losses)} final losses inside the stored range "
            f"{lo:.3g}-{hi:.3g} (success below {threshold:.3g})"
        )
        outside = sorted(set(losses) - set(inside))
        if outside:
            line += "; outside: " + ", ".join(f"seed {s} {losses[s]:.3g}" for s in outside)
        if same:
            line += (
                f"; seed{'s' if len(same) > 1 else ''} {', '.join(map(str, sorted(same)))} reproduce"
                + ("s" if len(same) == 1 else "")
                + " the stored run exactly"
            )
        lines.append(line + ".")
        if (wins == len(losses) and stored_wins == 0) or (wins == 0 and stored_wins == len(group)):
            contradictions.append(
                f"{names.get(cell, cell)}: {wins} of {len(losses)} of your runs succeed, {stored_wins} of "
                f"{len(group)} stored ones"
            )
    if contradictions:
        raise AssertionError(
            "check_table_cell: your runs contradict the table ("
            + "; ".join(contradictions)
            + "). Check the budget (2000 updates of batches of 32), Adam's learning rate 0.003, clipping to "
            "global norm 1, d_s = 32 and the lag.\n" + "\n".join(lines)
        )
    return "\n".join(lines)
