import time

import numpy as np
import pytest

from lrnn import widgets


@pytest.fixture(scope="module")
def explorer():
    return widgets.discretization_explorer()


def test_discretization_corners(explorer):
    for view in explorer.corners():
        assert len(view.panels) == 2
        for panel in view.panels:
            for s in panel.series:
                assert np.all(np.isfinite(s.x)) and np.all(np.isfinite(s.y))
        assert "dT = " in view.text


def test_discretization_extremes_say_the_right_thing():
    stable, unstable = widgets.discretization_view(dT=0.05, gain=0.5), widgets.discretization_view(dT=0.8, gain=2.5)
    assert "< 1" in stable.text and stable.values["spectral_radius"] < 1
    assert "> 1" in unstable.text and unstable.values["spectral_radius"] > 1


def test_smaller_step_tracks_better():
    fine = widgets.discretization_view(dT=0.05, gain=1.0).values["max_error"]
    coarse = widgets.discretization_view(dT=0.8, gain=1.0).values["max_error"]
    assert fine < coarse / 5


def test_live_values_compute_fast(explorer):
    ctl = {c.name: c for c in explorer.controls}
    for dT in ctl["dT"].live_values:
        t0 = time.perf_counter()
        widgets.discretization_view(dT=dT, gain=2.5)
        assert time.perf_counter() - t0 < 0.5  # generous bound for a loaded CI machine; typical 30 ms


def test_static_face_size(explorer):
    assert len(explorer.static_html()) < 250_000
