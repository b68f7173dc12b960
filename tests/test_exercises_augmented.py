"""Tests for lrnn.exercises.augmented: the self-checks pass right answers and name typical mistakes."""

import dataclasses
import re

import numpy as np
import pytest

from lrnn.augmented_bptt import augmented_backward, augmented_bptt_signals
from lrnn.exercises.augmented import (
    AUGMENTED_GRADIENT_MISTAKES,
    AUGMENTED_PSI_MISTAKES,
    check_augmented_backward,
    check_context_window,
)
from lrnn.exercises.harness import mutant


def window(W, x, mistake=None):
    """A student's context window with an optional mistake, written with explicit loops."""
    L, N = len(W), len(x)
    xi = []
    for n in range(N):
        acc = np.zeros(W.shape[1])
        for l in range(L):
            m = n - l if mistake == "causal" else n + l
            tap = W[L - 1 - l] if mistake == "reversed" else W[l]
            if mistake == "first_tap" and l > 0:
                continue
            if mistake == "wrap":
                m %= N
            if mistake == "edge":
                m = min(m, N - 1)
            if 0 <= m < N:
                acc += (tap.T if mistake == "transpose" else tap) @ x[m]
        xi.append(acc)
    xi = np.array(xi)
    if mistake == "valid":
        return xi[: N - L + 1]
    if mistake == "scaled":
        return 1.001 * xi
    if mistake == "last_wrong":
        xi[-1] += 1.0
    return xi


def test_right_answers_pass():
    assert check_context_window(window).startswith("check_context_window: passed")
    vectorised = lambda W, x: sum(np.vstack([x[l:], np.zeros((l, x.shape[1]))]) @ W[l].T for l in range(len(W)))
    assert "passed" in check_context_window(vectorised, seed=3)


@pytest.mark.parametrize(
    "mistake, message",
    [
        ("causal", "your window looks back"),
        ("reversed", "taps are in reverse order"),
        ("wrap", "wraps around"),
        ("edge", "repeats the last input"),
        ("first_tap", "only the first tap"),
        ("valid", "'valid' convolution"),
        ("transpose", "is a tap applied transposed"),
        ("last_wrong", "steps near the segment end are wrong"),
        ("scaled", "already where the window lies inside the segment"),
    ],
)
def test_mistakes_are_named(mistake, message):
    with pytest.raises(AssertionError, match=message):
        check_context_window(lambda W, x: window(W, x, mistake))


def test_wrong_shape_and_crash():
    with pytest.raises(AssertionError, match=r"xi has shape \(7, 2\), expected \(N, d_s\) = \(7, 4\)"):
        check_context_window(lambda W, x: x)
    with pytest.raises(AssertionError, match="your function raised ZeroDivisionError"):
        check_context_window(lambda W, x: 1 / 0)


