import numpy as np
import pytest

from lrnn.activations import G_d
from lrnn.exercises.unrolling import check_stateful_forward
from lrnn.rnn import rnn_forward
from lrnn.unrolling import segment_offsets, unrolled_forward


def _carry(pick):
    def student(params, x, lengths):
        out, s0 = [], None
        for j, K in zip(segment_offsets(lengths), lengths, strict=True):
            seg = rnn_forward(params, x[j : j + K], s0).s
            out.append(seg)
            s0 = pick(seg)
        return np.concatenate(out)

    return student


def test_correct_functions_pass():
    assert "reproduce the full run" in check_stateful_forward(_carry(lambda seg: seg[-1]))
    assert "reproduce the full run" in check_stateful_forward(
        lambda p, x, K: unrolled_forward(p, x, K, stateful=True).s
    )


@pytest.mark.parametrize(
    "student, hint",
    [
        (lambda p, x, K: unrolled_forward(p, x, K).s, "restarted every segment from zero"),
        (_carry(lambda seg: G_d(seg[-1])), "carried the readout r"),
        (_carry(lambda seg: seg[0]), "carried the segment's first state"),
        (_carry(lambda seg: seg[-2] if len(seg) > 1 else seg[-1]), "off by one step"),
        (lambda p, x, K: rnn_forward(p, x).s[:-1], r"s has shape \(6, 3\), expected \(7, 3\)"),
        (lambda p, x, K: rnn_forward(p, x).s + np.eye(7, 3), r"s differs from lrnn's at steps n = \[0, 1, 2\]"),
    ],
)
def test_slips_are_named(student, hint):
    with pytest.raises(AssertionError, match=hint):
        check_stateful_forward(student)


def test_a_crash_is_reported():
    def crash(p, x, K):
        raise KeyError("oops")

    with pytest.raises(AssertionError, match="your function raised KeyError"):
        check_stateful_forward(crash)
