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
        assert "ΔT = " in view.text


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


# -- Ch. 3: vanishing_gradient_explorer --------------------------------------------------------


@pytest.fixture(scope="module")
def gradient_explorer():
    return widgets.vanishing_gradient_explorer()


def test_vanishing_gradient_corners(gradient_explorer):
    views = gradient_explorer.corners()
    assert len(views) == 2 ** len(gradient_explorer.controls)
    for view in views:
        left, right = view.panels
        assert left.logy and left.ylim == (1e-16, 1e16) and right.ylim == (0.0, 1.05)
        for panel in view.panels:
            for s in panel.series:
                assert len(s.x) == len(s.y) <= 100
                assert np.all(np.isfinite(s.x)) and np.all(np.isfinite(s.y))
        v = view.values
        assert v["final"] >= 0 and v["peak"] >= 1 and 0 <= v["mean_dG"] <= 1 and 0 <= v["min_dG"] <= 1
        assert "ρ = " in view.text and "after" in view.text


def test_vanishing_gradient_linear_regime_follows_rho():
    for W_r in ("normal", "non-normal"):
        rates = []
        for rho in (0.8, 0.9, 1.0, 1.1):
            v = widgets.vanishing_gradient_view(rho=rho, N=200, activation="linear", W_r=W_r).values
            rates.append(v["rate"])
            if W_r == "normal":
                assert abs(v["rate"] - rho) < 0.02 * rho, (rho, v)
        assert np.all(np.diff(rates) > 0), "a bigger radius decays more slowly"
    finals = [widgets.vanishing_gradient_view(rho=r, N=100, input_scale=1e-4).values["final"] for r in (0.8, 0.9, 1.0)]
    assert finals[0] < finals[1] < finals[2], finals


def test_vanishing_gradient_saturation_kills_explosion():
    linear = widgets.vanishing_gradient_view(rho=1.2, N=100, activation="linear")
    rails = widgets.vanishing_gradient_view(rho=1.2, N=100, input_scale=3.0)
    assert linear.values["final"] > 1e6 and "explodes" in linear.text
    assert rails.values["final"] < 1e-7 and rails.values["mean_dG"] < 0.5
    assert "still vanishes" in rails.text and "saturation" in rails.text


def test_vanishing_gradient_non_normal_transient_growth():
    normal = widgets.vanishing_gradient_view(rho=0.9, N=100, activation="linear").values
    skew = widgets.vanishing_gradient_view(rho=0.9, N=200, activation="linear", W_r="non-normal")
    assert normal["peak"] == 1.0 and normal["peak_lag"] == 0
    assert skew.values["peak"] > 5 and skew.values["norm2"] > 3 and "non-normal" in skew.text
    assert skew.values["final"] < 1e-3, "rho < 1 still wins in the end"


def test_vanishing_gradient_rejects_bad_controls():
    with pytest.raises(ValueError, match="activation"):
        widgets.vanishing_gradient_view(activation="relu")
    with pytest.raises(ValueError, match="N = 500"):
        widgets.vanishing_gradient_view(N=500)


def test_vanishing_gradient_live_values_compute_fast(gradient_explorer):
    ctl = {c.name: c for c in gradient_explorer.controls}
    widgets.vanishing_gradient_view()  # warm-up (imports)
    for rho in ctl["rho"].live_values[::4]:
        for W_r in ("normal", "non-normal"):
            t0 = time.perf_counter()
            widgets.vanishing_gradient_view(rho=rho, N=200, input_scale=3.0, W_r=W_r)
            assert time.perf_counter() - t0 < 0.5  # generous for a loaded machine; typical 5-10 ms


def test_vanishing_gradient_static_face_size(gradient_explorer):
    assert len(gradient_explorer.static_html()) < 400_000


# -- Ch. 4: gradient_flow_explorer ------------------------------------------------------------------


@pytest.fixture(scope="module")
def flow_explorer():
    return widgets.gradient_flow_explorer()


def test_gradient_flow_corners(flow_explorer):
    views = flow_explorer.corners()
    assert len(views) == 8
    for view in views:
        (panel,) = view.panels
        assert [s.label for s in panel.series][:2] == ["standard RNN", "gated cell (Vanilla LSTM)"]
        for s in panel.series:
            assert np.all(np.isfinite(s.x)) and np.all(np.isfinite(s.y)) and len(s.x) <= 240
        assert all(np.isfinite(v) for v in view.values.values())
        assert "steps back" in view.text and "Eq. 182" in view.text and "orders of magnitude" in view.text


def test_gradient_flow_open_gate_keeps_the_gradient_closed_gate_loses_it(flow_explorer):
    ctl = {c.name: c for c in flow_explorer.controls}
    for rho in ctl["spectral_radius"].values:
        for N in ctl["N"].values:
            open_ = widgets.gradient_flow_view(b_cs=10.0, spectral_radius=rho, N=N)
            closed = widgets.gradient_flow_view(b_cs=-2.0, spectral_radius=rho, N=N).values
            assert open_.values["lstm_end"] > open_.values["rnn_end"] + 4, (rho, N)
            assert open_.values["lstm_end"] > -2.5 and open_.values["g_cs_mean"] > 0.999
            assert "keeps the error flowing" in open_.text
            assert closed["lstm_end"] < closed["rnn_end"] and closed["g_cs_mean"] < 0.2


