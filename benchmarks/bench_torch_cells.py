"""lrnn.torch's modules against torch.nn.LSTM and the numpy cells: one forward + backward pass.

Contenders, at the sizes of ``bench_lstm.py`` (N = 100, B = 64, d_x = 64, d_s = 256), on the CPU:

- ``numpy, book BPTT``: :func:`lrnn.lstm_forward` + :func:`lrnn.lstm_backward`, the paper's cell
  with full pinholes and the hand-derived backward pass (float64 only);
- ``lrnn.torch.VanillaLSTM``: the same cell written in torch, differentiated by autograd, with and
  without pinholes (without, it is the computation of ``nn.LSTM``); with ``backward="book"``
  (float64 only): the numpy cell and its hand-derived backward pass as one autograd op
  (:class:`lrnn.torch.modules.BookCellFunction`); and compiled by ``torch.compile`` (its
  compilation time reported apart; where it cannot compile, the row says why);
- ``lrnn.torch.AugmentedLSTM``: ``L = 1`` and ``L = 3``, projection to ``d_v = d_s / 2``, by
  autograd and with ``backward="book"``;
- ``lrnn.torch.GRU`` (Chung's convention), by autograd and with ``backward="book"``;
- ``torch.nn.LSTM``: PyTorch's fused cell (no pinholes).

The pinhole products cost 3 d_s^2 multiply-adds per step forward (``W_s_cu s``, ``W_s_cs s``,
``W_s_cr s``) on top of the 4 d_s^2 of the recurrent products ``W_v_* v``; the backward pass
doubles both. Timed by process CPU time with one thread (``--threads``), in alternating rounds,
the median of each contender's best-of-3 per round. Where ``torch.cuda.is_available()``, the
torch contenders are timed on the GPU as well (wall clock after ``torch.cuda.synchronize()``).
``--save`` writes ``experiments/jsb_torch/bench_cells.json``, which the PyTorch page shows,
with ``--note`` (say what else ran on the machine) and the load average before and after.
``--smoke`` runs tiny sizes once and does not compile (compiling takes minutes, not seconds).

    .venv/bin/python benchmarks/bench_torch_cells.py            # the table
    .venv/bin/python benchmarks/bench_torch_cells.py --save     # and the committed JSON
    .venv/bin/python benchmarks/bench_torch_cells.py --smoke    # a few seconds, tiny sizes
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

THREADS = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = THREADS  # BLAS reads it when numpy loads
# torch.compile keeps what it compiled in a cache across runs: a fresh one makes the reported
# compilation time the one a first run pays (a warm cache cut it from minutes to seconds here).
COMPILE_CACHE = tempfile.mkdtemp(prefix="bench_torch_cells_inductor_")
os.environ["TORCHINDUCTOR_CACHE_DIR"] = COMPILE_CACHE
atexit.register(shutil.rmtree, COMPILE_CACHE, ignore_errors=True)

import numpy as np  # noqa: E402

import lrnn  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "experiments" / "jsb_torch" / "bench_cells.json"


BOOK = "backward='book'"
COMPILED = "lrnn.torch.VanillaLSTM (pinholes, torch.compile)"


def contenders(N: int, B: int, d_x: int, d_s: int, dtype: str, device: str = "cpu", compile_: bool = False):
    """name -> a function running one forward + backward pass (inputs made once, outside the timing).

    Also returns notes: the compilation time of the ``torch.compile`` row, or why it has none.
    """
    import torch

    import lrnn.torch as lt

    rng = np.random.default_rng(0)
    g = torch.Generator().manual_seed(0)
    tdtype = getattr(torch, dtype)
    x = torch.randn(N, B, d_x, generator=g, dtype=tdtype).to(device)
    out, notes = {}, {}
    book = dtype == "float64" and device == "cpu"  # the numpy cells: float64 on the CPU
    if book:
        p = lrnn.LSTMParams.init(rng, d_x, d_s)
        xn, w = x.numpy(), rng.standard_normal((N, B, d_s))

        def numpy_pass():
            lrnn.lstm_backward(p, lrnn.lstm_forward(p, xn), w)

        out["numpy, book BPTT (pinholes)"] = numpy_pass

    def autograd(module):
        module = module.to(device)

        def run():
            module.zero_grad(set_to_none=True)
            module(x)[0].sum().backward()

        return run

    kw = {"generator": g, "dtype": tdtype}
    vanilla = lt.VanillaLSTM(d_x, d_s, **kw)
    out["lrnn.torch.VanillaLSTM (pinholes)"] = autograd(vanilla)
    if book:
        out[f"lrnn.torch.VanillaLSTM (pinholes, {BOOK})"] = autograd(lt.VanillaLSTM(d_x, d_s, backward="book", **kw))
    if compile_:
        run, notes[COMPILED] = _compiled(vanilla, x)
        if run is not None:
            out[COMPILED] = run
    out["lrnn.torch.VanillaLSTM (no pinholes)"] = autograd(lt.VanillaLSTM(d_x, d_s, pinholes=False, **kw))
    for L in (1, 3):
        name = f"lrnn.torch.AugmentedLSTM (L = {L}, d_v = d_s/2"
        out[name + ")"] = autograd(lt.AugmentedLSTM(d_x, d_s, d_s // 2, L=L, **kw))
        if book:
            out[f"{name}, {BOOK})"] = autograd(lt.AugmentedLSTM(d_x, d_s, d_s // 2, L=L, backward="book", **kw))
    out["lrnn.torch.GRU"] = autograd(lt.GRU(d_x, d_s, **kw))
    if book:
        out[f"lrnn.torch.GRU ({BOOK})"] = autograd(lt.GRU(d_x, d_s, backward="book", **kw))
    out["torch.nn.LSTM"] = autograd(torch.nn.LSTM(d_x, d_s, dtype=tdtype))
    return out, notes


def _compiled(module, x):
    """``torch.compile(module)``'s forward + backward and a note: its compilation time, or why it failed (then None)."""
    import torch

    compiled = torch.compile(module)

    def run():
        module.zero_grad(set_to_none=True)
        compiled(x)[0].sum().backward()

    t0 = time.perf_counter()
    try:
        run()  # the first call compiles the forward and the backward graph
    except Exception as e:  # no C++ compiler, an unsupported platform: report it, do not stop the table
        reason = f"{type(e).__name__}: {str(e).strip().splitlines()[0][:300] if str(e).strip() else ''}"
        return None, {"failed": f"torch.compile failed on this machine ({reason})"}
    seconds = time.perf_counter() - t0
    return run, {"compile_seconds": round(seconds, 1),
                 "note": f"compiled in {seconds:.0f} s wall clock (the first call, an empty compile cache), "
                         "not in the timing"}  # fmt: skip


