"""Linear recurrences against gated cells at long lags: the sweep of the chapter "Back to the differential equation".

Trains the GRU, the Vanilla LSTM, the LRU and the selective state-space layer, each with
about a thousand parameters (``models.py``), on the adding problem at lags 200 and 1000 and on
selective copying (Gu and Dao 2023) at lag 100, three seeds each, with the same optimiser,
batch size and number of updates for every cell of a task and lag. Every run is deterministic
given its configuration: the seed fixes the initial parameters (``default_rng([seed, 0])``)
and the training batches (``default_rng([seed, 1])``); the validation batch depends only on
the task and the lag. For the LRU and the selective layer, each run also times one update
with the recurrence run by the associative scan and one with the step-by-step loop.

One command runs everything (one process; run it under ``nice``) and writes the results as
each run lands::

    python experiments/long_memory/sweep.py            # every run
    python experiments/long_memory/sweep.py --resume   # only the runs not stored yet
    python experiments/long_memory/sweep.py --list     # the configurations, no training
    python experiments/long_memory/sweep.py --reproduce lru-adding-200-s0   # one run, as JSON

Results go to ``experiments/long_memory/results/runs.json`` (every run: configuration, seed,
metrics, learning curves, CPU and wall time, the git commit) and ``summary.csv``. BLAS runs
single-threaded (set before numpy is imported), so a run gives the same numbers here, alone,
or in a test.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy: one BLAS thread, bit-identical runs

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from lrnn.experiments import sweep as runner  # noqa: E402  (the runner shared with experiments/memory)
from lrnn.losses import readout_loss  # noqa: E402
from lrnn.optim import Adam  # noqa: E402
from lrnn.tasks import MEMORY_TASKS, accuracy  # noqa: E402
from lrnn.train import fit_sequences, sequence_loss  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CODE = ("lrnn", "experiments/long_memory/sweep.py", "experiments/long_memory/models.py")  # the code a record names

models = runner.load_module("long_memory_models", HERE / "models.py")  # under a name of its own
VAL_SEED = 2023  # validation batches: default_rng([VAL_SEED, lag]), the same for every cell and seed
SEEDS = (0, 1, 2)
CELLS = models.CELLS

#: Settings shared by every run unless a configuration overrides them.
DEFAULTS = dict(
    batch=32,  # sequences per update
    optimizer="adam",
    lr=1e-2,
    clip=1.0,  # global-norm clipping threshold
    eval_every=50,  # updates between validation losses
    val_size=128,  # sequences in the validation batch (scored in chunks of `batch`)
    curve_every=50,  # training losses and gradient norms kept as means (and maxima) over this many updates
)

#: (task, lag, updates): the update budget of every cell at that task and lag.
SETTINGS = (("adding", 200, 600), ("selective_copy", 100, 600), ("adding", 1000, 200))


def _config(task, cell, lag, seed, steps):
    cfg = dict(DEFAULTS, task=task, cell=cell, lag=lag, seed=seed, steps=steps, size=dict(models.SIZES[cell]))
    cfg["id"] = f"{cell}-{task}-{lag}-s{seed}"
    return cfg


def configurations() -> list[dict]:
    """Every run of the sweep, in the order they run (cheapest settings first)."""
    return [_config(t, c, lag, s, steps) for t, lag, steps in SETTINGS for s in SEEDS for c in CELLS]


def _chunks(batch, size):
    x, target, mask = batch
    return [(x[:, i : i + size], target[:, i : i + size], mask[:, i : i + size]) for i in range(0, x.shape[1], size)]


def update_seconds(model, batch, loss, method: str | None, repeats: int = 2) -> float:
    """CPU seconds of one update's forward and backward pass (the least of ``repeats``).

    ``method`` = "scan" or "loop" runs a linear cell's recurrence (forward and backward) that way;
    None is a gated cell's own loop.
    """
    cell, readout = model
    x, target, mask = batch
    best = np.inf
    for _ in range(repeats):
        t0 = time.process_time()
        if method is None:
            trace, options = cell.forward(x), {}
        else:
            trace, options = models.FORWARD[type(cell).__name__](cell, x, method=method), {"method": method}
        _, dE_dv, _ = readout_loss(readout, trace.output, target, loss, mask)
        cell.backward(trace, dE_dv, **options)
        best = min(best, time.process_time() - t0)
    return float(best)


def run(cfg: dict) -> dict:
    """Train one configuration from scratch; return its record (configuration, metrics, curves)."""
    t0, c0 = time.perf_counter(), time.process_time()
    task = MEMORY_TASKS[cfg["task"]]
    lag, seed = cfg["lag"], cfg["seed"]
    model = models.build_model(cfg["cell"], np.random.default_rng([seed, 0]), task.d_x, task.d_y)
    val = task.generate(np.random.default_rng([VAL_SEED, lag]), cfg["val_size"], lag)
    chunks = _chunks(val, cfg["batch"])  # every chunk scores the same number of steps: the mean is the loss
    res = fit_sequences(
        model,
        task.batches(lag, cfg["batch"]),
        np.random.default_rng([seed, 1]),
        steps=cfg["steps"],
        loss=task.loss,
        optimizer=Adam(lr=cfg["lr"]),
        clip_norm=cfg["clip"],
        validation=lambda p: float(np.mean([sequence_loss(p, c, loss=task.loss) for c in chunks])),
        eval_every=cfg["eval_every"],
        restore_best=False,
        nonfinite="stop",
        progress=False,
    )
    train_cpu = time.process_time() - c0
    record = runner.fit_record(cfg, task, res)  # the configuration and the metrics
    cell, readout = res.params
    if not res.diverged:
        record["final_accuracy"] = (
            float(np.mean([accuracy(readout(cell.forward(c[0]).output), c[1], c[2]) for c in chunks]))
            if task.classify
            else None
        )
    # Timing of one update (not part of the reproduced numbers): the scan against the loop.
    batch = task.generate(np.random.default_rng([seed, 2]), cfg["batch"], lag)
    if cfg["cell"] in models.LINEAR:
        record["update_cpu_seconds"] = {m: update_seconds(res.params, batch, task.loss, m) for m in ("scan", "loop")}
    else:
        record["update_cpu_seconds"] = {"loop": update_seconds(res.params, batch, task.loss, None)}
    record["train_cpu_seconds"] = train_cpu
    record["cpu_seconds"] = time.process_time() - c0
    record["wall_seconds"] = time.perf_counter() - t0
    return record


# Bookkeeping ------------------------------------------------------------------------------------


def git_commit() -> dict:
    """The commit the code ran at, and whether lrnn/ or this folder had uncommitted changes."""
    return runner.code_version(HERE.parents[1], CODE)


def summary_rows(records: list[dict]) -> list[dict]:
    """One row per task, lag and cell (all seeds): successes, losses, updates to success, time per update."""
    groups: dict[tuple, list] = {}
    for r in records:
        groups.setdefault((r["task"], r["lag"], r["cell"]), []).append(r)
    rows = []
    for (task, lag, cell), rs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], CELLS.index(kv[0][2]))):
        steps = [r["steps_to_success"] for r in rs if r["steps_to_success"] is not None]
        times = {m: float(np.median([r["update_cpu_seconds"][m] for r in rs])) for m in rs[0]["update_cpu_seconds"]}
        rows.append(
            dict(
                task=task,
                lag=lag,
                cell=cell,
                n_params=rs[0]["n_params"],
                updates=rs[0]["steps"],
                seeds=len(rs),
                successes=sum(r["success"] for r in rs),
                diverged=sum(r["diverged"] for r in rs),
                median_final_loss=float(np.median([r["final_loss"] for r in rs])),
                baseline=rs[0]["baseline"],
                median_steps_to_success=float(np.median(steps)) if steps else None,
                update_seconds_scan=times.get("scan"),
                update_seconds_loop=times["loop"],
            )
        )
    return rows


def _write(path: Path, old: dict, records: list[dict], sweep: dict) -> None:
    order = {c["id"]: i for i, c in enumerate(configurations())}
    records = sorted(records, key=lambda r: order.get(r["id"], len(order)))
    meta = dict(old.get("meta", {}), defaults=DEFAULTS, settings=[list(s) for s in SETTINGS], sizes=models.SIZES)
    sweeps = [s for s in meta.get("sweeps", []) if s.get("started") != sweep["started"]]
    meta["sweeps"] = sweeps + [sweep]
    runner.write_results(path, meta, records, summary_rows(records))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    runner.add_arguments(ap, "run only the configurations not stored yet")
    args = ap.parse_args(argv)

    configs = configurations()
    if runner.list_or_reproduce(args, configs, run):
        return

    from tqdm.auto import tqdm

    code = git_commit()
    if code["dirty"]:
        raise SystemExit("commit lrnn/ and experiments/long_memory/ first: every record names the code it ran")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "runs.json"
    old = json.loads(path.read_text()) if path.exists() else {"meta": {}, "runs": []}
    stored = {r["id"]: r for r in old["runs"]}
    todo = [c for c in configs if not (args.resume and c["id"] in stored)]
    kept = [r for i, r in stored.items() if i not in {c["id"] for c in todo}]
    load_before, t0 = runner.load_average(), time.perf_counter()
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    records = []
    with tqdm(total=len(todo), desc="long-memory sweep", unit="run") as bar:
        for cfg in todo:
            r = run(cfg)
            r["code"] = code["code"]
            records.append(r)
            sweep = dict(
                runs=len(records),
                of=len(todo),
                wall_seconds=time.perf_counter() - t0,
                cpu_seconds=sum(x["cpu_seconds"] for x in records),
                load_average_before=load_before,
                load_average_after=runner.load_average(),
                resume=args.resume,
                started=started,
                **code,
            )
            _write(path, old, kept + records, sweep)
            bar.set_postfix_str(f"{r['id']}: {'solved' if r['success'] else 'not solved'}")
            bar.update()
    print(f"{len(records)} runs in {(time.perf_counter() - t0) / 60:.1f} min; results in {path}")


if __name__ == "__main__":
    main()
