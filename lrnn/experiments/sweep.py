"""The resumable sweep runner that the memory sweeps share: records, bookkeeping and files.

Not in Sherstinsky's paper. ``experiments/memory/sweep.py`` (Chapter 7) and
``experiments/long_memory/sweep.py`` (Chapter 11) train cells on the memory tasks of
:mod:`lrnn.tasks`, one configuration a run, and store every run as a record in
``results/runs.json`` with a ``summary.csv`` beside it. What the two scripts do alike is here:

- :func:`load_module` imports a file of an experiment's folder under a name of its own
  (``models.py`` of two folders would otherwise clash as ``models``);
- :func:`fit_record` turns a configuration and its :class:`lrnn.train.FitResult` into the
  record's metrics (losses, success, updates to success, learning curves), the same fields in
  the same order for both;
- :func:`code_version` names the code a run ran (the commit, the tree hashes of ``lrnn/`` and
  the script's files, whether they had uncommitted changes), which is what ``--resume`` compares;
- :func:`load_average`, :func:`write_results` (``runs.json`` and ``summary.csv``), and the
  ``--list`` and ``--reproduce`` options (:func:`add_arguments`, :func:`list_or_reproduce`).

Each script keeps what is its own: its configurations, how a run trains, its summary rows and
its meta data, and how it schedules runs (worker processes, or one process in order).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

__all__ = [
    "add_arguments",
    "blocks",
    "code_version",
    "fit_record",
    "list_or_reproduce",
    "load_average",
    "load_module",
    "write_results",
]


def load_module(name: str, path: Path):
    """Import the file ``path`` as the module ``name`` (once: a second call returns the first module).

    Parameters
    ----------
    name : str
        The module's name in ``sys.modules``, e.g. ``"memory_models"``.
    path : pathlib.Path
        The ``.py`` file.

    Returns
    -------
    module
    """
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


def blocks(values: np.ndarray, size: int, reduce) -> list[float]:
    """``reduce`` over consecutive blocks of ``size`` values (the last block may be shorter).

    Parameters
    ----------
    values : numpy.ndarray, shape (n,)
    size : int
    reduce : callable
        E.g. ``np.mean`` or ``np.max``.

    Returns
    -------
    list of float, ``ceil(n / size)`` entries

    Examples
    --------
    >>> blocks(np.arange(5.0), 2, np.mean)
    [0.5, 2.5, 4.0]
    """
    return [float(reduce(values[i : i + size])) for i in range(0, len(values), size)]


def fit_record(cfg: dict, task, res) -> dict:
    """A run's record: its configuration ``cfg`` and the metrics of ``res``, in a fixed order.

    Parameters
    ----------
    cfg : dict
        The configuration; ``cfg["lag"]`` is the task's lag and ``cfg["curve_every"]`` the block
        size of the kept learning curves.
    task : lrnn.tasks.MemoryTask
        The task trained (its ``baseline`` and success ``threshold`` at the lag).
    res : lrnn.train.FitResult
        The training result, with ``(cell, Readout)`` as its parameters.

    Returns
    -------
    dict
        ``cfg`` and then ``n_params`` (readout included), ``baseline``, ``threshold``, ``final_loss``,
        ``best_loss``, ``success`` (final validation loss below the threshold, not diverged),
        ``steps_to_success`` (the first validation step below it, or None), ``diverged``,
        ``steps_run``, ``val_steps``, ``val_loss``, and the training loss and gradient norm as
        means (and maxima) over blocks of ``curve_every`` updates.
    """
    lag = cfg["lag"]
    threshold = task.threshold(lag)
    val_losses = [float(v) for v in res.val_losses]
    below = [int(s) for s, v in zip(res.val_steps, val_losses) if v < threshold]
    cell, readout = res.params
    return dict(
        cfg,
        n_params=int(cell.n_params + readout.W_y.size + readout.b_y.size),
        baseline=task.baseline(lag),
        threshold=threshold,
        final_loss=val_losses[-1],
        best_loss=min(val_losses),
        success=bool(val_losses[-1] < threshold and not res.diverged),
        steps_to_success=below[0] if below else None,
        diverged=bool(res.diverged),
        steps_run=int(res.steps),
        val_steps=[int(s) for s in res.val_steps],
        val_loss=val_losses,
        train_loss=blocks(res.losses, cfg["curve_every"], np.mean),
        grad_norm_mean=blocks(res.grad_norms, cfg["curve_every"], np.mean),
        grad_norm_max=blocks(res.grad_norms, cfg["curve_every"], np.max),
    )


def code_version(root: Path, paths: tuple[str, ...]) -> dict:
    """The code a run ran: the commit, the tree hashes of ``paths``, and whether they had uncommitted changes.

    Parameters
    ----------
    root : pathlib.Path
        The repository's root.
    paths : tuple of str
        Paths inside it, e.g. ``("lrnn", "experiments/memory/sweep.py", "experiments/memory/models.py")``.

    Returns
    -------
    dict
        ``commit`` (HEAD, or None outside a git checkout), ``code`` (the first 12 hex digits of each
        path's hash at HEAD, joined by ``/``, or None) and ``dirty`` (bool).
    """

    def git(*args):
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
        return out.stdout.strip()

    dirty = git("status", "--porcelain", "--", *paths)
    code = "/".join(git("rev-parse", f"HEAD:{p}")[:12] for p in paths)
    return {"commit": git("rev-parse", "HEAD") or None, "code": code or None, "dirty": bool(dirty)}


def load_average() -> list[float] | None:
    """The machine's load averages over 1, 5 and 15 minutes, rounded; None where the system has none."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def write_results(path: Path, meta: dict, runs: list[dict], rows: list[dict]) -> None:
    """Write ``runs.json`` (``{"meta": ..., "runs": ...}``, indented by one) and ``summary.csv`` beside it.

    Parameters
    ----------
    path : pathlib.Path
        The ``runs.json`` file.
    meta : dict
    runs : list of dict
        The records, in the order to store them.
    rows : list of dict
        The summary's rows (one a configuration over its seeds); none writes no ``summary.csv``.
    """
    path.write_text(json.dumps({"meta": meta, "runs": runs}, indent=1) + "\n")
    if rows:
        with open(path.parent / "summary.csv", "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


def add_arguments(ap: argparse.ArgumentParser, resume_help: str) -> None:
    """Add the options every sweep has: ``--list``, ``--resume`` (with the script's meaning) and ``--reproduce ID``."""
    ap.add_argument("--list", action="store_true", help="print the configurations and exit")
    ap.add_argument("--resume", action="store_true", help=resume_help)
    ap.add_argument("--reproduce", metavar="ID", help="run one configuration in this process, print its record")


def list_or_reproduce(args, configs: list[dict], run, listed: list[dict] | None = None) -> bool:
    """Do ``--reproduce ID`` (one run in this process, its record printed as JSON) or ``--list``.

    Parameters
    ----------
    args : argparse.Namespace
        With ``reproduce`` and ``list`` (:func:`add_arguments`).
    configs : list of dict
        Every configuration of the sweep (``--reproduce`` looks the id up among them).
    run : callable
        Trains one configuration and returns its record.
    listed : list of dict, optional
        The configurations ``--list`` prints (e.g. those of the chosen groups); all by default.

    Returns
    -------
    bool
        True when one of the two was done (the script then stops).

    Raises
    ------
    SystemExit
        ``--reproduce`` with an id that no configuration has.
    """
    if args.reproduce:
        (cfg,) = [c for c in configs if c["id"] == args.reproduce] or [None]
        if cfg is None:
            raise SystemExit(f"no configuration with id {args.reproduce!r}; see --list")
        print(json.dumps(run(cfg)))
        return True
    if args.list:
        listed = configs if listed is None else listed
        for c in listed:
            print(c["id"])
        print(f"{len(listed)} runs")
        return True
    return False
