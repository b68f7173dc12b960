"""lrnn.exercises.charlm: the checks accept right answers and name the usual mistakes."""

import numpy as np
import pytest

from lrnn.exercises.charlm import check_char_loss, check_fit
from lrnn.losses import softmax_cross_entropy
from lrnn.optim import Adam, clip_by_global_norm
from lrnn.train import sequence_loss_and_grads


def char_loss(W_x, W_r, theta_s, W_y, b_y, codes, row=False, shift=1, bits=False, reduce=np.mean, stable=True):
    r, losses = np.zeros(len(W_r)), []
    for n in range(len(codes) - 1):
        r = np.tanh(W_r @ r + (W_x[codes[n] % len(W_x)] if row else W_x[:, codes[n]]) + theta_s)
        y = W_y @ r + b_y
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            log_p = y - y.max() - np.log(np.exp(y - y.max()).sum()) if stable else np.log(np.exp(y) / np.exp(y).sum())
        losses.append(-log_p[codes[n + shift]] / (np.log(2) if bits else 1.0))
    return reduce(losses)


def test_char_loss_right_and_wrong():
    assert "all 3 cases agree" in check_char_loss(char_loss)
    for kwargs, msg in (
        ({"row": True}, "is the COLUMN W_x\\[:, c\\]"),
        ({"shift": 0}, "predicts c\\[n \\+ 1\\]"),
        ({"bits": True}, "in bits"),
        ({"reduce": np.sum}, "sum over the characters"),
        ({"stable": False}, "subtract the largest logit"),
    ):
        with pytest.raises(AssertionError, match=msg):
            check_char_loss(lambda *a, kw=kwargs: char_loss(*a, **kw))


def my_fit(model, x, target, k, steps, lr, clip_norm, carry=True, clip=True):
    opt = Adam(lr=lr)
    state = opt.init(model) if hasattr(opt, "init") else opt.init_state(model)
    h, losses = None, []
    for j in range(steps):
        w = slice(j * k, (j + 1) * k)
        E, grads = sequence_loss_and_grads(model, (x[w], target[w]), loss=softmax_cross_entropy, state=h)
        h = model[0].forward(x[w], h).last_state if carry else None
        if clip:
            grads, _ = clip_by_global_norm(grads, clip_norm)
        model, state = opt.step(model, grads, state)
        losses.append(E)
    return model, losses


def test_fit_right_and_wrong():
    assert "agree with lrnn.train.fit_sequences" in check_fit(my_fit)
    with pytest.raises(AssertionError, match="state is reset"):
        check_fit(lambda *a: my_fit(*a, carry=False))
    with pytest.raises(AssertionError, match="not clipped"):
        check_fit(lambda *a: my_fit(*a, clip=False))
    with pytest.raises(AssertionError, match="expected \\(model, losses\\)"):
        check_fit(lambda *a: my_fit(*a)[1])
