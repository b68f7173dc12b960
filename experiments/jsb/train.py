"""Chung et al. (2014) on the JSB Chorales with lrnn: every model, every seed, from scratch.

One command (from the repository root)::

    python experiments/jsb/train.py --workers 2   # the whole sweep: 5 kinds x 5 seeds; resumable
    python experiments/jsb/train.py --kinds gru --seeds 0   # a part of it

The recipe, shared with the other three data sets of Chung et al., is
:mod:`lrnn.experiments.music`. Writes, next to this file:

- ``results.json``: per kind, the committed model's numbers (``test_nll``, ``valid_nll``,
  ``params``, ``epochs``, ``seconds``, ``seed``), the mean and spread over seeds, every run with its
  learning curves (per epoch: train and valid NLL, wall-clock and CPU seconds), the baselines, the
  configuration, the machine's load and the commit;
- ``tanh.npz``, ``gru.npz``, ``lstm.npz`` (``nn.RNN``/``nn.GRU``/``nn.LSTM`` state dicts plus
  ``readout.weight``/``readout.bias``) and ``lstm_pinholes.npz``, ``augmented.npz`` (field names):
  for each kind the run with the lowest *validation* NLL (the test split is never used to choose);
- ``runs/<kind>-<seed>.json``: each finished run, so that a stopped sweep resumes where it stopped.

Each run is deterministic given its seed: one ``numpy.random.default_rng(seed)`` draws the
initial parameters and then every epoch's order, and BLAS runs on one thread
(``OPENBLAS_NUM_THREADS=1``, set before numpy loads), so a run gives the same numbers in any
worker. ``tests/test_experiments_jsb.py`` re-runs the start of one run and checks the stored curve.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # one BLAS thread per process: deterministic, and the pool uses the cores

from pathlib import Path  # noqa: E402

from lrnn.experiments import music  # noqa: E402
from lrnn.music_models import KINDS, SIZES  # noqa: E402

HERE = Path(__file__).resolve().parent
CONFIG = {
    "kinds": list(KINDS),
    "task": "next-frame prediction; frames 0..T-2 in, 1..T-1 predicted, zero initial state",
    "metric": "Bernoulli NLL summed over 88 keys, averaged over all predicted frames of a split (nats)",
    "sizes": SIZES,
    "optimizer": "Adam",
    "lr": 0.003,
    "batch_size": 8,
    "clip_norm": 1.0,
    "max_epochs": 250,
    "patience": 40,
    "bptt": "full sequence, padded batches with masks",
    "readout_init": "W_y = 0, b_y = logit of the training key frequencies (add-1/2 smoothing)",
    "forget_bias": 1.0,
    "seeds": [0, 1, 2, 3, 4],
    "blas_threads": 1,
}
CHUNG = {"gru": 8.54, "lstm": 8.67, "tanh": "9.1-9.2 (sources quoting Chung et al. Table 2 disagree on the digit)"}


def run(kind: str, seed: int, *, max_epochs: int | None = None, progress: bool = False) -> dict:
    """Train one model from scratch (:func:`lrnn.experiments.music.run` on the JSB Chorales)."""
    return music.run("jsb_chorales", kind, seed, CONFIG, max_epochs=max_epochs, progress=progress)


if __name__ == "__main__":
    music.main("jsb_chorales", CONFIG, CHUNG, HERE)
