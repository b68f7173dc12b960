"""lrnn.exercises.music: check_split_nll accepts the metric and names each typical mistake."""

import numpy as np
import pytest

from lrnn.exercises.music import check_split_nll
from lrnn.music import next_frame_batch, split_nll


def _scored(model, rolls, target_shift=1):
    x, t, m = next_frame_batch(rolls)
    if target_shift == 0:
        t = x
    y = model[1](model[0].forward(x).output)
    return np.sum(np.logaddexp(0.0, y) - t * y, axis=-1), m


def test_accepts_the_metric_and_a_loop_over_pieces():
    assert "all 3 cases agree" in check_split_nll(split_nll)

    def loop(model, rolls):
        total = count = 0.0
        for r in rolls:
            y = model[1](model[0].forward(r[:-1].astype(float)).output)
            total += np.sum(np.logaddexp(0.0, y) - r[1:] * y)
            count += len(r) - 1
        return total / count

    assert "agree" in check_split_nll(loop)


def _mean_keys(model, rolls):
    l, m = _scored(model, rolls)
    return np.sum(l * m) / m.sum() / 88


def _per_piece(model, rolls):
    l, m = _scored(model, rolls)
    return np.mean(np.sum(l * m, axis=0) / m.sum(axis=0))


def _padding(model, rolls):
    return np.mean(_scored(model, rolls)[0])


def _same_frame(model, rolls):
    l, m = _scored(model, rolls, target_shift=0)
    return np.sum(l * m) / m.sum()


def _bits(model, rolls):
    return split_nll(model, rolls) / np.log(2)


@pytest.mark.parametrize(
    "fn, message",
    [
        (_mean_keys, "SUM of its 88 keys"),
        (_per_piece, "average per piece"),
        (_padding, "padded frames are counted"),
        (_same_frame, "predicts frame n \\+ 1"),
        (_bits, "in bits"),
        (lambda model, rolls: 1.0, "you return 1, expected"),
        (lambda model, rolls: rolls[5], "raised IndexError"),
    ],
)
def test_names_the_mistake(fn, message):
    with pytest.raises(AssertionError, match=message):
        check_split_nll(fn)
