"""Tests for lrnn.exercises.lstm: the self-checks pass right answers and name typical mistakes."""

import dataclasses
import re

import numpy as np
import pytest

from lrnn.exercises.harness import mutant
from lrnn.exercises.lstm import (
    GRADIENT_MISTAKES,
    PSI_MISTAKES,
    STEP_MISTAKES,
    check_lstm_backward,
    check_lstm_step,
)
from lrnn.lstm import LSTMParams, lstm_forward, lstm_step
from lrnn.lstm_bptt import lstm_backward, lstm_bptt_signals


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def student_step(p, x, s_prev, v_prev, mistake=None):
    """A student's one step, column vectors, with an optional mistake."""
    W = {f.name: getattr(p, f.name) for f in dataclasses.fields(p)}
    if mistake == "no_pinholes":
        W.update(W_s_cu=0 * W["W_s_cu"], W_s_cs=0 * W["W_s_cs"], W_s_cr=0 * W["W_s_cr"])
    g_cu = sig(W["W_x_cu"] @ x + W["W_s_cu"] @ s_prev + W["W_v_cu"] @ v_prev + W["b_cu"])
    g_cs = sig(W["W_x_cs"] @ x + W["W_s_cs"] @ s_prev + W["W_v_cs"] @ v_prev + W["b_cs"])
    u = np.tanh(W["W_x_du"] @ x + W["W_v_du"] @ v_prev + W["b_du"])
    s = g_cs * s_prev + g_cu * u
    s_for_cr = s_prev if mistake == "cr_prev" else s
    g_cr = sig(W["W_x_cr"] @ x + W["W_s_cr"] @ s_for_cr + W["W_v_cr"] @ v_prev + W["b_cr"])
    v = g_cr * (s if mistake == "no_tanh" else np.tanh(s))
    if mistake == "v_scaled":
        v = 1.01 * v
    return s, v


def student_backward(p, tr, dE_dv, mistake=None, as_dict=False):
    """A student's backward pass for one sequence, column vectors, with an optional mistake."""
    N, d = tr.s.shape
    g = {f.name: np.zeros_like(getattr(p, f.name)) for f in dataclasses.fields(p)}
    psi = np.zeros((N + 1, d))
    nxt = dict(cu=np.zeros(d), cs=np.zeros(d), du=np.zeros(d), cr=np.zeros(d))
    for n in reversed(range(N)):
        s_prev = tr.s[n - 1] if n else tr.s0
        v_prev = tr.v[n - 1] if n else tr.v0
        chi = dE_dv[n] + sum(getattr(p, f"W_v_{k}").T @ nxt[k] for k in nxt)
        alpha_cr = chi * tr.r[n] * tr.g_cr[n] * (1 - tr.g_cr[n])
        W_s_cr = p.W_s_cr if mistake == "p3" else p.W_s_cr.T
        psi[n] = chi * tr.g_cr[n] * (1 - tr.r[n] ** 2) + W_s_cr @ alpha_cr
        psi[n] += p.W_s_cu.T @ nxt["cu"] + p.W_s_cs.T @ nxt["cs"]
        if mistake != "no_carry" and n + 1 < N:
            psi[n] += tr.g_cs[n + 1] * psi[n + 1]
        a = dict(
            cu=psi[n] * tr.u[n] * tr.g_cu[n] * (1 - tr.g_cu[n]),
            cs=psi[n] * s_prev * tr.g_cs[n] * (1 - tr.g_cs[n]),
            du=psi[n] * tr.g_cu[n] * (1 - tr.u[n] ** 2),
            cr=alpha_cr,
        )
        for k, alpha in a.items():
            g[f"W_x_{k}"] += np.outer(alpha, tr.x[n])
            g[f"W_v_{k}"] += np.outer(alpha, v_prev)
            g[f"b_{k}"] += alpha
        g["W_s_cu"] += np.outer(a["cu"], s_prev)
        g["W_s_cs"] += np.outer(a["cs"], s_prev)
        g["W_s_cr"] += np.outer(a["cr"], s_prev if mistake == "W_s_cr_prev" else tr.s[n])
        nxt = a
    if mistake == "bias_half":
        g["b_du"] = 0.5 * g["b_du"]
    return (g if as_dict else LSTMParams(**g)), psi[:N]


def test_step_check_passes_a_right_answer():
    assert check_lstm_step(student_step).startswith("check_lstm_step: passed")


@pytest.mark.parametrize(
    "mistake, message",
    [
        ("cr_prev", r"a_cr uses s\[n-1\]; Eq. 128 uses the current state s\[n\]"),
        ("no_pinholes", r"'pinhole' terms .* are missing \(P4\)"),
        ("no_tanh", r"v\[n\] = g_cr \* s\[n\]; Eqs. 135-136 warp the state first"),
        ("v_scaled", r"s\[n\] matches but v\[n\] does not"),
    ],
)
def test_step_check_names_the_mistake(mistake, message):
    with pytest.raises(AssertionError, match=message):
        check_lstm_step(lambda p, x, s, v: student_step(p, x, s, v, mistake))


