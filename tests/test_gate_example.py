"""The running example of Chapter 5: a hand-set LSTM unit that stores, overwrites and recalls."""

import numpy as np
import pytest

from lrnn.activations import G_c
from lrnn.gate_example import OPEN, gate_example, gate_example_cell, gate_example_inputs
from lrnn.lstm import lstm_step

SHUT, OPENED = G_c(-OPEN), G_c(OPEN)  # 0.0025 and 0.9975


def test_inputs_write_twice_and_read_once():
    x, labels = gate_example_inputs()
    assert x.shape == (8, 3) and len(labels) == 8
    assert labels.count("write") == 2 and labels.count("read") == 1
    assert labels.index("write") < labels.index("read")
    np.testing.assert_array_equal(x[:, 1] == 1, [lab == "write" for lab in labels])
    np.testing.assert_array_equal(x[:, 2] == 1, [lab == "read" for lab in labels])


def test_gates_follow_the_flags():
    tr = gate_example().trace
    x, labels = gate_example_inputs()
    write, read = x[:, 1] == 1, x[:, 2] == 1
    np.testing.assert_allclose(tr.g_cu[write, 0], OPENED, rtol=1e-12)
    np.testing.assert_allclose(tr.g_cu[~write, 0], SHUT, rtol=1e-12)
    np.testing.assert_allclose(tr.g_cs[~write, 0], OPENED, rtol=1e-12)
    assert np.all(tr.g_cs[write, 0] < 1e-7)  # a write replaces the old content
    np.testing.assert_allclose(tr.g_cr[read, 0], OPENED, rtol=1e-12)
    np.testing.assert_allclose(tr.g_cr[~read, 0], SHUT, rtol=1e-12)
    np.testing.assert_allclose(tr.u[:, 0], np.tanh(x[:, 0]), rtol=1e-12)


def test_hand_computed_state_and_value():
    ex = gate_example()
    tr, x = ex.trace, ex.x
    # step by step by hand, Eqs. 134-136, from s[-1] = 0
    s, s_hand, v_hand = 0.0, [], []
    for n in range(len(x)):
        g_cu = OPENED if x[n, 1] else SHUT
        g_cs = G_c(OPEN - 4 * OPEN * x[n, 1])
        g_cr = OPENED if x[n, 2] else SHUT
        s = g_cs * s + g_cu * np.tanh(x[n, 0])
        s_hand.append(s)
        v_hand.append(g_cr * np.tanh(s))
    np.testing.assert_allclose(tr.s[:, 0], s_hand, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(tr.v[:, 0], v_hand, rtol=1e-12, atol=1e-15)
    # what the picture shows: 0.8 stored, overwritten by -0.6, read back squashed
    w1, w2 = [n for n, lab in enumerate(ex.labels) if lab == "write"]
    r = ex.step_of("read")
    assert abs(tr.s[w1, 0] - np.tanh(0.8)) < 2e-3 and abs(tr.s[w2, 0] - np.tanh(-0.6)) < 2e-3
    assert abs(tr.s[r, 0] - tr.s[w2, 0]) < 0.01  # held between the write and the read
    assert abs(tr.v[r, 0] - np.tanh(np.tanh(-0.6))) < 0.01 and tr.v[r, 0] < -0.45
    others = np.arange(len(x)) != r
    assert np.all(np.abs(tr.v[others, 0]) < 2e-3)  # nothing leaks out before or after


def test_one_step_agrees_with_lstm_step():
    ex = gate_example()
    tr, n = ex.trace, 4
    step = lstm_step(gate_example_cell(), ex.x[n], tr.s[n - 1], tr.v[n - 1])
    for name in ("g_cu", "g_cs", "g_cr", "u", "s", "v"):
        np.testing.assert_allclose(step[name], getattr(tr, name)[n], rtol=1e-14)


def test_step_of_names_the_labels():
    ex = gate_example()
    assert ex.step_of("write") == 1 and ex.step_of("read") == 6
    with pytest.raises(ValueError, match="label = 'forget'"):
        ex.step_of("forget")
