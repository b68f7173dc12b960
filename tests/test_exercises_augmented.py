"""Tests for lrnn.exercises.augmented: the context-window self-check passes right answers and names mistakes."""

import numpy as np
import pytest

from lrnn.exercises.augmented import check_context_window


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
