"""Which cells learn to remember, and how far back? The memory sweep of Chapter 7.

Trains the standard (tanh) RNN, the GRU, the Vanilla LSTM and the Augmented LSTM on the
memory benchmarks of :mod:`lrnn.tasks` at lags from 10 to 200 steps, three seeds each (five
for the main adding comparison at lags 100 and 200, where the chapter's headline claims rest), plus
the ablations the chapter discusses: training without gradient clipping, the LSTM's
forget-gate bias and chrono initialisation, the GRU's chrono initialisation, and orthogonal or
identity initialisation of the RNN; and the copy-memory task for the RNN's three initialisations,
the GRU and the Vanilla LSTM at the sweep's recipe (group ``copy``), and for these and the Augmented
LSTM with 128 units and a learning rate of 0.01 (group ``copy_wide``, three seeds at T = 10, 20 and
40). Every run is
deterministic given its configuration: the seed fixes the initial parameters
(``default_rng([seed, 0])``), the training batches (``default_rng([seed, 1])``), and the
validation batch depends only on the task and the lag.

One command runs everything and rewrites the committed results::

    python experiments/memory/sweep.py                 # all runs, 2 worker processes
    python experiments/memory/sweep.py --group main    # one group only (merged into the results)
    python experiments/memory/sweep.py --id gru-adding-200-s3 --workers 1   # chosen runs (merged)
    python experiments/memory/sweep.py --list          # the configurations, no training
    python experiments/memory/sweep.py --reproduce rnn-adding-10-s0   # one run, its record as JSON

Results go to ``experiments/memory/results/``: ``runs.json`` (every run: configuration, seed,
metrics, learning curves, wall time, the git commit) and ``summary.csv`` (success counts per
configuration). BLAS runs single-threaded (``OPENBLAS_NUM_THREADS=1``, set before numpy is
imported), so that a run gives the same numbers in a worker process, alone, or in a test.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy: one BLAS thread per process, bit-identical runs

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor, as_completed  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import lrnn  # noqa: E402
from lrnn.experiments import sweep as runner  # noqa: E402  (the runner shared with experiments/long_memory)
from lrnn.gate_ablations import CONSTRAINTS, ConstrainedOptimizer  # noqa: E402
from lrnn.optim import SGD, Adam  # noqa: E402
from lrnn.tasks import MEMORY_TASKS, accuracy  # noqa: E402
from lrnn.train import fit_sequences  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CODE = ("lrnn", "experiments/memory/sweep.py", "experiments/memory/models.py")  # the code a record names

_models = runner.load_module("memory_models", HERE / "models.py")  # under a name of its own
build_model, ABLATIONS = _models.build_model, _models.ABLATIONS
VAL_SEED = 2016  # the validation batches: default_rng([VAL_SEED, lag]), the same for every cell and seed
SEEDS = (0, 1, 2)
LAGS = (10, 25, 50, 100, 200)
HEADLINE_SEEDS = (0, 1, 2, 3, 4)  # the main adding comparison at the longest lag (HEADLINE_LAGS): five seeds
HEADLINE_LAGS = (100, 200)
COPY_LAGS = (10, 25, 50, 100)  # the copy-memory task: T blanks between the symbols and the cue
#: The copy-memory task with a recipe that can solve it (group ``copy_wide``): 128 units and a
#: learning rate of 0.01, measured to solve T = 10 with the GRU in 1250 updates, where 32 units
#: had not in 6000 updates at 0.003 nor in 3000 at 0.01.
COPY_WIDE = dict(d_s=128, lr=0.01)
COPY_WIDE_LAGS = (10, 20, 40)
#: Seeds of copy_wide per lag: three at every lag (an update at 128 units costs 4 to 7 times one
#: at 32; seeds 1 and 2 at T = 40 came in a later invocation than the rest).
COPY_WIDE_SEEDS = {10: SEEDS, 20: SEEDS, 40: SEEDS}

#: Settings shared by every run unless a configuration overrides them.
DEFAULTS = dict(
    d_s=32,  # state units of every cell
    batch=32,  # sequences per update
    steps=2000,  # updates per run (fresh batches: no epochs, no overfitting)
    optimizer="adam",
    lr=3e-3,
    clip=1.0,  # global-norm clipping threshold (Pascanu et al. 2013); None = no clipping
    eval_every=100,  # updates between validation losses
    val_size=256,  # sequences in the validation batch
    curve_every=50,  # training losses and gradient norms are kept as means (and maxima) over this many updates
)


def _config(group, task, cell, lag, seed, init=None, **overrides):
    cfg = dict(DEFAULTS, group=group, task=task, cell=cell, lag=lag, seed=seed, init=dict(init or {}))
    cfg.update(overrides)
    label = "-".join(f"{k}{v}" for k, v in sorted(cfg["init"].items()))
    extra = "-".join(f"{k}{overrides[k]}" for k in sorted(overrides))
    cfg["id"] = "-".join(p for p in (cell, task, str(lag), label, extra, f"s{seed}") if p)
    if group != "main":
        cfg["id"] = f"{group}:{cfg['id']}"
    return cfg


def configurations() -> list[dict]:
    """Every run of the sweep, in a fixed order."""
    runs = []
    # The main comparison: four cells, five lags, three seeds, each cell with its usual initialisation.
    main_init = {"rnn": {}, "gru": {}, "lstm": {"forget_bias": 1.0}, "augmented": {"forget_bias": 1.0}}
    for cell, init in main_init.items():
        for lag in LAGS:
            for seed in HEADLINE_SEEDS if lag in HEADLINE_LAGS else SEEDS:
                runs.append(_config("main", "adding", cell, lag, seed, init))
    # A second task: temporal order (Hochreiter and Schmidhuber 1997), three cells.
    for cell in ("rnn", "gru", "lstm"):
        for lag in (25, 50, 100):
            for seed in SEEDS:
                runs.append(_config("main", "temporal_order", cell, lag, seed, main_init[cell]))
    # Initialisation of the RNN: orthogonal and identity W_r instead of Gaussian.
    for scheme in ("orthogonal", "identity"):
        for lag in LAGS:
            for seed in SEEDS:
                runs.append(_config("rnn_init", "adding", "rnn", lag, seed, {"recurrent": scheme}))
    # The LSTM's forget-gate bias off (0) and chrono initialisation; the GRU's chrono initialisation.
    for lag in (100, 200):
        for seed in SEEDS:
            runs.append(_config("gate_init", "adding", "lstm", lag, seed, {"forget_bias": 0.0}))
            runs.append(_config("gate_init", "adding", "lstm", lag, seed, {"chrono": float(lag)}))
            runs.append(_config("gate_init", "adding", "gru", lag, seed, {"chrono": float(lag)}))
    # Which gates matter? Each gate ablation of lrnn.gate_ablations beside its parent (the main runs), at T = 100, 200.
    for cell in ABLATIONS:
        for lag in (100, 200):
            for seed in SEEDS:
                runs.append(_config("gate_ablation", "adding", cell, lag, seed, main_init[CONSTRAINTS[cell][0]]))
    # Clipping: the RNN without it, trained by SGD with momentum (clipped and not) and by Adam.
    for seed in SEEDS:
        for clip in (1.0, None):
            runs.append(_config("clipping", "adding", "rnn", 25, seed, {}, optimizer="sgd", lr=0.05, clip=clip))
        for lag in (25, 50):
            runs.append(_config("clipping", "adding", "rnn", lag, seed, {}, clip=None))
    # The copy-memory task (Hochreiter and Schmidhuber 1997), on which Arjovsky et al. (2016) and
    # Henaff et al. (2016) separate orthogonal RNNs from gated cells: the RNN's three
    # initialisations, the GRU and the Vanilla LSTM.
    copy_cells = [("rnn", {}), ("rnn", {"recurrent": "orthogonal"}), ("rnn", {"recurrent": "identity"}),
                  ("gru", {}), ("lstm", {"forget_bias": 1.0})]  # fmt: skip
    for cell, init in copy_cells:
        for lag in COPY_LAGS:
            for seed in SEEDS:
                runs.append(_config("copy", "copy", cell, lag, seed, init))
    # The same five and the Augmented LSTM, with 128 units and a learning rate of 0.01 (COPY_WIDE): the task
    # can separate them. (The Augmented LSTM did not run at the sweep's recipe: see README.md.)
    for cell, init in copy_cells + [("augmented", {"forget_bias": 1.0})]:
        for lag in COPY_WIDE_LAGS:
            for seed in COPY_WIDE_SEEDS[lag]:
                runs.append(_config("copy_wide", "copy", cell, lag, seed, init, **COPY_WIDE))
    return runs


def _optimizer(cfg):
    if cfg["cell"] in CONSTRAINTS:  # a gate ablation: its parent's gradient, projected onto the constraint
        parent, constraint = CONSTRAINTS[cfg["cell"]]
        return ConstrainedOptimizer(_optimizer(dict(cfg, cell=parent)), constraint)
    if cfg["optimizer"] == "adam":
        return Adam(lr=cfg["lr"])
    if cfg["optimizer"] == "sgd":
        return SGD(lr=cfg["lr"], momentum=0.9)
    raise ValueError(f"optimizer = {cfg['optimizer']!r}, expected 'adam' or 'sgd'.")


def run(cfg: dict) -> dict:
    """Train one configuration from scratch; return its record (configuration, metrics, curves)."""
    return train(cfg)[0]


def train(cfg: dict):
    """Train one configuration from scratch; return its record and the trained ``(cell, Readout)``.

    Parameters
    ----------
    cfg : dict
        One of :func:`configurations`.

    Returns
    -------
    record : dict
        As :func:`run` returns it.
    params : tuple
        The cell's parameters and the readout after the last update (``restore_best=False``).
    """
    t0, c0 = time.perf_counter(), time.process_time()
    task = MEMORY_TASKS[cfg["task"]]
    lag, seed = cfg["lag"], cfg["seed"]
    model = build_model(cfg["cell"], np.random.default_rng([seed, 0]), task.d_x, cfg["d_s"], task.d_y, **cfg["init"])
    val = task.generate(np.random.default_rng([VAL_SEED, lag]), cfg["val_size"], lag)
    res = fit_sequences(
        model,
        task.batches(lag, cfg["batch"]),
        np.random.default_rng([seed, 1]),
        steps=cfg["steps"],
        loss=task.loss,
        optimizer=_optimizer(cfg),
        clip_norm=cfg["clip"],
        validation=val,
        eval_every=cfg["eval_every"],
        restore_best=False,
        nonfinite="stop",
        progress=False,
    )
    record = runner.fit_record(cfg, task, res)  # the configuration and the metrics
    if cfg["cell"] in CONSTRAINTS:  # the variant's own parameters: the parent's, less held, off-diagonal and tied
        cell, readout = res.params
        record["n_params"] = int(CONSTRAINTS[cfg["cell"]][1].n_free(cell) + readout.W_y.size + readout.b_y.size)
    cell, readout = res.params
    if task.classify and not res.diverged:
        x, target, mask = val
        record["final_accuracy"] = accuracy(readout(cell.forward(x).output), target, mask)
    record["cpu_seconds"] = time.process_time() - c0
    record["wall_seconds"] = time.perf_counter() - t0
    return record, res.params


# Bookkeeping ------------------------------------------------------------------------------------


def git_commit() -> dict:
    """The commit the code ran at, and whether lrnn/ or experiments/memory/ had uncommitted changes."""
    return runner.code_version(HERE.parents[1], CODE)


def _cost(cfg) -> float:
    """Rough relative cost of a run, to start the longest runs first."""
    cell = CONSTRAINTS[cfg["cell"]][0] if cfg["cell"] in CONSTRAINTS else cfg["cell"]
    per_step = {"rnn": 1.0, "gru": 2.6, "lstm": 4.0, "augmented": 6.5}[cell]
    return per_step * cfg["lag"] * cfg["steps"]


def summary_rows(records: list[dict]) -> list[dict]:
    """One row per configuration (all seeds): successes, median final loss, median steps to success."""
    groups: dict[tuple, list] = {}
    for r in records:
        key = (r["group"], r["task"], r["cell"], json.dumps(r["init"], sort_keys=True), r["optimizer"], r["clip"])
        groups.setdefault(key + (r["lag"],), []).append(r)
    rows = []
    for (group, task, cell, init, opt, clip, lag), rs in sorted(groups.items(), key=lambda kv: str(kv[0])):
        steps = [r["steps_to_success"] for r in rs if r["steps_to_success"] is not None]
        rows.append(
            dict(
                group=group,
                task=task,
                cell=cell,
                init=init,
                optimizer=opt,
                clip=clip,
                lag=lag,
                seeds=len(rs),
                successes=sum(r["success"] for r in rs),
                diverged=sum(r["diverged"] for r in rs),
                median_final_loss=float(np.median([r["final_loss"] for r in rs])),
                baseline=rs[0]["baseline"],
                median_steps_to_success=float(np.median(steps)) if steps else None,
            )
        )
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--group", action="append", help="run only this group (repeatable); the rest is kept")
    ap.add_argument(
        "--id", action="append", dest="ids", metavar="ID", help="run only this id (repeatable); the rest is kept"
    )
    ap.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    runner.add_arguments(
        ap, "skip runs stored from the same code (lrnn/, sweep.py, models.py); missing runs first, then stale"
    )
    args = ap.parse_args(argv)

    configs = configurations()
    chosen = [c for c in configs if c["group"] in args.group] if args.group else configs
    if args.ids:
        unknown = sorted(set(args.ids) - {c["id"] for c in configs})
        if unknown:
            raise SystemExit(f"--id: no configuration with id {unknown[0]!r}; see --list")
        chosen = [c for c in chosen if c["id"] in args.ids]
    if runner.list_or_reproduce(args, configs, run, listed=chosen):
        return
    configs = chosen

    from tqdm.auto import tqdm

    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "runs.json"
    old = json.loads(path.read_text()) if path.exists() else {"meta": {}, "runs": []}
    ids = {c["id"] for c in configs}
    kept = [r for r in old["runs"] if r["id"] not in ids]
    load_before, t0, code = runner.load_average(), time.perf_counter(), git_commit()  # the code this sweep runs
    order = sorted(configs, key=_cost, reverse=True)
    if args.resume:
        if code["dirty"]:
            raise SystemExit("--resume needs committed code: lrnn/ or experiments/memory/ has uncommitted changes")
        stored = {r["id"]: r.get("code") for r in old["runs"]}
        order = [c for c in order if c["id"] not in stored] + [
            c for c in order if c["id"] in stored and stored[c["id"]] != code["code"]
        ]
        configs, ids = order, {c["id"] for c in order}
        kept = [r for r in old["runs"] if r["id"] not in ids]
    records = []
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        futures = [pool.submit(run, c) for c in order]
        with tqdm(total=len(futures), desc="memory sweep", unit="run") as bar:
            for fut in as_completed(futures):
                try:
                    r = fut.result()
                except BaseException:  # a failed run stops the sweep now, not after every other run
                    for f in futures:
                        f.cancel()
                    raise
                r["code"] = code["code"]  # lrnn/, sweep.py and models.py as committed when the run started
                records.append(r)
                _write(
                    path,
                    old,
                    kept + records,
                    _sweep_meta(configs, records, args.workers, load_before, t0, code, args.resume, args.ids),
                )
                bar.set_postfix_str(f"{r['id']}: {'solved' if r['success'] else 'not solved'}")
                bar.update()
    sweep = _sweep_meta(configs, records, args.workers, load_before, t0, code, args.resume, args.ids)
    _write(path, old, kept + records, sweep)
    print(
        f"{len(records)} runs in {sweep['wall_seconds'] / 60:.1f} min ({sweep['cpu_seconds'] / 60:.1f} CPU-min); "
        f"load average {load_before} -> {sweep['load_average_after']}; results in {path}"
    )


def _sweep_meta(configs, records, workers, load_before, t0, code, resume=False, ids=None) -> dict:
    """What one invocation of the sweep ran, how long it took, on which commit and under which load.

    ``ids`` (from ``--id``) are kept in the meta data when only those runs were chosen.
    """
    extra = {"ids": sorted(ids)} if ids else {}
    return dict(
        groups=sorted({c["group"] for c in configs}),
        runs=len(records),
        of=len(configs),
        wall_seconds=time.perf_counter() - t0,
        cpu_seconds=sum(r["cpu_seconds"] for r in records),
        workers=workers,
        load_average_before=load_before,
        load_average_after=runner.load_average(),
        resume=resume,
        **extra,
        started=time.strftime("%Y-%m-%d %H:%M", time.localtime(time.time() - (time.perf_counter() - t0))),
        **code,
    )


def _write(path: Path, old: dict, runs: list[dict], sweep: dict) -> None:
    """Write runs.json (runs in the order of configurations()) and summary.csv."""
    order = {c["id"]: i for i, c in enumerate(configurations())}
    runs = sorted(runs, key=lambda r: order.get(r["id"], len(order)))
    meta = dict(
        defaults=DEFAULTS,
        val_seed=VAL_SEED,
        python=platform.python_version(),
        numpy=np.__version__,
        lrnn=lrnn.__version__,
        machine=f"{platform.machine()}, {os.cpu_count()} CPUs",
        sweeps=[
            s
            for s in old.get("meta", {}).get("sweeps", [])
            if sweep.get("resume") or sweep.get("ids") or set(s["groups"]) - set(sweep["groups"])
        ]
        + [sweep],
    )
    runner.write_results(path, meta, runs, summary_rows(runs))


if __name__ == "__main__":
    main()
