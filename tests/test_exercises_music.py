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


def _my_fit(model, train, valid, rng, epochs, patience, lr, *, last=False, wait=None, mutate=False, slow=False):
    """A training loop written as the chapter's solution writes it, with switches for typical mistakes."""
    from lrnn.losses import sigmoid_bernoulli_nll
    from lrnn.optim import Adam, clip_by_global_norm
    from lrnn.train import sequence_loss_and_grads

    opt = Adam(lr=1e-6 if slow else lr)
    state = opt.init_state(model)
    curve, best, since = [split_nll(model, valid)], model, 0
    for _ in range(epochs):
        order = rng.permutation(len(train))
        for i in range(0, len(train), 8):
            batch = next_frame_batch([train[j] for j in order[i : i + 8]])
            _, grads = sequence_loss_and_grads(model, batch, loss=sigmoid_bernoulli_nll)
            grads = clip_by_global_norm(grads, 1.0)[0]
            if mutate:
                model[1].b_y[...] -= 0.0  # writes into the caller's array: harmless, but in place
                model[1].b_y[0] += 1e-3
            model, state = opt.step(model, grads, state)
        curve.append(split_nll(model, valid))
        if curve[-1] < min(curve[:-1]):
            best, since = model, 0
        else:
            since += 1
        if since == (wait or patience):
            break
    return (model if last else best), curve


def test_check_fit_accepts_a_correct_loop_and_names_the_mistakes():
    from lrnn.exercises.music import check_fit_pieces

    assert "the loop learns" in check_fit_pieces(_my_fit)
    with pytest.raises(AssertionError, match="return the best model, not the last"):
        check_fit_pieces(lambda *a: _my_fit(*a, last=True))
    with pytest.raises(AssertionError, match=r"you stopped 1 epochs after the best.*patience = 3"):
        check_fit_pieces(lambda *a: _my_fit(*a, wait=1))
    with pytest.raises(AssertionError, match="changed the model it was given in place"):
        check_fit_pieces(lambda *a: _my_fit(*a, mutate=True))
    with pytest.raises(AssertionError, match="lrnn's gets to"):
        check_fit_pieces(lambda *a: _my_fit(*a, slow=True))
    with pytest.raises(AssertionError, match=r"valid_curve\[0\]"):
        check_fit_pieces(lambda *a: (lambda m, c: (m, c[1:]))(*_my_fit(*a)))
