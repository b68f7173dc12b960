"""Tests for lrnn.exercises.ablations: check_constraint passes the right constraints and names typical mistakes."""

import pytest

from lrnn.exercises import check_constraint
from lrnn.exercises.ablations import MISTAKES, VARIANTS
from lrnn.gate_ablations import CONSTRAINTS, HELD_OPEN, Constraint


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_books_constraint_passes(variant):
    assert check_constraint(variant, CONSTRAINTS[variant][1]).startswith("check_constraint: passed")


def test_a_constraint_written_another_way_passes_too():
    """Any bias that holds the readout gate at 1 in float64 will do; so will tying from the other side."""
    held = {"W_x_cr": 0.0, "W_s_cr": 0.0, "W_v_cr": 0.0, "b_cr": 2 * HELD_OPEN}
    assert "passed" in check_constraint("lstm_no_readout_gate", Constraint(held=held))
    reverse = Constraint(tied=tuple((f"{w}_cu", f"{w}_cs", -1.0) for w in ("W_x", "W_s", "W_v", "b")))
    assert "passed" in check_constraint("lstm_coupled", reverse)


@pytest.mark.parametrize(("variant", "why"), [(v, why) for v, mistakes in sorted(MISTAKES.items()) for why in mistakes])
def test_each_known_mistake_is_named(variant, why):
    with pytest.raises(AssertionError) as err:
        check_constraint(variant, MISTAKES[variant][why])
    assert why in str(err.value)


def test_other_wrong_answers_and_bad_arguments():
    with pytest.raises(AssertionError, match="does not compute the lstm_coupled step"):
        check_constraint("lstm_coupled", Constraint())
    with pytest.raises(AssertionError, match="does not compute the mgu step"):
        check_constraint("mgu", Constraint(held={"b_r": 0.0}))
    with pytest.raises(AssertionError, match="which LSTMParams does not have"):
        check_constraint("lstm_diagonal", Constraint(held={"W_x_z": 0.0}))
    with pytest.raises(AssertionError, match="build an lrnn.gate_ablations.Constraint"):
        check_constraint("lstm_diagonal", {"diagonal": ("W_s_cu",)})
    with pytest.raises(AssertionError, match="expected one of mgu"):
        check_constraint("gru", Constraint())