def test_gradient_flow_lag_axis_and_unit_loss():
    view = widgets.gradient_flow_view(b_cs=4.0, spectral_radius=1.0, N=50)
    rnn = view.panels[0].series[0]
    assert rnn.x[0] == 0 and rnn.x[-1] == 49
    assert rnn.y[0] <= 1.0  # ||psi[N-1]|| <= ||dE/dr[N-1]|| = 1 since tanh' <= 1
    small, big = (widgets.gradient_flow_view(4.0, rho, 200).values for rho in (0.6, 1.4))
    assert 0 < big["rnn_dG_mean"] < small["rnn_dG_mean"] <= 1  # a larger W_r pushes the state into the bends


def test_gradient_flow_live_values_compute_fast(flow_explorer):
    ctl = {c.name: c for c in flow_explorer.controls}
    widgets.gradient_flow_view()  # warm-up
    for b_cs in ctl["b_cs"].live_values[::3]:
        for rho in ctl["spectral_radius"].live_values[::4]:
            t0 = time.perf_counter()
            widgets.gradient_flow_view(b_cs=b_cs, spectral_radius=rho, N=200)
            assert time.perf_counter() - t0 < 0.5  # generous for a loaded machine; typical 4-15 ms


def test_gradient_flow_static_face_size(flow_explorer):
    assert len(flow_explorer.static_html()) < 250_000


# -- Ch. 5: gate dynamics of one LSTM cell ---------------------------------------------------------


@pytest.fixture(scope="module")
def gate_explorer():
    return widgets.gate_dynamics_explorer()


def test_gate_dynamics_corners_are_sane(gate_explorer):
    corners = gate_explorer.corners()
    assert len(corners) == 16
    for view in corners:
        assert len(view.panels) == 2
        for panel in view.panels:
            for s in panel.series:
                assert np.all(np.isfinite(s.x)) and np.all(np.isfinite(s.y)) and len(s.x) <= 240
        gates, signals = view.panels
        assert all(0.0 <= y <= 1.0 for s in gates.series for y in s.y)  # Eqs. 131-133: G_c in [0, 1]
        assert all(abs(y) < 1.0 for s in signals.series[1:] for y in s.y)  # |s|, |v| < 1 here
        assert 0.0 <= view.values["retained"] <= 1.0 and "g_{cs} = " in view.text


def test_gate_dynamics_state_gate_sets_the_memory():
    for signal in ("write, hold, read", "pulse train"):
        vals = [widgets.gate_dynamics_view(signal=signal, b_cs=b).values for b in (0.0, 4.6, 10.0)]
        kept = [v["retained"] for v in vals]
        assert kept[0] < 1e-5 < kept[1] < kept[2], (signal, kept)
        for v in vals:  # with u = 0 and g_cu ~ 0 while holding, the state decays by g_cs per step exactly
            np.testing.assert_allclose(v["retained"], v["g_cs_hold"] ** v["hold_steps"], rtol=0.02, atol=1e-12)
    hold = widgets.gate_dynamics_view(b_cs=10.0).values
    assert hold["hold_steps"] == 160 and hold["retained"] > 0.99 and hold["v_read"] > 0.5


def test_gate_dynamics_readout_gate_and_gain():
    closed, open_ = (widgets.gate_dynamics_view(b_cs=10.0, b_cr=b).values for b in (-6.0, 0.0))
    assert closed["leak"] < 0.01 < 0.2 < open_["leak"]
    assert "stays near 0" in widgets.gate_dynamics_view(b_cs=10.0, b_cr=-6.0).text
    weak, strong = (widgets.gate_dynamics_view(b_cs=10.0, gain=g).values["written"] for g in (0.25, 4.0))
    np.testing.assert_allclose(weak, np.tanh(0.2) * (1 / (1 + np.exp(-6))), rtol=1e-3)  # g_cu u, one write
    assert strong > 0.99
    with pytest.raises(ValueError, match="expected one of"):
        widgets.gate_dynamics_view(signal="noise")


def test_gate_dynamics_live_values_compute_fast(gate_explorer):
    ctl = {c.name: c for c in gate_explorer.controls}
    widgets.gate_dynamics_view()  # warm-up
    for signal in ctl["signal"].values:
        for b_cs in ctl["b_cs"].live_values:
            t0 = time.perf_counter()
            widgets.gate_dynamics_view(signal=signal, b_cs=b_cs, gain=4.0, b_cr=3.0)
            assert time.perf_counter() - t0 < 0.5  # generous for a loaded machine; typical 4 ms


def test_gate_dynamics_static_face_size(gate_explorer):
    assert len(gate_explorer.static_html()) < 250_000


@pytest.mark.parametrize(
    "make", [widgets.discretization_explorer, widgets.vanishing_gradient_explorer,
             widgets.gradient_flow_explorer, widgets.gate_dynamics_explorer],
)  # fmt: skip
def test_every_panel_is_labelled_and_typeset(make):
    """Every panel has a y label; labels and readouts use the markup or Unicode, not ASCII stand-ins."""
    import re

    ex = make()
    ascii_math = re.compile(r"\bmu\b|\blog10\b|\|\||10\^-|\b[Wgb]_[a-z]+\b|\bpsi\b|\d\.\de[+-]\d")
    for view in ex.corners():
        texts = [view.text]
        for panel in view.panels:
            assert panel.ylabel, f"{ex.title}: panel {panel.title!r} has no y label"
            texts += [panel.title, panel.xlabel, panel.ylabel] + [s.label for s in panel.series]
        texts += [c.label for c in ex.controls] + [ex.caption]
        for t in texts:
            assert not ascii_math.search(t), f"{ex.title}: {t!r}"
