"""The success tables of README.md, from the committed runs: ``python experiments/memory/tables.py``.

Prints the tables (successes out of the seeds run, per setting and lag) that README.md holds
between its ``<!-- tables -->`` markers; ``--write`` puts them there. ``tests/test_experiments_memory.py``
checks that the README's tables are this script's output, so that they cannot go stale.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from lrnn.experiments import MEMORY_CELLS
from lrnn.widgets.view import plain_text

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
MARKERS = ("<!-- tables -->", "<!-- /tables -->")
#: (group, task, heading) in the README's order.
SECTIONS = (
    ("main", "adding", "**Adding problem, main comparison**"),
    ("main", "temporal_order", "**Temporal order, main comparison**"),
    ("rnn_init", "adding", "**Adding problem, `rnn_init`**: the standard RNN with orthogonal or identity $W_r$"),
    ("gate_init", "adding", "**Adding problem, `gate_init`**: the forget-gate bias and chrono initialisation"),
    ("clipping", "adding", "**Adding problem, `clipping`**: the standard RNN with SGD, or without clipping"),
    ("gate_ablation", "adding", "**Adding problem, `gate_ablation`**: each gate ablation of `lrnn.gate_ablations`"),
    ("copy", "copy", "**Copy memory, `copy`**: the sweep's recipe (2000 updates)"),
    ("copy_wide", "copy", "**Copy memory, `copy_wide`**: 128 units, Adam at learning rate 0.01"),
)


def setting(run: dict) -> str:
    """``"Vanilla LSTM (forget_bias 1), Adam lr 0.003, clip 1"``: what a row of a table compared.

    The state size and the number of updates are named where they are not the sweep's defaults
    (32 units, 2000 updates): ``"GRU, 64 units, 8000 updates, Adam lr 0.001, clip 1"``.
    """
    init = ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in sorted(run["init"].items()))
    size = (f", {run['d_s']} units" if run["d_s"] != 32 else "") + (
        f", {run['steps']} updates" if run["steps"] != 2000 else ""
    )
    opt = f"SGD lr {run['lr']:g}, momentum 0.9" if run["optimizer"] == "sgd" else f"Adam lr {run['lr']:g}"
    clip = "none" if run["clip"] is None else f"{run['clip']:g}"
    return plain_text(MEMORY_CELLS[run["cell"]]) + (f" ({init})" if init else "") + f"{size}, {opt}, clip {clip}"


def tables(runs: list) -> str:
    """The README's tables, in markdown."""
    out = []
    for group, task, heading in SECTIONS:
        rs = [r for r in runs if r["group"] == group and r["task"] == task]
        if not rs:
            continue
        lags = sorted({r["lag"] for r in rs})
        rows: dict = {}
        for r in rs:
            rows.setdefault(setting(r), {}).setdefault(r["lag"], []).append(r["success"])
        out += [f"{heading} (successes out of seeds):", ""]
        out.append("| setting | " + " | ".join(f"T = {lag}" for lag in lags) + " |")
        out.append("|---" * (len(lags) + 1) + "|")
        for name, by_lag in rows.items():
            cells = [f"{sum(by_lag[lag])}/{len(by_lag[lag])}" if lag in by_lag else "" for lag in lags]
            out.append(f"| {name} | " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def readme_tables(text: str) -> str:
    """What README.md holds between its markers."""
    m = re.search(re.escape(MARKERS[0]) + r"\n(.*?)" + re.escape(MARKERS[1]), text, re.S)
    if not m:
        raise ValueError(f"README.md has no {MARKERS[0]} ... {MARKERS[1]} block.")
    return m.group(1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="write the tables into README.md")
    args = ap.parse_args()
    runs = json.loads((HERE / "results" / "runs.json").read_text())["runs"]
    block = tables(runs)
    if not args.write:
        print(block, end="")
        return
    text = README.read_text()
    old = readme_tables(text)
    README.write_text(text.replace(MARKERS[0] + "\n" + old, MARKERS[0] + "\n" + block, 1))


if __name__ == "__main__":
    main()
