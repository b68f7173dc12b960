import numpy as np
import pytest

from lrnn import rnn_gradients, widgets


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


def test_discretization_readout_never_contradicted_by_rounding(explorer):
    import re

    ctl = {c.name: c for c in explorer.controls}
    near_one = 0
    for dT in sorted(set(ctl["dT"].values) | set(ctl["dT"].live_values)):
        for gain in ctl["gain"].values:
            view = widgets.discretization_view(dT=dT, gain=gain)
            shown, sign = re.search(r"max \|μ\| = ([0-9.]+) ([<>]) 1", view.text).groups()
            rho = view.values["spectral_radius"]
            assert (sign == "<") == (rho < 1) and (float(shown) < 1) == (rho < 1), (dT, gain, view.text)
            near_one += abs(rho - 1) < 0.005
    assert near_one >= 2, "the grid has settings within rounding of 1 (gain 1.5 at dT = 0.02 and 0.1)"


def test_discretization_caption_thresholds():
    # the gain at which rho(W_s + W_r) = 1, by bisection; the caption quotes 1.39 (dT = 0.2) and 1.14 (dT = 0.8)
    from lrnn import ode

    def threshold(dT):
        lo, hi = 0.5, 2.5
        for _ in range(50):
            mid = (lo + hi) / 2
            p = ode.discretize(ode.example_model(mid), dT)
            lo, hi = (mid, hi) if np.abs(np.linalg.eigvals(p.W_s + p.W_r)).max() < 1 else (lo, mid)
        return lo

    caption = widgets.discretization_explorer().caption
    for dT, quoted in ((0.2, "1.39"), (0.8, "1.14")):
        assert f"{threshold(dT):.2f}" == quoted and quoted in caption


def test_smaller_step_tracks_better():
    fine = widgets.discretization_view(dT=0.05, gain=1.0).values["max_error"]
    coarse = widgets.discretization_view(dT=0.8, gain=1.0).values["max_error"]
    assert fine < coarse / 5


def test_every_live_value_computes_a_view(explorer):
    """Every step size the live slider offers gives a finite view (its time per call is measured in
    benchmarks/bench_explorer.py, not here)."""
    ctl = {c.name: c for c in explorer.controls}
    for dT in ctl["dT"].live_values:
        view = widgets.discretization_view(dT=dT, gain=2.5)
        assert np.isfinite(view.values["max_error"]), dT


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
        assert np.isfinite(v["lyapunov"]) and "ρ = " in view.text and "after" in view.text


def test_vanishing_gradient_family_is_a_categorical_control(gradient_explorer):
    family = gradient_explorer.controls[0]
    assert family.name == "family" and family.values == rnn_gradients.FAMILIES
    assert all(isinstance(v, str) for v in family.values)  # a dropdown live, a select on the site
    texts = {widgets.vanishing_gradient_view(family=f).text.split(" W_r")[0] for f in family.values}
    assert len(texts) == 4


def test_vanishing_gradient_linear_regime_follows_rho():
    for family in ("symmetric", "orthogonal", "non-normal", "gaussian"):
        rates = []
        for gain in (0.8, 0.9, 1.0, 1.1):
            v = widgets.vanishing_gradient_view(gain=gain, N=200, activation="linear", family=family).values
            rates.append(v["rate"])
            assert v["lyapunov"] == pytest.approx(np.log(v["rho"]))
            if family in ("symmetric", "orthogonal"):
                assert abs(v["rate"] - gain) < 0.02 * gain, (gain, v)
        assert np.all(np.diff(rates) > 0), "a bigger radius decays more slowly"
    finals = [
        widgets.vanishing_gradient_view(gain=g, N=100, input_scale=1e-4, family="symmetric").values["final"]
        for g in (0.8, 0.9, 1.0)
    ]
    assert finals[0] < finals[1] < finals[2], finals


