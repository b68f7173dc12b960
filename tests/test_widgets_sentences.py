"""The sentences under the explorers say what their numbers are."""

import re

import pytest

from lrnn.widgets.gradient_flow import gradient_flow_view


@pytest.mark.parametrize("gain", [0.5, 1.0, 3.0])
def test_gradient_flow_counts_orders_of_magnitude_for_both_cells(gain):
    """Both changes of norm are orders of magnitude ("grows by 2.5 (to 40)" read as a factor of 2.5)."""
    text = gradient_flow_view(gain=gain).text
    changes = re.findall(r"(?:falls|grows) by [\d.]+( orders of magnitude)?", text)
    assert len(changes) == 2 and all(changes), text
