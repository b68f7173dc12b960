"""Chapter 10's self-checks (lrnn.exercises.compose): they pass the right answer and name the mistakes."""

import numpy as np
import pytest

from lrnn.compose import stack
from lrnn.exercises import check_lstm_dE_dx, check_stack


def right_dE_dx(p, sig):
    return sig.alpha_cu @ p.W_x_cu + sig.alpha_cs @ p.W_x_cs + sig.alpha_cr @ p.W_x_cr + sig.alpha_du @ p.W_x_du


def test_dE_dx_passes_the_derivation():
    assert check_lstm_dE_dx(right_dE_dx).startswith("check_lstm_dE_dx: passed")


@pytest.mark.parametrize(
    "wrong, says",
    [
        (lambda p, s: s.alpha_cu @ p.W_x_cu + s.alpha_cs @ p.W_x_cs + s.alpha_cr @ p.W_x_cr, "du node is missing"),
        (lambda p, s: s.alpha_cu @ p.W_x_cu + s.alpha_cs @ p.W_x_cs + s.alpha_du @ p.W_x_du, "cr node is missing"),
        (lambda p, s: sum(getattr(s, f"alpha_{k}") @ p.W_x_cu.T.T for k in ("cu", "cs", "cr", "du")), "differs"),
        (lambda p, s: sum(getattr(s, f"alpha_{k}") @ getattr(p, f"W_x_{k}").T.T.T for k in ("cu",)), "alpha @ W"),
        (
            lambda p, s: sum(getattr(s, f"alpha_{k}") @ getattr(p, f"W_v_{k}") for k in ("cu", "cs", "cr", "du")),
            "shape",
        ),
    ],
)
def test_dE_dx_names_the_mistake(wrong, says):
    with pytest.raises(AssertionError, match=says):
        check_lstm_dE_dx(wrong)


def test_dE_dx_names_the_recurrent_weights_where_the_shapes_allow_them():
    def w_v(p, s):
        if p.W_x_cu.shape[0] != p.W_x_cu.shape[1]:
            return right_dE_dx(p, s)
        return sum(getattr(s, f"alpha_{k}") @ getattr(p, f"W_v_{k}") for k in ("cu", "cs", "cr", "du"))

    with pytest.raises(AssertionError, match="recurrent weights W_v"):
        check_lstm_dE_dx(w_v)


def test_dE_dx_names_psi_for_alpha_where_the_shapes_allow_it():
    def psi_instead(p, s):  # in the case d_x != d_s it would not run: give the right answer there
        if p.W_x_cu.shape[0] != p.W_x_cu.shape[1]:
            return right_dE_dx(p, s)
        return sum(s.psi @ getattr(p, f"W_x_{k}") for k in ("cu", "cs", "cr", "du"))

    with pytest.raises(AssertionError, match="psi"):
        check_lstm_dE_dx(psi_instead)


def by_hand(lower, upper, x, g):
    t_low = lower.forward(x)
    t_up = upper.forward(t_low.output)
    g_up, dE_dh, _ = upper.backward(t_up, g, return_inputs=True)
    g_low, dE_dx, _ = lower.backward(t_low, dE_dh, return_inputs=True)
    return t_up.output, g_low, g_up, dE_dx


def test_stack_passes_a_hand_written_stack():
    assert check_stack(by_hand).startswith("check_stack: passed")


def test_stack_names_the_lower_layer_fed_the_wrong_gradient():
    def wrong(lower, upper, x, g):
        out, _, g_up, _ = by_hand(lower, upper, x, g)
        t_low = lower.forward(x)
        pad = np.zeros(t_low.output.shape)
        pad[..., : min(g.shape[-1], pad.shape[-1])] = g[..., : pad.shape[-1]]
        g_low, dx, _ = lower.backward(t_low, pad, return_inputs=True)
        return out, g_low, g_up, dx

    with pytest.raises(AssertionError, match="lower layer's gradient"):
        check_stack(wrong)


def test_stack_names_a_missing_lower_gradient_and_a_wrong_output():
    def no_lower(lower, upper, x, g):
        out, _, g_up, dx = by_hand(lower, upper, x, g)
        return out, None, g_up, dx

    with pytest.raises(AssertionError, match="grads_lower is None"):
        check_stack(no_lower)

    def only_lower(lower, upper, x, g):
        out, g_low, g_up, dx = by_hand(lower, upper, x, g)
        return out * 0, g_low, g_up, dx

    with pytest.raises(AssertionError, match="the output"):
        check_stack(only_lower)


def test_stack_reference_is_lrnn_stack():
    def via_lrnn(lower, upper, x, g):
        m = stack([lower, upper])
        tr = m.forward(x)
        grads, dx, _ = m.backward(tr, g, return_inputs=True)
        return tr.output, grads.layers[0], grads.layers[1], dx

    assert "passed" in check_stack(via_lrnn)
