"""Tests for lrnn.exercises.lyapunov: check_lyapunov passes right answers and names typical mistakes."""

import numpy as np
import pytest

from lrnn.exercises.lyapunov import check_lyapunov


def student(mistake=None, backward=False):
    """A student's renormalised product, with an optional mistake."""

    def lyap(params, trace, skip):
        W = params.W_r
        dG = 1.0 - np.tanh(trace.s) ** 2
        if mistake == "no_slope":
            dG = np.ones_like(dG)
        q = np.random.default_rng(0).standard_normal(W.shape[0])  # another start vector: still right
        q /= np.linalg.norm(q)
        total, steps = 0.0, 0
        steps_n = range(skip, trace.s.shape[0] - 1)
        for n in reversed(steps_n) if backward else steps_n:  # BPTT's direction: diag(G'(s[n])) W_r^T, n falling
            q = dG[n] * (W.T @ q) if backward else W @ (dG[n] * q)
            length = np.linalg.norm(q)
            if mistake != "no_renorm":
                total += np.log(length)
                q = q / length
            steps += 1
        if mistake == "no_renorm":
            with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
                total = np.log(np.linalg.norm(q))
        value = total / steps
        return {"log10": value / np.log(10), "sum": value * steps, "sign": -value}.get(mistake, value)

    return lyap


@pytest.mark.parametrize("backward", [False, True])
def test_right_answers_pass(backward):
    assert check_lyapunov(student(backward=backward)).startswith("check_lyapunov: passed")


@pytest.mark.parametrize(
    "mistake, message",
    [
        ("no_renorm", "Renormalise q after every step"),
        ("no_slope", "the slope of tanh is missing"),
        ("log10", "natural logarithm"),
        ("sum", "divide the sum of the logs"),
        ("sign", "the sign is flipped"),
    ],
)
def test_mistakes_are_named(mistake, message):
    with pytest.raises(AssertionError, match=message):
        check_lyapunov(student(mistake))


def test_other_errors_are_reported():
    with pytest.raises(AssertionError, match="your function raised ZeroDivisionError"):
        check_lyapunov(lambda p, tr, skip: 1 / 0)
    with pytest.raises(AssertionError, match=r"returned shape \(2,\)"):
        check_lyapunov(lambda p, tr, skip: np.zeros(2))
    with pytest.raises(AssertionError, match="expected -0.69"):
        check_lyapunov(lambda p, tr, skip: 0.3)
