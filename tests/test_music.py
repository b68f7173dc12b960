"""lrnn.music: the shipped JSB Chorales, the next-frame batches, the published metric, the baselines, sampling."""

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from lrnn.losses import Readout, sigmoid_bernoulli_nll
from lrnn.music import (
    DATA_FILE,
    DATASETS,
    N_KEYS,
    SPLITS,
    check_piano_roll,
    frequency_baseline,
    key_frequencies,
    key_markov_nll,
    load_jsb_chorales,
    load_poly_music,
    next_frame_batch,
    sample,
    split_nll,
)
from lrnn.rnn import RNNParams


@pytest.fixture(scope="module")
def data():
    return load_jsb_chorales()


def test_shipped_file_is_the_one_the_readme_describes():
    readme = (DATA_FILE.parent / "README.md").read_text()
    digest = re.search(r"sha256 of `jsb_chorales.npz`: `([0-9a-f]{64})`", readme).group(1)
    assert hashlib.sha256(DATA_FILE.read_bytes()).hexdigest() == digest
    assert DATA_FILE.stat().st_size < 100_000


def test_splits_have_the_published_sizes(data):
    sizes = {s: (len(data[s]), sum(len(r) for r in data[s])) for s in SPLITS}
    assert sizes == {"train": (229, 13807), "valid": (76, 4602), "test": (77, 4725)}
    assert [min(len(r) for r in data["train"]), max(len(r) for r in data["train"])] == [25, 129]
    for s in SPLITS:
        for r in data[s]:
            assert r.shape[1] == N_KEYS and r.dtype == np.uint8 and set(np.unique(r)) <= {0, 1}
    used = np.flatnonzero(np.concatenate(data["train"] + data["valid"] + data["test"]).any(axis=0)) + 21
    assert (used.min(), used.max()) == (43, 96)


NEW_SETS = {  # pieces and frames per split, lengths of the training pieces, keys used (MIDI pitch)
    "nottingham": ((694, 173, 170), (176561, 45513, 44463), (40, 1788), (31, 93)),
    "musedata": ((524, 135, 124), (245202, 82755, 64339), (9, 3457), (21, 105)),
    "piano_midi": ((87, 12, 25), (75911, 8540, 19036), (111, 3857), (21, 108)),
}


@pytest.mark.parametrize("name", NEW_SETS)
def test_the_other_three_sets_are_shipped_as_the_readme_says(name):
    readme = (DATA_FILE.parent / "README.md").read_text()
    digest = re.search(rf"`{name}.npz` \| `([0-9a-f]{{64}})`", readme).group(1)
    path = DATA_FILE.parent / f"{name}.npz"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    pieces, frames, train_lengths, pitches = NEW_SETS[name]
    data = load_poly_music(name)
    assert tuple(len(data[s]) for s in SPLITS) == pieces == DATASETS[name]["pieces"]
    assert tuple(sum(len(r) for r in data[s]) for s in SPLITS) == frames == DATASETS[name]["frames"]
    lengths = [len(r) for r in data["train"]]
    assert (min(lengths), max(lengths)) == train_lengths
    for s in SPLITS:
        for r in data[s]:
            assert r.shape[1] == N_KEYS and r.dtype == np.uint8 and set(np.unique(r)) <= {0, 1}
    used = np.flatnonzero(np.concatenate(data["train"] + data["valid"] + data["test"]).any(axis=0)) + 21
    assert (used.min(), used.max()) == pitches


def test_load_poly_music_errors(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match=r"name = 'bach', expected one of the shipped piano-roll sets: jsb_chorales"):
        load_poly_music("bach")
    rolls = load_poly_music("piano_midi")
    short = {s: np.concatenate(rolls[s][:2]) for s in SPLITS} | {
        f"{s}_lengths": np.array([len(r) for r in rolls[s][:2]]) for s in SPLITS
    }
    np.savez(tmp_path / "short.npz", **short)
    assert [len(v) for v in load_poly_music("piano_midi", tmp_path / "short.npz").values()] == [2, 2, 2]
    (tmp_path / "piano_midi.npz").write_bytes((tmp_path / "short.npz").read_bytes())
    monkeypatch.setattr("lrnn.music.DATA_DIR", tmp_path)  # a shipped file that has changed
    with pytest.raises(
        ValueError, match=r"piano_midi.npz has pieces \(2, 2, 2\).*expected \(87, 12, 25\).*git checkout"
    ):
        load_poly_music("piano_midi")


def test_split_nll_does_not_depend_on_how_pieces_are_batched():
    """Length-sorted batches of any size give the one average over all predicted frames."""
    from lrnn.gru import TorchGRUParams

    rolls = load_poly_music("piano_midi")["valid"]
    model = (TorchGRUParams.init(np.random.default_rng(0), 88, 5), frequency_baseline(rolls, 5))
    values = [split_nll(model, rolls, batch=b) for b in (1, 5, 16, 100)]
    np.testing.assert_allclose(values, values[0], rtol=1e-12)


def test_check_piano_roll_errors():
    with pytest.raises(ValueError, match=r"roll has shape \(5, 87\), expected \(T, 88\)"):
        check_piano_roll(np.zeros((5, 87)))
    with pytest.raises(ValueError, match=r"T >= 2"):
        check_piano_roll(np.zeros((1, 88)))
    bad = np.zeros((3, 88))
    bad[2, 7] = 0.5
    with pytest.raises(ValueError, match=r"roll\[2, 7\] = 0.5, expected 0 or 1.*binarise"):
        check_piano_roll(bad)
    bad[2, 7] = np.nan
    with pytest.raises(ValueError, match="roll"):
        check_piano_roll(bad)
    assert check_piano_roll(np.ones((1, 88)), min_frames=1).shape == (1, 88)


