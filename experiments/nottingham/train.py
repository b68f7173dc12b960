"""Chung et al. (2014) on the Nottingham folk tunes with lrnn: tanh, GRU and LSTM, from scratch.

One command (from the repository root)::

    python experiments/nottingham/train.py --cost          # first: one epoch of each cell, timed (cost.json)
    python experiments/nottingham/train.py                 # the sweep; resumable: run it again to go on (a run
                                                           # in progress goes on from its last epoch)
    python experiments/nottingham/train.py --workers 2 --kinds gru --seeds 1 2   # a part of it

The recipe is Chapter 8's (:mod:`lrnn.experiments.music`): the cells at Chung's sizes, Adam, global
gradient-norm clipping at 1, batches of 8 whole pieces (full BPTT), early stopping on validation.
Nottingham's 694 training tunes are 40 to 1,788 frames long, so each epoch's batches are drawn from
pools of 64 pieces sorted by length (``bucket``) and an epoch is three JSB epochs of updates:
patience and the epoch cap are counted accordingly. Writes ``runs/<kind>-<seed>.json``,
``results.json`` and ``tanh.npz``, ``gru.npz``, ``lstm.npz`` beside this file.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # one BLAS thread per process: deterministic, and the pool uses the cores

from pathlib import Path  # noqa: E402

from lrnn.experiments.music import LONG_PIECES, main  # noqa: E402

CONFIG = {**LONG_PIECES, "max_epochs": 100, "patience": 10}

if __name__ == "__main__":
    main("nottingham", CONFIG, {}, Path(__file__).resolve().parent)
