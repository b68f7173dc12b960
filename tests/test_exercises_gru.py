"""Tests for lrnn.exercises.gru: check_gru_step passes a right answer and names the typical mistakes."""

import numpy as np
import pytest

import lrnn
from lrnn.exercises.gru import check_gru_step


def student(mistake=None):
    """A student's step of Eqs. G1-G4, written independently of the checker, with an optional mistake."""

    def step(p, x, s_prev):
        sig = lambda a: 1.0 / (1.0 + np.exp(-a))
        W = (lambda M: M.T) if mistake == "transpose" else (lambda M: M)
        g_r = sig(p.W_x_r @ x + W(p.W_s_r) @ s_prev + p.b_r)
        g_z = sig(p.W_x_z @ x + W(p.W_s_z) @ s_prev + p.b_z)
        if mistake == "gates_swapped":
            g_r, g_z = g_z, g_r
        if mistake == "reset_after":
            a_u = p.W_x_u @ x + g_r * (W(p.W_s_u) @ s_prev) + p.b_u
        elif mistake == "no_reset":
            a_u = p.W_x_u @ x + W(p.W_s_u) @ s_prev + p.b_u
        else:
            a_u = p.W_x_u @ x + W(p.W_s_u) @ (g_r * s_prev) + p.b_u
        u = sig(a_u) if mistake == "candidate_sigmoid" else np.tanh(a_u)
        if mistake == "torch_update":
            return g_z * s_prev + (1 - g_z) * u
        if mistake == "scaled":
            return 1.01 * ((1 - g_z) * s_prev + g_z * u)
        return (1 - g_z) * s_prev + g_z * u

    return step


def test_a_right_answer_passes():
    assert check_gru_step(student()).startswith("check_gru_step: passed")
    assert check_gru_step(lambda p, x, s: lrnn.gru_forward(p, x[None], s).s[0], seed=3).startswith("check_gru_step")


@pytest.mark.parametrize(
    "mistake, words",
    [
        ("torch_update", "g_z and 1 - g_z are swapped"),
        ("reset_after", "after the recurrent product"),
        ("no_reset", "reset gate is missing"),
        ("gates_swapped", "reset and update gates are swapped"),
        ("transpose", "applied transposed"),
        ("candidate_sigmoid", "squashed by G_c"),
        ("scaled", r"s\[n\] differs from lrnn\'s .*compare each line with Eqs. G1-G4"),
    ],
)
def test_mistakes_are_named(mistake, words):
    with pytest.raises(AssertionError, match=words):
        check_gru_step(student(mistake))


def test_wrong_shape_and_exceptions_are_reported():
    with pytest.raises(AssertionError, match=r"s\[n\] has shape \(1,\), expected \(4,\)"):
        check_gru_step(lambda p, x, s: np.zeros(1))
    with pytest.raises(AssertionError, match="raised ZeroDivisionError"):
        check_gru_step(lambda p, x, s: 1 / 0)
