"""Tests for lrnn.rnn_to_lstm: the stages of Sec. V (Eqs. 94-117), hand-computed, against
lrnn.rnn / lrnn.lstm, and their error messages."""

import dataclasses

import numpy as np
import pytest

from lrnn.lstm import LSTMParams, lstm_forward, lstm_step
from lrnn.lstm_bptt import lstm_backward
from lrnn.rnn import RNNParams, rnn_forward
from lrnn.rnn_to_lstm import (
    STAGES,
    GateParams,
    run_cell,
    split_lstm_params,
    stage_diff,
    step_bounded_update,
    step_gated,
    step_identity_state,
    step_lstm,
    step_readout_gate,
    step_split,
    to_lstm_params,
)

SCALAR = RNNParams(W_r=[[0.5]], W_x=[[2.0]], theta_s=[0.1], W_s=[[0.25]])
STD = RNNParams(W_r=[[0.5]], W_x=[[2.0]], theta_s=[0.1])


def _params(rng, d_x=3, d_s=2, canonical=True):
    return RNNParams.init(rng, d_x, d_s, scale=1.2, canonical=canonical)


# -- hand-computed tiny cases ---------------------------------------------------------------------


def test_split_by_hand():
    out = step_split(SCALAR, [1.0], [2.0], [0.4])
    assert out["F_s"] == pytest.approx([0.5])  # 0.25 * 2 (Eq. 96)
    assert out["F_u"] == pytest.approx([2.3])  # 0.5 * 0.4 + 2 * 1 + 0.1 (Eq. 97)
    assert out["s"] == pytest.approx([2.8]) and out["r"] == pytest.approx([np.tanh(2.8)])


def test_gated_by_hand():
    out = step_gated(SCALAR, [1.0], [2.0], [0.4], {"cs": 0.5, "cu": 0.25})
    assert out["s"] == pytest.approx([0.5 * 0.5 + 0.25 * 2.3])  # Eq. 98


def test_identity_state_by_hand():
    out = step_identity_state(STD, [1.0], [2.0], [0.4], {"cs": 0.5, "cu": 0.25})
    assert out["s"] == pytest.approx([0.5 * 2.0 + 0.25 * 2.3])  # Eq. 102
    assert "F_s" not in out


def test_readout_gate_by_hand():
    g = {"cs": 0.5, "cu": 1.0, "cr": 0.5, "cx": 0.5}
    out = step_readout_gate(STD, [1.0], [2.0], [0.4], g)
    F_u = 0.5 * 0.4 + 0.5 * 2.0 + 0.1  # Eqs. 105-106
    assert out["F_u"] == pytest.approx([F_u])
    assert out["s"] == pytest.approx([1.0 + F_u])
    assert out["v"] == pytest.approx([0.5 * np.tanh(1.0 + F_u)])  # Eq. 103


def test_bounded_update_by_hand():
    out = step_bounded_update(STD, [1.0], [2.0], [0.4], {"cs": 0.5, "cu": 1.0, "cr": 1.0})
    assert out["u"] == pytest.approx([np.tanh(2.3)])  # Eq. 107
    assert out["s"] == pytest.approx([1.0 + np.tanh(2.3)])  # Eq. 108


def test_lstm_step_by_hand():
    p, q = split_lstm_params(LSTMParams.zeros(1, 1))
    q = dataclasses.replace(q, theta_cs=[100.0], theta_cu=[-100.0], W_s_cr=[[1.0]])
    out = step_lstm(p, [0.0], [2.0], [0.0], q)
    assert out["g_cs"] == pytest.approx([1.0]) and out["g_cu"] == pytest.approx([0.0], abs=1e-40)
    assert out["z_cr"] == pytest.approx(out["s"])  # Eq. 114 uses the current s[n] = 2
    assert out["s"] == pytest.approx([2.0]) and out["v"] == pytest.approx([1 / (1 + np.exp(-2.0)) * np.tanh(2.0)])


# -- each stage against the previous one and against lrnn ------------------------------------------


