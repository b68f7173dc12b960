"""Dropout on the non-recurrent connections and weight noise in lrnn.music_models.fit_pieces."""

import dataclasses

import numpy as np
import pytest
from conftest import KilledRun

from lrnn.gradcheck import check_gradients
from lrnn.losses import sigmoid_bernoulli_nll
from lrnn.music import load_jsb_chorales, next_frame_batch
from lrnn.music_models import (
    PINHOLES,
    add_weight_noise,
    dropout_loss_and_grads,
    dropout_masks,
    fit_pieces,
    init_model,
)
from lrnn.optim import Adam, tree_leaves
from lrnn.train import sequence_loss_and_grads


@pytest.fixture(scope="module")
def data():
    d = load_jsb_chorales()
    return {"train": d["train"][:16], "valid": d["valid"][:4]}


def _same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(tree_leaves(a), tree_leaves(b), strict=True))


@pytest.mark.parametrize("kind", ["tanh", "gru", "lstm"])
def test_rate_zero_is_the_unregularised_run_bit_for_bit(kind, data):
    runs = []
    for kw in ({}, {"dropout": 0.0, "weight_noise": 0.0}, {"dropout": 0, "weight_noise": 0}):
        model = init_model(kind, np.random.default_rng(3), data["train"], size=5)
        runs.append(fit_pieces(kind, model, data["train"], data["valid"], np.random.default_rng(3), epochs=3,
                               batch_size=4, patience=None, progress=False, **kw))  # fmt: skip
    for other in runs[1:]:
        np.testing.assert_array_equal(other.valid_curve, runs[0].valid_curve)
        np.testing.assert_array_equal(other.train_nll, runs[0].train_nll)
        assert _same(other.model, runs[0].model)


@pytest.mark.parametrize("kw", [{"dropout": 0.3}, {"weight_noise": 0.05}, {"dropout": 0.2, "weight_noise": 0.02}])
def test_regularised_runs_are_deterministic_and_differ_from_the_plain_one(kw, data):
    def go(**extra):
        model = init_model("gru", np.random.default_rng(1), data["train"], size=5)
        return fit_pieces("gru", model, data["train"], data["valid"], np.random.default_rng(1), epochs=2,
                          batch_size=4, patience=None, progress=False, **extra)  # fmt: skip

    a, b, plain = go(**kw), go(**kw), go()
    np.testing.assert_array_equal(a.valid_curve, b.valid_curve)
    np.testing.assert_array_equal(a.train_nll, b.train_nll)
    assert a.train_nll[0] == plain.train_nll[0]  # the same clean start
    assert not np.array_equal(a.train_nll[1:], plain.train_nll[1:])


@pytest.mark.parametrize("kind", ["tanh", "gru", "lstm_pinholes", "augmented"])
def test_dropout_gradient_matches_central_differences(kind):
    """With the masks held fixed the loss is a smooth function of the parameters: float64, rel. error < 1e-6.

    Generic parameters (the gated cells' weights and biases redrawn ``N(0, 1/4)``, the readout ``N(0, 1)``)
    and random rolls. The loss is a mean over frames of about 60 nats, so the differences use ``eps = 1e-5``:
    at ``1e-6`` the rounding of the loss alone is a few parts in 1e-7 of the smallest gradients.
    """
    rng = np.random.default_rng(7)
    rolls = [(rng.random((T, 88)) < 0.1).astype(float) for T in (5, 3, 4)]
    cell, readout = init_model(kind, rng, rolls, size=(3, 2) if kind == "augmented" else 3)
    if kind != "tanh" and kind != "gru":
        cell = dataclasses.replace(cell, **{k: 0.5 * rng.standard_normal(getattr(cell, k).shape)
                                            for k in cell.SHAPES if getattr(cell, k) is not None})  # fmt: skip
    model = (cell, type(readout)(W_y=rng.standard_normal(readout.W_y.shape), b_y=readout.b_y))
    batch = next_frame_batch(rolls)
    x = batch[0]
    masks = dropout_masks(rng, x.shape, (*x.shape[:-1], cell.d_out), 0.4)
    assert 0 < np.mean(masks[0] == 0) < 1 and 0 < np.mean(masks[1] == 0) < 1  # some units dropped, not all
    _, grads = dropout_loss_and_grads(model, batch, masks)
    report = check_gradients(lambda q: dropout_loss_and_grads(q, batch, masks)[0], model, grads, eps=1e-5)
    assert report.max_error < 1e-6, str(report)
    # the masks matter: the gradient differs from the unmasked one
    _, plain = dropout_loss_and_grads(model, batch, tuple(np.ones_like(m) for m in masks))
    assert not _same(grads, plain)