def measure(runs: dict, rounds: int, clock=time.process_time, sync=lambda: None) -> dict:
    """Median over rounds of each contender's best-of-3 time by ``clock``, in ms."""
    times = {name: [] for name in runs}
    for fn in runs.values():
        fn()  # warm up
    for _ in range(rounds):
        for name, fn in runs.items():
            best = float("inf")
            for _ in range(3):
                sync()
                t0 = clock()
                fn()
                sync()
                best = min(best, clock() - t0)
            times[name].append(best)
    return {name: 1000 * statistics.median(t) for name, t in times.items()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", default="1")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--save", action="store_true", help=f"write {OUT.relative_to(OUT.parents[2])}")
    parser.add_argument("--note", default="", help="what else ran on the machine (saved with the timings)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one round, no compiling: checks that it runs")
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("torch is not installed (pip install 'lrnn[torch]'): nothing to compare; skipped.")
        return
    torch.set_num_threads(int(args.threads))
    sizes = dict(N=5, B=2, d_x=3, d_s=4) if args.smoke else dict(N=100, B=64, d_x=64, d_s=256)
    rounds = 1 if args.smoke else args.rounds
    load_before = os.getloadavg()
    table, notes = {}, {}
    gpu = torch.cuda.is_available()
    devices = ["cpu"] + (["cuda"] if gpu else [])
    for device in devices:
        for dtype in ("float64", "float32"):
            runs, note = contenders(**sizes, dtype=dtype, device=device,
                                    compile_=not args.smoke and device == "cpu" and dtype == "float64")  # fmt: skip
            if args.smoke and device == "cpu" and dtype == "float64":
                note[COMPILED] = {"skipped": "not compiled in --smoke mode (compiling takes minutes)"}
            sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
            clock = time.perf_counter if device == "cuda" else time.process_time
            key = dtype if device == "cpu" else f"{dtype}, cuda"
            table[key] = measure(runs, rounds, clock, sync)
            notes.update({f"{key}: {k}": v for k, v in note.items()})
            ref = table[key]["torch.nn.LSTM"]
            what = "process CPU ms" if device == "cpu" else f"wall-clock ms on {torch.cuda.get_device_name()}"
            print(f"\n{key}, N={sizes['N']} B={sizes['B']} d_x={sizes['d_x']} d_s={sizes['d_s']}, "
                  f"{args.threads} thread(s), {what} per forward + backward")  # fmt: skip
            for name, ms in table[key].items():
                print(f"  {name:64s} {ms:9.1f}   {ms / ref:5.2f} x nn.LSTM")
            for name, about in note.items():
                print(f"  {name}: {about.get('note') or about.get('failed') or about.get('skipped')}")
    load = {"before": [round(v, 2) for v in load_before], "after": [round(v, 2) for v in os.getloadavg()]}
    print(f"\nload average (1, 5, 15 min) before {load['before']}, after {load['after']}")
    if not gpu:
        print("no GPU here (torch.cuda.is_available() is False): CPU columns only")
    if args.save and not args.smoke:
        OUT.write_text(json.dumps({"sizes": sizes, "threads": int(args.threads), "clock": "process CPU time",
                                   "ms": table, "notes": notes,
                                   "gpu": torch.cuda.get_device_name() if gpu else
                                   "none: torch.cuda.is_available() is False on this machine",
                                   "load_average": load, "conditions": args.note,
                                   "torch": torch.__version__, "numpy": np.__version__,
                                   "machine": platform.machine(), "cpus": os.cpu_count()}, indent=1))  # fmt: skip
        print(f"\nwrote {OUT}")


if __name__ == "__main__":
    main()
