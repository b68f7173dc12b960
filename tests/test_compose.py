"""Tests for lrnn.compose: stacked and bidirectional cells, through the one cell interface."""

import numpy as np
import pytest

from lrnn.augmented import AugmentedLSTMParams
from lrnn.cell import Cell
from lrnn.compose import Bidirectional, BidirectionalTrace, Stack, StackTrace, bidirectional, stack
from lrnn.gradcheck import check_cell
from lrnn.gru import GRUParams, TorchGRUParams
from lrnn.losses import Readout
from lrnn.lstm import LSTMParams
from lrnn.optim import Adam, tree_leaves, tree_map
from lrnn.rnn import RNNParams
from lrnn.train import fit_sequences


def _lead(N, B):
    return (N,) if B is None else (N, B)


def _mixed_stack(rng):
    # every cell of the package in one stack: the sizes chain through d_out (the Augmented LSTM's d_v)
    return stack([
        LSTMParams.init(rng, 2, 3),
        AugmentedLSTMParams.init(rng, 3, 2, d_v=2, L=2),
        GRUParams.init(rng, 2, 2),
        TorchGRUParams.init(rng, 2, 2),
        RNNParams.init(rng, 2, 2, canonical=True),
    ])  # fmt: skip


def _random_state(rng, trace):
    """A random state with the structure and shapes of ``trace.last_state``."""
    if isinstance(trace, tuple):
        return tuple(_random_state(rng, t) for t in trace)
    return rng.standard_normal(np.shape(trace))


def test_stack_forward_is_the_layers_in_turn(rng):
    a, b = LSTMParams.init(rng, 2, 3), GRUParams.init(rng, 3, 4)
    x = rng.standard_normal((5, 2, 2))
    tr = stack([a, b]).forward(x)
    np.testing.assert_array_equal(tr.output, b.forward(a.forward(x).v).s)
    assert isinstance(tr, StackTrace) and tr.batched and tr.x is tr.traces[0].x
    assert [len(s) for s in tr.last_state] == [2, 1]


def test_stack_runs_in_chunks_as_in_one_piece(rng):
    # causal layers only: the Augmented LSTM's window (L > 1) reads ahead, past a chunk's end (P10)
    model = stack([LSTMParams.init(rng, 2, 3), AugmentedLSTMParams.init(rng, 3, 4, d_v=2, L=1),
                   TorchGRUParams.init(rng, 2, 3), RNNParams.init(rng, 3, 2, canonical=True)])  # fmt: skip
    x = rng.standard_normal((7, 3, 2))
    first = model.forward(x[:4])
    np.testing.assert_allclose(model.forward(x[4:], first.last_state).output, model.forward(x).output[4:], rtol=1e-13)


def test_bidirectional_output_layout_is_forward_then_backward(rng):
    f, b = RNNParams.init(rng, 2, 3), LSTMParams.init(rng, 2, 4)
    x = rng.standard_normal((6, 2))
    tr = bidirectional(f, b).forward(x)
    assert isinstance(tr, BidirectionalTrace) and tr.output.shape == (6, 7)
    np.testing.assert_array_equal(tr.output[:, :3], f.forward(x).r)
    np.testing.assert_array_equal(tr.output[:, 3:], b.forward(x[::-1]).v[::-1])  # step n saw x[n..N-1]
    # the backward half of step 0 depends on the last input; the forward half does not
    y = x.copy()
    y[-1] += 1.0
    other = bidirectional(f, b).forward(y).output
    assert np.array_equal(other[0, :3], tr.output[0, :3]) and not np.allclose(other[0, 3:], tr.output[0, 3:])


