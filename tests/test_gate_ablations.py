"""lrnn.gate_ablations: each variant is its parent cell under a constraint; the constraint's gradient is exact."""

import dataclasses

import numpy as np
import pytest

import lrnn
from lrnn.gate_ablations import (
    CONSTRAINTS,
    HELD_OPEN,
    ConstrainedOptimizer,
    Constraint,
    step_coupled,
    step_diagonal_pinholes,
    step_mgu,
    step_no_readout_gate,
)
from lrnn.gradcheck import numerical_gradient
from lrnn.optim import Adam
from lrnn.train import fit_sequences

N, B, D_X, D_S = 6, 3, 2, 4


def parent(name, rng):
    """Random parameters of a variant's parent, every part nonzero, with the constraint imposed."""
    kind, constraint = CONSTRAINTS[name]
    if kind == "gru":
        p = lrnn.GRUParams.init(rng, D_X, D_S)
    elif kind == "lstm":
        p = lrnn.LSTMParams.init(rng, D_X, D_S)  # pinholes nonzero
    else:
        p = lrnn.AugmentedLSTMParams.init(rng, D_X, D_S)
    p = dataclasses.replace(
        p, **{f.name: rng.normal(size=getattr(p, f.name).shape) * 0.5 for f in dataclasses.fields(p)}
    )
    return constraint.impose(p)


STEPS = {"mgu": step_mgu, "lstm_coupled": step_coupled, "lstm_no_readout_gate": step_no_readout_gate,
         "lstm_diagonal": step_diagonal_pinholes}  # fmt: skip


@pytest.mark.parametrize("name", sorted(STEPS))
def test_the_constrained_parent_computes_the_variants_step(name):
    """The parent's forward pass under the constraint equals the variant's own step function, step by step."""
    rng = np.random.default_rng(5)
    p, x = parent(name, rng), rng.normal(size=(N, B, D_X))
    trace = p.forward(x)
    s = np.zeros((B, D_S))
    v = np.zeros((B, D_S))
    for n in range(N):
        out = STEPS[name](p, x[n], s) if name == "mgu" else STEPS[name](p, x[n], s, v)
        s, v = out["s"], out.get("v", out["s"])
        np.testing.assert_allclose(s, trace.s[n], rtol=0, atol=1e-14)
        if name != "mgu":
            np.testing.assert_allclose(v, trace.v[n], rtol=0, atol=1e-14)
    if name == "lstm_no_readout_gate":
        assert np.all(trace.g_cr == 1.0), "G_c(40) is 1 in float64: the gate is gone, not nearly gone"
    if name == "lstm_coupled":
        np.testing.assert_allclose(trace.g_cu, 1.0 - trace.g_cs, rtol=0, atol=2e-16)


def test_the_augmented_lstm_with_its_input_gate_held_open_has_g_cx_one():
    rng = np.random.default_rng(6)
    p = parent("augmented_open", rng)
    trace = p.forward(rng.normal(size=(N, B, D_X)))
    assert np.all(trace.g_cx == 1.0) and HELD_OPEN == 40.0


@pytest.mark.parametrize("name", sorted(CONSTRAINTS))
def test_the_projected_gradient_is_the_gradient_of_the_constrained_cell(name):
    """Write the constrained cell as a function of its free parameters only (held and off-diagonal entries
    fixed, each follower computed from its leader): central differences of the loss in each free entry,
    float64, agree with the projected gradient of the leader's (or the free) field to 1e-6."""
    rng = np.random.default_rng(7)
    kind, constraint = CONSTRAINTS[name]
    p = parent(name, rng)
    x, w = rng.normal(size=(N, B, D_X)), rng.normal(size=(N, B, p.d_out))

    def loss(q):
        return float(np.sum(w * q.forward(x).output))

    grads = constraint.project(p.backward(p.forward(x), w))
    followers = {f for _, f, _ in constraint.tied}
    for f in dataclasses.fields(p):
        name_f = f.name
        if name_f in followers:
            continue
        value = getattr(p, name_f)
        mask = np.ones(value.shape, bool)
        if name_f in constraint.diagonal:
            mask = np.eye(value.shape[0], dtype=bool)
        if name_f in constraint.held:
            np.testing.assert_array_equal(getattr(grads, name_f), 0.0)
            continue

        def f_of(entries, name_f=name_f, mask=mask, value=value):
            new = value.copy()
            new[mask] = entries
            return loss(constraint.impose(dataclasses.replace(p, **{name_f: new})))

        numeric = numerical_gradient(f_of, value[mask])
        analytic = getattr(grads, name_f)[mask]
        err = np.max(np.abs(numeric - analytic)) / max(1e-12, np.max(np.abs(numeric)))
        assert err < 1e-6, (name, name_f, err)
        if name_f in constraint.diagonal:
            assert np.all(getattr(grads, name_f)[~mask] == 0.0)
    for leader, follower, sign in constraint.tied:
        np.testing.assert_array_equal(getattr(grads, follower), sign * getattr(grads, leader))


@pytest.mark.parametrize("name", sorted(CONSTRAINTS))
def test_training_under_the_constraint_keeps_it(name):
    """Twenty Adam steps through ConstrainedOptimizer: the parameters still satisfy the constraint exactly."""
    rng = np.random.default_rng(8)
    kind, constraint = CONSTRAINTS[name]
    p = parent(name, rng)
    readout = lrnn.losses.Readout(W_y=rng.normal(size=(1, p.d_out)), b_y=np.zeros(1))
    opt = ConstrainedOptimizer(Adam(lr=0.05), constraint)
    x, target = rng.normal(size=(N, B, D_X)), rng.normal(size=(N, B, 1))
    fit = fit_sequences((p, readout), lambda r: (x, target), rng, steps=20, optimizer=opt, progress=False)
    trained = fit.params[0]
    assert any(not np.array_equal(getattr(trained, f.name), getattr(p, f.name)) for f in dataclasses.fields(p))
    again = constraint.impose(trained)
    for f in dataclasses.fields(p):
        np.testing.assert_array_equal(getattr(again, f.name), getattr(trained, f.name), err_msg=f.name)


def test_free_parameters_are_counted_and_bad_constraints_named():
    rng = np.random.default_rng(9)
    lstm = lrnn.LSTMParams.init(rng, D_X, D_S)
    assert CONSTRAINTS["lstm_diagonal"][1].n_free(lstm) == lstm.n_params - 3 * (D_S * D_S - D_S)
    assert CONSTRAINTS["lstm_coupled"][1].n_free(lstm) == lstm.n_params - (D_S * D_X + 2 * D_S * D_S + D_S)
    gru = lrnn.GRUParams.init(rng, D_X, D_S)
    assert CONSTRAINTS["mgu"][1].n_free(gru) == gru.n_params // 3 * 2
    with pytest.raises(ValueError, match=r"W_x_z.*which LSTMParams does not have"):
        CONSTRAINTS["mgu"][1].impose(dataclasses.replace(lstm))  # an LSTM has no W_x_z
    with pytest.raises(TypeError, match="constraint"):
        ConstrainedOptimizer(Adam(), {"held": {}})
    same = Constraint().impose(lstm)
    assert all(np.array_equal(getattr(same, f.name), getattr(lstm, f.name)) for f in dataclasses.fields(lstm))
