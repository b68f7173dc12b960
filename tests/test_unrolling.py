import numpy as np
import pytest

from lrnn.rnn import RNNParams, rnn_forward
from lrnn.unrolling import (
    impulse_response,
    segment_discrepancy,
    segment_offsets,
    segment_windows,
    stack_segments,
    unit_sample,
    unit_step,
    unrolled_forward,
    window_segments,
)


def test_unit_step_and_sample():
    n = np.arange(-3, 4)
    np.testing.assert_array_equal(unit_step(n), [0, 0, 0, 1, 1, 1, 1])  # Eq. 34
    np.testing.assert_array_equal(unit_sample(n), [0, 0, 0, 1, 0, 0, 0])  # Eq. 35
    assert unit_step(5).shape == ()
    with pytest.raises(ValueError, match="n holds non-integer values"):
        unit_step([0.5])


def test_offsets_windows_and_segments():
    K = [3, 1, 2]
    np.testing.assert_array_equal(segment_offsets(K), [0, 3, 4])  # Eq. 42
    w = segment_windows(K)
    assert w.shape == (3, 6)
    np.testing.assert_array_equal(w.sum(axis=0), np.ones(6))  # Eqs. 40-41: the windows tile [0, N)
    np.testing.assert_array_equal(w.sum(axis=1), K)
    np.testing.assert_array_equal(w[1], [0, 0, 0, 1, 0, 0])
    v = np.arange(12.0).reshape(6, 2)
    vm = window_segments(v, K)
    assert vm.shape == (3, 6, 2)
    np.testing.assert_array_equal(vm.sum(axis=0), v)  # Eq. 37
    np.testing.assert_array_equal(vm[2, 4:], v[4:])
    np.testing.assert_array_equal(vm[2, :4], 0.0)


def test_stack_segments_shifts_and_pads():
    x = np.arange(6.0)[:, None] * [1.0, -1.0]
    xt, mask = stack_segments(x, [3, 1, 2])
    assert xt.shape == (3, 3, 2) and mask.shape == (3, 3)
    np.testing.assert_array_equal(xt[:, 0, 0], [0, 1, 2])
    np.testing.assert_array_equal(xt[:, 1, 0], [3, 0, 0])  # Eq. 76: zero for n >= K_m
    np.testing.assert_array_equal(xt[:, 2, 1], [-4, -5, 0])
    np.testing.assert_array_equal(mask, [[1, 1, 1], [1, 0, 1], [1, 0, 0]])
    xb, _ = stack_segments(np.zeros((6, 4, 2)), [3, 1, 2])
    assert xb.shape == (3, 3, 4, 2)


def test_length_errors():
    for bad in ([], [2, 0], [1.5, 2], [[1, 2]]):
        with pytest.raises(ValueError, match="expected a non-empty list of positive ints K_m"):
            segment_offsets(bad)
    with pytest.raises(ValueError, match=r"lengths sum to 4, expected N = 5 \(Eq. 40"):
        window_segments(np.zeros(5), [2, 2])
    with pytest.raises(ValueError, match=r"v is a scalar; pass a time-major signal of shape \(N, ...\)"):
        window_segments(1.0, [1])


def test_impulse_response_is_eq36(rng):
    p = RNNParams.init(rng, d_x=2, d_s=3)
    s = impulse_response(p, 4).s
    one = np.ones(2)
    np.testing.assert_allclose(s[0], p.W_x @ one, rtol=1e-14)
    np.testing.assert_allclose(s[1], p.W_r @ np.tanh(p.W_x @ one), rtol=1e-14)
    np.testing.assert_allclose(s[2], p.W_r @ np.tanh(p.W_r @ np.tanh(p.W_x @ one)), rtol=1e-14)
    assert np.all(np.abs(s[3]) > 0)  # IIR: still non-zero after the impulse is gone
    biased = impulse_response(p, 4, zero_bias=False).s
    np.testing.assert_allclose(biased[0], p.W_x @ one + p.theta_s, rtol=1e-14)
    assert impulse_response(p, 1).s.shape == (1, 3)
    with pytest.raises(ValueError, match="N = 0, expected a positive integer"):
        impulse_response(p, 0)