CASES = {  # name -> (model builder, N, B or None, random initial state)
    "stack of every cell, single": (_mixed_stack, 4, None, True),
    "stack of every cell, batch": (_mixed_stack, 3, 2, True),
    "stack, zero state": (lambda r: stack([LSTMParams.init(r, 2, 3), TorchGRUParams.init(r, 3, 3)]), 3, 2, False),
    "bidirectional LSTM, batch": (lambda r: bidirectional(LSTMParams.init(r, 2, 3), LSTMParams.init(r, 2, 2)),
                                  5, 2, True),
    "bidirectional GRU/RNN, single": (lambda r: bidirectional(TorchGRUParams.init(r, 3, 2), RNNParams.init(r, 3, 3)),
                                      4, None, True),
    "2 bidirectional layers": (lambda r: stack([bidirectional(LSTMParams.init(r, 2, 2), LSTMParams.init(r, 2, 2)),
                                                bidirectional(GRUParams.init(r, 4, 3), GRUParams.init(r, 4, 3))]),
                               4, 2, True),
    "bidirectional of stacks": (lambda r: bidirectional(stack([RNNParams.init(r, 2, 3), LSTMParams.init(r, 3, 2)]),
                                                        stack([TorchGRUParams.init(r, 2, 2)])), 4, None, True),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_gradients_match_finite_differences(name):
    build, N, B, initial = CASES[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    model = build(rng)
    x = rng.standard_normal((*_lead(N, B), model.d_x))
    state = _random_state(rng, model.forward(x).last_state) if initial else None
    # eps = 1e-5: through five layers a few gradients are small (|dE/dW_x_cx| ~ 1e-2 against E ~ 10), and
    # the rounding error of a central difference, ~ macheps E / eps, would dominate at eps = 1e-6
    # (measured: the error falls tenfold per tenfold eps, 2e-6, 2e-7, 2e-8, so it is rounding, not the gradient)
    report = check_cell(rng, model, x, state, eps=1e-5)
    assert "x" in report.errors and any(k.startswith("state") for k in report.errors)
    assert len(report.errors) >= len(tree_leaves(model)) + 2
    assert report.max_error < 1e-6, str(report)


def test_backward_matches_the_layers_by_hand(rng):
    a, b = LSTMParams.init(rng, 2, 3), LSTMParams.init(rng, 3, 2)
    x, dE = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    model = stack([a, b])
    tr = model.forward(x)
    grads, dE_dx, (st_a, st_b) = model.backward(tr, dE, return_inputs=True)
    g_b, dE_dv_a, want_b = b.backward(tr.traces[1], dE, return_inputs=True)
    g_a, want_dx, want_a = a.backward(tr.traces[0], dE_dv_a, return_inputs=True)  # the first term of Eq. 144
    np.testing.assert_array_equal(grads.layers[0].W_x_cu, g_a.W_x_cu)
    np.testing.assert_array_equal(grads.layers[1].W_v_du, g_b.W_v_du)
    np.testing.assert_array_equal(dE_dx, want_dx)
    np.testing.assert_array_equal(st_a[1], want_a[1])
    plain = model.backward(tr, dE)
    assert isinstance(plain, Stack) and np.array_equal(plain.layers[0].b_cs, g_a.b_cs)


def test_options_reach_every_layer(rng):
    model = stack([LSTMParams.init(rng, 2, 3, scale=3.0), LSTMParams.init(rng, 3, 2, scale=3.0)])
    x = rng.standard_normal((6, 2))
    tr = model.forward(x)
    clipped = model.backward(tr, 50 * np.ones((6, 2)), clip=True)
    unclipped = model.backward(tr, 50 * np.ones((6, 2)))
    assert np.abs(clipped.layers[0].b_cu).max() <= 6 + 1e-12  # |alpha| <= 1 at each of 6 steps (footnote 25)
    assert np.abs(unclipped.layers[0].b_cu).max() > 6
    with pytest.raises(TypeError, match="GRUParams.backward has no option clip"):
        stack([LSTMParams.init(rng, 2, 3), GRUParams.init(rng, 3, 2)]).backward(
            stack([LSTMParams.init(rng, 2, 3), GRUParams.init(rng, 3, 2)]).forward(x), np.ones((6, 2)), clip=True
        )


def test_composed_models_are_parameter_trees(rng):
    model = bidirectional(stack([LSTMParams.init(rng, 2, 3), GRUParams.init(rng, 3, 2)]), RNNParams.init(rng, 2, 4))
    leaves = tree_leaves(model)
    assert sum(a.size for a in leaves) == model.n_params == 4 * 6 + 7 * 9 + 12 + 3 * 6 + 3 * 4 + 6 + 16 + 8 + 4
    doubled = tree_map(lambda a: 2 * a, model)
    assert isinstance(doubled, Bidirectional) and isinstance(doubled.forward_cell, Stack)
    np.testing.assert_array_equal(doubled.forward_cell.layers[1].W_s_u, 2 * model.forward_cell.layers[1].W_s_u)
    assert model.d_x == 2 and model.d_out == 6 and model.d_s == 3 + 2 + 4
    assert isinstance(model, Cell) and isinstance(model.forward_cell, Cell)  # the one cell interface


def test_fit_trains_a_two_layer_stack(rng):
    # A 2-layer LSTM stack learns to echo its input two steps later, by lrnn.train unchanged, carrying
    # the stack's state across truncated-BPTT windows.
    model = (stack([LSTMParams.init(rng, 1, 8), LSTMParams.init(rng, 8, 8)]), Readout(np.zeros((1, 8)), np.zeros(1)))

    def echo(rng, N=24, B=16):
        x = rng.standard_normal((N, B, 1))
        return x, np.concatenate([np.zeros((2, B, 1)), x[:-2]])

    res = fit_sequences(model, echo, rng, steps=300, tbptt=12, optimizer=Adam(lr=0.01), progress=False)
    first, last = res.losses[:10].mean(), res.losses[-20:].mean()
    assert isinstance(res.params[0], Stack)
    assert last < 0.1 * first, (first, last)


def test_bad_input_gets_clear_errors(rng):
    a = LSTMParams.init(rng, 2, 3)
    with pytest.raises(ValueError, match=r"layers\[1\] has d_x = 2 but layers\[0\] has d_out = 3"):
        stack([a, LSTMParams.init(rng, 2, 3)])
    with pytest.raises(TypeError, match=r"layers\[1\] has type ndarray, expected a cell"):
        stack([a, np.zeros((3, 3))])
    with pytest.raises(ValueError, match="layers is empty"):
        stack([])
    with pytest.raises(TypeError, match="layers has type LSTMParams"):
        stack(a)
    with pytest.raises(ValueError, match="backward_cell has d_x = 3"):
        bidirectional(a, LSTMParams.init(rng, 3, 3))
    model = stack([a])
    with pytest.raises(TypeError, match="state has type tuple, expected None or a 1-tuple"):
        model.forward(np.zeros((2, 2)), (None, None))
    tr = model.forward(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"dE_dout has shape \(2, 2\), expected the shape of trace.output, \(2, 3\)"):
        model.backward(tr, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="dE_dout contains nan"):
        model.backward(tr, np.full((2, 3), np.nan))
    with pytest.raises(TypeError, match="trace has type LSTMTrace, expected a StackTrace"):
        model.backward(tr.traces[0], np.zeros((2, 3)))
    with pytest.raises(TypeError, match="return_inputs has type int, expected a bool.*Stack.backward"):
        model.backward(tr, np.zeros((2, 3)), return_inputs=1)
    bi = bidirectional(a, a)
    with pytest.raises(TypeError, match="return_inputs has type str.*Bidirectional.backward"):
        bi.backward(bi.forward(np.zeros((2, 2))), np.zeros((2, 6)), return_inputs="no")


def test_fit_trains_a_bidirectional_model_to_read_ahead(rng):
    # target[n] = x[n + 1]: the next input, which no causal cell has seen at step n; the backward cell has.
    def ahead(rng, N=12, B=16):
        x = rng.standard_normal((N, B, 1))
        return x, np.concatenate([x[1:], np.zeros((1, B, 1))])

    def train(cell):
        model = (cell, Readout(np.zeros((1, cell.d_out)), np.zeros(1)))
        res = fit_sequences(model, ahead, np.random.default_rng(3), steps=300, optimizer=Adam(lr=0.02), progress=False)
        return res.losses[-20:].mean()

    causal = train(RNNParams.init(np.random.default_rng(1), 1, 8, recurrent="orthogonal"))
    both = train(bidirectional(RNNParams.init(rng, 1, 4, recurrent="orthogonal"),
                               RNNParams.init(rng, 1, 4, recurrent="orthogonal")))  # fmt: skip
    # E = mean (y - x[n+1])^2, 11/12 for y = 0: the causal cell cannot beat it (measured 0.91), the pair can (0.007)
    assert causal > 0.8 and both < 0.05, (causal, both)
