"""Tests for lrnn.exercises.harness: the calling, comparing and mistake-making every self-check shares."""

import numpy as np
import pytest

from lrnn.activations import G_c
from lrnn.exercises.harness import TOL, call, compare, field, mutant, same, unpack
from lrnn.lstm import LSTMParams, lstm_step


def test_call_turns_an_exception_into_a_diagnosis():
    assert call("check_x", lambda a: a + 1, 1) == 2
    with pytest.raises(AssertionError, match="check_x: your function raised ZeroDivisionError: division by zero"):
        call("check_x", lambda: 1 / 0)


def test_same_is_a_relative_error_below_tol():
    a = np.array([1.0, -2.0, 3.0])
    assert same(a, a * (1 + 0.1 * TOL)) and not same(a, a * (1 + 10 * TOL))
    assert not same(a, a[:2]) and same(np.zeros(3), np.zeros(3))


def test_compare_names_a_known_mistake_or_where_it_differs():
    want = np.arange(12.0).reshape(4, 3)
    compare("check_x", "psi", want + 1e-14, want)  # passes silently
    with pytest.raises(AssertionError, match="check_x: psi is wrong: you doubled it"):
        compare("check_x", "psi", 2 * want, want, [(want, "never"), (2 * want, "you doubled it")])
    off = want.copy()
    off[2] += 5
    with pytest.raises(
        AssertionError, match=r"psi differs from lrnn's at steps n = \[2\] .*\[0, 1, 3\] match; look here"
    ):
        compare("check_x", "psi", off, want, axis0="steps n =", hint="look here")
    with pytest.raises(AssertionError, match=r"has shape \(3, 4\), expected \(4, 3\): it looks transposed"):
        compare("check_x", "the gradient of W", want.T, want)
    with pytest.raises(AssertionError, match=r"terminal psi\[N\] = 0 is not part of the output"):
        compare("check_x", "psi", np.vstack([want, want[:1]]), want)
    with pytest.raises(AssertionError, match="sum over the leading axes"):
        compare("check_x", "the gradient of b", np.ones((2, 3)), np.ones(3))
    with pytest.raises(AssertionError, match="psi is str, expected a numeric array"):
        compare("check_x", "psi", "abc", want)


def test_unpack_and_field():
    s, g = unpack("check_x", (np.zeros(2), {"b": 1}), ((2,), None), "(s, grads)")
    assert s.shape == (2,) and field(g, "b") == 1 and field(g, "W") is None
    assert field(LSTMParams.zeros(1, 1), "b_cu").shape == (1,)
    with pytest.raises(AssertionError, match=r"returned ndarray; expected a tuple \(s, v\)"):
        unpack("check_x", np.zeros(2), ((2,), (2,)), "(s, v)")
    with pytest.raises(AssertionError, match=r"item 1 of \(s, v\) has shape \(3,\), expected \(2,\)"):
        unpack("check_x", (np.zeros(2), np.zeros(3)), ((2,), (2,)), "(s, v)")


def test_mutant_is_lrnn_code_with_one_edit():
    p = LSTMParams.init(np.random.default_rng(0), 2, 3)
    x, s, v = np.ones(2), np.ones(3), np.ones(3)
    early = mutant(lstm_step, ("s @ p.W_s_cr.T", "s_prev @ p.W_s_cr.T"))  # the readout gate fed s[n-1]
    ref, bad = lstm_step(p, x, s, v), early(p, x, s, v)
    np.testing.assert_array_equal(bad["s"], ref["s"])  # the state is untouched ...
    np.testing.assert_allclose(
        bad["a_cr"], x @ p.W_x_cr.T + s @ p.W_s_cr.T + v @ p.W_v_cr.T + p.b_cr
    )  # ... a_cr is not
    with pytest.raises(LookupError, match="lstm_step no longer contains 'W_s_du'; update this mistake"):
        mutant(lstm_step, ("W_s_du", "W_s_cu"))
    halved = mutant(lstm_step, namespace={"G_c": lambda z, check=True: 0.5 * G_c(z)})  # a helper swapped in
    np.testing.assert_allclose(halved(p, x, s, v)["g_cu"], 0.5 * ref["g_cu"])
    assert lstm_step(p, x, s, v)["g_cu"] is not None  # the original is unchanged