def test_dropout_with_masks_of_ones_is_the_plain_loss(data):
    model = init_model("lstm", np.random.default_rng(0), data["train"], size=4)
    batch = next_frame_batch(data["train"][:5])
    ones = (np.ones_like(batch[0]), np.ones((*batch[0].shape[:-1], 4)))
    E, g = dropout_loss_and_grads(model, batch, ones)
    E0, g0 = sequence_loss_and_grads(model, batch, loss=sigmoid_bernoulli_nll)
    assert E == E0 and _same(g, g0)


def test_dropout_masks_are_inverted_and_checked_against_the_batch():
    m_x, m_v = dropout_masks(np.random.default_rng(0), (200, 8, 88), (200, 8, 36), 0.3)
    assert set(np.unique(m_x)) == {0.0, 1 / 0.7} and m_v.shape == (200, 8, 36)
    assert abs(np.mean(m_x == 0) - 0.3) < 0.01 and abs(m_x.mean() - 1) < 0.02  # expectation kept
    a, b = dropout_masks(np.random.default_rng(0), (3, 2, 4), (3, 2, 5), 0.0)
    assert np.all(a == 1) and np.all(b == 1)
    with pytest.raises(ValueError, match=r"masks\[0\] has shape \(3, 2, 4\), expected the input's shape"):
        model = init_model("tanh", np.random.default_rng(0), [np.zeros((4, 88))], size=5)
        dropout_loss_and_grads(model, next_frame_batch([np.zeros((4, 88))]), (a, b))


@pytest.mark.parametrize("rate", [1.0, -0.1, float("nan"), float("inf"), True, "0.3", None])
def test_bad_dropout_rates_get_clear_errors(rate, data):
    with pytest.raises(ValueError, match=r"rate = .*expected a finite number in \[0, 1\)"):
        dropout_masks(np.random.default_rng(0), (2, 1, 88), (2, 1, 4), rate)
    model = init_model("tanh", np.random.default_rng(0), data["train"], size=3)
    with pytest.raises(ValueError, match=r"dropout = .*expected a finite number in \[0, 1\)"):
        fit_pieces("tanh", model, data["train"], data["valid"], np.random.default_rng(0), epochs=1, dropout=rate)


@pytest.mark.parametrize("sd", [-0.01, float("nan"), float("inf"), False, "0.05"])
def test_bad_weight_noise_gets_clear_errors(sd, data):
    model = init_model("tanh", np.random.default_rng(0), data["train"], size=3)
    with pytest.raises(ValueError, match=r"weight_noise = .*expected a finite number in \[0, inf\)"):
        fit_pieces("tanh", model, data["train"], data["valid"], np.random.default_rng(0), epochs=1, weight_noise=sd)
    with pytest.raises(ValueError, match=r"sd = .*standard deviation"):
        add_weight_noise(model, np.random.default_rng(0), sd)


