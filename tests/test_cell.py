"""The cell interface (lrnn.cell): every cell follows it, validation lives at the boundary only."""

import dataclasses

import numpy as np
import pytest

import lrnn
from lrnn.augmented import AugmentedLSTMParams
from lrnn.cell import Cell, Parameters, Trace, check_options, replace_unchecked
from lrnn.gru import GRUParams, TorchGRUParams
from lrnn.losses import Readout, readout_loss
from lrnn.lru import LRUParams
from lrnn.lstm import LSTMParams
from lrnn.optim import SGD, Adam, RMSProp, clip_by_global_norm
from lrnn.rnn import RNNParams
from lrnn.selective import SelectiveSSMParams
from lrnn.train import fit_sequences, sequence_loss_and_grads
from lrnn.xlstm import MLSTMParams, SLSTMParams

CELLS = {
    "rnn": lambda rng: RNNParams.init(rng, 3, 4),
    "canonical": lambda rng: RNNParams.init(rng, 3, 4, canonical=True),
    "lstm": lambda rng: LSTMParams.init(rng, 3, 4),
    "augmented": lambda rng: AugmentedLSTMParams.init(rng, 3, 4, d_v=2, L=3),
    "augmented_L1": lambda rng: AugmentedLSTMParams.init(rng, 3, 4, d_v=2),
    "gru": lambda rng: GRUParams.init(rng, 3, 4, recurrent="gaussian"),
    "torch_gru": lambda rng: TorchGRUParams.init(rng, 3, 4, recurrent="gaussian"),
    "lru": lambda rng: LRUParams.init(rng, 3, 5, 4, r_min=0.5, r_max=0.95),
    "selective": lambda rng: SelectiveSSMParams.init(rng, 3, 2, 4, dt_min=0.1, dt_max=1.0),
}
SIZES = {  # the sizes of each kind's zeros(), beyond d_x = 3 and d_s = 4
    "augmented": dict(d_v=2, L=3),
    "augmented_L1": dict(d_v=2, L=1),
    "lru": dict(d_s=5, d_h=4),
    "selective": dict(d_s=2, d_h=4),
}
OPTIONS = {  # what each cell's backward accepts
    "rnn": ("erratum_p1",),
    "canonical": ("erratum_p1",),
    "lstm": ("clip", "erratum_p3"),
    "augmented": ("clip", "erratum_p3", "erratum_p7"),
    "augmented_L1": ("clip", "erratum_p3", "erratum_p7"),
    "gru": (),
    "torch_gru": (),
    "lru": ("method",),
    "selective": ("method",),
}
VALUES = {"method": "loop"}  # the value each option is tried with (True for the rest)


@pytest.mark.parametrize(
    "cls",
    [RNNParams, LSTMParams, AugmentedLSTMParams, GRUParams, TorchGRUParams, LRUParams, SelectiveSSMParams,
     SLSTMParams, MLSTMParams],
)  # fmt: skip
def test_the_shape_table_names_every_field_in_order(cls):
    assert list(cls.SHAPES) == [f.name for f in dataclasses.fields(cls)]
    assert issubclass(cls, Parameters)


@pytest.mark.parametrize("kind", CELLS)
def test_every_cell_follows_the_protocol_and_continues_in_chunks(kind):
    rng = np.random.default_rng(0)
    p = CELLS[kind](rng)
    assert isinstance(p, Cell)
    x = rng.standard_normal((7, 2, 3))
    whole, first = p.forward(x), p.forward(x[:4])
    assert isinstance(whole, Trace) and whole.batched and whole.output.shape == (7, 2, p.d_out)
    if getattr(p, "L", 1) == 1:  # a context window of L > 1 taps looks past a chunk's end (zero padding, P10)
        np.testing.assert_allclose(p.forward(x[4:], first.last_state).output, whole.output[4:], rtol=1e-12, atol=1e-14)
    assert not p.forward(x[:, 0]).batched
    grads = p.backward(whole, rng.standard_normal(whole.output.shape))
    assert type(grads) is type(p) and grads.n_params == p.n_params == sum(a.size for a in p.arrays().values())
    zeros = type(p).zeros(**{"d_x": 3, "d_s": 4, **SIZES.get(kind, {})})
    assert [a.shape for a in zeros.arrays().values()] == [a.shape for a in p.arrays().values() if a is not None] or (
        kind == "canonical"  # zeros() of the standard RNN has no W_s unless asked
    )


@pytest.mark.parametrize("kind", CELLS)
def test_an_option_a_cell_does_not_have_gets_the_package_message(kind):
    rng = np.random.default_rng(1)
    p = CELLS[kind](rng)
    tr = p.forward(rng.standard_normal((3, 3)))
    dE = np.ones_like(tr.output)
    for option in OPTIONS[kind]:
        p.backward(tr, dE, **{option: VALUES.get(option, True)})  # accepted
    if "clip" not in OPTIONS[kind]:
        with pytest.raises(TypeError, match=rf"{type(p).__name__}.backward has no option clip: .*footnote 25.*LSTMs"):
            p.backward(tr, dE, clip=True)
    with pytest.raises(TypeError, match="has no option clipnorm: it is not an option of any cell's backward pass"):
        p.backward(tr, dE, clipnorm=1.0)


def test_check_options_names_what_the_cell_has():
    with pytest.raises(TypeError, match=r"erratum_p7 .* \(AugmentedLSTMParams\); its options are clip, erratum_p3\."):
        check_options(LSTMParams.zeros(1, 1), {"erratum_p7": True}, ("clip", "erratum_p3"))
    with pytest.raises(TypeError, match="; it has no options"):
        check_options(GRUParams.zeros(1, 1), {"erratum_p1": True})