def student_augmented_backward(p, tr, dE_dv, p7=True):
    """A student's Augmented backward pass for one sequence, column vectors, loops over n and the taps."""
    N, d = tr.s.shape
    nodes = ("cu", "cs", "cr", "cx", "du")
    g = {f.name: np.zeros_like(getattr(p, f.name)) for f in dataclasses.fields(p)}
    psi = np.zeros((N, d))
    nxt = {k: np.zeros(d) for k in nodes}  # alpha_*[n+1], zero past the last step
    psi_next, gcs_next = np.zeros(d), np.zeros(d)
    for n in reversed(range(N)):
        s_prev = tr.s[n - 1] if n else tr.s0
        v_prev = tr.v[n - 1] if n else tr.v0
        chi = dE_dv[n] + sum(getattr(p, f"W_v_{k}").T @ nxt[k] for k in nodes)  # Eqs. 217, 228
        beta = p.W_q_dr.T @ chi  # Eq. 218
        a = {"cr": beta * tr.r[n] * tr.g_cr[n] * (1 - tr.g_cr[n])}  # Eq. 221
        psi[n] = beta * tr.g_cr[n] * (1 - tr.r[n] ** 2) + p.W_s_cr.T @ a["cr"]  # Eq. 222
        psi[n] += p.W_s_cu.T @ nxt["cu"] + p.W_s_cs.T @ nxt["cs"] + p.W_s_cx.T @ nxt["cx"] + gcs_next * psi_next
        a["cs"] = psi[n] * s_prev * tr.g_cs[n] * (1 - tr.g_cs[n])  # Eq. 223
        a["cu"] = psi[n] * tr.u[n] * tr.g_cu[n] * (1 - tr.g_cu[n])  # Eq. 224
        a["du"] = psi[n] * tr.g_cu[n] * (1 - tr.u[n] ** 2)  # Eq. 225
        a["cx"] = a["du"] * tr.xi_x_du[n] * tr.g_cx[n] * (1 - tr.g_cx[n])  # Eqs. 226-227
        for k in nodes:
            for l in range(p.L):
                if n + l < N:  # tap l met x[n + l]; zero past the segment end
                    factor = tr.g_cx[n] if (k == "du" and p7) else 1.0
                    g[f"W_x_{k}"][l] += np.outer(a[k] * factor, tr.x[n + l])
            g[f"W_v_{k}"] += np.outer(a[k], v_prev)
            g[f"b_{k}"] += a[k]
        for k in ("cu", "cs", "cx"):
            g[f"W_s_{k}"] += np.outer(a[k], s_prev)
        g["W_s_cr"] += np.outer(a["cr"], tr.s[n])
        g["W_q_dr"] += np.outer(chi, tr.q[n])
        nxt, psi_next, gcs_next = a, psi[n], tr.g_cs[n]
    return g, psi


def test_backward_check_passes_right_answers():
    assert check_augmented_backward(augmented_backward).startswith("check_augmented_backward: passed")
    assert "passed" in check_augmented_backward(student_augmented_backward, seed=5)


def test_backward_check_names_erratum_p7_and_p3():
    with pytest.raises(AssertionError, match=r"W_x_du is wrong: it matches the printed Eq. 246.*erratum P7"):
        check_augmented_backward(lambda p, tr, dE: student_augmented_backward(p, tr, dE, p7=False))
    with pytest.raises(AssertionError, match=r"psi is wrong: it matches the printed Eq. 222.*erratum P3"):
        check_augmented_backward(lambda p, tr, dE: augmented_backward(p, tr, dE, erratum_p3=True))


@pytest.mark.parametrize("why", list(AUGMENTED_PSI_MISTAKES))
def test_every_psi_mistake_is_named(why):
    wrong = mutant(augmented_bptt_signals, *AUGMENTED_PSI_MISTAKES[why])
    student = mutant(augmented_backward, namespace={"augmented_bptt_signals": wrong})
    with pytest.raises(AssertionError, match=re.escape(why)):
        check_augmented_backward(student)


@pytest.mark.parametrize("why", list(AUGMENTED_GRADIENT_MISTAKES))
def test_every_gradient_mistake_is_named(why):
    with pytest.raises(AssertionError, match=r"\(psi is right\): the gradient of \w+ is wrong: " + re.escape(why)):
        check_augmented_backward(mutant(augmented_backward, *AUGMENTED_GRADIENT_MISTAKES[why]))


def test_backward_check_reports_a_crash_and_missing_fields():
    with pytest.raises(AssertionError, match=r"case N = 5, L = 3, d_s = 3, d_v = 3\): your function raised KeyError"):
        check_augmented_backward(lambda p, tr, dE: {}["x"])

    def partial(p, tr, dE):
        g, psi = student_augmented_backward(p, tr, dE)
        del g["W_q_dr"]
        return g, psi

    with pytest.raises(AssertionError, match=r"grads lacks \['W_q_dr'\]"):
        check_augmented_backward(partial)