@pytest.mark.parametrize("batch", [None, 3])
def test_sequential_shuffled_and_parallel_agree(rng, batch):
    p = RNNParams.init(rng, d_x=2, d_s=4, scale=1.3)
    lead = (10,) if batch is None else (10, batch)
    x = rng.normal(size=(*lead, 2))
    K = [4, 1, 3, 2]
    seq = unrolled_forward(p, x, K)
    shuffled = unrolled_forward(p, x, K, order=rng.permutation(4))
    par = unrolled_forward(p, x, K, parallel=True)
    assert seq.s.shape == x.shape[:-1] + (4,) and seq.lengths == (4, 1, 3, 2)
    np.testing.assert_array_equal(shuffled.s, seq.s)
    np.testing.assert_allclose(par.s, seq.s, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(par.r, np.tanh(seq.s), rtol=1e-14, atol=1e-15)
    for j, k in zip(segment_offsets(K), K, strict=True):  # every segment starts from s~[-1] = 0 (Eq. 73)
        np.testing.assert_allclose(seq.s[j : j + k], rnn_forward(p, x[j : j + k]).s, rtol=1e-14)


def test_one_segment_is_the_full_run(rng):
    p = RNNParams.init(rng, d_x=2, d_s=3)
    x = rng.normal(size=(7, 2))
    np.testing.assert_allclose(unrolled_forward(p, x, [7], parallel=True).s, rnn_forward(p, x).s, rtol=1e-14)


def test_unrolled_errors(rng):
    p = RNNParams.init(rng, d_x=2, d_s=3)
    x = rng.normal(size=(5, 2))
    with pytest.raises(ValueError, match=r"lengths sum to 4, expected N = 5"):
        unrolled_forward(p, x, [2, 2])
    with pytest.raises(ValueError, match=r"order = \[0, 0\] is not a permutation of range\(M\) = range\(2\)"):
        unrolled_forward(p, x, [2, 3], order=[0, 0])
    with pytest.raises(ValueError, match="pass order=None with parallel=True"):
        unrolled_forward(p, x, [2, 3], order=[1, 0], parallel=True)
    with pytest.raises(ValueError, match=r"x has shape \(5, 3\), expected \(N, d_x\) = \(N, 2\)"):
        unrolled_forward(p, np.zeros((5, 3)), [5])
    with pytest.raises(TypeError, match="params has type str"):
        unrolled_forward("p", x, [5])


def test_segment_discrepancy(rng):
    p = RNNParams.init(rng, d_x=2, d_s=3, scale=0.5)
    x = rng.normal(size=(12, 2))
    per_segment, per_step = segment_discrepancy(p, x, [4, 4, 4])
    assert per_segment.shape == (3,) and per_step.shape == (12,)
    assert per_segment[0] == 0.0  # both runs start segment 0 from s[-1] = 0
    assert np.all(per_segment[1:] > 1e-3)  # Remark 4: the state carries information across segments
    np.testing.assert_array_equal(per_segment, [per_step[0:4].max(), per_step[4:8].max(), per_step[8:].max()])
    assert per_step[4] > per_step[7]  # a contractive RNN forgets the lost state inside the segment
    memoryless = RNNParams(W_r=np.zeros((3, 3)), W_x=p.W_x, theta_s=p.theta_s)
    np.testing.assert_array_equal(segment_discrepancy(memoryless, x, [4, 4, 4])[0], 0.0)  # independent segments
    with_s0, _ = segment_discrepancy(p, x, [4, 4, 4], s0=np.ones(3))
    assert with_s0[0] > 0


@pytest.mark.parametrize("batch", [None, 3])
@pytest.mark.parametrize("canonical", [False, True])
def test_stateful_segments_reproduce_the_full_run(rng, batch, canonical):
    p = RNNParams.init(rng, d_x=2, d_s=4, scale=1.3)
    if canonical:  # the W_s term must also see the carried state
        p = RNNParams(p.W_r, p.W_x, p.theta_s, W_s=0.3 * np.eye(4))
    lead = (10,) if batch is None else (10, batch)
    x = rng.normal(size=(*lead, 2))
    s0 = rng.normal(size=4)
    full = rnn_forward(p, x, s0)
    carried = unrolled_forward(p, x, [4, 1, 3, 2], stateful=True, s0=s0)
    np.testing.assert_allclose(carried.s, full.s, rtol=0, atol=1e-15)
    np.testing.assert_allclose(carried.r, full.r, rtol=0, atol=1e-15)
    zero_start = unrolled_forward(p, x, [4, 1, 3, 2])
    assert np.abs(zero_start.s - full.s).max() > 1e-3, "the reset does change later segments"


def test_stateful_discrepancy_is_zero_and_errors(rng):
    p = RNNParams.init(rng, d_x=2, d_s=3, scale=1.2)
    x = rng.normal(size=(12, 2))
    per_segment, per_step = segment_discrepancy(p, x, [4, 4, 4], s0=np.ones(3), stateful=True)
    np.testing.assert_array_equal(per_segment, 0.0)
    np.testing.assert_array_equal(per_step, 0.0)
    with pytest.raises(ValueError, match="natural order"):
        unrolled_forward(p, x, [6, 6], stateful=True, order=[1, 0])
    with pytest.raises(ValueError, match="natural order"):
        unrolled_forward(p, x, [6, 6], stateful=True, parallel=True)
    with pytest.raises(ValueError, match="s0 is the initial state of a stateful run"):
        unrolled_forward(p, x, [6, 6], s0=np.ones(3))
    with pytest.raises(ValueError, match=r"s0 has shape \(2,\), expected \(d_s,\) = \(3,\)"):
        unrolled_forward(p, x, [6, 6], stateful=True, s0=np.ones(2))