def test_split_is_the_canonical_rnn(rng):
    p = _params(rng)
    x, s0 = rng.standard_normal((7, 3)), rng.standard_normal(2)
    tr, ref = run_cell(step_split, p, x, s0=s0), rnn_forward(p, x, s0=s0)
    np.testing.assert_allclose(tr.s, ref.s, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(tr.F_s + tr.F_u, tr.s, rtol=1e-15)


def test_open_gates_and_identity_state_give_the_canonical_rnn_with_identity(rng):
    p = _params(rng, canonical=False)
    x = rng.standard_normal((6, 3))
    canonical_I = RNNParams(p.W_r, p.W_x, p.theta_s, W_s=np.eye(2))
    gated = run_cell(step_gated, canonical_I, x, {"cs": 1.0, "cu": 1.0})
    np.testing.assert_array_equal(gated.s, run_cell(step_split, canonical_I, x).s)
    ident = run_cell(step_identity_state, p, x, {"cs": 1.0, "cu": 1.0})
    np.testing.assert_allclose(ident.s, rnn_forward(canonical_I, x).s, rtol=1e-13, atol=1e-14)
    assert np.array_equal(run_cell(step_identity_state, canonical_I, x, {"cs": 1.0, "cu": 1.0}).s, ident.s)


def test_diagonal_W_s_is_absorbed_into_the_gate(rng):
    w = np.array([0.2, 0.7])
    p = _params(rng)
    p = RNNParams(p.W_r, p.W_x, p.theta_s, W_s=np.diag(w))
    x, g_cs, g_cu = rng.standard_normal((5, 3)), rng.uniform(size=(5, 2)), rng.uniform(size=(5, 2))
    a = run_cell(step_gated, p, x, {"cs": g_cs, "cu": g_cu})
    b = run_cell(step_identity_state, RNNParams(p.W_r, p.W_x, p.theta_s), x, {"cs": g_cs * w, "cu": g_cu})
    np.testing.assert_allclose(a.s, b.s, rtol=1e-13)


def test_open_readout_gate_changes_nothing(rng):
    p = _params(rng, canonical=False)
    x = rng.standard_normal((6, 3))
    g = {"cs": rng.uniform(size=(6, 2)), "cu": rng.uniform(size=(6, 2))}
    a = run_cell(step_identity_state, p, x, g, y0=np.zeros(2))
    b = run_cell(step_readout_gate, p, x, g | {"cr": 1.0})
    np.testing.assert_array_equal(a.s, b.s)
    np.testing.assert_array_equal(b.v, b.r)
    c = run_cell(step_readout_gate, p, x, g | {"cr": 1.0, "cx": 1.0})
    np.testing.assert_array_equal(b.s, c.s)


def test_closed_input_gate_removes_the_input(rng):
    p = _params(rng, canonical=False)
    g = {"cs": 0.9, "cu": 0.5, "cr": 0.7, "cx": 0.0}
    a = run_cell(step_bounded_update, p, rng.standard_normal((5, 3)), g)
    b = run_cell(step_bounded_update, p, rng.standard_normal((5, 3)), g)
    np.testing.assert_array_equal(a.s, b.s)


def test_bounded_update_bounds_the_state(rng):
    p = _params(rng, canonical=False)
    x = 100.0 * rng.standard_normal((50, 3))
    g = {"cs": 0.8, "cu": 1.0, "cr": 1.0}
    bounded = run_cell(step_bounded_update, p, x, g)
    assert np.abs(bounded.u).max() <= 1.0 and np.abs(bounded.s).max() <= 1.0 / (1.0 - 0.8)
    assert np.abs(run_cell(step_readout_gate, p, x, g).s).max() > 50.0


def test_final_stage_is_lstm_forward(rng):
    lp = LSTMParams.init(rng, 3, 4, scale=1.5)
    p, q = split_lstm_params(lp)
    x, s0, v0 = rng.standard_normal((12, 3)), rng.standard_normal(4), rng.standard_normal(4)
    tr, ref = run_cell(step_lstm, p, x, q, s0=s0, y0=v0), lstm_forward(lp, x, s0=s0, v0=v0)
    for ours, theirs in (("s", "s"), ("v", "v"), ("u", "u"), ("r", "r"), ("z_cs", "a_cs"), ("z_cr", "a_cr")):
        np.testing.assert_allclose(tr[ours], getattr(ref, theirs), rtol=0, atol=1e-12)
    for k in ("g_cs", "g_cu", "g_cr"):
        np.testing.assert_allclose(tr[k], getattr(ref, k), rtol=0, atol=1e-12)
    # step by step too: the last stage's one step is lrnn.lstm.lstm_step's, in Sec. V's names
    one = step_lstm(p, x[5], tr.s[4], tr.v[4], q)
    ref_step = lstm_step(lp, x[5], tr.s[4], tr.v[4])
    for ours, theirs in (("z_cu", "a_cu"), ("F_u", "a_du"), ("z_cr", "a_cr"), ("s", "s"), ("v", "v")):
        np.testing.assert_allclose(one[ours], ref_step[theirs], rtol=1e-13, atol=1e-15)


def test_bridge_round_trip(rng):
    lp = LSTMParams.init(rng, 2, 3)
    back = to_lstm_params(*split_lstm_params(lp))
    for f in dataclasses.fields(LSTMParams):
        np.testing.assert_array_equal(getattr(back, f.name), getattr(lp, f.name))
    p, q = split_lstm_params(lp)
    assert np.array_equal(p.W_r, lp.W_v_du) and np.array_equal(q.theta_cs, lp.b_cs)


def test_cec_carries_state_and_psi_exactly():
    """Example 2 with lstm / lstm_bptt: g_cs = 1, g_cu = g_cr = 0 (saturated biases)."""
    N = 1001
    p = LSTMParams.zeros(d_x=3, d_s=2)
    p = dataclasses.replace(
        p, b_cs=[60.0, 60.0], b_cu=[-60.0, -60.0], b_cr=[-60.0, -60.0], W_x_du=[[0, 0, 1.0], [0, 0, -0.5]]
    )
    p = dataclasses.replace(p, W_x_cu=[[120.0, 0, 0], [120.0, 0, 0]], W_x_cr=[[0, 120.0, 0], [0, 120.0, 0]])
    x = np.zeros((N, 3))
    x[:, 2] = np.random.default_rng(0).standard_normal(N)
    x[0, 0], x[-1, 1] = 1.0, 1.0  # write at n = 0, read at n = N - 1
    tr = lstm_forward(p, x)
    assert np.all(tr.g_cs == 1.0) and np.all(tr.g_cu[1:] == 0.0) and np.all(tr.g_cr[:-1] == 0.0)
    assert np.all(tr.s == tr.s[0]) and np.all(tr.s[0] != 0)
    dE = np.zeros((N, 2))
    dE[-1] = 1.0
    _, psi = lstm_backward(p, tr, dE)
    assert np.all(psi == psi[-1]) and np.all(psi[-1] != 0)


def test_cec_stage_function_with_fractional_gate_decays_as_power():
    tr = run_cell(step_bounded_update, STD, np.zeros((40, 1)), {"cs": 0.9, "cu": 0.0, "cr": 0.0}, s0=[1.0])
    np.testing.assert_allclose(tr.s[:, 0], 0.9 ** np.arange(1, 41), rtol=1e-13)


# -- the diff, the tags --------------------------------------------------------------------------


def test_stage_tags_and_diff():
    assert [f.equations for f in STAGES] == ["94-97", "98-99", "100-102", "103-106", "107-108", "109-117"]
    d = stage_diff(step_readout_gate, step_bounded_update)
    assert "+ u = G_d(F_u)  # Eq. 107" in d and '- s = g["cs"] * s_prev + g["cu"] * F_u' in d
    assert d._repr_markdown_().startswith("```diff\n")
    assert all(ln[:2] in ("  ", "- ", "+ ") for ln in d.splitlines())


def test_stage_diff_compares_code_and_shows_the_new_comments():
    def old(p, x):
        a = p + x  # Eq. 1
        return a  # old

    def new(p, x):
        a = p + x  # Eq. 7
        b = 2 * a  # Eq. 8
        return b  # new

    want = ["  a = p + x  # Eq. 7", "+ b = 2 * a  # Eq. 8", "- return a  # old", "+ return b  # new"]
    assert stage_diff(old, new).splitlines() == want


def test_student_step_function_runs(rng):
    def mine(p, x, s_prev, v_prev, g):
        s = g["cs"] * s_prev + g["cu"] * np.tanh(p.W_r @ v_prev + p.W_x @ x + p.theta_s)
        return {"s": s, "v": g["cr"] * np.tanh(s)}

    p = _params(rng, canonical=False)
    x, g = rng.standard_normal((5, 3)), {"cs": 0.5, "cu": 0.5, "cr": 0.5}
    np.testing.assert_allclose(run_cell(mine, p, x, g).s, run_cell(step_bounded_update, p, x, g).s, rtol=1e-14)


# -- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: step_split(STD, [1.0], [0.0], [0.0]), ValueError, r"uses W_s s\[n-1\] \(Eq. 96\)"),
        (lambda: step_identity_state(SCALAR, [1.0], [0.0], [0.0], {"cs": 1, "cu": 1}), ValueError, "must be None or"),
        (lambda: step_gated(SCALAR, [1.0], [0.0], [0.0], {"cs": 1.5, "cu": 1}), ValueError, r"lie in \[0, 1\]"),
        (lambda: step_gated(SCALAR, [1.0], [0.0], [0.0], {"cs": 1}), ValueError, r"\['cu'\] missing"),
        (lambda: step_gated(SCALAR, [1.0], [0.0], [0.0], {"cs": 1, "cu": 1, "xx": 0}), ValueError, "unknown"),
        (lambda: step_gated(SCALAR, [1.0], [0.0], [0.0], [1, 1]), TypeError, "expected a dict"),
        (lambda: step_gated(SCALAR, [1.0, 2.0], [0.0], [0.0], {"cs": 1, "cu": 1}), ValueError, r"x has shape \(2,\)"),
        (lambda: step_gated(SCALAR, [1.0], [0.0, 1.0], [0.0], {"cs": 1, "cu": 1}), ValueError, "s_prev has shape"),
        (lambda: step_gated(SCALAR, [np.nan], [0.0], [0.0], {"cs": 1, "cu": 1}), ValueError, "must be finite"),
        (lambda: step_gated("p", [1.0], [0.0], [0.0], {"cs": 1, "cu": 1}), TypeError, "expected RNNParams"),
        (lambda: step_gated(SCALAR, [1.0], [0.0], [0.0], {"cs": [1, 1], "cu": 1}), ValueError, r"g\['cs'\] has shape"),
        (lambda: step_lstm(STD, [1.0], [0.0], [0.0], {"cs": 1}), TypeError, "expected GateParams"),
        (lambda: run_cell(step_split, SCALAR, [1.0]), ValueError, r"expected \(N, d_x\)"),
        (lambda: run_cell(step_split, SCALAR, np.zeros((0, 1))), ValueError, "N >= 1"),
        (lambda: run_cell(42, SCALAR, [[1.0]]), TypeError, "expected a step function"),
        (lambda: run_cell(step_gated, SCALAR, [[1.0]], {"cs": np.ones((2, 1)), "cu": 1}), ValueError, r"\(N, d_s\)"),
        (lambda: run_cell(step_split, SCALAR, [[1.0]], s0=[1.0, 2.0]), ValueError, "s0 has shape"),
        (lambda: run_cell(lambda *a: 3, STD, [[1.0]]), TypeError, "expected a dict with 's'"),
        (lambda: run_cell(lambda *a: {"s": [1, 2], "v": [0]}, STD, [[1.0]]), ValueError, "each must be"),
        (lambda: split_lstm_params(STD), TypeError, "expected LSTMParams"),
    ],
)
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_gate_params_errors(rng):
    _, q = split_lstm_params(LSTMParams.init(rng, 3, 2))
    with pytest.raises(ValueError, match=r"W_s_cr has shape \(3, 3\), expected \(d_s, d_s\) = \(2, 2\)"):
        dataclasses.replace(q, W_s_cr=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="the same cell"):
        run_cell(step_lstm, _params(rng, d_x=2, canonical=False), np.zeros((2, 2)), q)
    with pytest.raises(ValueError, match="W_s = I"):
        to_lstm_params(_params(rng), q)
    assert isinstance(q, GateParams) and (q.d_s, q.d_x) == (2, 3)


def test_stage_diff_of_none_shows_the_body():
    body = stage_diff(None, step_split).splitlines()
    assert body[0] == "  F_s = p.W_s @ s_prev  # Eq. 96" and all(ln.startswith("  ") for ln in body)
