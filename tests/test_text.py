"""lrnn.text: the shipped Tiny Shakespeare, its vocabulary and split, the streams, the score, sampling."""

import hashlib

import numpy as np
import pytest

from lrnn.gru import TorchGRUParams
from lrnn.losses import Readout
from lrnn.ngram import AddOne
from lrnn.onehot import OneHot
from lrnn.text import (
    TEXT_FILE,
    TEXT_SHA256,
    Vocabulary,
    bits_per_char,
    entropy,
    load_tiny_shakespeare,
    log_likelihoods,
    nats_per_char,
    next_log_probs,
    sample,
    split_text,
    stream_batch,
)


@pytest.fixture(scope="module")
def text():
    return load_tiny_shakespeare()


def test_shipped_file_is_char_rnns(text):
    readme = (TEXT_FILE.parent / "README.md").read_text()
    assert TEXT_SHA256 in readme
    assert hashlib.sha256(TEXT_FILE.read_bytes()).hexdigest() == TEXT_SHA256
    assert len(text) == 1_115_394 and text.count("\n") == 40_000 and text.startswith("First Citizen:")


def test_vocabulary_and_split(text):
    vocab = Vocabulary.from_text(text)
    assert vocab.size == 65 and vocab.chars[:2] == "\n " and vocab.chars == "".join(sorted(set(text)))
    codes = vocab.encode(text)
    assert vocab.decode(codes[:200]) == text[:200]
    train, val = split_text(codes)
    assert (len(train), len(val)) == (1_003_854, 111_540)
    assert np.array_equal(np.concatenate([train, val]), codes)


def test_bad_text_gets_a_clear_error():
    vocab = Vocabulary.from_text("abc")
    with pytest.raises(ValueError, match=r"text\[2\] = 'z' is not in the vocabulary of 3 characters"):
        vocab.encode("abz")
    with pytest.raises(ValueError, match="text is empty"):
        vocab.encode("")
    with pytest.raises(ValueError, match="text is empty"):
        Vocabulary.from_text("")
    with pytest.raises(TypeError, match="expected str"):
        vocab.encode(b"abc")
    with pytest.raises(ValueError, match="codes run from 0 to 3"):
        vocab.decode(np.array([0, 3]))
    with pytest.raises(ValueError, match="repeats a character"):
        Vocabulary("aa")


def test_streams_are_consecutive_pieces():
    codes = np.arange(103) % 7
    x, t = stream_batch(codes, batch_size=4, d=7, offset=2)
    L = (103 - 1 - 2) // 4
    assert isinstance(x, OneHot) and x.shape == (L, 4, 7) and t.shape == (L, 4)
    for b in range(4):
        np.testing.assert_array_equal(x.codes[:, b], codes[2 + b * L : 2 + (b + 1) * L])
        np.testing.assert_array_equal(t[:, b], codes[3 + b * L : 3 + (b + 1) * L])


def _model(rng, d_s=6, V=5):
    return TorchGRUParams.init(rng, V, d_s), Readout(rng.standard_normal((V, d_s)), rng.standard_normal(V))


def test_score_is_one_stream_and_chunking_does_not_matter():
    rng = np.random.default_rng(0)
    model = _model(rng)
    codes = rng.integers(0, 5, 301)
    ll = log_likelihoods(model, codes, chunk=300)
    np.testing.assert_allclose(log_likelihoods(model, codes, chunk=7), ll, rtol=0, atol=1e-12)
    # by hand: one forward pass over the dense one-hot stream, log softmax, the next code
    y = model[1](model[0].forward(np.eye(5)[codes[:-1]]).output)
    log_p = y - np.log(np.exp(y).sum(-1, keepdims=True))
    np.testing.assert_allclose(ll, log_p[np.arange(300), codes[1:]], atol=1e-12)
    assert nats_per_char(model, codes) == pytest.approx(-ll.mean())
    assert bits_per_char(model, codes) == pytest.approx(-ll.mean() / np.log(2))
    lp = next_log_probs(model, codes[:50], chunk=13)
    np.testing.assert_allclose(np.exp(lp).sum(-1), 1.0)
    np.testing.assert_allclose(lp[np.arange(49), codes[1:50]], ll[:49], atol=1e-12)


def test_entropy():
    assert entropy(np.log(np.full(4, 0.25))) == pytest.approx(np.log(4))
    assert entropy(np.array([0.0, -np.inf])) == 0.0  # p = (1, 0): no uncertainty


def test_sampling_temperature_and_greedy():
    rng = np.random.default_rng(1)
    model = _model(rng)
    a = sample(model, np.random.default_rng(5), 40, [1, 2])
    assert (
        a.shape == (40,)
        and a.dtype == np.int64
        and np.array_equal(a, sample(model, np.random.default_rng(5), 40, [1, 2]))
    )
    greedy = sample(model, np.random.default_rng(0), 30, [1, 2], temperature=0)
    assert np.array_equal(greedy, sample(model, np.random.default_rng(9), 30, [1, 2], temperature=0))
    # greedy is the argmax of the model's own distribution after each prefix
    codes = np.r_[1, 2, greedy]
    lp = next_log_probs(model, codes)
    np.testing.assert_array_equal(lp[1:-1].argmax(-1), greedy)
    ngram = AddOne(rng.integers(0, 5, 500), V=5, order=2)
    assert sample(ngram, np.random.default_rng(0), 10, [3]).shape == (10,)
    with pytest.raises(ValueError, match="temperature"):
        sample(model, rng, 5, [1], temperature=-1)
    with pytest.raises(ValueError, match="prime is empty"):
        sample(model, rng, 5, [])