def test_saturation_stops_explosion_for_symmetric_not_for_gaussian():
    """Erratum P16: saturated in both cases; the symmetric network settles, the Gaussian one is chaotic."""
    for gain in (1.5, 2.0):
        sym = widgets.vanishing_gradient_view(gain=gain, family="symmetric")
        gau = widgets.vanishing_gradient_view(gain=gain, family="gaussian")
        assert sym.values["mean_dG"] < 0.7 and gau.values["mean_dG"] < 0.7, "both saturate"
        assert sym.values["lyapunov"] < -0.05 and sym.values["final"] < 1e-3 and "settles" in sym.text
        assert gau.values["lyapunov"] > 0.02 and gau.values["final"] > 1e5 and "chaotic" in gau.text
        assert "P16" in gau.text
    strong = widgets.vanishing_gradient_view(gain=2.0, input_scale=3.0, family="gaussian")
    assert strong.values["lyapunov"] < 0 and strong.values["final"] < 1e-20, "strong inputs suppress the chaos"


def test_vanishing_gradient_non_normal_transient_growth():
    normal = widgets.vanishing_gradient_view(gain=0.9, N=100, activation="linear", family="symmetric").values
    skew = widgets.vanishing_gradient_view(gain=0.9, N=200, activation="linear", family="non-normal")
    assert normal["peak"] == 1.0 and normal["peak_lag"] == 0
    assert skew.values["peak"] > 3 and skew.values["norm2"] > 3 and "non-normal" in skew.text
    assert skew.values["final"] < 1e-3, "rho < 1 still wins in the end"


def test_vanishing_gradient_rejects_bad_controls():
    with pytest.raises(ValueError, match="activation"):
        widgets.vanishing_gradient_view(activation="relu")
    with pytest.raises(ValueError, match="N = 500"):
        widgets.vanishing_gradient_view(N=500)
    with pytest.raises(ValueError, match="family = 'normal'"):
        widgets.vanishing_gradient_view(family="normal")


def test_vanishing_gradient_live_values_are_finite(gradient_explorer):
    # every live gain with every family at the most expensive settings (timing: benchmarks/bench_explorer.py)
    ctl = {c.name: c for c in gradient_explorer.controls}
    for gain in ctl["gain"].live_values[::5]:
        for family in ctl["family"].values:
            v = widgets.vanishing_gradient_view(gain=gain, N=300, input_scale=3.0, family=family).values
            assert np.isfinite(v["lyapunov"]) and 0 <= v["final"] < np.inf and v["N"] == 300


def test_vanishing_gradient_static_face_size(gradient_explorer):
    assert len(gradient_explorer.static_html()) < 450_000


# -- Ch. 4: gradient_flow_explorer ------------------------------------------------------------------


@pytest.fixture(scope="module")
def flow_explorer():
    return widgets.gradient_flow_explorer()


def test_gradient_flow_corners(flow_explorer):
    views = flow_explorer.corners()
    assert len(views) == 16
    for view in views:
        (panel,) = view.panels
        assert [s.label for s in panel.series][:2] == ["standard RNN", "gated cell (Vanilla LSTM)"]
        for s in panel.series:
            assert np.all(np.isfinite(s.x)) and np.all(np.isfinite(s.y)) and len(s.x) <= 240
        assert all(np.isfinite(v) for v in view.values.values())
        assert "steps back" in view.text and "Eq. 182" in view.text and "orders of magnitude" in view.text


def test_gradient_flow_open_gate_keeps_the_gradient_closed_gate_loses_it(flow_explorer):
    ctl = {c.name: c for c in flow_explorer.controls}
    for family in ctl["family"].values:
        for gain in ctl["gain"].values:
            for N in ctl["N"].values:
                open_ = widgets.gradient_flow_view(b_cs=10.0, gain=gain, N=N, family=family)
                closed = widgets.gradient_flow_view(b_cs=-2.0, gain=gain, N=N, family=family).values
                assert -2.5 < open_.values["lstm_end"] < 3 and open_.values["g_cs_mean"] > 0.999, (family, gain, N)
                assert closed["lstm_end"] < closed["rnn_end"] and closed["g_cs_mean"] < 0.2
                if open_.values["rnn_end"] < -3:
                    assert open_.values["lstm_end"] > open_.values["rnn_end"] + 3
                    assert "keeps the error flowing" in open_.text


