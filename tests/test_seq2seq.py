"""Tests for lrnn.seq2seq: additive attention (Eqs. A1-A9), the encoder-decoder, teacher forcing, greedy decoding."""

import numpy as np
import pytest

from lrnn.compose import bidirectional
from lrnn.gradcheck import check_gradients, numerical_gradient, relative_error
from lrnn.gru import TorchGRUParams
from lrnn.losses import Readout
from lrnn.lstm import LSTMParams
from lrnn.optim import Adam
from lrnn.rnn import RNNParams
from lrnn.seq2seq import (
    AdditiveAttention,
    Seq2Seq,
    greedy_decode,
    seq2seq_loss,
    seq2seq_loss_and_grads,
    teacher_forcing_inputs,
)


def test_zero_score_weights_attend_uniformly(rng):
    att = AdditiveAttention.init(rng, d_q=2, d_k=3, d_a=4)
    att = AdditiveAttention(W_q=att.W_q, W_k=att.W_k, b_a=att.b_a, w_a=np.zeros(4))  # e = 0: a = 1/S (Eq. A2)
    h = rng.standard_normal((5, 3))
    tr = att.forward(rng.standard_normal((2, 2)), h)
    np.testing.assert_allclose(tr.a, np.full((2, 5), 0.2), rtol=1e-15)
    np.testing.assert_allclose(tr.context, np.tile(h.mean(axis=0), (2, 1)), rtol=1e-14)


def test_attention_by_hand_one_query_two_keys():
    # d = 1: e_i = w tanh(W_q q + W_k h_i + b), a = softmax(e), c = a_0 h_0 + a_1 h_1
    att = AdditiveAttention(W_q=[[0.5]], W_k=[[2.0]], b_a=[0.1], w_a=[1.5])
    q, h = 0.3, np.array([-1.0, 0.7])
    e = 1.5 * np.tanh(0.5 * q + 2.0 * h + 0.1)
    a = np.exp(e) / np.exp(e).sum()
    tr = att.forward([[q]], h[:, None])
    np.testing.assert_allclose(tr.a[0], a, rtol=1e-14)
    np.testing.assert_allclose(tr.context[0, 0], a @ h, rtol=1e-14)


@pytest.mark.parametrize("batched", [False, True])
def test_attention_backward_matches_finite_differences(rng, batched):
    T, S, B = 3, 4, 2
    att = AdditiveAttention.init(rng, d_q=2, d_k=3, d_a=5)
    att = AdditiveAttention(W_q=att.W_q, W_k=att.W_k, b_a=0.3 * rng.standard_normal(5), w_a=2 * att.w_a)
    lead = (B,) if batched else ()
    q, h = rng.standard_normal((T, *lead, 2)), rng.standard_normal((S, *lead, 3))
    W, target = rng.standard_normal((2, 3)), rng.standard_normal((T, *lead, 2))

    def loss(p=att, q_=q, h_=h):
        return 0.5 * float(np.sum((p.forward(q_, h_).context @ W.T - target) ** 2))

    tr = att.forward(q, h)
    grads, dE_dq, dE_dh = att.backward(tr, (tr.context @ W.T - target) @ W)
    report = check_gradients(lambda p: loss(p=p), att, grads)
    assert report.max_error < 1e-6, str(report)
    assert dE_dq.shape == q.shape and dE_dh.shape == h.shape
    assert relative_error(dE_dq, numerical_gradient(lambda v: loss(q_=v), q)) < 1e-6
    assert relative_error(dE_dh, numerical_gradient(lambda v: loss(h_=v), h)) < 1e-6


def _model(rng, attention, encoder="lstm", V=4, d=3):
    enc = {
        "lstm": LSTMParams.init(rng, V, d),
        "bi": bidirectional(LSTMParams.init(rng, V, 2), RNNParams.init(rng, V, 1)),
    }
    encoder = enc[encoder]
    d_k = encoder.d_out
    decoder = TorchGRUParams.init(rng, V + d_k, d)
    readout = Readout.random(rng, d + (d_k if attention else 0), V - 1)
    att = None
    if attention:  # scores of order one (not the small ones of a fresh init), so every attention gradient is sizeable
        a = AdditiveAttention.init(rng, d, d_k, 4)
        att = AdditiveAttention(W_q=3 * a.W_q, W_k=3 * a.W_k, b_a=rng.standard_normal(4), w_a=3 * a.w_a)
    return Seq2Seq(encoder, decoder, readout, att)


def _batch(rng, S=5, T=4, B=3, V=4):
    src = rng.integers(0, V - 1, size=(S, B))
    target = rng.integers(0, V - 1, size=(T, B))
    return np.eye(V)[src], teacher_forcing_inputs(target, start=V - 1, V=V), target