def test_weight_noise_perturbs_every_parameter_but_the_frozen_pinholes(data):
    model = init_model("lstm", np.random.default_rng(0), data["train"], size=30)
    assert _same(add_weight_noise(model, np.random.default_rng(1), 0.0), model)
    noisy = add_weight_noise(model, np.random.default_rng(1), 0.1, frozen=PINHOLES)
    for name in PINHOLES:
        assert not getattr(noisy[0], name).any()
    diffs = [a - b for a, b in zip(tree_leaves(noisy), tree_leaves(model))]
    moved = np.concatenate([d.ravel() for d in diffs if d.any()])
    assert abs(moved.std() - 0.1) < 0.002 and abs(moved.mean()) < 0.002
    assert sum(d.any() for d in diffs) == len(diffs) - len(PINHOLES)


@pytest.mark.parametrize("kw", [{"weight_noise": 0.1}, {"dropout": 0.5}])
def test_the_gradient_at_the_regularised_model_updates_the_clean_parameters(kw, data):
    """Two updates, replayed by hand: batch order, then noise or masks from the same generator; each
    gradient is taken at the noisy (or masked) model and Adam applies it to the clean parameters."""
    train = data["train"][:8]
    model = init_model("gru", np.random.default_rng(2), train, size=4)
    fit = fit_pieces("gru", model, train, data["valid"], np.random.default_rng(5), epochs=1, batch_size=4,
                     clip_norm=None, patience=None, progress=False, **kw)  # fmt: skip
    rng, opt = np.random.default_rng(5), Adam(lr=0.003)
    state, params = opt.init_state(model), model
    order = rng.permutation(len(train))
    losses, frames = [], []
    for i in (0, 4):
        batch = next_frame_batch([train[j] for j in order[i : i + 4]])
        if "weight_noise" in kw:
            E, g = sequence_loss_and_grads(add_weight_noise(params, rng, 0.1), batch, loss=sigmoid_bernoulli_nll)
        else:
            x = batch[0]
            E, g = dropout_loss_and_grads(params, batch, dropout_masks(rng, x.shape, (*x.shape[:-1], 4), 0.5))
        params, state = opt.step(params, g, state)  # the clean parameters move
        losses.append(E)
        frames.append(batch[2].sum())
    assert fit.train_nll[1] == pytest.approx(np.dot(losses, frames) / np.sum(frames), rel=1e-12)
    if fit.best_epoch == 1:
        assert _same(fit.model, params)


def test_a_regularised_run_killed_midway_resumes_where_it_stopped(tmp_path, monkeypatch, kill_after_writes, data):
    """The noise and the masks come from the run's generator, whose state the checkpoint keeps."""

    kw = dict(epochs=4, patience=None, batch_size=4, lr=0.02, progress=False, dropout=0.2, weight_noise=0.05)

    def start():
        return init_model("gru", np.random.default_rng(0), data["train"], size=4)

    whole = fit_pieces("gru", start(), data["train"], data["valid"], np.random.default_rng(1), **kw)
    path = tmp_path / "gru-1.ckpt"
    kill_after_writes(2)
    with pytest.raises(KilledRun):
        fit_pieces("gru", start(), data["train"], data["valid"], np.random.default_rng(1), checkpoint=path, **kw)
    monkeypatch.undo()
    again = fit_pieces("gru", start(), data["train"], data["valid"], np.random.default_rng(9), checkpoint=path, **kw)
    np.testing.assert_array_equal(again.valid_curve, whole.valid_curve)
    np.testing.assert_array_equal(again.train_nll, whole.train_nll)
    assert _same(again.model, whole.model)
    # a checkpoint of a regularised run is not resumed by a run with other settings
    kill_after_writes(2)
    with pytest.raises(KilledRun):
        fit_pieces("gru", start(), data["train"], data["valid"], np.random.default_rng(1), checkpoint=path, **kw)
    monkeypatch.undo()
    with pytest.raises(ValueError, match="checkpoint .* is of a run with"):
        fit_pieces("gru", start(), data["train"], data["valid"], np.random.default_rng(1), checkpoint=path,
                   **{**kw, "dropout": 0.3})  # fmt: skip
