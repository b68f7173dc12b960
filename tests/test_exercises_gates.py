"""Tests for lrnn.exercises.gates: check_gated_step passes right answers and names typical mistakes."""

import numpy as np
import pytest

import lrnn
from lrnn.exercises.gates import check_gated_step
from lrnn.rnn_to_lstm import step_bounded_update


def student(mistake=None, as_tuple=False):
    """A student's step of Eqs. 105-108, column vectors, with an optional mistake."""

    def step(p, x, s_prev, v_prev, g):
        cx = g.get("cx", 1.0)
        W_r = p.W_r.T if mistake == "transpose" else p.W_r
        F_u = W_r @ v_prev + (1.0 if mistake == "no_cx" else cx) * (p.W_x @ x)
        F_u = F_u + (0.0 if mistake == "no_bias" else p.theta_s)
        if mistake == "cx_everywhere":
            F_u = cx * (p.W_r @ v_prev + p.W_x @ x + p.theta_s)
        u = F_u if mistake == "no_bound" else np.tanh(F_u)
        if mistake == "swap":
            s = g["cu"] * s_prev + g["cs"] * u
        elif mistake == "cs_on_update":
            s = g["cs"] * s_prev + g["cs"] * g["cu"] * u
        elif mistake == "gate_inside":
            s = g["cs"] * s_prev + np.tanh(g["cu"] * F_u)
        else:
            s = g["cs"] * s_prev + g["cu"] * u
        r = s if mistake == "no_readout_warp" else np.tanh(s)
        v = r if mistake == "no_readout_gate" else g["cr"] * r
        if mistake == "v_scaled":
            v = 1.01 * v
        if mistake == "s_shifted":
            s = s + 0.01
        return (s, v) if as_tuple else {"s": s, "v": v}

    return step


def test_right_answers_pass():
    assert check_gated_step(student()).startswith("check_gated_step: passed")
    assert check_gated_step(student(as_tuple=True)).startswith("check_gated_step: passed")
    assert check_gated_step(step_bounded_update).startswith("check_gated_step: passed")
    assert lrnn.exercises.check_gated_step is check_gated_step


@pytest.mark.parametrize(
    "mistake, message",
    [
        ("swap", "g_cs and g_cu are swapped"),
        ("cs_on_update", "g_cs multiplies the update too"),
        ("no_bound", "the update is not bounded"),
        ("gate_inside", "g_cu is applied inside the bound"),
        ("no_readout_warp", r"v\[n\] = g_cr \* s\[n\]"),
        ("no_readout_gate", "control readout gate is missing"),
        ("transpose", "W_r is applied transposed"),
        ("no_bias", "theta_s is missing"),
        ("no_cx", "input gate is ignored"),
        ("cx_everywhere", "g_cx multiplies all of F_u"),
        ("v_scaled", r"s\[n\] matches but v\[n\] does not"),
        ("s_shifted", r"s\[n\] is wrong"),
    ],
)
def test_mistakes_are_named(mistake, message):
    with pytest.raises(AssertionError, match=message):
        check_gated_step(student(mistake))


def test_bad_returns_are_explained():
    with pytest.raises(AssertionError, match="it needs 's', 'v'"):
        check_gated_step(lambda p, x, s, v, g: {"s": s})
    with pytest.raises(AssertionError, match="expected a dict with 's' and 'v'"):
        check_gated_step(lambda p, x, s, v, g: s)
    with pytest.raises(AssertionError, match=r"s has shape \(1,\)"):
        check_gated_step(lambda p, x, s, v, g: (s[:1], v))
    with pytest.raises(AssertionError, match="raised ZeroDivisionError"):
        check_gated_step(lambda p, x, s, v, g: 1 / 0)