@pytest.mark.parametrize("encoder", ["lstm", "bi"])
@pytest.mark.parametrize("attention", [False, True])
def test_seq2seq_gradients_match_finite_differences(rng, attention, encoder):
    model = _model(rng, attention, encoder)
    x, y_in, target = _batch(rng)
    E, grads = seq2seq_loss_and_grads(model, x, y_in, target)
    assert E == pytest.approx(seq2seq_loss(model, x, y_in, target), rel=1e-15)
    # eps = 1e-5: the query enters every score of a step alike, so only tanh's curvature gives W_q a gradient
    # (|dE/dW_q| ~ 4e-5 here); at eps = 1e-6 the rounding of E / eps shows (measured: 4e-6, 3e-7, 4e-8 at
    # eps = 1e-6, 1e-5, 1e-4, tenfold per tenfold eps: rounding, not the gradient)
    report = check_gradients(lambda m: seq2seq_loss(m, x, y_in, target), model, grads, eps=1e-5)
    assert any(k.startswith("encoder.") for k in report.errors) and any(k.startswith("decoder.") for k in report.errors)
    assert any(k.startswith("attention.") for k in report.errors) == attention
    assert report.max_error < 1e-6, str(report)


def test_single_sequence_gradients_match_finite_differences(rng):
    model = _model(rng, attention=True)
    x, y_in, target = (a[:, 0] for a in _batch(rng))
    mask = np.array([1.0, 1.0, 1.0, 0.0])
    E, grads = seq2seq_loss_and_grads(model, x, y_in, target, mask)
    report = check_gradients(lambda m: seq2seq_loss(m, x, y_in, target, mask), model, grads, eps=1e-5)  # as above
    assert report.max_error < 1e-6, str(report)


def test_greedy_decoding_agrees_with_teacher_forcing_on_its_own_tokens(rng):
    model = _model(rng, attention=True)
    x = _batch(rng)[0]
    tokens, alignment = greedy_decode(model, x, start=3, steps=6)
    assert tokens.shape == (6, 3) and alignment.shape == (6, 3, 5)
    np.testing.assert_allclose(alignment.sum(axis=-1), 1.0, rtol=1e-14)
    tr = model.forward(x, teacher_forcing_inputs(tokens, start=3, V=4))
    np.testing.assert_array_equal(tr.logits.argmax(axis=-1), tokens)
    np.testing.assert_allclose(tr.attention.a, alignment, rtol=1e-13)
    plain = _model(rng, attention=False)
    assert greedy_decode(plain, x[:, 0], start=3, steps=2)[1] is None


def test_attention_learns_to_reverse(rng):
    # Reverse 5 symbols of 3: a small encoder-decoder with attention, Adam, 250 updates.
    V, S = 4, 5
    model = _model(rng, attention=True, V=V, d=12)
    opt = Adam(lr=0.02)
    state = opt.init_state(model)
    for _ in range(250):
        src = rng.integers(0, V - 1, size=(S, 16))
        _, grads = seq2seq_loss_and_grads(model, np.eye(V)[src], teacher_forcing_inputs(src[::-1], V - 1, V), src[::-1])
        model, state = opt.step(model, grads, state)
    src = rng.integers(0, V - 1, size=(S, 200))
    tokens, _ = greedy_decode(model, np.eye(V)[src], start=V - 1, steps=S)
    accuracy = float(np.mean(tokens == src[::-1]))
    assert accuracy > 0.9, accuracy


def test_bad_input_gets_clear_errors(rng):
    enc, dec = LSTMParams.init(rng, 4, 3), TorchGRUParams.init(rng, 7, 3)
    with pytest.raises(ValueError, match=r"readout.W_y has shape \(3, 3\), expected \(V_out, decoder.d_out \+ "):
        Seq2Seq(enc, dec, Readout.random(rng, 3, 3), AdditiveAttention.init(rng, 3, 3, 2))
    with pytest.raises(ValueError, match="V_in >= 1"):
        Seq2Seq(enc, TorchGRUParams.init(rng, 3, 3), Readout.random(rng, 3, 3))
    with pytest.raises(ValueError, match=r"attention has \{'d_q': 2, 'd_k': 3\}, expected \{'d_q': 3"):
        Seq2Seq(enc, dec, Readout.random(rng, 6, 3), AdditiveAttention.init(rng, 2, 3, 2))
    with pytest.raises(ValueError, match="V_out <= V_in"):
        Seq2Seq(enc, dec, Readout.random(rng, 3, 5))
    with pytest.raises(TypeError, match="encoder has type str"):
        Seq2Seq("lstm", dec, Readout.random(rng, 3, 3))
    model = Seq2Seq(enc, dec, Readout.random(rng, 3, 3))
    with pytest.raises(ValueError, match=r"y_in has shape \(2, 3\), expected \(N, V_in\) = \(N, 4\)"):
        model.forward(np.zeros((3, 4)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="expected the batch layout of x"):
        model.forward(np.zeros((3, 4)), np.zeros((2, 1, 4)))
    with pytest.raises(ValueError, match="start = 4, expected a token index"):
        greedy_decode(model, np.zeros((3, 4)), start=4, steps=2)
    with pytest.raises(ValueError, match="tokens must be integers"):
        teacher_forcing_inputs([0.5], start=0, V=2)
    tr = model.forward(np.zeros((3, 4)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"dE_dlogits has shape \(2, 2\), expected the shape of trace.logits"):
        model.backward(tr, np.zeros((2, 2)))
    att = AdditiveAttention.init(rng, 2, 3, 2)
    with pytest.raises(ValueError, match="both as one sequence or both with the same batch size"):
        att.forward(np.zeros((2, 2)), np.zeros((4, 1, 3)))
