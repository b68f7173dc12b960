"""Chapter 8's JSB Chorales sweep in PyTorch: the same cells, sizes and recipe, on one process or many.

One command (from the repository root; needs ``pip install 'lrnn[torch]'``)::

    python experiments/jsb_torch/train.py                      # 5 kinds x 3 seeds, float32, one process
    python experiments/jsb_torch/train.py --kinds gru --seeds 0 --max-epochs 5 --out /tmp/try

    torchrun --standalone --nproc_per_node=2 experiments/jsb_torch/train.py --kinds lstm_pinholes
    torchrun --nnodes=2 --nproc_per_node=8 --rdzv-backend=c10d --rdzv-endpoint=HOST:29500 \\
        experiments/jsb_torch/train.py --device cuda         # several machines, a GPU per process

Under ``torchrun`` the script trains with ``DistributedDataParallel`` (gloo on the CPU, nccl on
GPUs): every process draws the same global batch of 8 pieces from the same seeded generator and
takes its share (pieces ``rank, rank + K, ...``); the loss each process back-propagates is scaled so
that DDP's average of the processes' gradients is exactly the gradient of the global batch's mean
NLL per frame. The run is therefore the same computation on 1 or K processes, up to the order of
floating-point sums (``tests/test_experiments_jsb_torch.py`` checks this with 2 processes).

The recipe is Chapter 8's (``experiments/jsb/train.py``, :mod:`lrnn.music_models`): the initial
parameters are drawn by :func:`lrnn.music_models.init_model` from ``numpy.random.default_rng(seed)``
and converted exactly, so a seed starts from the same model as the numpy run; each epoch's order of
pieces comes from the same generator; Adam (lr 0.003), gradient norm clipped to 1, early stopping
on the validation NLL with patience 40 (at most 250 epochs); the test split is scored once, on the
model validation chose. The cells:

==================  ====================================================  ================
kind                module                                                size
==================  ====================================================  ================
``tanh``            ``torch.nn.RNN``                                      100
``gru``             ``torch.nn.GRU`` (PyTorch's convention, Eqs. G5-G8)   46
``lstm``            ``torch.nn.LSTM`` (no pinholes)                       36
``lstm_pinholes``   :class:`lrnn.torch.VanillaLSTM` (full pinholes)       32
``augmented``       :class:`lrnn.torch.AugmentedLSTM` (``L = 1``)         28, ``d_v = 22``
==================  ====================================================  ================

Writes ``runs/<kind>_<seed>.json`` as each run ends (a killed sweep resumes where it stopped;
``--force`` re-runs) and then ``results.json`` beside this file: per kind the test NLL over seeds
beside Chapter 8's numbers from ``experiments/jsb/results.json``, the configuration and the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
KINDS = ("tanh", "gru", "lstm", "lstm_pinholes", "augmented")
CONFIG = {
    "optimizer": "torch.optim.Adam",
    "lr": 0.003,
    "batch_size": 8,
    "clip_norm": 1.0,
    "max_epochs": 250,
    "patience": 40,
    "forget_bias": 1.0,
    "seeds": [0, 1, 2],
    "dtype": "float32",
    "threads_per_process": 1,
}


def _torch():
    try:
        import torch
    except ImportError:
        raise SystemExit("experiments/jsb_torch needs PyTorch: pip install 'lrnn[torch]'") from None
    return torch


def build(kind: str, seed: int, train_rolls, dtype, device):
    """The torch model ``(cell, readout)`` that starts from Chapter 8's initial parameters for ``seed``."""
    torch = _torch()
    import lrnn.torch as lt
    from lrnn import interop
    from lrnn.music_models import init_model

    rng = np.random.default_rng(seed)
    cell, readout = init_model(kind, rng, train_rolls, forget_bias=CONFIG["forget_bias"])
    if kind in ("tanh", "gru", "lstm"):
        to_torch = {"tanh": interop.rnn_params_to_torch, "gru": interop.gru_params_to_torch,
                    "lstm": interop.lstm_params_to_torch}[kind]  # fmt: skip
        module = {"tanh": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[kind](88, cell.d_s)
        module.load_state_dict({k: torch.as_tensor(v) for k, v in to_torch(cell).items()})
    else:
        module = (lt.VanillaLSTM if kind == "lstm_pinholes" else lt.AugmentedLSTM).from_lrnn(cell)
    head = torch.nn.Linear(readout.W_y.shape[1], 88)
    with torch.no_grad():
        head.weight.copy_(torch.as_tensor(readout.W_y))
        head.bias.copy_(torch.as_tensor(readout.b_y))
    return _next_frame(module, head).to(device=device, dtype=dtype), rng


def _next_frame(cell, readout):
    """``cell`` then ``readout``: logits of the next frame at every step (a module, so DDP can wrap it)."""
    torch = _torch()

    class NextFrame(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.cell, self.readout = cell, readout

        def forward(self, x):
            return self.readout(self.cell(x)[0])

    return NextFrame()


def nll_sum(model, batch, dtype, device):
    """Summed Bernoulli NLL (over keys and predicted frames) of a padded batch, and its number of frames."""
    torch = _torch()
    x, target, mask = (torch.as_tensor(a, dtype=dtype, device=device) for a in batch)
    logits = model(x)
    nll = torch.nn.functional.binary_cross_entropy_with_logits(logits, target, reduction="none").sum(-1)
    return (nll * mask).sum(), float(mask.sum())


def split_nll(model, rolls, dtype, device) -> float:
    """Chapter 8's metric: nats per predicted frame over a whole split, every piece from the zero state."""
    torch = _torch()
    from lrnn.music import next_frame_batch

    with torch.no_grad():
        total, frames = nll_sum(model, next_frame_batch(rolls), dtype, device)
    return float(total) / frames


def run(kind: str, seed: int, *, max_epochs: int, dtype: str = "float32", device: str = "cpu",
        progress: bool = True) -> dict:  # fmt: skip
    """Train one model, on this process or, under torchrun, sharded over all of them."""
    torch = _torch()
    import torch.distributed as dist

    from lrnn.music import load_jsb_chorales, next_frame_batch
    from lrnn.progress import ProgressBar

    distributed = dist.is_available() and dist.is_initialized()
    rank, K = (dist.get_rank(), dist.get_world_size()) if distributed else (0, 1)
    tdtype = getattr(torch, dtype)
    data = load_jsb_chorales()
    model, rng = build(kind, seed, data["train"], tdtype, device)
    trained = torch.nn.parallel.DistributedDataParallel(model) if distributed else model
    optimizer = torch.optim.Adam(model.parameters(), lr=CONFIG["lr"])
    train, n, B = data["train"], len(data["train"]), CONFIG["batch_size"]
    curve = {
        "epoch": [0],
        "train_nll": [split_nll(model, train, tdtype, device)],
        "valid_nll": [split_nll(model, data["valid"], tdtype, device)],
        "seconds": [0.0],
        "cpu_seconds": [0.0],
    }
    best, best_epoch, best_state = curve["valid_nll"][0], 0, None
    start, cpu0 = time.perf_counter(), time.process_time()
    bar = ProgressBar(max_epochs, desc=f"{kind} seed {seed}") if progress and rank == 0 else None
    for epoch in range(1, max_epochs + 1):
        order = rng.permutation(n)  # the same order on every process, and as the numpy run draws it
        total, frames = 0.0, 0.0
        for i in range(0, n, B):
            pieces = [train[j] for j in order[i : i + B]]
            global_frames = float(sum(len(p) - 1 for p in pieces))
            mine = pieces[rank::K]
            loss, f = nll_sum(trained, next_frame_batch(mine), tdtype, device) if mine else (None, 0.0)
            if loss is None:  # fewer pieces than processes in the last batch: take part with a zero loss
                loss = sum(p.sum() for p in model.parameters()) * 0.0
            optimizer.zero_grad()
            (loss * K / global_frames).backward()  # DDP averages over K: the global batch's mean per frame
            torch.nn.utils.clip_grad_norm_(model.parameters(), CONFIG["clip_norm"])
            optimizer.step()
            total, frames = total + float(loss.detach()), frames + f
        if distributed:
            sums = torch.tensor([total, frames], dtype=torch.float64)
            dist.all_reduce(sums)
            total, frames = float(sums[0]), float(sums[1])
        valid = split_nll(model, data["valid"], tdtype, device)
        now = {"epoch": epoch, "train_nll": total / frames, "valid_nll": valid}
        now.update(seconds=time.perf_counter() - start, cpu_seconds=time.process_time() - cpu0)
        for key, value in now.items():
            curve[key].append(value)
        if valid < best:
            best, best_epoch = valid, epoch
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if bar:
            bar.update(1, valid=f"{valid:.3f}")
        if epoch - best_epoch >= CONFIG["patience"]:
            break
    if bar:
        bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    return {
        "kind": kind, "seed": seed, "processes": K, "dtype": dtype, "device": device,
        "test_nll": split_nll(model, data["test"], tdtype, device), "valid_nll": best, "best_epoch": best_epoch,
        "epochs_run": curve["epoch"][-1], "params": sum(p.numel() for p in model.parameters()),
        "seconds": curve["seconds"][-1], "cpu_seconds": curve["cpu_seconds"][-1], "curve": curve,
    }  # fmt: skip


def summarise(out: Path) -> dict:
    """``results.json``: per kind, test NLL mean/sd/range over seeds beside Chapter 8's runs with the same seeds."""
    runs = [json.loads(p.read_text()) for p in sorted((out / "runs").glob("*.json"))]
    numpy_sweep = json.loads((HERE.parent / "jsb" / "results.json").read_text())
    summary = {}
    for kind in KINDS:
        mine = [r for r in runs if r["kind"] == kind]
        if not mine:
            continue
        test = np.array([r["test_nll"] for r in mine])
        # the numpy runs with the same seeds: the same initial parameters and order of pieces
        seeds = {r["seed"] for r in mine}
        ref = [r["test_nll"] for r in numpy_sweep["runs"] if r["kind"] == kind and r["seed"] in seeds]
        summary[kind] = {
            "seeds": [r["seed"] for r in mine],
            "test_nll": test.tolist(),
            "test_nll_mean": float(test.mean()),
            "test_nll_std": float(test.std(ddof=1)) if len(test) > 1 else None,
            "best_epoch": [r["best_epoch"] for r in mine],
            "params": mine[0]["params"],
            "seconds_per_epoch": float(np.mean([r["seconds"] / r["epochs_run"] for r in mine])),
            "cpu_seconds_per_epoch": float(np.mean([r["cpu_seconds"] / r["epochs_run"] for r in mine])),
            "chapter8_test_nll": ref,
            "chapter8_test_nll_mean": float(np.mean(ref)),
            "chapter8_test_nll_std": float(np.std(ref, ddof=1)),
        }
    return {"kinds": summary, "config": CONFIG, "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
            "torch": _torch().__version__}}  # fmt: skip


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--seeds", nargs="+", type=int, default=CONFIG["seeds"])
    parser.add_argument("--max-epochs", type=int, default=CONFIG["max_epochs"])
    parser.add_argument("--dtype", default=CONFIG["dtype"], choices=["float32", "float64"])
    parser.add_argument("--device", default="cpu", help="cpu, cuda, or cuda:N (under torchrun: the local GPU)")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for runs/ and results.json")
    parser.add_argument("--force", action="store_true", help="re-run runs already stored")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    torch = _torch()
    import torch.distributed as dist

    torch.set_num_threads(CONFIG["threads_per_process"])
    device = args.device
    if "WORLD_SIZE" in os.environ:  # started by torchrun
        gpu = device.startswith("cuda")
        dist.init_process_group("nccl" if gpu else "gloo")
        if gpu:
            device = f"cuda:{int(os.environ['LOCAL_RANK'])}"
            torch.cuda.set_device(device)
    rank = dist.get_rank() if dist.is_initialized() else 0
    (args.out / "runs").mkdir(parents=True, exist_ok=True)
    for kind in args.kinds:
        for seed in args.seeds:
            path = args.out / "runs" / f"{kind}_{seed}.json"
            if path.exists() and not args.force:
                continue
            result = run(kind, seed, max_epochs=args.max_epochs, dtype=args.dtype, device=device,
                         progress=not args.no_progress)  # fmt: skip
            if rank == 0:
                path.write_text(json.dumps(result, indent=1))
    if rank == 0:
        (args.out / "results.json").write_text(json.dumps(summarise(args.out), indent=1))
    if dist.is_initialized():
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