def test_validation_is_derived_from_the_table():
    p = AugmentedLSTMParams.zeros(d_x=2, d_s=3, d_v=1, L=2)
    with pytest.raises(ValueError, match=r"W_v_cx has shape \(3, 2\), expected \(d_s, d_v\) = \(3, 1\) from W_v_cu"):
        AugmentedLSTMParams(**{**p.arrays(), "W_v_cx": np.zeros((3, 2))})
    with pytest.raises(ValueError, match=r"W_x_du has shape \(3, 2\), expected \(L, d_s, d_x\).*W\[None\]"):
        AugmentedLSTMParams(**{**p.arrays(), "W_x_du": np.zeros((3, 2))})
    with pytest.raises(ValueError, match=r"W_s_u contains inf"):
        GRUParams(**{**GRUParams.zeros(1, 2).arrays(), "W_s_u": np.full((2, 2), np.inf)})
    with pytest.raises(ValueError, match=r"W_x_r has shape \(0, 1\), expected \(d_s, d_x\) with every size >= 1"):
        GRUParams(**{**GRUParams.zeros(1, 2).arrays(), "W_x_r": np.zeros((0, 1))})
    with pytest.raises(ValueError, match="needs the sizes L, d_v"):
        AugmentedLSTMParams.shapes(d_x=1, d_s=1)
    with pytest.raises(ValueError, match="d_s = 0, expected a positive integer size"):
        LSTMParams.zeros(1, 0)
    q = LSTMParams(**{k: a.tolist() for k, a in LSTMParams.zeros(2, 1).arrays().items()})  # lists become float64
    assert q.W_x_cu.dtype == np.float64 and q.sizes == {"d_s": 1, "d_x": 2}


def test_unchecked_construction_skips_validation_and_keeps_none():
    g = LSTMParams.unchecked(**{**LSTMParams.zeros(1, 1).arrays(), "b_du": np.array([np.nan])})
    assert np.isnan(g.b_du[0]) and g.n_params == LSTMParams.zeros(1, 1).n_params
    r = replace_unchecked(Readout([[1.0]], [0.0]), W_y=np.array([[np.inf]]))
    assert np.isinf(r.W_y[0, 0]) and r.b_y[0] == 0.0


def model_width(kind):
    return 2 if kind.startswith("augmented") else 4  # d_out: d_v = 2, d_h = 4 or d_s = 4


@pytest.mark.parametrize("kind", CELLS)
def test_no_gradient_or_optimiser_path_calls_the_public_validator(kind, monkeypatch):
    rng = np.random.default_rng(2)
    model = (CELLS[kind](rng), Readout.random(rng, model_width(kind), 1))
    x, target = rng.standard_normal((6, 3, 3)), rng.standard_normal((6, 3, 1))

    def refuse(self):
        raise AssertionError(f"{type(self).__name__} was validated inside a gradient or optimiser path")

    monkeypatch.setattr(Parameters, "__post_init__", refuse)
    monkeypatch.setattr(Readout, "__post_init__", refuse)
    E, grads = sequence_loss_and_grads(model, (x, target))
    readout_loss(model[1], model[0].forward(x).output, target)
    clip_by_global_norm(grads, 1e-3)
    for opt in (SGD(momentum=0.9), RMSProp(centered=True, momentum=0.5), Adam()):
        opt.step(model, grads, opt.init_state(model))
    res = fit_sequences(model, lambda r: (x, target), rng, steps=2, clip_norm=1.0, tbptt=(2, 3), progress=False)
    assert res.steps == 2 and np.all(np.isfinite(res.losses))


def test_import_lrnn_exposes_the_interface():
    assert lrnn.Cell is Cell and lrnn.cell.Parameters is Parameters and callable(lrnn.gru_step)


def test_one_init_vocabulary():
    # recurrent= chooses the recurrent draw, scale= multiplies it; the orthogonal draw is the shared one
    rng = lambda: np.random.default_rng(5)  # noqa: E731
    rnn = RNNParams.init(rng(), 2, 4, recurrent="orthogonal", scale=0.9)
    gru = GRUParams.init(rng(), 2, 4, recurrent="orthogonal", scale=0.9)
    lstm = LSTMParams.init(rng(), 2, 4, recurrent="orthogonal", scale=0.9)
    gauss = LSTMParams.init(rng(), 2, 4, scale=0.9)
    for W in (rnn.W_r, gru.W_s_u, lstm.W_v_cu, lstm.W_v_du):
        np.testing.assert_allclose(W @ W.T, 0.81 * np.eye(4), atol=1e-12)
    np.testing.assert_array_equal(lstm.W_x_cu, gauss.W_x_cu)  # only the W_v_* draws change
    assert not np.allclose(lstm.W_v_cs, gauss.W_v_cs)
    for cls in (RNNParams, LSTMParams, AugmentedLSTMParams, GRUParams):
        with pytest.raises(ValueError, match="recurrent = 'xavier', expected"):
            cls.init(rng(), 2, 4, recurrent="xavier")
    assert not np.any(LSTMParams.init(rng(), 2, 4, pinholes=False).W_s_cr)
    aug = AugmentedLSTMParams.init(rng(), 2, 4, d_v=3, recurrent="orthogonal", scale=0.5, pinholes=False)
    np.testing.assert_allclose(aug.W_v_cx.T @ aug.W_v_cx, 0.25 * np.eye(3), atol=1e-12)  # orthonormal columns
    assert not np.any(aug.W_s_cx) and aug.W_q_dr.shape == (3, 4)
    same = AugmentedLSTMParams.init(rng(), 2, 4, d_v=3, scale=0.5)
    np.testing.assert_array_equal(aug.W_x_cu, same.W_x_cu)  # the other draws are the default's
