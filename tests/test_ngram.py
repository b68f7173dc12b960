"""lrnn.ngram: add-one n-grams and interpolated Kneser-Ney, against hand counts and the README's numbers."""

import numpy as np
import pytest

from lrnn.ngram import AddOne, KneserNey
from lrnn.text import Vocabulary, load_tiny_shakespeare, nats_per_char, split_text


@pytest.fixture(scope="module")
def split():
    text = load_tiny_shakespeare()
    return split_text(Vocabulary.from_text(text).encode(text))


def test_add_one_reproduces_the_reference_numbers(split):
    """shared/data/tiny_shakespeare/README.md: unigram 3.347, bigram 2.482 (add-one, fitted on train)."""
    train, val = split
    assert round(nats_per_char(AddOne(train, 65, 1), val), 3) == 3.347
    assert round(nats_per_char(AddOne(train, 65, 2), val), 3) == 2.482


def test_add_one_by_hand():
    train = np.array([0, 1, 0, 1, 1, 2])
    m = AddOne(train, V=3, order=2)
    # after 1: bigrams 1->0 once, 1->1 once, 1->2 once; c(1) = 3 (as a context)
    np.testing.assert_allclose(np.exp(m.next_log_probs([1])), [2 / 6, 2 / 6, 2 / 6])
    np.testing.assert_allclose(np.exp(m.next_log_probs([0])), [1 / 5, 3 / 5, 1 / 5])
    # the first prediction of a stream has one character of context; so does every other
    ll = m.log_likelihoods(np.array([0, 1, 2]))
    np.testing.assert_allclose(np.exp(ll), [3 / 5, 2 / 6])


def test_kneser_ney_by_hand():
    """Order 2 on 'abab' + 'c': continuation counts at the unigram level, one discount per order."""
    train = np.array([0, 1, 0, 1, 2])  # a b a b c
    m = KneserNey(train, V=3, order=2)
    # unigram level: continuation counts N1+(. w): a after {b}: 1; b after {a}: 1; c after {b}: 1
    # n1 = 3, n2 = 0 -> D1 = 1; p1(w) = max(1 - 1, 0)/3 + 1 * 3/3 * 1/3 = 1/3
    # bigram level: counts ab 2, ba 1, bc 1; n1 = 2, n2 = 1 -> D2 = 2/4
    assert m.discounts == pytest.approx([1.0, 0.5])
    # after b: c(b.) = 2, types 2: p(a|b) = (1 - .5)/2 + .5*2/2 * 1/3
    expected = np.array([0.25 + 0.5 / 3, 0.5 / 3, 0.25 + 0.5 / 3])
    np.testing.assert_allclose(np.exp(m.next_log_probs([1])), expected)


@pytest.mark.parametrize("order", [1, 2, 3, 5, 7])
def test_kneser_ney_distributions_sum_to_one(order, split):
    train, val = split
    m = KneserNey(train[:200_000], 65, order)
    for n in (0, 1, 2, 5, 40, 1000):
        p = np.exp(m.next_log_probs(val[: n + 1]))
        assert p.sum() == pytest.approx(1.0, abs=1e-12) and (p > 0).all()
        assert np.log(p[val[n + 1]]) == pytest.approx(m.log_likelihoods(val[: n + 2])[n])


def test_the_order_chosen_on_validation(split):
    """Order 6 is the best on the validation split (the chapter scans 2 to 10); order 2 beats add-one's bigram."""
    train, val = split
    nll = {k: nats_per_char(KneserNey(train, 65, k), val) for k in (5, 6, 7)}
    assert min(nll, key=nll.get) == 6 and round(nll[6], 3) == 1.558
    assert all(m.discounts.min() > 0.1 for m in [KneserNey(train, 65, 6)])
    assert nats_per_char(KneserNey(train, 65, 2), val) < 2.49


def test_errors():
    with pytest.raises(ValueError, match="at most 10"):
        KneserNey(np.arange(20) % 3, 3, 11)
    with pytest.raises(ValueError, match="expected 0 .. V - 1 = 2"):
        AddOne(np.array([0, 5]), 3)
