"""Ch. 7 explorer: the committed memory sweep, run by run (``experiments/memory``).

Every run of the sweep stored its learning curves: the validation loss every 100 updates, and
the gradient norm (before clipping) averaged over each 50 updates. The explorer shows them for
one setting (task, cell, its initialisation, clipping) and one lag, every seed a curve, against
the task's memoryless baseline and the success threshold (``lrnn.tasks.SUCCESS_FRACTION`` of it).
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from ..experiments import MEMORY_CELLS
from .explorer import Control, Explorer
from .view import Panel, Series, View, plain_text, sci

__all__ = ["memory_runs_view", "memory_runs_explorer", "memory_settings"]

_TASKS = {"adding": "adding", "temporal_order": "temporal order", "copy": "copy memory"}
_LOSSES = {"adding": "MSE", "temporal_order": "cross-entropy", "copy": "cross-entropy"}
_NEEDED = ("task", "cell", "lag", "seed", "init", "clip", "baseline", "threshold", "success", "steps_to_success")
_CURVES = ("val_steps", "val_loss", "grad_norm_mean", "curve_every", "final_loss")


def _init_text(run: dict) -> str:
    """The initialisation in words (option labels are plain text: no markup)."""
    init = run["init"] or {}
    if not init:
        return "Gaussian init" if run["cell"] == "rnn" else ""
    parts = []
    for key, value in sorted(init.items()):
        if key == "recurrent":
            parts.append(f"{value} init")
        elif key == "forget_bias":
            parts.append(f"forget bias {value:g}")
        elif key == "chrono":
            parts.append("chrono init (T_max = T)" if value == run["lag"] else f"chrono init (T_max = {value:g})")
        else:
            parts.append(f"{key} = {value}")
    return ", ".join(parts)


def _setting(run: dict, usual: tuple, usual_size: tuple = (None, None)) -> str:
    """``"adding · Vanilla LSTM, forget bias 1"``: clipping is named only when it is off, the
    optimiser only when it is not the ``usual`` ``(optimizer, lr)`` of the sweep, the state size
    and the number of updates only when they are not the ``usual_size`` ``(d_s, steps)``."""
    task = _TASKS.get(run["task"], run["task"].replace("_", " "))
    cell = plain_text(MEMORY_CELLS.get(run["cell"], run["cell"]))
    init = _init_text(run)
    clip = ", no clipping" if run["clip"] is None else ("" if run["clip"] == 1 else f", clip {run['clip']:g}")
    optim = (run.get("optimizer"), run.get("lr"))
    how = "" if optim == usual else f", {str(optim[0]).upper() if optim[0] == 'sgd' else optim[0]} (lr {optim[1]:g})"
    d_s, steps = run.get("d_s"), run.get("steps")
    size = (f", {d_s} units" if d_s != usual_size[0] else "") + (
        f", {steps:,} updates" if steps != usual_size[1] else ""
    )
    return f"{task} · {cell}" + (f", {init}" if init else "") + size + clip + how


def memory_settings(runs: list) -> dict:
    """``{setting label: {lag: [run, ...] sorted by seed}}``: the sweep's runs by what was compared.

    Parameters
    ----------
    runs : list of dict
        Records of ``experiments/memory/results/runs.json`` (its ``"runs"``): each with the task,
        cell, lag, seed, initialisation, clipping, baseline, threshold, success and its curves.

    Returns
    -------
    dict
        Settings by task, then cell, then in the order they first appear; lags ascending.

    Raises
    ------
    ValueError
        ``runs`` is empty, or a record lacks a field the explorer reads.
    """
    if not isinstance(runs, list | tuple) or not runs:
        raise ValueError(
            f"runs = {type(runs).__name__} of length {len(runs) if hasattr(runs, '__len__') else '?'}: expected "
            'the non-empty list json.loads(result("memory", "results/runs.json").read_text())["runs"].'
        )
    settings: dict = defaultdict(lambda: defaultdict(list))
    for i, run in enumerate(runs):
        missing = [k for k in _NEEDED + _CURVES if k not in run]
        if missing:
            raise ValueError(f"runs[{i}] lacks {', '.join(missing)}: expected a record of experiments/memory's sweep.")
    usual = Counter((r.get("optimizer"), r.get("lr")) for r in runs).most_common(1)[0][0]
    usual_size = Counter((r.get("d_s"), r.get("steps")) for r in runs).most_common(1)[0][0]
    for run in runs:
        settings[_setting(run, usual, usual_size)][int(run["lag"])].append(run)
    tasks, cells = list(_TASKS), list(MEMORY_CELLS)

    def order(item):  # by task, then cell, then where the setting first appears
        first = next(iter(item[1].values()))[0]
        rank = lambda key, known: known.index(key) if key in known else len(known)  # noqa: E731
        return rank(first["task"], tasks), rank(first["cell"], cells)

    return {
        name: {lag: sorted(by_lag[lag], key=lambda r: r["seed"]) for lag in sorted(by_lag)}
        for name, by_lag in sorted(settings.items(), key=order)
    }


def _steps(run: dict, key: str) -> np.ndarray:
    if key == "val_loss":
        return np.asarray(run["val_steps"], dtype=float)
    every = run["curve_every"]
    return every * (np.arange(len(run[key])) + 1.0)


def _nearest(by_lag: dict, lag: int) -> int:
    """The lag a setting ran that is nearest to ``lag`` on a log scale (the shorter of two as near)."""
    return min(by_lag, key=lambda k: (abs(np.log(k / lag)), k))


def memory_runs_view(setting: str, lag: int, *, settings: dict) -> View:
    """Compute behind :func:`memory_runs_explorer` for one setting and lag.

    Parameters
    ----------
    setting : str
        A key of ``settings``.
    lag : int
        The lag asked for; a setting the sweep ran at other lags only shows its nearest lag,
        and the sentence says so.
    settings : dict
        :func:`memory_settings` of the runs.

    Returns
    -------
    View
        Left: validation loss against updates, a curve a seed, with the memoryless baseline and
        the success threshold. Right: the mean gradient norm before clipping. ``values`` holds
        ``successes``, ``seeds``, ``lag`` (shown) and ``steps_to_success`` (of the successes).
    """
    by_lag = settings[setting]
    shown = _nearest(by_lag, lag)
    runs = by_lag[shown]
    baseline, threshold = runs[0]["baseline"], runs[0]["threshold"]
    task = runs[0]["task"]
    loss = _LOSSES.get(task, "loss")
    curves, norms = [], []
    for i, run in enumerate(runs):
        label = f"seed {run['seed']}" + ("" if run["success"] else " (fails)")
        curves.append(Series(_steps(run, "val_loss"), np.asarray(run["val_loss"], float), label, "line", i % 7))
        g = np.asarray(run["grad_norm_mean"], float)
        norms.append(Series(_steps(run, "grad_norm_mean"), g, label, "line", i % 7))
    last = float(max(s.x[-1] for s in curves))
    guides = (
        Series(np.array([0.0, last]), np.array([baseline, baseline]), "memoryless baseline", "dotted", 7),
        Series(np.array([0.0, last]), np.array([threshold, threshold]), "success threshold", "dashed", 7),
    )
    clip = runs[0]["clip"]
    clip_line = (
        ()
        if clip is None
        else (Series(np.array([0.0, last]), np.array([clip, clip]), "clipping threshold", "dashed", 7),)
    )
    left = Panel(
        series=tuple(curves) + guides,
        title=f"validation {loss}",
        xlabel="update",
        ylabel=loss,
        logy=True,
        ylim=_decades(curves + list(guides)),
    )
    right = Panel(
        series=tuple(norms) + clip_line,
        title=f"gradient norm{' before clipping' if clip is not None else ''}, mean of 50 updates",
        xlabel="update",
        ylabel="‖∇E‖",
        logy=True,
        ylim=_decades(norms + list(clip_line)),
    )
    wins = [r for r in runs if r["success"]]
    steps = [int(r["steps_to_success"]) for r in wins]
    head = f"T = {shown}" if shown == lag else f"T = {shown} (this setting did not run at T = {lag})"
    text = f"{head}: {len(wins)} of {len(runs)} seeds succeed"
    if wins:
        text += f", after {_series_text(steps)} updates"
    losers = [r for r in runs if not r["success"]]
    if losers:
        ends = sorted(float(r["final_loss"]) / baseline for r in losers)
        text += (
            f"; {'the failures end' if len(losers) > 1 else 'the failure ends'} at "
            f"{_series_text([f'{100 * e:.0f} %' for e in ends])} of the memoryless baseline {sci(baseline)}"
        )
    peak = max(float(np.max(r["grad_norm_mean"])) for r in runs)
    text += f". The largest mean gradient norm over 50 updates is {sci(peak)}."
    values = {"successes": len(wins), "seeds": len(runs), "lag": shown, "steps_to_success": steps, "peak_norm": peak}
    return View(panels=(left, right), text=text, values=values)


def _decades(series: list) -> tuple:
    """Whole decades around every value of ``series``: a log axis with a tick at each power of ten."""
    values = np.concatenate([np.asarray(s.y, float) for s in series])
    lo, hi = np.floor(np.log10(values.min())), np.ceil(np.log10(values.max()))
    return 10.0**lo, 10.0 ** max(hi, lo + 1)


def _series_text(items: list) -> str:
    items = [f"{x:,}" if isinstance(x, int) else str(x) for x in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def memory_runs_explorer(runs: list | None = None) -> Explorer:
    """Ch. 7 explorer: every stored run of the memory sweep, by setting and lag.

    Parameters
    ----------
    runs : list of dict, optional
        The sweep's records; by default the committed ``experiments/memory/results/runs.json``
        (:func:`lrnn.experiments.result`).

    Examples
    --------
    >>> ex = memory_runs_explorer()
    >>> [c.name for c in ex.controls]
    ['setting', 'lag']
    """
    if runs is None:
        import json

        from ..experiments import result

        runs = json.loads(result("memory", "results/runs.json").read_text(encoding="utf-8"))["runs"]
    settings = memory_settings(runs)
    names = tuple(settings)
    lags = tuple(sorted({lag for by_lag in settings.values() for lag in by_lag}))
    default = next((n for n in names if n.startswith(f"{_TASKS['adding']} · {MEMORY_CELLS['lstm']}")), names[0])
    return Explorer(
        title="The memory sweep, run by run",
        controls=(
            Control("setting", "setting", names, default, widget="select"),
            Control("lag", "lag T", lags, 100 if 100 in lags else lags[0], fmt="{:d}"),
        ),
        compute=lambda setting, lag: memory_runs_view(setting, lag, settings=settings),
        # the page stores the runs of a setting once per lag it ran; another lag shows the nearest
        alias=lambda setting, lag: {"setting": setting, "lag": _nearest(settings[setting], lag)},
        caption="Each curve is one seed. Slide the lag up for the standard RNN and for a gated cell; compare "
        "the RNN's three initialisations of W_{r}; pick the runs without clipping and read the gradient norm; "
        "compare the LSTM's forget-gate bias with chrono initialisation at T = 100 and 200; on the copy task, "
        "compare 32 units with 128 for the GRU and the two LSTMs.",
    )
