"""Tests for lrnn.exercises.scan: check_linear_scan passes right answers (loop or pairs) and names mistakes."""

import numpy as np
import pytest

from lrnn.exercises import check_linear_scan


def loop(mistake=None):
    def scan(a, b, h0):
        h, prev = np.empty_like(b, dtype=np.result_type(a, b, h0)), (0 * h0 if mistake == "no_h0" else h0)
        for n in range(len(b)):
            coef = a[n - 1] if (mistake == "shifted" and n) else (1.0 if mistake == "shifted" else a[n])
            h[n] = prev = coef * prev + b[n]
            if mistake == "one_step":
                prev = b[n]
        return h.real if mistake == "real" else h

    return scan


def pairs(a, b, h0):
    """A student's associative scan: combine neighbours, recurse on the pairs, fill in the rest."""
    b = b.astype(np.result_type(a, b, h0)).copy()
    b[0] = b[0] + a[0] * h0

    def rec(a, b):
        if len(b) == 1:
            return b
        m = len(b) // 2
        A, Bp = a[1 : 2 * m : 2] * a[0 : 2 * m : 2], a[1 : 2 * m : 2] * b[0 : 2 * m : 2] + b[1 : 2 * m : 2]
        h = np.empty_like(b)
        h[1 : 2 * m : 2] = rec(A, Bp)
        h[0] = b[0]
        h[2::2] = a[2::2] * h[1 : len(b) - 1 : 2] + b[2::2]
        return h

    return rec(a, b)


def test_right_answers_pass():
    assert check_linear_scan(loop()).startswith("check_linear_scan: passed")
    assert check_linear_scan(pairs, seed=1).startswith("check_linear_scan: passed")


@pytest.mark.parametrize(
    "mistake, words",
    [
        ("no_h0", "h0 is ignored"),
        ("shifted", "previous step's coefficient"),
        ("one_step", "only one step"),
        ("real", "complex"),
    ],
)
def test_mistakes_are_named(mistake, words):
    with pytest.raises(AssertionError, match=words):
        check_linear_scan(loop(mistake))


def test_shape_and_exceptions():
    with pytest.raises(AssertionError, match="returned shape"):
        check_linear_scan(lambda a, b, h0: b[-1])
    with pytest.raises(AssertionError, match="raised ZeroDivisionError"):
        check_linear_scan(lambda a, b, h0: 1 / 0)
