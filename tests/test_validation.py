import numpy as np
import pytest

from lrnn._validation import as_float_array, as_initial, as_sequence, check_shape


def test_as_float_array_converts_and_checks():
    assert as_float_array("x", [1, 2]).dtype == np.float64
    with pytest.raises(TypeError, match="x is None"):
        as_float_array("x", None)
    with pytest.raises(TypeError, match="dtype complex128"):
        as_float_array("x", [1j])
    with pytest.raises(ValueError, match=r"x has 1 dimension\(s\) \(shape \(2,\)\), expected 2"):
        as_float_array("x", [1.0, 2.0], ndim=2)


def test_as_sequence_shapes():
    seq, batched = as_sequence("x", np.zeros((5, 3)), 3, "d_x")
    assert seq.shape == (5, 1, 3) and not batched
    seq, batched = as_sequence("x", np.zeros((5, 2, 3)), 3, "d_x")
    assert seq.shape == (5, 2, 3) and batched
    with pytest.raises(ValueError, match=r"x has shape \(4,\), expected \(N, d_x\) = \(N, 3\)"):
        as_sequence("x", np.zeros(4), 3, "d_x")
    with pytest.raises(ValueError, match="empty"):
        as_sequence("x", np.zeros((0, 3)), 3, "d_x")


def test_as_initial():
    assert as_initial("s0", None, 2, 3, "d_s", True).shape == (2, 3)
    assert as_initial("s0", np.ones(3), 2, 3, "d_s", True).shape == (2, 3)
    with pytest.raises(ValueError, match=r"s0 has shape \(2,\), expected \(d_s,\) = \(3,\)"):
        as_initial("s0", np.ones(2), 1, 3, "d_s", False)


def test_check_shape_message():
    with pytest.raises(ValueError, match=r"W has shape \(2, 3\), expected \(d_s, d_s\) = \(2, 2\) because"):
        check_shape("W", np.zeros((2, 3)), (2, 2), ("d_s", "d_s"), source="because")