def test_loader_rejects_a_malformed_file(tmp_path: Path):
    good = {s: np.zeros((4, 88), np.uint8) for s in SPLITS} | {f"{s}_lengths": np.array([2, 2]) for s in SPLITS}
    np.savez(tmp_path / "ok.npz", **good)
    assert [len(v) for v in load_jsb_chorales(tmp_path / "ok.npz").values()] == [2, 2, 2]
    np.savez(tmp_path / "missing.npz", **{k: v for k, v in good.items() if k != "valid_lengths"})
    with pytest.raises(ValueError, match="no array 'valid_lengths'"):
        load_jsb_chorales(tmp_path / "missing.npz")
    np.savez(tmp_path / "lengths.npz", **(good | {"test_lengths": np.array([3, 2])}))
    with pytest.raises(ValueError, match="'test_lengths' .* adding up to the 4 frames"):
        load_jsb_chorales(tmp_path / "lengths.npz")
    np.savez(tmp_path / "shape.npz", **(good | {"train": np.zeros((4, 12), np.uint8)}))
    with pytest.raises(ValueError, match=r"train\[0\] has shape \(2, 12\)"):
        load_jsb_chorales(tmp_path / "shape.npz")


def test_next_frame_batch_shifts_by_one_and_masks_the_padding():
    a, b = np.zeros((4, 88)), np.zeros((2, 88))
    a[np.arange(4), np.arange(4)] = 1  # key n sounds at step n
    b[:, 50] = 1
    x, t, m = next_frame_batch([a, b])
    assert x.shape == t.shape == (3, 2, 88) and m.shape == (3, 2)
    np.testing.assert_array_equal(m, [[1, 1], [1, 0], [1, 0]])
    np.testing.assert_array_equal(x[:, 0], a[:3])
    np.testing.assert_array_equal(t[:, 0], a[1:])
    assert x[1:, 1].sum() == t[1:, 1].sum() == 0
    with pytest.raises(ValueError, match="rolls is empty"):
        next_frame_batch([])


def test_split_nll_is_the_published_average_over_all_predicted_frames(data):
    """One padded batch gives what a loop over pieces gives: sum of per-frame NLLs / sum (T - 1)."""
    rng = np.random.default_rng(0)
    cell = RNNParams.init(rng, 88, 5)
    readout = Readout.random(rng, 5, 88)
    pieces = data["valid"][:7]
    total = 0.0
    for r in pieces:
        y = readout(cell.forward(r[:-1].astype(float)).output)
        total += sigmoid_bernoulli_nll(y, r[1:])[0] * (len(r) - 1)
    expected = total / sum(len(r) - 1 for r in pieces)
    assert split_nll((cell, readout), pieces) == pytest.approx(expected, rel=1e-12)
    uniform = (RNNParams.zeros(88, 2), Readout(np.zeros((88, 2)), np.zeros(88)))
    assert split_nll(uniform, pieces) == pytest.approx(88 * np.log(2), rel=1e-12)
    with pytest.raises(TypeError, match=r"expected a pair \(cell, Readout\)"):
        split_nll(cell, pieces)
    with pytest.raises(ValueError, match=r"model\[1\].W_y has shape \(3, 5\)"):
        split_nll((cell, Readout.random(rng, 5, 3)), pieces)


def test_baselines(data):
    freq = key_frequencies(data["train"])
    assert freq.shape == (88,) and 3.85 < freq.sum() < 3.95  # about four voices
    f0 = RNNParams.zeros(88, 1), frequency_baseline(data["train"])
    assert split_nll(f0, data["test"]) == pytest.approx(11.09, abs=0.005)
    assert key_markov_nll(data["train"], data["test"]) == pytest.approx(10.49, abs=0.005)
    # the frequency baseline is the best time-blind predictor of the frames it was fitted on (up to smoothing)
    other = RNNParams.zeros(88, 1), Readout(np.zeros((88, 1)), frequency_baseline(data["train"]).b_y + 0.1)
    assert split_nll(f0, data["train"]) < split_nll(other, data["train"])
    with pytest.raises(ValueError, match="prior"):
        key_frequencies(data["train"], prior=0.0)


def test_sample_is_reproducible_and_binary(data):
    rng = np.random.default_rng(1)
    model = (RNNParams.init(rng, 88, 4), frequency_baseline(data["train"], d_out=4))
    first = data["test"][0][:3]
    a = sample(model, np.random.default_rng(5), 10, first)
    b = sample(model, np.random.default_rng(5), 10, first)
    assert a.shape == (13, 88) and a.dtype == np.uint8 and set(np.unique(a)) <= {0, 1}
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a[:3], first)
    cold = sample(model, np.random.default_rng(5), 200, first, temperature=0.05)
    assert cold[3:].sum() == 0  # every key is below 1/2 at the baseline: a cold sample is silent
    with pytest.raises(ValueError, match="temperature"):
        sample(model, rng, 3, first, temperature=0)
    with pytest.raises(ValueError, match=r"first has shape \(2, 5\)"):
        sample(model, rng, 3, np.zeros((2, 5)))