def test_step_check_reports_exceptions_and_bad_shapes():
    with pytest.raises(AssertionError, match="your function raised ValueError: matmul"):
        check_lstm_step(lambda p, x, s, v: (p.W_x_cu.T @ x, v))
    with pytest.raises(AssertionError, match=r"item 1 of \(s\[n\], v\[n\]\) has shape \(1,\), expected \(2,\)"):
        check_lstm_step(lambda p, x, s, v: (s, v[:1]))
    with pytest.raises(AssertionError, match="returned NoneType; expected a tuple"):
        check_lstm_step(lambda p, x, s, v: None)


@pytest.mark.parametrize("as_dict", [False, True])
def test_backward_check_passes_a_right_answer(as_dict):
    msg = check_lstm_backward(lambda p, tr, dE: student_backward(p, tr, dE, as_dict=as_dict))
    assert msg.startswith("check_lstm_backward: passed")


@pytest.mark.parametrize(
    "mistake, message",
    [
        ("p3", r"missing the transpose of erratum P3"),
        ("no_carry", r"psi is wrong: the carousel term is missing: f_psi\[n\+1\] of Eq. 155 ends with g_cs"),
        ("W_s_cr_prev", r"dE/dW_s_cr uses s\[n-1\]; W_s_cr multiplies the current state s\[n\]"),
        ("bias_half", r"\(psi is right\): the gradient of b_du differs from lrnn's .*Eqs. 156-170"),
    ],
)
def test_backward_check_names_the_mistake(mistake, message):
    with pytest.raises(AssertionError, match=message):
        check_lstm_backward(lambda p, tr, dE: student_backward(p, tr, dE, mistake))


def test_backward_check_spots_a_missing_pinhole_term():
    def no_term(p, tr, dE):  # drops W_s_cr^T alpha_cr[n] from psi altogether
        return student_backward(dataclasses.replace(p, W_s_cr=np.zeros_like(p.W_s_cr)), tr, dE)

    with pytest.raises(AssertionError, match=r"psi matches when W_s_cr = 0 but not otherwise: .* erratum P3"):
        check_lstm_backward(no_term)


def test_backward_check_reports_missing_gradients():
    def partial(p, tr, dE):
        g, psi = student_backward(p, tr, dE, as_dict=True)
        del g["W_v_du"]
        return g, psi

    with pytest.raises(AssertionError, match=r"grads lacks \['W_v_du'\]"):
        check_lstm_backward(partial)


@pytest.mark.parametrize("why", list(STEP_MISTAKES))
def test_every_step_mistake_is_named(why):
    wrong = mutant(lstm_step, *STEP_MISTAKES[why])

    def student(p, x, s, v):
        out = wrong(p, x, s, v)
        return out["s"], out["v"]

    with pytest.raises(AssertionError, match=re.escape(why)):
        check_lstm_step(student)


@pytest.mark.parametrize("why", list(PSI_MISTAKES))
def test_every_psi_mistake_is_named(why):
    wrong = mutant(lstm_bptt_signals, *PSI_MISTAKES[why])
    student = mutant(lstm_backward, namespace={"lstm_bptt_signals": wrong})  # lrnn's backward with that recursion
    with pytest.raises(AssertionError, match=re.escape(why)):
        check_lstm_backward(student)


@pytest.mark.parametrize("why", list(GRADIENT_MISTAKES))
def test_every_gradient_mistake_is_named(why):
    with pytest.raises(AssertionError, match=r"\(psi is right\): the gradient of \w+ is wrong: " + re.escape(why)):
        check_lstm_backward(mutant(lstm_backward, *GRADIENT_MISTAKES[why]))


def test_every_mistake_changes_the_result():
    # a "mistake" that computes the right answer would make its diagnosis unreachable
    rng = np.random.default_rng(0)
    p = LSTMParams.init(rng, 3, 2, scale=1.5)
    x, s0, v0, dE = (
        rng.standard_normal((4, 3)),
        rng.standard_normal(2),
        rng.standard_normal(2),
        rng.standard_normal((4, 2)),
    )
    tr = lstm_forward(p, x, s0, v0)
    ref_step, ref_psi, ref_grads = lstm_step(p, x[0], s0, v0), *lstm_backward(p, tr, dE)[::-1]
    for edits in STEP_MISTAKES.values():
        assert not np.allclose(mutant(lstm_step, *edits)(p, x[0], s0, v0)["v"], ref_step["v"])
    for edits in PSI_MISTAKES.values():
        assert not np.allclose(mutant(lstm_bptt_signals, *edits)(p, tr, dE).psi, ref_psi)
    for edits in GRADIENT_MISTAKES.values():
        grads = mutant(lstm_backward, *edits)(p, tr, dE)[0]
        assert any(not np.allclose(getattr(grads, f.name), getattr(ref_grads, f.name)) for f in dataclasses.fields(p))


def test_a_mistake_that_no_longer_fits_the_code_is_reported():
    with pytest.raises(LookupError, match="lstm_step no longer contains 'W_s_du'"):
        mutant(lstm_step, ("W_s_du", "W_s_cu"))