def test_gradient_flow_gaussian_network_is_chaotic_from_gain_2():
    from lrnn.rnn import RNNParams, rnn_forward
    from lrnn.rnn_gradients import lyapunov_exponents
    from lrnn.widgets.gradient_flow import _flow_setup

    W, W_x, x, _ = _flow_setup("gaussian")
    for gain in (2.0, 2.5, 3.0):  # what the view's sentence says when the RNN's gradient grows
        p = RNNParams(W_r=gain * W, W_x=W_x, theta_s=np.zeros(W.shape[0]))
        assert lyapunov_exponents(p, rnn_forward(p, x), skip=50)[0] > 0.03, gain


def test_gradient_flow_symmetric_vanishes_gaussian_explodes():
    """Erratum P16 in Ch. 4: at gain 2 the symmetric RNN's gradient fades, the Gaussian one's explodes."""
    sym, gau = (widgets.gradient_flow_view(gain=2.0, family=f) for f in ("symmetric", "gaussian"))
    assert sym.values["rnn_end"] < -2 and gau.values["rnn_end"] > 3
    assert "chaotic" in gau.text and "P16" in gau.text and "chaotic" not in sym.text
    assert sym.values["rnn_dG_mean"] < 0.5 and gau.values["rnn_dG_mean"] < 0.5, "both saturate"
    short = widgets.gradient_flow_view(gain=2.5, N=25, family="symmetric")
    assert short.values["rnn_end"] > 1 and "chaotic" not in short.text and "transient" in short.text
    with pytest.raises(ValueError, match="family = 'orthogonal'"):
        widgets.gradient_flow_view(family="orthogonal")


def test_gradient_flow_lag_axis_and_unit_loss():
    view = widgets.gradient_flow_view(b_cs=4.0, gain=1.0, N=50)
    rnn = view.panels[0].series[0]
    assert rnn.x[0] == 0 and rnn.x[-1] == 49
    assert rnn.y[0] <= 1.0  # ||psi[N-1]|| <= ||dE/dr[N-1]|| = 1 since tanh' <= 1
    small, big = (widgets.gradient_flow_view(4.0, gain, 200).values for gain in (0.6, 1.4))
    assert 0 < big["rnn_dG_mean"] < small["rnn_dG_mean"] <= 1  # a larger W_r pushes the state into the bends


def test_gradient_flow_live_values_are_finite(flow_explorer):
    # the live grid's corners of b_cs and gain (timing: benchmarks/bench_explorer.py)
    ctl = {c.name: c for c in flow_explorer.controls}
    for b_cs in ctl["b_cs"].live_values[::3]:
        for gain in ctl["gain"].live_values[::4]:
            v = widgets.gradient_flow_view(b_cs=b_cs, gain=gain, N=200).values
            assert all(np.isfinite(x) for x in v.values())


def test_gradient_flow_static_face_size(flow_explorer):
    assert len(flow_explorer.static_html()) < 300_000


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


def test_gate_dynamics_every_live_value_computes_a_view(gate_explorer):
    """Every setting the live sliders offer gives a view with finite values (the time per call is
    measured in benchmarks/bench_explorer.py, not here)."""
    ctl = {c.name: c for c in gate_explorer.controls}
    for signal in ctl["signal"].values:
        for b_cs in ctl["b_cs"].live_values:
            view = widgets.gate_dynamics_view(signal=signal, b_cs=b_cs, gain=4.0, b_cr=3.0)
            assert all(np.all(np.isfinite(v)) for v in view.values.values() if isinstance(v, (int, float))), b_cs


def test_gate_dynamics_static_face_size(gate_explorer):
    assert len(gate_explorer.static_html()) < 250_000


@pytest.mark.parametrize(
    "make", [widgets.discretization_explorer, widgets.vanishing_gradient_explorer,
             widgets.gradient_flow_explorer, widgets.gate_dynamics_explorer, widgets.memory_runs_explorer],
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
